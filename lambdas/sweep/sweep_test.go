package sweep

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/notify"
)

const (
	testTopic        = "arn:aws:sns:eu-west-1:444455556666:casefile-notifications"
	testTable        = "casefile-cases"
	testStateMachine = "arn:aws:states:eu-west-1:444455556666:stateMachine:CasefileInvestigation"
)

var (
	testNow  = time.Date(2026, 3, 14, 18, 0, 5, 0, time.UTC)
	testStop = time.Date(2026, 3, 14, 17, 59, 58, 0, time.UTC)
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../../test/fixtures/requests", name))
	require.NoError(t, err)
	return string(raw)
}

// statusEvent is the event Step Functions sends when the execution name
// ended with status; input nil stands for an input too large for the event.
func statusEvent(t *testing.T, name, status string, input *string) events.CloudWatchEvent {
	t.Helper()
	arn := "arn:aws:states:eu-west-1:444455556666:execution:CasefileInvestigation:" + name
	detail, err := json.Marshal(StatusChange{
		ExecutionARN: arn, StateMachineARN: testStateMachine, Name: name, Status: status,
		StartDate: testStop.Add(-6 * time.Hour).UnixMilli(), StopDate: testStop.UnixMilli(), Input: input,
	})
	require.NoError(t, err)
	return events.CloudWatchEvent{
		Version: "0", ID: "5c2a8f0e-1b2c-4d3e-8f9a-0b1c2d3e4f50", Source: investigation.ExecutionEventSource,
		DetailType: investigation.ExecutionEventDetailType, AccountID: "444455556666", Region: "eu-west-1",
		Time: testNow, Resources: []string{arn}, Detail: detail,
	}
}

func cause(name, status string) string {
	return "execution arn:aws:states:eu-west-1:444455556666:execution:CasefileInvestigation:" + name +
		" ended " + status + " at 2026-03-14T17:59:58Z"
}

