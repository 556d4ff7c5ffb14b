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

// CutOff is the moment to revoke the sessions issued up to at: the first
// whole second after it. IAM compares aws:TokenIssueTime in whole seconds,
// so a cut-off truncated to at's second would spare a session issued in
// that second before at, such as one issued just before the role was taken
// off its instance; one second later spares none issued up to at, and at
// most revokes sessions issued in the second after it, which renew.
func CutOff(at time.Time) time.Time {
	return at.UTC().Truncate(time.Second).Add(time.Second)
}

// Revoke denies everything to the sessions of roleName issued before
// before (rounded up to a whole second). Putting the policy again with a
// later time is harmless: it only moves the moment.
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
// before before, in whole seconds (UTC): a moment within a second is
// rounded up, never down, so that no session issued before it is spared.
func Document(before time.Time) (string, error) {
	if whole := before.Truncate(time.Second); !whole.Equal(before) {
		before = whole.Add(time.Second)
	}
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid":       "DenySessionsIssuedBeforeIsolation",
			"Effect":    "Deny",
			"Action":    "*",
			"Resource":  "*",
			"Condition": map[string]any{"DateLessThan": map[string]string{"aws:TokenIssueTime": before.UTC().Format(time.RFC3339)}},
		}},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode the session revocation policy: %w", err)
	}
	return string(b), nil
}
