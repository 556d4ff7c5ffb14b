package cdktest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/stretchr/testify/assert"
)

// AssertNoNagFindings applies the AWS Solutions rule pack to stack and
// fails t, listing them, when it reports any finding (see NagFindings). It
// returns whether there was none.
func AssertNoNagFindings(t testing.TB, stack awscdk.Stack) bool {
	t.Helper()
	errs := NagFindings(stack)
	return assert.Empty(t, errs, "unsuppressed cdk-nag errors:\n%s", strings.Join(errs, "\n"))
}

// NagFindings applies the AWS Solutions rule pack to stack and returns its
// unsuppressed findings: errors, and warnings such as a rule that could not
// evaluate a resource.
func NagFindings(stack awscdk.Stack) []string {
	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	errs, warnings := NagMessages(stack, "*")
	return append(errs, warnings...)
}

// NagMessages returns the unsuppressed cdk-nag errors and warnings that the
// rule packs already applied to stack (or its app) report on the constructs
// whose path matches pathPattern ("*" for all), each as "path: message".
func NagMessages(stack awscdk.Stack, pathPattern string) (errs, warnings []string) {
	annotations := assertions.Annotations_FromStack(stack)
	nag := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-|CdkNagValidationFailure"))
	return messages(annotations.FindError(jsii.String(pathPattern), nag)),
		messages(annotations.FindWarning(jsii.String(pathPattern), nag))
}

func messages(found *[]*cxapi.SynthesisMessage) []string {
	var out []string
	for _, m := range *found {
		out = append(out, fmt.Sprintf("%s: %v", *m.Id, m.Entry.Data))
	}
	return out
}
