package host

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const (
	forensicInstance = "i-00000000000000f00"
	snapA            = "snap-0000000000000000a"
	snapB            = "snap-0000000000000000b"
	volKey           = "arn:aws:kms:eu-west-1:111122223333:key/volumes"
)

// fastWait keeps the waiters of a test in milliseconds.
var fastWait = WaitOptions{MinDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, Timeout: 50 * time.Millisecond}

// attachState is a DISK case whose instance runs, with two snapshots.
func attachState(t *testing.T) investigation.State {
	t.Helper()
	req := investigation.Request{
		ForensicID:   "case-42",
		ForensicType: investigation.ForensicTypeDisk,
		Resource:     investigation.Resource{AccountID: "444455556666", Region: "eu-west-1", InstanceID: "i-0123456789abcdef0"},
		Disk: &investigation.DiskEvidence{Snapshots: []investigation.Snapshot{
			{SnapshotID: snapA, SourceVolumeID: "vol-0000000000000000a", SizeGiB: 8},
			{SnapshotID: snapB, SourceVolumeID: "vol-0000000000000000b", SizeGiB: 100},
		}},
	}
	raw, err := json.Marshal(req)
	require.NoError(t, err)
	st := diskState()
	st.Request = raw
	st.Instance = &investigation.Instance{InstanceID: forensicInstance, AvailabilityZone: "eu-west-1a", SecurityGroupID: "sg-1"}
	return st
}

// attachFake is an EC2 where the forensic instance runs and attachState's
// two snapshots are what its request says.
func attachFake() *fakeEC2 {
	fake := newFakeEC2()
	fake.addInstance(forensicInstance, types.InstanceStateNameRunning)
	fake.addSnapshot(snapA, "vol-0000000000000000a", 8)
	fake.addSnapshot(snapB, "vol-0000000000000000b", 100)
	return fake
}

func newAttacher(fake *fakeEC2, rec *fakeRecorder) *Attacher {
	return &Attacher{EC2: fake, Recorder: rec, VolumeKMSKeyARN: volKey, Wait: fastWait, Now: testClock}
}

// evidenceTags are the tags of an evidence volume of case-42's DISK
// investigation from snapshot.
func evidenceTags(snapshot string) []types.Tag {
	return caseTags(diskState(), investigation.RoleEvidenceVolume, types.Tag{Key: aws.String(tagSourceSnapshot), Value: aws.String(snapshot)})
}

func TestAttachEvidence(t *testing.T) {
	for _, initial := range []types.VolumeState{types.VolumeStateAvailable, types.VolumeStateCreating} {
		t.Run("new volumes "+string(initial), func(t *testing.T) {
			fake, rec := attachFake(), &fakeRecorder{}
			fake.newVolumeState = initial
			a := newAttacher(fake, rec)

			got, err := a.Handle(context.Background(), attachState(t))
			require.NoError(t, err)

			require.Len(t, got.Volumes, 2)
			assert.Equal(t, snapA, got.Volumes[0].SnapshotID)
			assert.Equal(t, "/dev/sdf", got.Volumes[0].Device)
			assert.Equal(t, snapB, got.Volumes[1].SnapshotID)
			assert.Equal(t, "/dev/sdg", got.Volumes[1].Device)
			for _, v := range got.Volumes {
				vol := fake.volumes[v.VolumeID]
				require.NotNil(t, vol, "volume %s in the state but not in EC2", v.VolumeID)
				assert.True(t, attachedTo(*vol, forensicInstance), "volume %s attached to the forensic instance", v.VolumeID)
				assert.Equal(t, "eu-west-1a", aws.ToString(vol.AvailabilityZone), "volume %s zone", v.VolumeID)
			}

			require.Len(t, fake.volumeInputs, 2)
			in := fake.volumeInputs[0]
			assert.Equal(t, "eu-west-1a", aws.ToString(in.AvailabilityZone))
			assert.Equal(t, snapA, aws.ToString(in.SnapshotId))
			assert.True(t, aws.ToBool(in.Encrypted), "encrypted")
			assert.Equal(t, volKey, aws.ToString(in.KmsKeyId))
			assert.Equal(t, types.VolumeTypeGp3, in.VolumeType)
			assert.Equal(t, clientToken("case-42-disk", "volume", snapA), aws.ToString(in.ClientToken))
			assert.NotEqual(t, aws.ToString(in.ClientToken), aws.ToString(fake.volumeInputs[1].ClientToken), "client tokens of two snapshots")
			require.Len(t, in.TagSpecifications, 1)
			tags := in.TagSpecifications[0].Tags
			assert.Contains(t, tags, types.Tag{Key: aws.String(investigation.TagRole), Value: aws.String(investigation.RoleEvidenceVolume)})
			assert.Contains(t, tags, types.Tag{Key: aws.String(investigation.TagForensicID), Value: aws.String("case-42")})
			assert.Contains(t, tags, types.Tag{Key: aws.String(tagSourceSnapshot), Value: aws.String(snapA)})
			assert.Contains(t, tags, types.Tag{Key: aws.String(tagSourceVolume), Value: aws.String("vol-0000000000000000a")})

			assert.Equal(t, []string{"snapshot-verified", "snapshot-verified", "volume-created", "volume-created",
				"volume-attached", "volume-attached"}, rec.actions())
			assert.Equal(t, map[string]string{
				"snapshotId": snapA, "sourceVolumeId": "vol-0000000000000000a", "volumeSizeGiB": "8", "state": "completed",
				"ownerId": "444455556666", "encrypted": "false", "startTime": "2026-03-01T09:30:00Z",
			}, rec.events[0].Resources, "what EC2 shows of the first snapshot")
			assert.Equal(t, got.Volumes[0].VolumeID, rec.events[4].Resources["volumeId"])
			assert.Equal(t, forensicInstance, rec.events[4].Resources["instanceId"])
		})
	}
}

