package template_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/cdktest"
)

func TestCDKNagAWSSolutionsFindsNoUnsuppressedError(t *testing.T) {
	for name, s := range map[string]synthesized{"defaults": stacks.defaults, "existing VPC": stacks.existingVPC} {
		t.Run(name, func(t *testing.T) {
			errs, warnings := cdktest.NagMessages(s.stack.Stack, "*")
			for _, finding := range errs {
				assert.Fail(t, "cdk-nag error", finding)
			}
			for _, finding := range warnings {
				assert.Fail(t, "cdk-nag warning", finding)
			}
		})
	}
}

// TestEverySuppressionNamesItsReason reads the suppressions cdk-nag keeps
// in the template metadata: each must say why, in a sentence.
func TestEverySuppressionNamesItsReason(t *testing.T) {
	for name, s := range map[string]synthesized{"defaults": stacks.defaults, "existing VPC": stacks.existingVPC} {
		t.Run(name, func(t *testing.T) {
			count := 0
			for id, r := range s.Resources {
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
		})
	}
}
