package host

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// diskStateOf is a DISK case whose snapshots have the given sizes.
func diskStateOf(t *testing.T, sizesGiB ...int32) investigation.State {
	t.Helper()
	var snaps []investigation.Snapshot
	for i, size := range sizesGiB {
		snaps = append(snaps, investigation.Snapshot{
			SnapshotID:     fmt.Sprintf("snap-0a1b2c3d4e5f6071%d", i),
			SourceVolumeID: fmt.Sprintf("vol-0a1b2c3d4e5f6071%d", i),
			SizeGiB:        size,
		})
	}
	raw, err := json.Marshal(investigation.Request{
		ForensicID:   "case-42",
		ForensicType: investigation.ForensicTypeDisk,
		Resource:     investigation.Resource{AccountID: "444455556666", Region: "eu-west-1", InstanceID: "i-0123456789abcdef0"},
		Disk:         &investigation.DiskEvidence{Snapshots: snaps},
	})
	require.NoError(t, err)
	st := diskState()
	st.Request = raw
	return st
}

// TestLaunchSizesTheInstanceForTheEvidence: a case whose evidence reaches
// the configured threshold gets the large instance type; the type is in
// the custody log.
func TestLaunchSizesTheInstanceForTheEvidence(t *testing.T) {
	tests := []struct {
		name      string
		state     func(t *testing.T) investigation.State
		large     string
		threshold int64
		want      types.InstanceType
	}{
		{name: "small disk", state: func(t *testing.T) investigation.State { return diskStateOf(t, 8, 100) },
			large: "m7g.2xlarge", threshold: 500, want: "m7g.large"},
		{name: "disks adding up to the threshold", state: func(t *testing.T) investigation.State { return diskStateOf(t, 100, 400) },
			large: "m7g.2xlarge", threshold: 500, want: "m7g.2xlarge"},
		{name: "large dump", state: func(t *testing.T) investigation.State { return memoryState(t, "lime", 64*gib) },
			large: "r7g.2xlarge", threshold: 32, want: "r7g.2xlarge"},
		{name: "dump under the threshold", state: func(t *testing.T) investigation.State { return memoryState(t, "lime", 31*gib) },
			large: "r7g.2xlarge", threshold: 32, want: "m7g.large"},
		{name: "no large type configured", state: func(t *testing.T) investigation.State { return diskStateOf(t, 4000) },
			large: "", threshold: 500, want: "m7g.large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := newFakeEC2(), &fakeRecorder{}
			l := newLauncher(fake, rec, amiIs(testAMI))
			l.Config.LargeInstanceType, l.Config.LargeEvidenceGiB = tt.large, tt.threshold

			_, err := l.Handle(context.Background(), tt.state(t))

			require.NoError(t, err)
			require.Len(t, fake.runInputs, 1)
			assert.Equal(t, tt.want, fake.runInputs[0].InstanceType)
			require.Len(t, rec.events, 2)
			assert.Equal(t, string(tt.want), rec.events[1].Resources["instanceType"], "instance type in the custody log")
		})
	}
}

func TestLaunchSizingNeedsAReadableRequest(t *testing.T) {
	fake, rec := newFakeEC2(), &fakeRecorder{}
	l := newLauncher(fake, rec, amiIs(testAMI))
	l.Config.LargeInstanceType, l.Config.LargeEvidenceGiB = "m7g.2xlarge", 500

	_, err := l.Handle(context.Background(), diskState()) // request {}

	var f *investigation.Failure
	require.ErrorAs(t, err, &f)
	assert.Equal(t, investigation.ReasonInstanceLaunch, f.Reason)
	assert.Empty(t, fake.runInputs, "nothing launched")
	assert.Empty(t, fake.groups, "nothing created")
}
