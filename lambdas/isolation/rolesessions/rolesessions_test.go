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
			assert.Equal(t, "2026-12-04T10:30:15Z", s.Condition["DateLessThan"]["aws:TokenIssueTime"])
		})
	}
}
