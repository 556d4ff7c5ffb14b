package functions_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/internal/cdktest"
)

// synthesized is a template's resources as Go values.
type synthesized struct {
	cdktest.Resources
}

func synth(stack awscdk.Stack) synthesized {
	resources, err := cdktest.ResourcesOf(assertions.Template_FromStack(stack, nil))
	if err != nil {
		panic(err)
	}
	return synthesized{Resources: resources}
}

// function returns the logical ID and properties of the function called
// name, found by its construct path.
func (s synthesized) function(t *testing.T, stack awscdk.Stack, fns *functions.Functions, name functions.Name) (string, map[string]any) {
	t.Helper()
	child := fns.Function(name).Node().DefaultChild().(awscdk.CfnElement)
	id := *stack.GetLogicalId(child)
	r, ok := s.Resources[id]
	require.True(t, ok, "function %s (%s) not in template", name, id)
	return id, r.Properties
}