func TestHandleSweeps(t *testing.T) {
	released := &investigation.Cleanup{
		TerminatedInstances: []string{"i-0f0e0d0c0b0a09080"},
		DeletedVolumes:      []string{"vol-0aaaaaaaaaaaaaaa1"},
		DeletedGroups:       []string{"sg-0123456789abcdef0"},
	}
	const diskName, memoryName = "cf-2026-03-14-0001-disk", "cf-2026-03-14-0001-memory"
	disk, memory := fixture(t, "disk-ec2.json"), fixture(t, "memory-ec2.json")
	invalidID := fixture(t, "invalid-shell-metacharacters.json")
	invalidSnapshots := fixture(t, "invalid-duplicate-snapshot.json")
	notJSON := "forensicId=cf-1"

	tests := []struct {
		name    string
		event   func(t *testing.T) events.CloudWatchEvent
		records fakeRecords
		release fakeRelease

		// wantID and wantType key the record; wantReleaseID is the
		// forensic ID the release step is given ("" for none).
		wantID        string
		wantType      investigation.ForensicType
		wantReleaseID string
		wantReason    investigation.Reason
		wantDetail    string
		wantCleanupOK bool
		wantResource  bool // the message names the compromised resource
	}{
		{
			name:    "timed out while the command ran",
			event:   func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, diskName, "TIMED_OUT", &disk) },
			records: fakeRecords{found: true, record: caserecords.InvestigationRecord{Status: investigation.StatusInProgress, ExecutionName: diskName}},
			release: fakeRelease{cleanup: released},
			wantID:  "cf-2026-03-14-0001", wantType: investigation.ForensicTypeDisk, wantReleaseID: "cf-2026-03-14-0001",
			wantReason:    investigation.ReasonExecutionTimedOut,
			wantDetail:    cause(diskName, "TIMED_OUT"),
			wantCleanupOK: true, wantResource: true,
		},
		{
			name:   "aborted before the case was recorded",
			event:  func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, memoryName, "ABORTED", &memory) },
			wantID: "cf-2026-03-14-0001", wantType: investigation.ForensicTypeMemory, wantReleaseID: "cf-2026-03-14-0001",
			wantReason:    investigation.ReasonExecutionAborted,
			wantDetail:    cause(memoryName, "ABORTED"),
			wantCleanupOK: true, wantResource: true,
		},
		{
			name: "aborted with an error and cause",
			event: func(t *testing.T) events.CloudWatchEvent {
				ev := statusEvent(t, diskName, "ABORTED", &disk)
				var d map[string]any
				require.NoError(t, json.Unmarshal(ev.Detail, &d))
				d["error"], d["cause"] = "Operator", "stopped by the on-call analyst"
				ev.Detail, _ = json.Marshal(d)
				return ev
			},
			records: fakeRecords{found: true, record: caserecords.InvestigationRecord{Status: investigation.StatusReceived, ExecutionName: diskName}},
			wantID:  "cf-2026-03-14-0001", wantType: investigation.ForensicTypeDisk, wantReleaseID: "cf-2026-03-14-0001",
			wantReason:    investigation.ReasonExecutionAborted,
			wantDetail:    cause(diskName, "ABORTED") + ": Operator: stopped by the on-call analyst",
			wantCleanupOK: true, wantResource: true,
		},
		{
			name:    "input left out of the event: the case comes from the execution name",
			event:   func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, diskName, "TIMED_OUT", nil) },
			records: fakeRecords{found: true, record: caserecords.InvestigationRecord{Status: investigation.StatusInProgress, ExecutionName: diskName}},
			wantID:  "cf-2026-03-14-0001", wantType: investigation.ForensicTypeDisk, wantReleaseID: "cf-2026-03-14-0001",
			wantReason:    investigation.ReasonExecutionTimedOut,
			wantDetail:    cause(diskName, "TIMED_OUT"),
			wantCleanupOK: true,
		},
		{
			name:   "input left out and a name without a case",
			event:  func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, "invalid-7f3a", "ABORTED", nil) },
			wantID: "invalid-invalid-7f3a", wantType: caserecords.ForensicTypeUnknown,
			wantReason:    investigation.ReasonExecutionAborted,
			wantDetail:    cause("invalid-7f3a", "ABORTED"),
			wantCleanupOK: true,
		},
		{
			name: "invalid request keyed as intake records it",
			event: func(t *testing.T) events.CloudWatchEvent {
				return statusEvent(t, "direct-1", "ABORTED", &invalidSnapshots)
			},
			wantID: "cf-2026-03-14-0005", wantType: investigation.ForensicTypeDisk, wantReleaseID: "cf-2026-03-14-0005",
			wantReason:    investigation.ReasonExecutionAborted,
			wantDetail:    cause("direct-1", "ABORTED"),
			wantCleanupOK: true,
		},
		{
			name: "invalid forensicId with a rejected request's name",
			event: func(t *testing.T) events.CloudWatchEvent {
				return statusEvent(t, "invalid-7f3a", "TIMED_OUT", &invalidID)
			},
			wantID: "invalid-invalid-7f3a", wantType: investigation.ForensicTypeDisk,
			wantReason:    investigation.ReasonExecutionTimedOut,
			wantDetail:    cause("invalid-7f3a", "TIMED_OUT"),
			wantCleanupOK: true,
		},
		{
			name: "invalid forensicId: the execution name gives the case",
			event: func(t *testing.T) events.CloudWatchEvent {
				return statusEvent(t, "cf-0003-disk", "TIMED_OUT", &invalidID)
			},
			wantID: "cf-0003", wantType: investigation.ForensicTypeDisk, wantReleaseID: "cf-0003",
			wantReason:    investigation.ReasonExecutionTimedOut,
			wantDetail:    cause("cf-0003-disk", "TIMED_OUT"),
			wantCleanupOK: true,
		},
		{
			name: "input that is not JSON",
			event: func(t *testing.T) events.CloudWatchEvent {
				return statusEvent(t, "invalid-9d2e", "TIMED_OUT", &notJSON)
			},
			wantID: "invalid-invalid-9d2e", wantType: caserecords.ForensicTypeUnknown,
			wantReason:    investigation.ReasonExecutionTimedOut,
			wantDetail:    cause("invalid-9d2e", "TIMED_OUT"),
			wantCleanupOK: true,
		},
		{
			name:    "release fails: recorded as the cleanup error and notified all the same",
			event:   func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, diskName, "TIMED_OUT", &disk) },
			records: fakeRecords{found: true, record: caserecords.InvestigationRecord{Status: investigation.StatusInProgress, ExecutionName: diskName}},
			release: fakeRelease{
				cleanup: &investigation.Cleanup{TerminatedInstances: []string{"i-0f0e0d0c0b0a09080"}},
				err:     investigation.Fail(investigation.ReasonCleanupFailed, "case cf-2026-03-14-0001: could not remove vol-0aaaaaaaaaaaaaaa1: VolumeInUse"),
			},
			wantID: "cf-2026-03-14-0001", wantType: investigation.ForensicTypeDisk, wantReleaseID: "cf-2026-03-14-0001",
			wantReason:   investigation.ReasonExecutionTimedOut,
			wantDetail:   cause(diskName, "TIMED_OUT"),
			wantResource: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records, release, publisher := tt.records, tt.release, &fakeSNS{}
			h := New(&records, release.handle, publisher, notify.Config{TopicARN: testTopic, TableName: testTable})
			h.now = func() time.Time { return testNow }
			ev := tt.event(t)

			got, err := h.Handle(context.Background(), ev)
			require.NoError(t, err)

			assert.Equal(t, OutcomeSwept, got.Outcome, "outcome (detail %q)", got.Detail)
			assert.Equal(t, tt.wantID, got.ForensicID, "forensic ID")
			assert.Equal(t, tt.wantType, got.ForensicType, "forensic type")
			assert.Equal(t, []string{tt.wantID + "/" + string(tt.wantType)}, records.gets, "the record read first")

			// The release step gets the state the failure path would have.
			require.Len(t, release.states, 1, "one release")
			st := release.states[0]
			assert.Equal(t, tt.wantReleaseID, st.ForensicID, "forensic ID given to the release")
			if tt.wantReleaseID != "" {
				assert.Equal(t, tt.wantType, st.ForensicType, "forensic type given to the release")
			}
			require.NotNil(t, st.Error, "the release runs as Cleanup, with an error")
			assert.Equal(t, investigation.StepError{Error: string(tt.wantReason), Cause: tt.wantDetail}, *st.Error)
			assert.Equal(t, release.cleanup, got.Cleanup, "what the release removed")

			// The notify step records FAILED with the reason, once.
			require.Len(t, records.updates, 1, "one record update")
			u := records.updates[0]
			wantCleanupError := ""
			if !tt.wantCleanupOK {
				wantCleanupError = "CLEANUP_FAILED: case cf-2026-03-14-0001: could not remove vol-0aaaaaaaaaaaaaaa1: VolumeInUse"
			}
			assert.Equal(t, caserecords.InvestigationUpdate{
				ForensicID: tt.wantID, ForensicType: tt.wantType, Status: investigation.StatusFailed,
				Reason: tt.wantReason, ReasonDetail: tt.wantDetail, CleanupError: wantCleanupError,
				Time: u.Time, Execution: got.ExecutionName,
			}, u)

			require.Len(t, publisher.inputs, 1, "one notification")
			var body map[string]string
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(publisher.inputs[0].Message)), &body))
			var msg notify.Message
			require.NoError(t, json.Unmarshal([]byte(body["sqs"]), &msg))
			assert.Equal(t, investigation.StatusFailed, msg.Status, "notified status")
			assert.Equal(t, tt.wantReason, msg.Reason, "notified reason")
			assert.Equal(t, tt.wantDetail, msg.Detail, "notified detail")
			assert.Equal(t, tt.wantID, msg.ForensicID, "notified case")
			assert.Equal(t, tt.wantResource, msg.Resource != nil, "the message names the resource: %+v", msg.Resource)
			assert.Equal(t, release.cleanup, msg.Cleanup, "notified cleanup")
			if tt.wantCleanupOK {
				assert.Nil(t, got.CleanupError, "cleanup error")
				assert.Empty(t, msg.CleanupError, "notified cleanup error")
			} else {
				require.NotNil(t, got.CleanupError, "cleanup error")
				assert.Equal(t, string(investigation.ReasonCleanupFailed), got.CleanupError.Error)
				assert.Equal(t, "CLEANUP_FAILED: case cf-2026-03-14-0001: could not remove vol-0aaaaaaaaaaaaaaa1: VolumeInUse", msg.CleanupError)
			}

			// The custody log: the sweep's own event, then notify's.
			require.Len(t, records.events, 2, "custody events")
			assert.Equal(t, caserecords.Event{
				ForensicID: tt.wantID, ForensicType: tt.wantType, Step: StepSweep, Action: ActionExecutionEnded,
				Resources: map[string]string{"executionArn": ev.Resources[0], "status": got.ExecutionStatus},
				Detail:    tt.wantDetail, Time: testNow,
			}, records.events[0])
			assert.Equal(t, notify.StepNotifyFailure, records.events[1].Step)
		})
	}
}