func TestAttachEvidenceRetryReusesVolumes(t *testing.T) {
	tests := []struct {
		name string
		// prepare leaves what a failed first attempt left.
		prepare     func(f *fakeEC2)
		wantCreated int
		wantAttach  int
	}{
		{
			name: "first volume created, not attached",
			prepare: func(f *fakeEC2) {
				f.addVolume("vol-000000000000000e1", snapA, "", evidenceTags(snapA)...)
			},
			wantCreated: 1,
			wantAttach:  2,
		},
		{
			name: "both created, first attached",
			prepare: func(f *fakeEC2) {
				f.addVolume("vol-000000000000000e1", snapA, forensicInstance, evidenceTags(snapA)...)
				f.addVolume("vol-000000000000000e2", snapB, "", evidenceTags(snapB)...)
			},
			wantCreated: 0,
			wantAttach:  1,
		},
		{
			name: "a volume of another investigation of the same snapshot is not reused",
			prepare: func(f *fakeEC2) {
				memory := diskState()
				memory.ForensicType = investigation.ForensicTypeMemory
				f.addVolume("vol-000000000000000e9", snapA, "", caseTags(memory, investigation.RoleEvidenceVolume)...)
			},
			wantCreated: 2,
			wantAttach:  2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := attachFake(), &fakeRecorder{}
			tt.prepare(fake)
			a := newAttacher(fake, rec)

			got, err := a.Handle(context.Background(), attachState(t))
			require.NoError(t, err)

			assert.Equal(t, tt.wantCreated, fake.called("CreateVolume"), "volumes created")
			assert.Equal(t, tt.wantAttach, fake.called("AttachVolume"), "attach calls")
			require.Len(t, got.Volumes, 2)
			for _, v := range got.Volumes {
				assert.True(t, attachedTo(*fake.volumes[v.VolumeID], forensicInstance), "volume %s attached", v.VolumeID)
			}

			again, err := a.Handle(context.Background(), attachState(t))
			require.NoError(t, err)
			assert.Equal(t, got.Volumes, again.Volumes, "volumes of a second retry")
			assert.Equal(t, tt.wantCreated, fake.called("CreateVolume"), "volumes created after a second retry")
			assert.Equal(t, tt.wantAttach, fake.called("AttachVolume"), "attach calls after a second retry")
		})
	}
}

