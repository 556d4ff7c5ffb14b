package host

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const (
	caseGroupID = "sg-00000000000000c01"
	rootVolume  = "vol-000000000000000r1"
	evidence1   = "vol-000000000000000e1"
	evidence2   = "vol-000000000000000e2"
)

// caseWorld is a fake EC2 holding what a DISK investigation of case-42
// created: a running forensic instance in the case group, its root volume
// and two attached evidence volumes. It returns the matching state.
func caseWorld() (*fakeEC2, investigation.State) {
	f := newFakeEC2()
	st := diskState()
	f.addInstance(forensicInstance, types.InstanceStateNameRunning, caseTags(st, investigation.RoleForensicInstance)...)
	f.instances[forensicInstance].SecurityGroups = []types.GroupIdentifier{{GroupId: aws.String(caseGroupID)}}
	f.groups[caseGroupID] = &fakeGroup{id: caseGroupID, name: groupName(st), vpc: "vpc-1", tags: caseTags(st, investigation.RoleCaseGroup)}
	f.addVolume(rootVolume, "", forensicInstance, caseTags(st, investigation.RoleForensicInstance)...)
	f.volumes[rootVolume].Attachments[0].DeleteOnTermination = aws.Bool(true)
	f.volumes[rootVolume].Attachments[0].Device = aws.String("/dev/xvda")
	f.addVolume(evidence1, snapA, forensicInstance, evidenceTags(snapA)...)
	f.addVolume(evidence2, snapB, forensicInstance, evidenceTags(snapB)...)

	st.Instance = &investigation.Instance{InstanceID: forensicInstance, AvailabilityZone: "eu-west-1a", SecurityGroupID: caseGroupID}
	st.Volumes = []investigation.Volume{{VolumeID: evidence1, SnapshotID: snapA}, {VolumeID: evidence2, SnapshotID: snapB}}
	return f, st
}

func newReleaser(f *fakeEC2, rec *fakeRecorder) *Releaser {
	return &Releaser{EC2: f, Recorder: rec, TerminateWait: fastWait, DetachWait: fastWait, GroupWait: fastWait, Now: testClock}
}

// wholeCase is the Cleanup of releasing everything caseWorld holds.
var wholeCase = &investigation.Cleanup{
	TerminatedInstances: []string{forensicInstance},
	DeletedVolumes:      []string{evidence1, evidence2},
	DeletedGroups:       []string{caseGroupID},
}

// assertNothingLeft checks that the fake holds no live resource of the case.
func assertNothingLeft(t *testing.T, f *fakeEC2) {
	t.Helper()
	assert.Equal(t, types.InstanceStateNameTerminated, f.instances[forensicInstance].State.Name, "forensic instance state")
	assert.Empty(t, sortedKeys(f.volumes), "volumes left")
	assert.Empty(t, sortedKeys(f.groups), "security groups left")
}

func TestRelease(t *testing.T) {
	tests := []struct {
		name     string
		state    func(st investigation.State) investigation.State
		setup    func(f *fakeEC2)
		wantStep string
	}{
		{
			name:     "by the state's IDs",
			wantStep: StepReleaseResources,
		},
		{
			name: "found only by tag",
			state: func(st investigation.State) investigation.State {
				st.Instance, st.Volumes = nil, nil
				return st
			},
			wantStep: StepReleaseResources,
		},
		{
			name: "on the failure path",
			state: func(st investigation.State) investigation.State {
				st.Error = &investigation.StepError{Error: string(investigation.ReasonCommandFailed)}
				return st
			},
			wantStep: StepCleanup,
		},
		{
			name:     "instance takes a while to terminate",
			setup:    func(f *fakeEC2) { f.terminateTo = types.InstanceStateNameShuttingDown },
			wantStep: StepReleaseResources,
		},
		{
			name:     "security group busy for a while",
			setup:    func(f *fakeEC2) { f.fail("DeleteSecurityGroup", caseGroupID, apiErr("DependencyViolation"), 2) },
			wantStep: StepReleaseResources,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, st := caseWorld()
			if tt.state != nil {
				st = tt.state(st)
			}
			if tt.setup != nil {
				tt.setup(f)
			}
			rec := &fakeRecorder{}

			got, err := newReleaser(f, rec).Handle(context.Background(), st)

			require.NoError(t, err)
			assert.Equal(t, wholeCase, got.Cleanup, "cleanup")
			assertNothingLeft(t, f)
			assert.Equal(t, []string{
				"volume-detached", "volume-detached", "instance-terminated",
				"volume-deleted", "volume-deleted", "security-group-deleted", "resources-released",
			}, rec.actions())
			for _, e := range rec.events {
				assert.Equal(t, tt.wantStep, e.Step, "step of %s", e.Action)
			}
		})
	}
}

func TestReleaseTwiceIsHarmless(t *testing.T) {
	f, st := caseWorld()
	rec := &fakeRecorder{}
	r := newReleaser(f, rec)

	_, err := r.Handle(context.Background(), st)
	require.NoError(t, err)
	got, err := r.Handle(context.Background(), st)
	require.NoError(t, err)

	assert.Equal(t, &investigation.Cleanup{}, got.Cleanup, "cleanup of the second release")
	assertNothingLeft(t, f)
	assert.Equal(t, "resources-released", rec.events[len(rec.events)-1].Action)
}

