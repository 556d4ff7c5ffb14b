package template_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCDKNagAWSSolutionsFindsNoUnsuppressedError(t *testing.T) {
	for name, s := range map[string]synthesized{"defaults": stacks.defaults, "existing VPC": stacks.existingVPC} {
		t.Run(name, func(t *testing.T) {
			annotations := assertions.Annotations_FromStack(s.stack.Stack)
			for _, m := range *annotations.FindError(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-|CdkNagValidationFailure"))) {
				assert.Fail(t, "cdk-nag error", "%s: %v", *m.Id, m.Entry.Data)
			}
			for _, m := range *annotations.FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("AwsSolutions-|CdkNagValidationFailure"))) {
				assert.Fail(t, "cdk-nag warning", "%s: %v", *m.Id, m.Entry.Data)
			}
		})
	}
}

// TestEverySuppressionNamesItsReason reads the suppressions cdk-nag keeps
// in the template metadata: each must say why, in a sentence.
func TestEverySuppressionNamesItsReason(t *testing.T) {
	s := stacks.defaults
	count := 0
	for id, r := range s.resources {
		nag, _ := r.Metadata["cdk_nag"].(map[string]any)
		rules, _ := nag["rules_to_suppress"].([]any)
		for _, rule := range rules {
			m, _ := rule.(map[string]any)
			count++
			reason, _ := m["reason"].(string)
			assert.GreaterOrEqual(t, len(reason), 40, "reason of the %v suppression on %s: %q", m["id"], id, reason)
			assert.Regexp(t, `^(AwsSolutions-[A-Z]+[0-9]+|CdkNagValidationFailure)$`, m["id"], "suppression on %s", id)
		}
	}
	require.Positive(t, count, "the template holds suppressions")
}