// TestAttachEvidenceAttachResponseLost: AttachVolume attached the volume
// but its response was lost, and EC2 refused the SDK's retry with
// VolumeInUse. The volume is the case's, attached to its instance: the
// step goes on, and attaches nothing twice.
func TestAttachEvidenceAttachResponseLost(t *testing.T) {
	fake, rec := attachFake(), &fakeRecorder{}
	fake.lostAttachResponses = 1

	got, err := newAttacher(fake, rec).Handle(context.Background(), attachState(t))

	require.NoError(t, err)
	require.Len(t, got.Volumes, 2)
	for _, v := range got.Volumes {
		assert.True(t, attachedTo(*fake.volumes[v.VolumeID], forensicInstance), "volume %s attached", v.VolumeID)
	}
	assert.Equal(t, "/dev/sdf", got.Volumes[0].Device, "device of the first volume")
	assert.Equal(t, 2, fake.called("AttachVolume"), "attach calls")
	assert.Equal(t, 2, fake.called("CreateVolume"), "volumes created")
}

func TestAttachEvidenceFails(t *testing.T) {
	tests := []struct {
		name      string
		setup     func(f *fakeEC2)
		state     func(st investigation.State) investigation.State
		wantInMsg string
	}{
		{
			name:      "no instance in the state",
			state:     func(st investigation.State) investigation.State { st.Instance = nil; return st },
			wantInMsg: "no forensic instance",
		},
		{
			name: "request unreadable",
			state: func(st investigation.State) investigation.State {
				st.Request = json.RawMessage(`{"forensicId":1}`)
				return st
			},
			wantInMsg: "read the request",
		},
		{
			name:      "snapshot not shared",
			setup:     func(f *fakeEC2) { f.fail("CreateVolume", snapB, apiErr("InvalidSnapshot.NotFound"), 0) },
			wantInMsg: "create volume from snapshot " + snapB + " in eu-west-1a",
		},
		{
			name:      "lookup fails",
			setup:     func(f *fakeEC2) { f.fail("DescribeVolumes", "", apiErr("UnauthorizedOperation"), 0) },
			wantInMsg: "look for the evidence volume of snapshot " + snapA,
		},
		{
			name:      "attach fails",
			setup:     func(f *fakeEC2) { f.fail("AttachVolume", "", apiErr("AttachmentLimitExceeded"), 0) },
			wantInMsg: "to instance " + forensicInstance + " as /dev/sdf",
		},
		{
			name: "volume stays creating",
			setup: func(f *fakeEC2) {
				f.newVolumeState = types.VolumeStateCreating
				f.stuckCreating = true
			},
			wantInMsg: "to become available",
		},
		{
			name: "volume goes into error",
			setup: func(f *fakeEC2) {
				f.newVolumeState = types.VolumeStateError
			},
			wantInMsg: "is error",
		},
		{
			name: "attach refused, volume in use elsewhere",
			setup: func(f *fakeEC2) {
				f.addVolume("vol-000000000000000e1", snapA, "", evidenceTags(snapA)...)
				f.fail("AttachVolume", "vol-000000000000000e1", apiErr("VolumeInUse"), 0)
			},
			wantInMsg: "attach volume vol-000000000000000e1 to instance " + forensicInstance,
		},
		{
			name: "volume attached elsewhere",
			setup: func(f *fakeEC2) {
				f.addVolume("vol-000000000000000e1", snapA, "i-0000000000000dead", evidenceTags(snapA)...)
			},
			wantInMsg: "attached to i-0000000000000dead",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := attachFake(), &fakeRecorder{}
			if tt.setup != nil {
				tt.setup(fake)
			}
			st := attachState(t)
			if tt.state != nil {
				st = tt.state(st)
			}

			got, err := newAttacher(fake, rec).Handle(context.Background(), st)

			require.Error(t, err)
			assert.Equal(t, investigation.ReasonEvidenceAttach, reasonOf(err), "reason of %v", err)
			assert.ErrorContains(t, err, tt.wantInMsg)
			assert.Empty(t, got.Volumes, "volumes in the state")
		})
	}
}

func TestDeviceNames(t *testing.T) {
	assert.Equal(t, "/dev/sdf", deviceName(0))
	assert.Equal(t, "/dev/sdg", deviceName(1))
	assert.Equal(t, "/dev/sdu", deviceName(investigation.MaxSnapshots-1), "device of the last snapshot a request may list")
}