func TestReleaseLeavesOtherInvestigationsAlone(t *testing.T) {
	f, st := caseWorld()
	memory := diskState()
	memory.ForensicType = investigation.ForensicTypeMemory
	f.addInstance("i-0000000000000memory", types.InstanceStateNameRunning, caseTags(memory, investigation.RoleForensicInstance)...)
	f.groups["sg-0000000000000memory"] = &fakeGroup{id: "sg-0000000000000memory", tags: caseTags(memory, investigation.RoleCaseGroup)}
	st.Instance, st.Volumes = nil, nil

	got, err := newReleaser(f, &fakeRecorder{}).Handle(context.Background(), st)

	require.NoError(t, err)
	assert.Equal(t, wholeCase, got.Cleanup)
	assert.Equal(t, types.InstanceStateNameRunning, f.instances["i-0000000000000memory"].State.Name, "the MEMORY investigation's instance")
	assert.Contains(t, f.groups, "sg-0000000000000memory", "the MEMORY investigation's group")
}

func TestReleaseWithoutForensicID(t *testing.T) {
	f, _ := caseWorld()
	st := investigation.State{ExecutionName: "bad-request"}

	got, err := newReleaser(f, &fakeRecorder{}).Handle(context.Background(), st)

	require.NoError(t, err)
	assert.Equal(t, st, got, "state")
	assert.Empty(t, f.calls, "EC2 calls")
}

func TestReleasePartialFailures(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(f *fakeEC2)
		wantLeft    []string
		wantCleanup *investigation.Cleanup
	}{
		{
			name:     "one volume cannot be deleted",
			setup:    func(f *fakeEC2) { f.fail("DeleteVolume", evidence2, apiErr("UnauthorizedOperation"), 0) },
			wantLeft: []string{evidence2},
			wantCleanup: &investigation.Cleanup{
				TerminatedInstances: []string{forensicInstance},
				DeletedVolumes:      []string{evidence1},
				DeletedGroups:       []string{caseGroupID},
			},
		},
		{
			name:     "instance cannot be terminated",
			setup:    func(f *fakeEC2) { f.fail("TerminateInstances", "", apiErr("OperationNotPermitted"), 0) },
			wantLeft: []string{forensicInstance, caseGroupID},
			wantCleanup: &investigation.Cleanup{
				DeletedVolumes: []string{evidence1, evidence2},
			},
		},
		{
			name: "volume cannot be detached",
			setup: func(f *fakeEC2) {
				f.fail("DetachVolume", evidence1, apiErr("UnauthorizedOperation"), 0)
				// Unlike EC2, the fake then keeps it attached.
				f.fail("TerminateInstances", "", apiErr("OperationNotPermitted"), 0)
			},
			wantLeft: []string{forensicInstance, evidence1, caseGroupID},
			wantCleanup: &investigation.Cleanup{
				DeletedVolumes: []string{evidence2},
			},
		},
		{
			name:     "volume search by tag fails",
			setup:    func(f *fakeEC2) { f.fail("DescribeVolumes", "", apiErr("RequestLimitExceeded"), 1) },
			wantLeft: []string{"volumes tagged " + investigation.TagForensicID + "=case-42"},
			wantCleanup: &investigation.Cleanup{
				TerminatedInstances: []string{forensicInstance},
				DeletedVolumes:      []string{evidence1, evidence2},
				DeletedGroups:       []string{caseGroupID},
			},
		},
		{
			name:     "instance search by tag fails",
			setup:    func(f *fakeEC2) { f.fail("DescribeInstances", "", apiErr("RequestLimitExceeded"), 0) },
			wantLeft: []string{"instances tagged " + investigation.TagForensicID + "=case-42", forensicInstance},
			wantCleanup: &investigation.Cleanup{
				DeletedVolumes: []string{evidence1, evidence2},
				DeletedGroups:  []string{caseGroupID},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, st := caseWorld()
			tt.setup(f)
			rec := &fakeRecorder{}

			got, err := newReleaser(f, rec).Handle(context.Background(), st)

			require.Error(t, err)
			assert.Equal(t, investigation.ReasonCleanupFailed, reasonOf(err), "reason of %v", err)
			for _, left := range tt.wantLeft {
				assert.ErrorContains(t, err, left)
			}
			assert.Equal(t, tt.wantCleanup, got.Cleanup, "cleanup")
			require.NotEmpty(t, rec.events)
			last := rec.events[len(rec.events)-1]
			assert.Equal(t, "cleanup-incomplete", last.Action)
			for _, left := range tt.wantLeft {
				assert.Contains(t, last.Detail, left)
			}
		})
	}
}

func TestReleaseRecorderFailureDoesNotStopIt(t *testing.T) {
	f, st := caseWorld()
	rec := &fakeRecorder{err: apiErr("ProvisionedThroughputExceededException")}

	got, err := newReleaser(f, rec).Handle(context.Background(), st)

	require.Error(t, err)
	assert.Empty(t, reasonOf(err), "a custody-log failure is not a cleanup failure: %v", err)
	assert.ErrorContains(t, err, "record instance-terminated event")
	assert.Equal(t, wholeCase, got.Cleanup)
	assertNothingLeft(t, f)
}
