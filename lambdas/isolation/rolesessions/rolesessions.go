// Package rolesessions revokes the sessions already issued for an IAM role,
// as the IAM console's "Revoke active sessions" does: an inline policy on
// the role denies every action to credentials issued before a moment.
// Credentials issued later, such as those of the role's other instances
// after their next refresh, are not affected.
package rolesessions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// PolicyName is the inline policy that Revoke puts on a role.
const PolicyName = "CasefileRevokeOlderSessions"

// API is the part of the IAM client Revoke uses.
type API interface {
	PutRolePolicy(ctx context.Context, params *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
}

// Revoke denies everything to the sessions of roleName issued before
// before. Putting the policy again with a later time is harmless: it only
// moves the moment.
func Revoke(ctx context.Context, api API, roleName string, before time.Time) error {
	doc, err := Document(before)
	if err != nil {
		return err
	}
	_, err = api.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
		RoleName:       aws.String(roleName),
		PolicyName:     aws.String(PolicyName),
		PolicyDocument: aws.String(doc),
	})
	if err != nil {
		return fmt.Errorf("revoke the sessions of role %s: %w", roleName, err)
	}
	return nil
}

// Document is the policy that denies every action to sessions issued
// before before (whole seconds, UTC).
func Document(before time.Time) (string, error) {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":       "DenySessionsIssuedBeforeIsolation",
			"Effect":    "Deny",
			"Action":    "*",
			"Resource":  "*",
			"Condition": map[string]any{"DateLessThan": map[string]string{"aws:TokenIssueTime": before.UTC().Truncate(time.Second).Format(time.RFC3339)}},
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode the session revocation policy: %w", err)
	}
	return string(b), nil
}
