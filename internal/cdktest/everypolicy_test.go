package cdktest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/cdktest"
)

func TestEveryStatement(t *testing.T) {
	r := cdktest.Resources{
		"Key": {Type: "AWS::KMS::Key", Properties: map[string]any{"KeyPolicy": map[string]any{"Statement": []any{
			map[string]any{"Effect": "Allow", "Action": "kms:*", "Principal": map[string]any{"AWS": "arn:aws:iam::111122223333:root"}, "Resource": "*"},
		}}}},
		"Role": {Type: "AWS::IAM::Role", Properties: map[string]any{
			"AssumeRolePolicyDocument": map[string]any{"Statement": []any{
				map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"Service": "lambda.amazonaws.com"}},
			}},
			"Policies": []any{map[string]any{"PolicyName": "p", "PolicyDocument": map[string]any{"Statement": map[string]any{
				"Effect": "Allow", "NotAction": "iam:*", "Resource": "*",
			}}}},
		}},
		"Logs": {Type: "AWS::Logs::ResourcePolicy", Properties: map[string]any{
			"PolicyDocument": `{"Statement":[{"Effect":"Deny","Action":"logs:PutLogEvents","NotPrincipal":{"AWS":"x"}}]}`,
		}},
		"Bus": {Type: "AWS::Events::EventBusPolicy", Properties: map[string]any{
			"Statement": map[string]any{"Effect": "Allow", "Action": "events:PutEvents", "Principal": map[string]any{"AWS": "x"}},
		}},
	}

	got := r.EveryStatement()

	require.Len(t, got, 5)
	assert.Equal(t, "AWS::Events::EventBusPolicy Bus", got[0].Source)
	assert.Equal(t, []string{"events:PutEvents"}, got[0].Actions)
	assert.Equal(t, "AWS::IAM::Role Role", got[1].Source[:len("AWS::IAM::Role Role")])
	assert.Equal(t, []string{"kms:*"}, got[3].Actions)
	assert.Equal(t, "AWS::KMS::Key Key", got[3].Source)
	assert.Equal(t, "AWS::Logs::ResourcePolicy Logs", got[4].Source)
	assert.True(t, got[4].NotPrincipal, "the log policy's NotPrincipal is kept")
	assert.Equal(t, "Deny", got[4].Effect)
	var inline, trust bool
	for _, st := range got {
		inline = inline || st.Source == "AWS::IAM::Role Role inline p" && len(st.NotActions) == 1
		trust = trust || st.Source == "AWS::IAM::Role Role trust" && st.Actions[0] == "sts:AssumeRole"
	}
	assert.True(t, inline, "the inline policy's NotAction is read: %+v", got)
	assert.True(t, trust, "the trust policy is read: %+v", got)
}

func TestUnreadPolicies(t *testing.T) {
	r := cdktest.Resources{
		"Bucket": {Type: "AWS::S3::BucketPolicy", Properties: map[string]any{"PolicyDocument": map[string]any{}}},
		"Repo":   {Type: "AWS::ECR::Repository", Properties: map[string]any{"RepositoryPolicyText": map[string]any{}}},
		"Secret": {Type: "AWS::SecretsManager::ResourcePolicy", Properties: map[string]any{"ResourcePolicy": map[string]any{}}},
	}

	assert.Equal(t, []string{"Secret (AWS::SecretsManager::ResourcePolicy.ResourcePolicy)"}, r.UnreadPolicies())
}
