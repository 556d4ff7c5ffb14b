package notify

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

type fakeRecords struct {
	updateErr error
	eventErr  error
	updates   []caserecords.InvestigationUpdate
	events    []caserecords.Event
}

func (f *fakeRecords) UpdateInvestigation(_ context.Context, u caserecords.InvestigationUpdate) error {
	f.updates = append(f.updates, u)
	return f.updateErr
}

func (f *fakeRecords) AppendEvent(_ context.Context, e caserecords.Event) error {
	f.events = append(f.events, e)
	return f.eventErr
}

type fakeSNS struct {
	err    error
	inputs []*sns.PublishInput
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sns.PublishOutput{MessageId: aws.String("msg-0001")}, nil
}

var (
	_ Records   = (*fakeRecords)(nil)
	_ Publisher = (*fakeSNS)(nil)
)

const (
	testTopic = "arn:aws:sns:eu-west-1:444455556666:casefile-notifications"
	testTable = "casefile-cases"
)

var testNow = time.Date(2026, 3, 14, 11, 30, 0, 0, time.UTC)

func fixture(t *testing.T, name string) json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../../test/fixtures/requests", name))
	require.NoError(t, err)
	return raw
}

// published decodes what was sent: the text and the JSON form.
func published(t *testing.T, in *sns.PublishInput) (text string, msg Message) {
	t.Helper()
	require.Equal(t, "json", aws.ToString(in.MessageStructure))
	var body map[string]string
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(in.Message)), &body))
	for _, k := range []string{"default", "email", "email-json", "sqs", "lambda", "http", "https"} {
		require.Contains(t, body, k)
	}
	assert.Equal(t, body["default"], body["email"])
	for _, k := range []string{"email-json", "lambda", "http", "https"} {
		assert.JSONEq(t, body["sqs"], body[k], "protocol %s carries the JSON form", k)
	}
	require.NoError(t, json.Unmarshal([]byte(body["sqs"]), &msg))
	return body["default"], msg
}