func TestAttachEvidenceRefusesSnapshotsThatDiffer(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(f *fakeEC2)
		wantReason investigation.Reason
		wantInMsg  []string
	}{
		{
			name:       "snapshot does not exist",
			setup:      func(f *fakeEC2) { delete(f.snapshots, snapB) },
			wantReason: investigation.ReasonEvidenceMismatch,
			wantInMsg:  []string{"snapshot " + snapB + " does not exist or is not shared", "The snapshot '" + snapB + "' does not exist"},
		},
		{
			name:       "no snapshot exists",
			setup:      func(f *fakeEC2) { clear(f.snapshots) },
			wantReason: investigation.ReasonEvidenceMismatch,
			wantInMsg:  []string{"snapshots " + snapA + ", " + snapB + " do not exist or are not shared"},
		},
		{
			name:       "snapshot of another volume",
			setup:      func(f *fakeEC2) { f.addSnapshot(snapB, "vol-0000000000000000c", 100) },
			wantReason: investigation.ReasonEvidenceMismatch,
			wantInMsg:  []string{"snapshot " + snapB + ": source volume is vol-0000000000000000c, the request says vol-0000000000000000b"},
		},
		{
			name:       "snapshot of another size",
			setup:      func(f *fakeEC2) { f.addSnapshot(snapA, "vol-0000000000000000a", 9) },
			wantReason: investigation.ReasonEvidenceMismatch,
			wantInMsg:  []string{"snapshot " + snapA + ": size is 9 GiB, the request says 8 GiB"},
		},
		{
			name: "snapshot still pending",
			setup: func(f *fakeEC2) {
				snap := f.snapshots[snapA]
				snap.State = types.SnapshotStatePending
				f.snapshots[snapA] = snap
			},
			wantReason: investigation.ReasonEvidenceMismatch,
			wantInMsg:  []string{`state is "pending", not "completed"`},
		},
		{
			name:       "every difference is named",
			setup:      func(f *fakeEC2) { f.addSnapshot(snapA, "vol-0000000000000000c", 16384) },
			wantReason: investigation.ReasonEvidenceMismatch,
			wantInMsg:  []string{"source volume is vol-0000000000000000c", "size is 16384 GiB, the request says 8 GiB"},
		},
		{
			name: "both snapshots differ",
			setup: func(f *fakeEC2) {
				f.addSnapshot(snapA, "vol-0000000000000000a", 9)
				f.addSnapshot(snapB, "vol-0000000000000000c", 100)
			},
			wantReason: investigation.ReasonEvidenceMismatch,
			wantInMsg: []string{
				"snapshot " + snapA + ": size is 9 GiB, the request says 8 GiB",
				"snapshot " + snapB + ": source volume is vol-0000000000000000c",
			},
		},
		{
			name:       "EC2 refuses to describe",
			setup:      func(f *fakeEC2) { f.fail("DescribeSnapshots", "", apiErr("UnauthorizedOperation"), 0) },
			wantReason: investigation.ReasonEvidenceAttach,
			wantInMsg:  []string{"describe snapshots [" + snapA + " " + snapB + "]", "UnauthorizedOperation"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := attachFake(), &fakeRecorder{}
			tt.setup(fake)

			got, err := newAttacher(fake, rec).Handle(context.Background(), attachState(t))

			require.Error(t, err)
			assert.Equal(t, tt.wantReason, reasonOf(err), "reason of %v", err)
			for _, want := range tt.wantInMsg {
				assert.ErrorContains(t, err, want)
			}
			assert.Zero(t, fake.called("CreateVolume"), "volumes created")
			assert.Empty(t, fake.volumes, "volumes in EC2")
			assert.Empty(t, got.Volumes, "volumes in the state")
			assert.NotContains(t, rec.actions(), "volume-created")
			assert.NotContains(t, rec.actions(), "snapshot-verified", "no snapshot is verified while one differs")
		})
	}
}

func TestAttachEvidenceAcceptsCopiedSnapshot(t *testing.T) {
	fake, rec := attachFake(), &fakeRecorder{}
	fake.addSnapshot(snapB, copiedSnapshotVolumeID, 100)

	got, err := newAttacher(fake, rec).Handle(context.Background(), attachState(t))

	require.NoError(t, err)
	assert.Len(t, got.Volumes, 2)
	require.GreaterOrEqual(t, len(rec.events), 2)
	assert.Equal(t, "snapshot-verified", rec.events[1].Action)
	assert.Equal(t, "vol-0000000000000000b", rec.events[1].Resources["sourceVolumeId"], "the request's source volume, kept")
	assert.Equal(t, "false", rec.events[1].Resources["sourceVolumeVerified"], "a copy's source volume cannot be checked")
	assert.Equal(t, "100", rec.events[1].Resources["volumeSizeGiB"])
}
