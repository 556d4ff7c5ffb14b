package rolesessions

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type fakeIAM struct {
	got *iam.PutRolePolicyInput
	err error
}

func (f *fakeIAM) PutRolePolicy(_ context.Context, in *iam.PutRolePolicyInput, _ ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	f.got = in
	return &iam.PutRolePolicyOutput{}, f.err
}

func TestRevoke(t *testing.T) {
	at := time.Date(2026, 12, 4, 11, 30, 15, 500, time.FixedZone("x", 3600))
	tests := []struct {
		name    string
		err     error
		wantErr string
	}{
		{name: "policy put", err: nil},
		{name: "IAM refuses", err: errors.New("AccessDenied"), wantErr: "revoke the sessions of role app-role: AccessDenied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := &fakeIAM{err: tc.err}
			err := Revoke(context.Background(), api, "app-role", at)
			if tc.wantErr != "" {
				require.EqualError(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "app-role", aws.ToString(api.got.RoleName))
			assert.Equal(t, PolicyName, aws.ToString(api.got.PolicyName))
			var doc struct {
				Statement []struct {
					Effect, Action, Resource string
					Condition                map[string]map[string]string
				}
			}
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(api.got.PolicyDocument)), &doc))
			require.Len(t, doc.Statement, 1)
			s := doc.Statement[0]
			assert.Equal(t, "Deny", s.Effect)
			assert.Equal(t, "*", s.Action)
			assert.Equal(t, "2026-12-04T10:30:16Z", s.Condition["DateLessThan"]["aws:TokenIssueTime"],
				"a moment within a second is rounded up, so that no session issued before it is spared")
		})
	}
}

func TestCutOffIsTheWholeSecondAfter(t *testing.T) {
	tests := []struct {
		name string
		at   time.Time
		want string
	}{
		{"within a second", time.Date(2026, 12, 4, 11, 30, 15, 999_000_000, time.UTC), "2026-12-04T11:30:16Z"},
		{"on a whole second", time.Date(2026, 12, 4, 11, 30, 15, 0, time.UTC), "2026-12-04T11:30:16Z"},
		{"other zone", time.Date(2026, 12, 4, 12, 30, 15, 1, time.FixedZone("x", 3600)), "2026-12-04T11:30:16Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := CutOff(tc.at)

			assert.Equal(t, tc.want, got.Format(time.RFC3339))
			assert.True(t, got.After(tc.at), "the cut-off %s is after %s", got, tc.at)
			doc, err := Document(got)
			require.NoError(t, err)
			assert.Contains(t, doc, `"aws:TokenIssueTime":"`+tc.want+`"`, "the policy names the cut-off itself")
		})
	}
}
