package host

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const gib = int64(1) << 30

// memoryState is a MEMORY case whose request declares a dump of size bytes
// in format.
func memoryState(t *testing.T, format string, size int64) investigation.State {
	t.Helper()
	dump := &investigation.MemoryEvidence{
		S3URI: "s3://casefile-evidence/case-42/mem", SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		SizeBytes: size, Format: format, KernelRelease: "6.1.0-28-cloud-amd64",
	}
	if format == "crashdump" {
		dump.OperatingSystem, dump.KernelRelease = investigation.OSWindows, ""
	}
	raw, err := json.Marshal(investigation.Request{
		ForensicID:   "case-42",
		ForensicType: investigation.ForensicTypeMemory,
		Resource:     investigation.Resource{AccountID: "444455556666", Region: "eu-west-1", InstanceID: "i-0123456789abcdef0"},
		Memory:       dump,
	})
	require.NoError(t, err)
	return investigation.State{
		Request:       raw,
		ExecutionName: "case-42-memory",
		ForensicID:    "case-42",
		ForensicType:  investigation.ForensicTypeMemory,
	}
}

func TestLaunchAddsAScratchVolumeForMemoryOnly(t *testing.T) {
	// testLaunchConfig: minimum 8 GiB, maximum 1024 GiB.
	tests := []struct {
		name  string
		state func(t *testing.T) investigation.State
		// wantGiB is the scratch volume's size; 0 means no scratch volume.
		wantGiB int32
	}{
		{name: "disk case: none", state: func(*testing.T) investigation.State { return diskState() }},
		{name: "small dump: the minimum", state: func(t *testing.T) investigation.State { return memoryState(t, "lime", 1<<20) }, wantGiB: 8},
		{name: "lime: 110% rounded up", state: func(t *testing.T) investigation.State { return memoryState(t, "lime", 20*gib) }, wantGiB: 22},
		{name: "raw: a byte over 10 GiB rounds up", state: func(t *testing.T) investigation.State { return memoryState(t, "raw", 10*gib+1) }, wantGiB: 12},
		{name: "crashdump: 110%", state: func(t *testing.T) investigation.State { return memoryState(t, "crashdump", 100*gib) }, wantGiB: 110},
		{name: "avml: 550%, room to decompress", state: func(t *testing.T) investigation.State { return memoryState(t, "avml", 10*gib) }, wantGiB: 55},
		{name: "avml small: the minimum", state: func(t *testing.T) investigation.State { return memoryState(t, "avml", gib) }, wantGiB: 8},
		{name: "just under the maximum", state: func(t *testing.T) investigation.State { return memoryState(t, "lime", 930*gib) }, wantGiB: 1023},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := newFakeEC2(), &fakeRecorder{}
			l := newLauncher(fake, rec, amiIs(testAMI))

			got, err := l.Handle(context.Background(), tt.state(t))
			require.NoError(t, err)

			in := fake.runInputs[0]
			if tt.wantGiB == 0 {
				assert.Len(t, in.BlockDeviceMappings, 1, "the root volume only")
				assert.NotContains(t, rec.events[1].Resources, "scratchVolumeGiB", "custody of the launch")
				return
			}
			require.Len(t, in.BlockDeviceMappings, 2, "the root volume and the scratch volume")
			scratch := in.BlockDeviceMappings[1]
			assert.Equal(t, investigation.ScratchDeviceName, aws.ToString(scratch.DeviceName))
			require.NotNil(t, scratch.Ebs)
			assert.Equal(t, tt.wantGiB, aws.ToInt32(scratch.Ebs.VolumeSize), "scratch size in GiB")
			assert.Equal(t, types.VolumeTypeGp3, scratch.Ebs.VolumeType)
			assert.True(t, aws.ToBool(scratch.Ebs.Encrypted), "scratch volume encrypted")
			assert.Equal(t, testLaunchConfig().VolumeKMSKeyARN, aws.ToString(scratch.Ebs.KmsKeyId), "the case volumes' key")
			assert.True(t, aws.ToBool(scratch.Ebs.DeleteOnTermination), "deleted with the instance")
			assert.Empty(t, aws.ToString(scratch.Ebs.SnapshotId), "a blank volume")

			// The launch's volume tag specification tags both volumes.
			var tagged int
			for _, v := range fake.volumes {
				if aws.ToString(v.Attachments[0].InstanceId) != got.Instance.InstanceID {
					continue
				}
				tagged++
				assert.Contains(t, v.Tags, types.Tag{Key: aws.String(investigation.TagForensicID), Value: aws.String("case-42")})
				assert.Contains(t, v.Tags, types.Tag{Key: aws.String(investigation.TagForensicType), Value: aws.String("MEMORY")})
				assert.Contains(t, v.Tags, types.Tag{Key: aws.String(investigation.TagManagedBy), Value: aws.String(investigation.ManagedByValue)})
			}
			assert.Equal(t, 2, tagged, "volumes of the instance")

			launched := rec.events[1]
			require.Equal(t, "instance-launched", launched.Action)
			assert.Equal(t, investigation.ScratchDeviceName, launched.Resources["scratchDeviceName"])
			assert.Equal(t, strconv.Itoa(int(tt.wantGiB)), launched.Resources["scratchVolumeGiB"])
		})
	}
}