func TestHandleLeavesAlone(t *testing.T) {
	const name = "cf-2026-03-14-0001-disk"
	disk := fixture(t, "disk-ec2.json")
	timedOut := func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, name, "TIMED_OUT", &disk) }
	ongoing := caserecords.InvestigationRecord{Status: investigation.StatusInProgress, ExecutionName: name}

	tests := []struct {
		name    string
		event   func(t *testing.T) events.CloudWatchEvent
		records fakeRecords

		wantOutcome Outcome
		wantDetail  string
		// wantSwept: the case was released and its record updated, but
		// nothing was published.
		wantSwept bool
	}{
		{name: "succeeded", event: func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, name, "SUCCEEDED", &disk) },
			wantOutcome: OutcomeIgnored, wantDetail: "the workflow's own states handle an execution that ends SUCCEEDED"},
		{name: "failed", event: func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, name, "FAILED", &disk) },
			wantOutcome: OutcomeIgnored, wantDetail: "the workflow's own states handle an execution that ends FAILED"},
		{name: "running", event: func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, name, "RUNNING", &disk) },
			wantOutcome: OutcomeIgnored, wantDetail: "the workflow's own states handle an execution that ends RUNNING"},
		{
			name: "another kind of event",
			event: func(t *testing.T) events.CloudWatchEvent {
				ev := timedOut(t)
				ev.Source, ev.DetailType = "casefile.acquisition", "Evidence Acquisition Completed"
				return ev
			},
			wantOutcome: OutcomeIgnored,
			wantDetail:  `event 5c2a8f0e-1b2c-4d3e-8f9a-0b1c2d3e4f50 is "Evidence Acquisition Completed" from "casefile.acquisition", not "Step Functions Execution Status Change" from "aws.states"`,
		},
		{
			name: "detail that is not a status change",
			event: func(t *testing.T) events.CloudWatchEvent {
				ev := timedOut(t)
				ev.Detail = json.RawMessage(`{"status": 7}`)
				return ev
			},
			wantOutcome: OutcomeIgnored,
		},
		{
			name:        "redelivered: already failed",
			event:       timedOut,
			records:     fakeRecords{found: true, record: caserecords.InvestigationRecord{Status: investigation.StatusFailed, ExecutionName: name, Reason: investigation.ReasonExecutionTimedOut}},
			wantOutcome: OutcomeAlreadyFinal, wantDetail: "already FAILED with EXECUTION_TIMED_OUT",
		},
		{
			name:        "succeeded before the status change",
			event:       timedOut,
			records:     fakeRecords{found: true, record: caserecords.InvestigationRecord{Status: investigation.StatusSucceeded, ExecutionName: name}},
			wantOutcome: OutcomeAlreadyFinal, wantDetail: "already SUCCEEDED",
		},
		{
			name:        "another execution's investigation",
			event:       func(t *testing.T) events.CloudWatchEvent { return statusEvent(t, "manual-start", "ABORTED", &disk) },
			records:     fakeRecords{found: true, record: ongoing},
			wantOutcome: OutcomeNotOwned, wantDetail: "recorded by execution cf-2026-03-14-0001-disk with status IN_PROGRESS",
		},
		{
			name:  "final meanwhile: released, not notified",
			event: timedOut,
			records: fakeRecords{found: true, record: ongoing, updateErr: &caserecords.TransitionError{
				ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk,
				From: investigation.StatusFailed, To: investigation.StatusFailed,
			}},
			wantOutcome: OutcomeAlreadyFinal, wantSwept: true,
			wantDetail: "investigation record kept: investigation cf-2026-03-14-0001 DISK: status FAILED cannot change to FAILED",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records, release, publisher := tt.records, &fakeRelease{}, &fakeSNS{}
			h := New(&records, release.handle, publisher, notify.Config{TopicARN: testTopic, TableName: testTable})

			got, err := h.Handle(context.Background(), tt.event(t))
			require.NoError(t, err)

			assert.Equal(t, tt.wantOutcome, got.Outcome, "outcome")
			if tt.wantDetail != "" {
				assert.Equal(t, tt.wantDetail, got.Detail, "detail")
			} else {
				assert.NotEmpty(t, got.Detail, "detail")
			}
			assert.Empty(t, publisher.inputs, "nothing published")
			if tt.wantSwept {
				assert.Len(t, release.states, 1, "released")
				assert.Len(t, records.updates, 1, "record update tried")
				return
			}
			assert.Empty(t, release.states, "nothing released")
			assert.Empty(t, records.updates, "record untouched")
			assert.Empty(t, records.events, "no custody event")
		})
	}
}

