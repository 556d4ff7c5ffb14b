package isolation

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

type fixedPolicy investigation.IsolationDecision

func (p fixedPolicy) Decide(*investigation.Finding) investigation.IsolationDecision {
	return investigation.IsolationDecision(p)
}

type fakeInstances struct {
	measures []investigation.Measure
	err      error
	stall    bool
	got      []string
}

func (f *fakeInstances) IsolateInstance(ctx context.Context, forensicID, instanceID string, measures []investigation.MeasureName) ([]investigation.Measure, error) {
	f.got = append(f.got, forensicID+" "+instanceID)
	if f.stall {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return f.measures, f.err
}

type fakeWorkloads struct {
	result WorkloadIsolation
	got    []Workload
}

func (f *fakeWorkloads) IsolateWorkload(_ context.Context, w Workload) (WorkloadIsolation, error) {
	f.got = append(f.got, w)
	return f.result, nil
}

type fakeAccounts struct {
	acct   Account
	err    error
	opened []string
}

func (f *fakeAccounts) Open(_ context.Context, forensicID, accountID, region string) (Account, error) {
	f.opened = append(f.opened, forensicID+" "+accountID+" "+region)
	return f.acct, f.err
}

type fakeRecords struct {
	isolations []caserecords.Isolation
	events     []caserecords.Event
	putErr     error
	eventErr   error
	putCtxErr  error
}

func (f *fakeRecords) PutIsolation(ctx context.Context, iso caserecords.Isolation) error {
	f.putCtxErr = ctx.Err()
	f.isolations = append(f.isolations, iso)
	return f.putErr
}

func (f *fakeRecords) AppendEvent(_ context.Context, e caserecords.Event) error {
	f.events = append(f.events, e)
	return f.eventErr
}

func (f *fakeRecords) UpdateInvestigation(context.Context, caserecords.InvestigationUpdate) error {
	return errors.New("the isolation step never updates the investigation item")
}

const (
	testAccount  = "111122223333"
	testInstance = "i-0a1b2c3d4e5f60718"
)

func state(t *testing.T, eks bool) investigation.State {
	t.Helper()
	req := investigation.Request{
		ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk,
		Resource: investigation.Resource{AccountID: testAccount, Region: "eu-west-1", InstanceID: testInstance},
		Finding:  &investigation.Finding{ID: "f-1", Types: []string{"Backdoor:EC2/C&CActivity.B"}},
		Disk: &investigation.DiskEvidence{Snapshots: []investigation.Snapshot{
			{SnapshotID: "snap-0a1b2c3d4e5f60718", SourceVolumeID: "vol-0a1b2c3d4e5f60718", SizeGiB: 8}}},
	}
	if eks {
		req.Resource.InstanceID = ""
		req.Resource.EKS = &investigation.EKSWorkload{ClusterName: "shop", NodeInstanceID: testInstance, Namespace: "web", PodName: "checkout-1"}
	}
	raw, err := json.Marshal(req)
	require.NoError(t, err)
	return investigation.State{Request: raw, ExecutionName: "case-1-disk", ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk}
}

var (
	isolate  = fixedPolicy{Action: investigation.IsolationIsolate, Rule: "backdoor", Source: investigation.RuleSourceBuiltin, Matched: "Backdoor:EC2/C&CActivity.B"}
	leave    = fixedPolicy{Action: investigation.IsolationNone, Rule: "reconnaissance", Source: investigation.RuleSourceBuiltin}
	applied  = investigation.Measure{Name: investigation.MeasureSecurityGroups, Target: testInstance, Status: investigation.MeasureApplied}
	skipped  = investigation.Measure{Name: investigation.MeasureElasticIPs, Target: testInstance, Status: investigation.MeasureSkipped}
	refused  = investigation.Measure{Name: investigation.MeasureAutoScaling, Target: testInstance, Status: investigation.MeasureFailed, Reason: "AccessDenied"}
	spotNote = investigation.Measure{Name: investigation.MeasureTerminationProtection, Target: testInstance, Status: investigation.MeasureImpossible}
)

func TestHandle(t *testing.T) {
	tests := []struct {
		name        string
		policy      fixedPolicy
		eks         bool
		instances   fakeInstances
		workloads   fakeWorkloads
		openErr     error
		wantOpened  bool
		wantStatus  string
		wantAction  string
		wantSummary investigation.Isolation
		wantError   string
	}{
		{
			name: "not isolating opens no account", policy: leave,
			wantStatus: investigation.IsolationStatusNotIsolated, wantAction: ActionNotIsolated,
			wantSummary: investigation.Isolation{Action: investigation.IsolationNone, Rule: "reconnaissance", Status: investigation.IsolationStatusNotIsolated},
		},
		{
			name: "every measure in place", policy: isolate, instances: fakeInstances{measures: []investigation.Measure{applied, skipped}},
			wantOpened: true, wantStatus: investigation.IsolationStatusIsolated, wantAction: ActionIsolated,
			wantSummary: investigation.Isolation{Action: investigation.IsolationIsolate, Rule: "backdoor", Status: investigation.IsolationStatusIsolated,
				Applied: 1, Skipped: 1},
		},
		{
			name: "an impossible measure makes it partial", policy: isolate, instances: fakeInstances{measures: []investigation.Measure{applied, skipped, spotNote}},
			wantOpened: true, wantStatus: investigation.IsolationStatusPartial, wantAction: ActionPartlyIsolated,
			wantSummary: investigation.Isolation{Action: investigation.IsolationIsolate, Rule: "backdoor", Status: investigation.IsolationStatusPartial,
				Applied: 1, Skipped: 1, Impossible: 1},
		},
		{
			name: "nothing applied is not isolated", policy: isolate, instances: fakeInstances{measures: []investigation.Measure{skipped}},
			wantOpened: true, wantStatus: investigation.IsolationStatusPartial, wantAction: ActionPartlyIsolated,
			wantSummary: investigation.Isolation{Action: investigation.IsolationIsolate, Rule: "backdoor", Status: investigation.IsolationStatusPartial, Skipped: 1},
		},
		{
			name: "a refused measure makes it partial", policy: isolate, instances: fakeInstances{measures: []investigation.Measure{applied, refused}},
			wantOpened: true, wantStatus: investigation.IsolationStatusPartial, wantAction: ActionPartlyIsolated,
			wantSummary: investigation.Isolation{Action: investigation.IsolationIsolate, Rule: "backdoor", Status: investigation.IsolationStatusPartial, Applied: 1, Failed: 1},
		},
		{
			name: "the role cannot be assumed", policy: isolate, openErr: errors.New("assume role casefile-isolation: AccessDenied"),
			wantOpened: true, wantStatus: investigation.IsolationStatusFailed, wantAction: ActionIsolationFailed,
			wantSummary: investigation.Isolation{Action: investigation.IsolationIsolate, Rule: "backdoor", Status: investigation.IsolationStatusFailed},
			wantError:   "assume role casefile-isolation: AccessDenied",
		},
		{
			name: "the instance is not found", policy: isolate, instances: fakeInstances{err: errors.New("describe instance: InvalidInstanceID.NotFound")},
			wantOpened: true, wantStatus: investigation.IsolationStatusFailed, wantAction: ActionIsolationFailed,
			wantSummary: investigation.Isolation{Action: investigation.IsolationIsolate, Rule: "backdoor", Status: investigation.IsolationStatusFailed},
			wantError:   "describe instance: InvalidInstanceID.NotFound",
		},
		{
			name: "an EKS workload", policy: isolate, eks: true,
			workloads: fakeWorkloads{result: WorkloadIsolation{Measures: []investigation.Measure{applied}, NodeName: "ip-10-0-1-23", Compute: "SPOT",
				Notes: []string{"pod web/checkout-1 runs on ip-10-0-1-24, not on the node the request names"}}},
			wantOpened: true, wantStatus: investigation.IsolationStatusIsolated, wantAction: ActionIsolated,
			wantSummary: investigation.Isolation{Action: investigation.IsolationIsolate, Rule: "backdoor", Status: investigation.IsolationStatusIsolated, Applied: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			accounts := &fakeAccounts{acct: Account{Instances: &tc.instances, Workloads: &tc.workloads}, err: tc.openErr}
			records := &fakeRecords{}
			h := New(tc.policy, accounts, records, nil)
			out, err := h.Handle(context.Background(), state(t, tc.eks))
			require.NoError(t, err, "isolation never fails the case")

			require.NotNil(t, out.Isolation)
			assert.Equal(t, tc.wantSummary, *out.Isolation)
			if tc.wantOpened {
				assert.Equal(t, []string{"case-1 " + testAccount + " eu-west-1"}, accounts.opened, "the resource's own account and Region")
			} else {
				assert.Empty(t, accounts.opened)
			}
			require.Len(t, records.isolations, 1)
			iso := records.isolations[0]
			assert.Equal(t, tc.wantStatus, iso.Status)
			assert.Equal(t, investigation.IsolationDecision(tc.policy), iso.Decision, "the decision and its rule are on the case")
			assert.Equal(t, tc.wantError, iso.Error)
			require.Len(t, records.events, 1)
			ev := records.events[0]
			assert.Equal(t, StepIsolate, ev.Step)
			assert.Equal(t, tc.wantAction, ev.Action)
			assert.Equal(t, tc.policy.Rule, ev.Resources["rule"])
			if tc.eks {
				require.Len(t, tc.workloads.got, 1)
				assert.Equal(t, Workload{ForensicID: "case-1", ClusterName: "shop", NodeInstanceID: testInstance, Namespace: "web", PodName: "checkout-1"}, tc.workloads.got[0])
				assert.Equal(t, "SPOT", iso.Compute)
				assert.Equal(t, "ip-10-0-1-23", iso.NodeName)
				assert.Len(t, iso.Notes, 1, "the workload's notes are kept")
				assert.Contains(t, ev.Detail, "not on the node the request names")
				assert.Equal(t, "web/checkout-1", ev.Resources["pod"])
				assert.Empty(t, tc.instances.got, "an EKS case is isolated as a workload")
			} else {
				assert.Equal(t, testInstance, ev.Resources["instanceId"])
			}
		})
	}
}

func TestHandleRecordsAStalledIsolation(t *testing.T) {
	instances := &fakeInstances{stall: true}
	records := &fakeRecords{}
	h := New(isolate, &fakeAccounts{acct: Account{Instances: instances}}, records, nil)
	ctx, cancel := context.WithTimeout(context.Background(), recordReserve+200*time.Millisecond)
	defer cancel()
	out, err := h.Handle(ctx, state(t, false))
	require.NoError(t, err)
	assert.Equal(t, investigation.IsolationStatusFailed, out.Isolation.Status)
	require.Len(t, records.isolations, 1)
	assert.NoError(t, records.putCtxErr, "the record is written with time left")
	assert.Contains(t, records.isolations[0].Error, "deadline exceeded")
}

func TestHandleFailsWhenTheRecordFails(t *testing.T) {
	tests := []struct {
		name    string
		records fakeRecords
	}{
		{"isolation item", fakeRecords{putErr: errors.New("throttled")}},
		{"custody event", fakeRecords{eventErr: errors.New("throttled")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := New(leave, &fakeAccounts{}, &tc.records, nil)
			_, err := h.Handle(context.Background(), state(t, false))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "throttled")
		})
	}
}