func TestLaunchRefusesADumpTooLargeForTheScratchVolume(t *testing.T) {
	tests := []struct {
		name       string
		format     string
		size       int64
		config     func(c *LaunchConfig)
		wantReason investigation.Reason
		wantInMsg  string
	}{
		{
			name: "lime over the maximum", format: "lime", size: 1000 * gib,
			wantReason: investigation.ReasonDumpTooLarge,
			wantInMsg:  "the lime memory dump of 1073741824000 bytes needs a scratch volume of 1100 GiB (110% of its size), more than the configured maximum of 1024 GiB (scratchMaxGiB",
		},
		{
			name: "avml over the maximum", format: "avml", size: 200 * gib,
			wantReason: investigation.ReasonDumpTooLarge,
			wantInMsg:  "needs a scratch volume of 1100 GiB (550% of its size)",
		},
		{
			name: "larger than the maximum itself", format: "raw", size: math.MaxInt64,
			wantReason: investigation.ReasonDumpTooLarge,
			wantInMsg:  "is larger than the configured maximum scratch volume of 1024 GiB",
		},
		{
			name: "a lower maximum", format: "lime", size: 10 * gib,
			config:     func(c *LaunchConfig) { c.ScratchMinGiB, c.ScratchMaxGiB = 1, 10 },
			wantReason: investigation.ReasonDumpTooLarge,
			wantInMsg:  "needs a scratch volume of 11 GiB",
		},
		{
			name: "sizes not configured", format: "lime", size: gib,
			config:     func(c *LaunchConfig) { c.ScratchMinGiB, c.ScratchMaxGiB = 0, 0 },
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "scratch volume sizes misconfigured",
		},
		{
			name: "minimum over maximum", format: "lime", size: gib,
			config:     func(c *LaunchConfig) { c.ScratchMinGiB, c.ScratchMaxGiB = 64, 32 },
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "minimum 64 GiB, maximum 32 GiB",
		},
		{
			name: "maximum over gp3's", format: "lime", size: gib,
			config:     func(c *LaunchConfig) { c.ScratchMaxGiB = MaxScratchGiB + 1 },
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "≤ 16384",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := newFakeEC2(), &fakeRecorder{}
			l := newLauncher(fake, rec, amiIs(testAMI))
			if tt.config != nil {
				tt.config(&l.Config)
			}

			got, err := l.Handle(context.Background(), memoryState(t, tt.format, tt.size))

			require.Error(t, err)
			assert.Equal(t, tt.wantReason, reasonOf(err), "reason of %v", err)
			assert.ErrorContains(t, err, tt.wantInMsg)
			assert.Nil(t, got.Instance, "instance in the state")
			assert.Empty(t, fake.calls, "EC2 calls: the size is checked before anything is made")
			assert.Empty(t, rec.events, "custody events")
		})
	}
}

func TestLaunchOfAMemoryCaseNeedsItsDump(t *testing.T) {
	fake, rec := newFakeEC2(), &fakeRecorder{}
	l := newLauncher(fake, rec, amiIs(testAMI))
	st := memoryState(t, "lime", gib)
	st.Request = json.RawMessage(`{}`)

	_, err := l.Handle(context.Background(), st)

	require.Error(t, err)
	assert.Equal(t, investigation.ReasonInstanceLaunch, reasonOf(err), "reason of %v", err)
	assert.ErrorContains(t, err, "read the request of case case-42")
	assert.Empty(t, fake.calls, "EC2 calls")
}

// TestReleaseRemovesTheScratchVolume launches a MEMORY case on the fake
// and releases it: the scratch volume goes with the instance (delete on
// termination), or, when EC2 left it behind, is found by its case tags and
// deleted. Either way nothing of the case is left.
func TestReleaseRemovesTheScratchVolume(t *testing.T) {
	tests := []struct {
		name string
		// keep makes termination leave the scratch volume available.
		keep        bool
		wantDeleted int
	}{
		{name: "deleted on termination"},
		{name: "left by termination, found by tag", keep: true, wantDeleted: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := newFakeEC2(), &fakeRecorder{}
			st, err := newLauncher(fake, rec, amiIs(testAMI)).Handle(context.Background(), memoryState(t, "avml", 4*gib))
			require.NoError(t, err)
			require.Len(t, fake.volumes, 2, "root and scratch volumes")
			if tt.keep {
				for _, v := range fake.volumes {
					if aws.ToString(v.Attachments[0].Device) == investigation.ScratchDeviceName {
						v.Attachments[0].DeleteOnTermination = aws.Bool(false)
					}
				}
			}

			got, err := newReleaser(fake, rec).Handle(context.Background(), st)

			require.NoError(t, err)
			require.NotNil(t, got.Cleanup)
			assert.Len(t, got.Cleanup.DeletedVolumes, tt.wantDeleted, "volumes the release deleted itself")
			assert.Empty(t, sortedKeys(fake.volumes), "volumes left")
			assert.Empty(t, sortedKeys(fake.groups), "security groups left")
		})
	}
}