func TestHandleErrors(t *testing.T) {
	const name = "cf-2026-03-14-0001-disk"
	disk := fixture(t, "disk-ec2.json")
	tests := []struct {
		name        string
		records     fakeRecords
		snsErr      error
		wantErr     string
		wantRelease bool
	}{
		{
			name:    "record cannot be read",
			records: fakeRecords{getErr: errors.New("read investigation cf-2026-03-14-0001 DISK: throttled")},
			wantErr: "read investigation cf-2026-03-14-0001 DISK: throttled",
		},
		{
			name:    "custody event cannot be written",
			records: fakeRecords{eventErr: errors.New("append event Sweep/execution-ended to case cf-2026-03-14-0001: unavailable")},
			wantErr: "append event Sweep/execution-ended to case cf-2026-03-14-0001: unavailable",
		},
		{
			name:        "publish fails",
			snsErr:      errors.New("KMS key disabled"),
			wantErr:     "publish notification of cf-2026-03-14-0001 DISK: KMS key disabled",
			wantRelease: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records, release := tt.records, &fakeRelease{}
			h := New(&records, release.handle, &fakeSNS{err: tt.snsErr}, notify.Config{TopicARN: testTopic, TableName: testTable})
			_, err := h.Handle(context.Background(), statusEvent(t, name, "TIMED_OUT", &disk))
			require.EqualError(t, err, tt.wantErr)
			assert.Equal(t, tt.wantRelease, len(release.states) == 1, "released: %d times", len(release.states))
		})
	}
}

func TestHandleKeepsTimeForNotify(t *testing.T) {
	const name = "cf-2026-03-14-0001-disk"
	disk := fixture(t, "disk-ec2.json")
	release := &fakeRelease{}
	h := New(&fakeRecords{}, release.handle, &fakeSNS{}, notify.Config{TopicARN: testTopic, TableName: testTable})
	deadline := time.Now().Add(5 * time.Minute)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()

	got, err := h.Handle(ctx, statusEvent(t, name, "TIMED_OUT", &disk))
	require.NoError(t, err)
	require.Equal(t, OutcomeSwept, got.Outcome)
	require.Len(t, release.deadlines, 1)
	assert.Equal(t, deadline.Add(-notifyReserve), release.deadlines[0], "the release ends before the invocation, leaving time to notify")
}
