package investigation

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckSnapshotOwners(t *testing.T) {
	const (
		account = "111122223333"
		first   = "snap-0a1b2c3d4e5f60718"
		second  = "snap-0b2c3d4e5f6071829"
	)
	tests := []struct {
		name      string
		owners    map[string]string
		wantField string
		wantText  string
	}{
		{name: "every snapshot owned by the request's account", owners: map[string]string{first: account, second: account}},
		{name: "a snapshot EC2 does not show is left to AttachEvidence", owners: map[string]string{second: account}},
		{name: "nothing shown", owners: nil},
		{
			name: "the second snapshot is another account's", owners: map[string]string{first: account, second: "444455556666"},
			wantField: "disk.snapshots[1].snapshotId",
			wantText:  second + " is owned by account 444455556666, not by resource.accountId " + account,
		},
		{
			name: "the first of two foreign snapshots is named", owners: map[string]string{first: "444455556666", second: "777788889999"},
			wantField: "disk.snapshots[0].snapshotId",
			wantText:  "owned by account 444455556666",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest(readFixture(t, "disk-ec2.json"))
			require.NoError(t, err)
			require.Equal(t, account, req.Resource.AccountID)

			err = req.CheckSnapshotOwners(tt.owners)

			if tt.wantField == "" {
				assert.NoError(t, err)
				return
			}
			var verr *ValidationError
			require.True(t, errors.As(err, &verr), "want a *ValidationError, got %v", err)
			assert.Equal(t, tt.wantField, verr.Field)
			assert.Contains(t, verr.Problem, tt.wantText)
		})
	}
}

func TestCheckSnapshotOwnersIgnoresMemoryRequests(t *testing.T) {
	req, err := ParseRequest(readFixture(t, "memory-ec2.json"))
	require.NoError(t, err)

	assert.NoError(t, req.CheckSnapshotOwners(map[string]string{"snap-0a1b2c3d4e5f60718": "444455556666"}))
}
