package intake

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// fakeSnapshots answers DescribeSnapshots from owners (snapshot ID to
// owning account) as EC2 does: a call naming a snapshot it does not hold
// fails with InvalidSnapshot.NotFound.
type fakeSnapshots struct {
	owners map[string]string
	err    error
	calls  [][]string
}

func (f *fakeSnapshots) DescribeSnapshots(_ context.Context, in *ec2.DescribeSnapshotsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error) {
	f.calls = append(f.calls, in.SnapshotIds)
	if f.err != nil {
		return nil, f.err
	}
	out := &ec2.DescribeSnapshotsOutput{}
	for _, id := range in.SnapshotIds {
		owner, ok := f.owners[id]
		if !ok {
			return nil, &smithy.GenericAPIError{Code: "InvalidSnapshot.NotFound", Message: "The snapshot '" + id + "' does not exist."}
		}
		out.Snapshots = append(out.Snapshots, types.Snapshot{SnapshotId: aws.String(id), OwnerId: aws.String(owner)})
	}
	return out, nil
}

var _ Snapshots = (*fakeSnapshots)(nil)

// fixtureAccount is the application account of the fixture requests.
const fixtureAccount = "111122223333"

// fixtureSnapshots holds the snapshots of the fixture requests, all owned
// by fixtureAccount.
func fixtureSnapshots() *fakeSnapshots {
	return &fakeSnapshots{owners: map[string]string{
		"snap-0a1b2c3d4e5f60718": fixtureAccount,
		"snap-0b2c3d4e5f6071829": fixtureAccount,
		"snap-0c3d4e5f60718293a": fixtureAccount,
	}}
}

func TestHandleChecksTheSnapshotsOwner(t *testing.T) {
	const (
		first  = "snap-0a1b2c3d4e5f60718"
		second = "snap-0b2c3d4e5f6071829"
	)
	tests := []struct {
		name      string
		owners    map[string]string
		wantField string // empty: the case is recorded
		wantCalls int
	}{
		{name: "both owned by the request's account", owners: map[string]string{first: fixtureAccount, second: fixtureAccount}, wantCalls: 1},
		{
			name: "the second owned by another account", owners: map[string]string{first: fixtureAccount, second: "444455556666"},
			wantField: "disk.snapshots[1].snapshotId", wantCalls: 1,
		},
		{
			// AttachEvidence names a missing snapshot (EVIDENCE_MISMATCH).
			name: "a missing one is left to AttachEvidence", owners: map[string]string{second: fixtureAccount},
			wantCalls: 3,
		},
		{
			name: "another account's beside a missing one", owners: map[string]string{second: "444455556666"},
			wantField: "disk.snapshots[1].snapshotId", wantCalls: 3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records := &fakeRecords{}
			snapshots := &fakeSnapshots{owners: tt.owners}
			h := New(records, snapshots, evidenceBucket)

			_, err := h.Handle(context.Background(), investigation.State{Request: fixture(t, "disk-ec2.json"), ExecutionName: "cf-2026-03-14-0001-disk"})

			assert.Len(t, snapshots.calls, tt.wantCalls, "DescribeSnapshots calls: %v", snapshots.calls)
			if tt.wantField == "" {
				require.NoError(t, err)
				assert.Len(t, records.creates, 1, "the case is recorded")
				return
			}
			var f *investigation.Failure
			require.True(t, errors.As(err, &f), "want an investigation.Failure, got %v", err)
			assert.Equal(t, investigation.ReasonInvalidRequest, f.Reason)
			assert.Contains(t, err.Error(), tt.wantField)
			assert.Empty(t, records.creates, "no case is created")
			require.Len(t, records.rejections, 1, "the rejection is recorded")
			assert.Equal(t, tt.wantField, records.rejections[0].verr.Field)
			assert.Contains(t, records.rejections[0].verr.Problem, "owned by account 444455556666, not by resource.accountId "+fixtureAccount)
		})
	}
}

func TestHandleDoesNotDescribeSnapshotsForMemory(t *testing.T) {
	snapshots := &fakeSnapshots{err: errors.New("must not be called")}
	_, err := New(&fakeRecords{}, snapshots, evidenceBucket).Handle(context.Background(),
		investigation.State{Request: fixture(t, "memory-ec2.json"), ExecutionName: "cf-2026-03-14-0001-memory"})

	require.NoError(t, err)
	assert.Empty(t, snapshots.calls)
}

func TestHandleFailsWhenEC2Fails(t *testing.T) {
	records := &fakeRecords{}
	h := New(records, &fakeSnapshots{err: &smithy.GenericAPIError{Code: "UnauthorizedOperation", Message: "no"}}, evidenceBucket)
	h.now = func() time.Time { return time.Time{} }

	_, err := h.Handle(context.Background(), investigation.State{Request: fixture(t, "disk-ec2.json"), ExecutionName: "x"})

	require.Error(t, err)
	assert.Contains(t, err.Error(), "check the owners of cf-2026-03-14-0001's snapshots")
	var f *investigation.Failure
	assert.False(t, errors.As(err, &f), "an EC2 error is not a rejection of the request")
	assert.Empty(t, records.creates)
	assert.Empty(t, records.rejections)
}
