package notification_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

func newStack() awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
}

// check runs a template assertion, which panics on a mismatch, and reports
// the mismatch (the assertions library prints got and want) as a test error.
func check(t *testing.T, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%v", r)
		}
	}()
	assertion()
}

type obj = map[string]any

func like(pattern obj) assertions.Matcher { return assertions.Match_ObjectLike(&pattern) }

func arrayWith(items ...any) assertions.Matcher { return assertions.Match_ArrayWith(&items) }

// nagErrors applies the AWS Solutions rule pack to stack and returns its
// unsuppressed findings: errors, and warnings such as a rule that could not
// evaluate a resource.
func nagErrors(stack awscdk.Stack) []string {
	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	annotations := assertions.Annotations_FromStack(stack)
	nag := assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-|CdkNagValidationFailure"))
	var found []string
	for _, messages := range []*[]*cxapi.SynthesisMessage{
		annotations.FindError(jsii.String("*"), nag),
		annotations.FindWarning(jsii.String("*"), nag),
	} {
		for _, m := range *messages {
			found = append(found, fmt.Sprintf("%s: %v", *m.Id, m.Entry.Data))
		}
	}
	return found
}

func ptr[T any](v T) *T { return &v }