func TestHandle(t *testing.T) {
	diskState := investigation.State{
		Request:       fixture(t, "disk-ec2.json"),
		ExecutionName: "cf-2026-03-14-0001-disk",
		ForensicID:    "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk,
		Instance: &investigation.Instance{InstanceID: "i-0f0e0d0c0b0a09080"},
		Results:  &investigation.Results{S3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/disk/", ArtifactCount: 12},
		Cleanup: &investigation.Cleanup{
			TerminatedInstances: []string{"i-0f0e0d0c0b0a09080"},
			DeletedVolumes:      []string{"vol-0aaaaaaaaaaaaaaa1", "vol-0aaaaaaaaaaaaaaa2"},
			DeletedGroups:       []string{"sg-0123456789abcdef0"},
		},
	}
	failed := func(st investigation.State, e investigation.StepError) investigation.State {
		st.Error = &e
		st.Results = nil
		return st
	}
	eksState := investigation.State{
		Request: fixture(t, "disk-eks.json"), ExecutionName: "cf-2026-03-14-0002-disk",
		ForensicID: "cf-2026-03-14-0002", ForensicType: investigation.ForensicTypeDisk,
		Error:        &investigation.StepError{Error: "INSTANCE_NOT_READY", Cause: "SSM agent not online after 10 checks"},
		CleanupError: &investigation.StepError{Error: "CLEANUP_FAILED", Cause: `{"errorType":"CLEANUP_FAILED","errorMessage":"delete vol-0c3d4e5f60718293a: VolumeInUse"}`},
	}
	rejected := investigation.State{
		Request: fixture(t, "invalid-shell-metacharacters.json"), ExecutionName: "invalid-1b2c",
		Error: &investigation.StepError{Error: "INVALID_REQUEST",
			Cause: `{"errorType":"INVALID_REQUEST","errorMessage":"forensicId: must be 3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"}`},
	}
	finalErr := &caserecords.TransitionError{ForensicID: "invalid-invalid-1b2c", ForensicType: investigation.ForensicTypeDisk,
		From: investigation.StatusFailed, To: investigation.StatusFailed}
	// A rejected request that names a running case: its record must stay.
	namingRunning := investigation.State{
		Request: fixture(t, "invalid-duplicate-snapshot.json"), ExecutionName: "direct-start-1",
		Error: &investigation.StepError{Error: "INVALID_REQUEST",
			Cause: `{"errorType":"INVALID_REQUEST","errorMessage":"disk.snapshots[1].snapshotId: repeats snap-0a1b2c3d4e5f60718"}`},
	}
	runningErr := &caserecords.TransitionError{ForensicID: "cf-2026-03-14-0005", ForensicType: investigation.ForensicTypeDisk,
		From: investigation.StatusInProgress, To: investigation.StatusFailed}

	tests := []struct {
		name    string
		state   investigation.State
		records fakeRecords
		snsErr  error

		wantErr         string
		wantPublished   bool
		wantUpdate      caserecords.InvestigationUpdate
		wantSubject     string
		wantMessage     Message
		wantText        []string
		wantAttrs       map[string]string
		wantStep        string
		wantEventDetail string
	}{
		{
			name:  "success",
			state: diskState,
			wantUpdate: caserecords.InvestigationUpdate{
				ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusSucceeded,
				ResultsS3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/disk/", Time: testNow,
			},
			wantPublished: true,
			wantSubject:   "Casefile SUCCEEDED: cf-2026-03-14-0001 DISK",
			wantMessage: Message{
				SchemaVersion: 1, ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk,
				Status: investigation.StatusSucceeded, ExecutionName: "cf-2026-03-14-0001-disk",
				Resource:  &investigation.Resource{AccountID: "111122223333", Region: "eu-west-1", InstanceID: "i-0a1b2c3d4e5f60718"},
				FindingID: "arn:aws:guardduty:eu-west-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/a1b2c3d4e5f67890a1b2c3d4e5f67890",
				Results:   diskState.Results,
				Records: RecordKeys{TableName: testTable,
					Case:          &ItemKey{PK: "CASE#cf-2026-03-14-0001", SK: "CASE"},
					Investigation: ItemKey{PK: "CASE#cf-2026-03-14-0001", SK: "INVESTIGATION#DISK"},
					Artifacts:     &KeyPrefix{PK: "CASE#cf-2026-03-14-0001", SKPrefix: "ARTIFACT#cases/cf-2026-03-14-0001/disk/"}},
				Cleanup: diskState.Cleanup,
				Time:    "2026-03-14T11:30:00Z",
			},
			wantText: []string{
				"Casefile investigation cf-2026-03-14-0001 (DISK) SUCCEEDED.",
				"EC2 instance i-0a1b2c3d4e5f60718 in account 111122223333, region eu-west-1",
				"s3://casefile-results/cases/cf-2026-03-14-0001/disk/ (12 artifacts)",
				"DynamoDB table casefile-cases",
				"\n               case item: pk=CASE#cf-2026-03-14-0001 sk=CASE",
				"investigation item: pk=CASE#cf-2026-03-14-0001 sk=INVESTIGATION#DISK",
				"artifact items: pk=CASE#cf-2026-03-14-0001 sk beginning ARTIFACT#cases/cf-2026-03-14-0001/disk/",
				"terminated i-0f0e0d0c0b0a09080; deleted volumes vol-0aaaaaaaaaaaaaaa1, vol-0aaaaaaaaaaaaaaa2; deleted security groups sg-0123456789abcdef0",
			},
			wantAttrs: map[string]string{"forensicId": "cf-2026-03-14-0001", "forensicType": "DISK", "status": "SUCCEEDED"},
			wantStep:  StepNotifySuccess, wantEventDetail: "notified SUCCEEDED",
		},
		{
			name: "command failure with a Lambda cause",
			state: failed(diskState, investigation.StepError{Error: "COMMAND_FAILED",
				Cause: `{"errorType":"COMMAND_FAILED","errorMessage":"command 7c2e: Failed: fls exited 1","stackTrace":[]}`}),
			wantUpdate: caserecords.InvestigationUpdate{
				ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
				Reason: investigation.ReasonCommandFailed, ReasonDetail: "command 7c2e: Failed: fls exited 1", Time: testNow,
			},
			wantPublished: true,
			wantSubject:   "Casefile FAILED: cf-2026-03-14-0001 DISK (COMMAND_FAILED)",
			wantText:      []string{"Reason:        COMMAND_FAILED", "Detail:        command 7c2e: Failed: fls exited 1", "Results:       none collected"},
			wantAttrs:     map[string]string{"forensicId": "cf-2026-03-14-0001", "forensicType": "DISK", "status": "FAILED", "reason": "COMMAND_FAILED"},
			wantStep:      StepNotifyFailure, wantEventDetail: "notified FAILED",
		},
		{
			name:  "foreign error name is an internal error",
			state: failed(diskState, investigation.StepError{Error: "States.Timeout", Cause: "Task timed out after 900.00 seconds"}),
			wantUpdate: caserecords.InvestigationUpdate{
				ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
				Reason: investigation.ReasonInternal, ReasonDetail: "Task timed out after 900.00 seconds", Time: testNow,
			},
			wantPublished: true,
			wantSubject:   "Casefile FAILED: cf-2026-03-14-0001 DISK (INTERNAL_ERROR)",
			wantAttrs:     map[string]string{"reason": "INTERNAL_ERROR"},
			wantStep:      StepNotifyFailure, wantEventDetail: "notified FAILED",
		},
		{
			name:  "EKS case whose cleanup failed too",
			state: eksState,
			wantUpdate: caserecords.InvestigationUpdate{
				ForensicID: "cf-2026-03-14-0002", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
				Reason: investigation.ReasonInstanceNotReady, ReasonDetail: "SSM agent not online after 10 checks",
				CleanupError: "CLEANUP_FAILED: delete vol-0c3d4e5f60718293a: VolumeInUse", Time: testNow,
			},
			wantPublished: true,
			wantSubject:   "Casefile FAILED: cf-2026-03-14-0002 DISK (INSTANCE_NOT_READY)",
			wantText: []string{
				"EKS cluster payments-prod (node i-0c3d4e5f60718293a, namespace checkout, pod cart-api-7d9f8b6c5d-x2kqp) in account 111122223333, region eu-west-1",
				"Cleanup:       no release recorded",
				"cleanup failed: CLEANUP_FAILED: delete vol-0c3d4e5f60718293a: VolumeInUse",
			},
			wantStep: StepNotifyFailure, wantEventDetail: "notified FAILED",
		},
		{
			name:    "rejected request keeps its record and is notified under its case ID",
			state:   rejected,
			records: fakeRecords{updateErr: finalErr},
			wantUpdate: caserecords.InvestigationUpdate{
				ForensicID: "invalid-invalid-1b2c", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
				Reason:       investigation.ReasonInvalidRequest,
				ReasonDetail: "forensicId: must be 3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", Time: testNow,
			},
			wantPublished: true,
			wantSubject:   "Casefile FAILED: invalid-invalid-1b2c DISK (INVALID_REQUEST)",
			wantMessage: Message{
				SchemaVersion: 1, ForensicID: "invalid-invalid-1b2c", ForensicType: investigation.ForensicTypeDisk,
				Status: investigation.StatusFailed, Reason: investigation.ReasonInvalidRequest,
				Detail:        "forensicId: must be 3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit",
				ExecutionName: "invalid-1b2c",
				Records: RecordKeys{TableName: testTable,
					Investigation: ItemKey{PK: "CASE#invalid-invalid-1b2c", SK: "INVESTIGATION#DISK"}},
				Time: "2026-03-14T11:30:00Z",
			},
			wantText:  []string{"Detail:        forensicId: must be 3 to 64"},
			wantAttrs: map[string]string{"forensicId": "invalid-invalid-1b2c", "reason": "INVALID_REQUEST"},
			wantStep:  StepNotifyFailure, wantEventDetail: "notified FAILED; the investigation record was already there and was kept",
		},
		{
			name:    "rejected request naming a running case leaves its record alone",
			state:   namingRunning,
			records: fakeRecords{updateErr: runningErr},
			wantUpdate: caserecords.InvestigationUpdate{
				ForensicID: "cf-2026-03-14-0005", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
				Reason: investigation.ReasonInvalidRequest, ReasonDetail: "disk.snapshots[1].snapshotId: repeats snap-0a1b2c3d4e5f60718",
				Time: testNow,
			},
			wantPublished: true,
			wantSubject:   "Casefile FAILED: cf-2026-03-14-0005 DISK (INVALID_REQUEST)",
			wantText:      []string{"Detail:        disk.snapshots[1].snapshotId: repeats snap-0a1b2c3d4e5f60718"},
			wantStep:      StepNotifyFailure, wantEventDetail: "notified FAILED; the investigation record was already there and was kept",
		},
		{
			name:    "record update fails",
			state:   diskState,
			records: fakeRecords{updateErr: errors.New("update investigation cf-2026-03-14-0001 DISK: unavailable")},
			wantUpdate: caserecords.InvestigationUpdate{
				ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusSucceeded,
				ResultsS3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/disk/", Time: testNow,
			},
			wantErr: "update investigation cf-2026-03-14-0001 DISK: unavailable",
		},
		{
			name:   "publish fails",
			state:  diskState,
			snsErr: errors.New("KMS key disabled"),
			wantUpdate: caserecords.InvestigationUpdate{
				ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusSucceeded,
				ResultsS3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/disk/", Time: testNow,
			},
			wantPublished: true,
			wantErr:       "publish notification of cf-2026-03-14-0001 DISK: KMS key disabled",
		},
		{
			name:    "event fails after publishing",
			state:   diskState,
			records: fakeRecords{eventErr: errors.New("append event: unavailable")},
			wantUpdate: caserecords.InvestigationUpdate{
				ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusSucceeded,
				ResultsS3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/disk/", Time: testNow,
			},
			// Returning it would have the step's retry publish again.
			wantPublished: true,
			wantStep:      StepNotifySuccess, wantEventDetail: "notified SUCCEEDED",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records := tt.records
			publisher := &fakeSNS{err: tt.snsErr}
			h := New(&records, publisher, Config{TopicARN: testTopic, TableName: testTable})
			h.now = func() time.Time { return testNow }

			got, err := h.Handle(context.Background(), tt.state)

			require.Len(t, records.updates, 1)
			wantUpdate := tt.wantUpdate
			wantUpdate.Execution = tt.state.ExecutionName // only this execution's record changes
			assert.Equal(t, wantUpdate, records.updates[0])
			if tt.wantPublished {
				require.Len(t, publisher.inputs, 1)
				in := publisher.inputs[0]
				assert.Equal(t, testTopic, aws.ToString(in.TopicArn))
				if tt.wantSubject != "" {
					assert.Equal(t, tt.wantSubject, aws.ToString(in.Subject))
				}
				text, msg := published(t, in)
				if tt.wantMessage.ForensicID != "" {
					assert.Equal(t, tt.wantMessage, msg)
				}
				for _, want := range tt.wantText {
					assert.Contains(t, text, want)
				}
				for k, want := range tt.wantAttrs {
					require.Contains(t, in.MessageAttributes, k)
					assert.Equal(t, want, aws.ToString(in.MessageAttributes[k].StringValue), "attribute %s", k)
				}
			} else {
				assert.Empty(t, publisher.inputs)
			}
			if tt.wantStep != "" {
				require.Len(t, records.events, 1)
				ev := records.events[0]
				assert.Equal(t, tt.wantStep, ev.Step)
				assert.Equal(t, ActionNotificationSent, ev.Action)
				assert.Equal(t, tt.wantEventDetail, ev.Detail)
				assert.Equal(t, "msg-0001", ev.Resources["messageId"])
				assert.Equal(t, tt.wantUpdate.ForensicID, ev.ForensicID)
			} else {
				assert.Empty(t, records.events)
			}
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.state, got, "the state is returned unchanged")
		})
	}
}

// TestHandleDuplicateRequest: intake refused a second investigation of a
// case and type that runs or ran under another execution; that
// investigation owns the record and its one notification, so nothing is
// updated, published or logged in the custody log.
func TestHandleDuplicateRequest(t *testing.T) {
	st := investigation.State{
		Request: fixture(t, "disk-ec2.json"), ExecutionName: "manual-start",
		Error: &investigation.StepError{Error: string(investigation.ReasonDuplicateRequest),
			Cause: `{"errorType":"DUPLICATE_REQUEST","errorMessage":"forensicId: investigation cf-2026-03-14-0001 DISK is already running as execution cf-2026-03-14-0001-disk"}`},
	}
	var records fakeRecords
	publisher := &fakeSNS{}
	h := New(&records, publisher, Config{TopicARN: testTopic, TableName: testTable})

	got, err := h.Handle(context.Background(), st)

	require.NoError(t, err)
	assert.Equal(t, st, got, "the state is returned unchanged")
	assert.Empty(t, records.updates, "investigation updates")
	assert.Empty(t, publisher.inputs, "notifications published")
	assert.Empty(t, records.events, "custody events")
}
