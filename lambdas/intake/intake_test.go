package intake

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// fakeRecords records every call and answers with its behaviour fields.
type fakeRecords struct {
	created    caserecords.Created
	createErr  error
	rejectErr  error
	existed    bool
	eventErr   error
	creates    []investigation.Request
	rejections []rejection
	events     []caserecords.Event
}

type rejection struct {
	caseID        string
	raw           string
	verr          *investigation.ValidationError
	executionName string
}

func (f *fakeRecords) CreateCase(_ context.Context, req investigation.Request, _ string, _ time.Time) (caserecords.Created, error) {
	f.creates = append(f.creates, req)
	return f.created, f.createErr
}

func (f *fakeRecords) RecordRejected(_ context.Context, caseID string, raw []byte, verr *investigation.ValidationError, executionName string, _ time.Time) (bool, error) {
	f.rejections = append(f.rejections, rejection{caseID: caseID, raw: string(raw), verr: verr, executionName: executionName})
	return f.existed, f.rejectErr
}

func (f *fakeRecords) AppendEvent(_ context.Context, e caserecords.Event) error {
	f.events = append(f.events, e)
	return f.eventErr
}

var _ Records = (*fakeRecords)(nil)

// quote returns raw as a JSON string, as the starter passes a request it
// judged invalid.
func quote(t *testing.T, raw []byte) json.RawMessage {
	t.Helper()
	out, err := json.Marshal(string(raw))
	require.NoError(t, err)
	return out
}

func fixture(t *testing.T, name string) json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../../test/fixtures/requests", name))
	require.NoError(t, err)
	return raw
}

// evidenceBucket is the evidence bucket of the fixture requests.
const evidenceBucket = "casefile-evidence-111122223333"

// The problems intake names for the fixtures it refuses.
const (
	idProblem      = "must be 3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'"
	outsideProblem = "must name an object in the evidence bucket " + evidenceBucket + ", not in casefile-public-uploads"
)

func TestHandle(t *testing.T) {
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name          string
		request       json.RawMessage
		executionName string
		records       fakeRecords

		wantErr       string
		wantReason    investigation.Reason // when the error is a Failure
		wantID        string
		wantType      investigation.ForensicType
		wantCreates   int
		wantRejection *rejection
		wantAction    string // action of the one event, if any
	}{
		{
			name: "valid disk request", request: fixture(t, "disk-ec2.json"), executionName: "cf-2026-03-14-0001-disk",
			wantID: "cf-2026-03-14-0001", wantType: investigation.ForensicTypeDisk,
			wantCreates: 1, wantAction: caserecords.ActionCaseRecorded,
		},
		{
			name: "valid EKS request", request: fixture(t, "disk-eks.json"), executionName: "cf-2026-03-14-0002-disk",
			wantID: "cf-2026-03-14-0002", wantType: investigation.ForensicTypeDisk,
			wantCreates: 1, wantAction: caserecords.ActionCaseRecorded,
		},
		{
			name: "duplicate delivery keeps the running investigation", request: fixture(t, "memory-ec2.json"),
			executionName: "cf-2026-03-14-0001-memory",
			records: fakeRecords{created: caserecords.Created{CaseExisted: true, InvestigationExisted: true,
				ExistingStatus: investigation.StatusInProgress, ExistingExecution: "cf-2026-03-14-0001-memory"}},
			wantID: "cf-2026-03-14-0001", wantType: investigation.ForensicTypeMemory,
			wantCreates: 1, wantAction: ActionRequestRedelivered,
		},
		{
			name: "finished investigation is not run again", request: fixture(t, "disk-ec2.json"), executionName: "rerun-1",
			records:     fakeRecords{created: caserecords.Created{CaseExisted: true, InvestigationExisted: true, ExistingStatus: investigation.StatusSucceeded}},
			wantErr:     "DUPLICATE_REQUEST: forensicId: investigation cf-2026-03-14-0001 DISK already ended SUCCEEDED; a new investigation needs a new forensicId",
			wantReason:  investigation.ReasonDuplicateRequest,
			wantCreates: 1, wantAction: ActionRequestRedelivered,
		},
		{
			name: "same case under another execution is refused", request: fixture(t, "memory-ec2.json"), executionName: "manual-start",
			records: fakeRecords{created: caserecords.Created{CaseExisted: true, InvestigationExisted: true,
				ExistingStatus: investigation.StatusInProgress, ExistingExecution: "cf-2026-03-14-0001-memory"}},
			wantErr:     "DUPLICATE_REQUEST: forensicId: investigation cf-2026-03-14-0001 MEMORY is already running as execution cf-2026-03-14-0001-memory",
			wantReason:  investigation.ReasonDuplicateRequest,
			wantCreates: 1, wantAction: ActionRequestRedelivered,
		},
		{
			name: "invalid request names the field", request: fixture(t, "invalid-duplicate-snapshot.json"), executionName: "cf-2026-03-14-0005-disk",
			wantErr:    "INVALID_REQUEST: disk.snapshots[1].snapshotId: repeats snap-0a1b2c3d4e5f60718",
			wantReason: investigation.ReasonInvalidRequest,
			wantRejection: &rejection{
				caseID: "cf-2026-03-14-0005", executionName: "cf-2026-03-14-0005-disk",
				verr: &investigation.ValidationError{Field: "disk.snapshots[1].snapshotId", Problem: "repeats snap-0a1b2c3d4e5f60718"},
			},
		},
		{
			name: "invalid ID is recorded under the execution name", request: fixture(t, "invalid-shell-metacharacters.json"),
			executionName: "invalid-7f1e2d3c-aaaa-bbbb-cccc-0123456789ab",
			wantErr:       "INVALID_REQUEST: forensicId: " + idProblem,
			wantReason:    investigation.ReasonInvalidRequest,
			wantRejection: &rejection{
				caseID: "invalid-invalid-7f1e2d3c-aaaa-bbbb-cccc-0123456789ab", executionName: "invalid-7f1e2d3c-aaaa-bbbb-cccc-0123456789ab",
				verr: &investigation.ValidationError{Field: "forensicId", Problem: idProblem},
			},
		},
		{
			name: "ID with '..' is recorded under the execution name", request: fixture(t, "invalid-double-dot-forensic-id.json"),
			executionName: "invalid-0b1c",
			wantErr:       "INVALID_REQUEST: forensicId: " + idProblem,
			wantReason:    investigation.ReasonInvalidRequest,
			wantRejection: &rejection{
				caseID: "invalid-invalid-0b1c", executionName: "invalid-0b1c",
				verr: &investigation.ValidationError{Field: "forensicId", Problem: idProblem},
			},
		},
		{
			name: "a case variant of a key is refused and the exact key names the case", request: fixture(t, "invalid-case-variant-key.json"),
			executionName: "invalid-0c1d",
			wantErr:       "INVALID_REQUEST: FORENSICID: is not a known field (field names are case-sensitive: forensicId)",
			wantReason:    investigation.ReasonInvalidRequest,
			wantRejection: &rejection{
				caseID: "cf-2026-03-14-0009", executionName: "invalid-0c1d",
				verr: &investigation.ValidationError{Field: "FORENSICID", Problem: "is not a known field (field names are case-sensitive: forensicId)"},
			},
		},
		{
			name: "memory dump outside the evidence bucket", request: fixture(t, "invalid-dump-outside-evidence-bucket.json"),
			executionName: "invalid-0d1e",
			wantErr:       "INVALID_REQUEST: memory.s3Uri: " + outsideProblem,
			wantReason:    investigation.ReasonInvalidRequest,
			wantRejection: &rejection{
				caseID: "cf-2026-03-14-0018", executionName: "invalid-0d1e",
				verr: &investigation.ValidationError{Field: "memory.s3Uri", Problem: outsideProblem},
			},
		},
		{
			name: "a request the starter judged invalid is read from its string", request: quote(t, fixture(t, "invalid-duplicate-key.json")),
			executionName: "invalid-0e1f",
			wantErr:       "INVALID_REQUEST: forensicId: is given more than once",
			wantReason:    investigation.ReasonInvalidRequest,
			wantRejection: &rejection{
				caseID: "invalid-invalid-0e1f", executionName: "invalid-0e1f", raw: string(fixture(t, "invalid-duplicate-key.json")),
				verr: &investigation.ValidationError{Field: "forensicId", Problem: "is given more than once"},
			},
		},
		{
			name: "a valid request in a string is refused", request: quote(t, fixture(t, "disk-ec2.json")),
			executionName: "invalid-0f10",
			wantErr:       "INVALID_REQUEST: (request): is a JSON string holding a request, not a JSON object",
			wantReason:    investigation.ReasonInvalidRequest,
			wantRejection: &rejection{
				caseID: "cf-2026-03-14-0001", executionName: "invalid-0f10", raw: string(fixture(t, "disk-ec2.json")),
				verr: &investigation.ValidationError{Field: investigation.RequestField, Problem: "is a JSON string holding a request, not a JSON object"},
			},
		},
		{
			name: "memory dump in the evidence bucket", request: fixture(t, "memory-ec2.json"), executionName: "cf-2026-03-14-0001-memory",
			wantID: "cf-2026-03-14-0001", wantType: investigation.ForensicTypeMemory,
			wantCreates: 1, wantAction: caserecords.ActionCaseRecorded,
		},
		{
			name: "recording the rejection fails", request: json.RawMessage(`{"forensicId":"cf-9"}`), executionName: "e-1",
			records: fakeRecords{rejectErr: errors.New("record rejected request cf-9: throttled")},
			wantErr: "record rejected request cf-9: throttled",
			wantRejection: &rejection{
				caseID: "cf-9", executionName: "e-1",
				verr: &investigation.ValidationError{Field: "resource.accountId", Problem: "must be 12 digits"},
			},
		},
		{
			name: "recording the case fails", request: fixture(t, "disk-ec2.json"), executionName: "e-2",
			records:     fakeRecords{createErr: errors.New("record case cf-2026-03-14-0001: unavailable")},
			wantErr:     "record case cf-2026-03-14-0001: unavailable",
			wantCreates: 1,
		},
		{
			name: "appending the event fails", request: fixture(t, "disk-ec2.json"), executionName: "e-3",
			records:     fakeRecords{eventErr: errors.New("append event: unavailable")},
			wantErr:     "append event: unavailable",
			wantCreates: 1, wantAction: caserecords.ActionCaseRecorded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records := tt.records
			h := New(&records, fixtureSnapshots(), evidenceBucket)
			h.now = func() time.Time { return now }
			in := investigation.State{Request: tt.request, ExecutionName: tt.executionName}

			got, err := h.Handle(context.Background(), in)

			assert.Len(t, records.creates, tt.wantCreates, "CreateCase calls")
			if tt.wantRejection == nil {
				assert.Empty(t, records.rejections, "RecordRejected calls")
			} else {
				require.Len(t, records.rejections, 1, "RecordRejected calls")
				want := *tt.wantRejection
				if want.raw == "" {
					want.raw = string(tt.request)
				}
				assert.Equal(t, want, records.rejections[0])
			}
			if tt.wantAction == "" {
				assert.Empty(t, records.events)
			} else {
				require.Len(t, records.events, 1)
				ev := records.events[0]
				assert.Equal(t, tt.wantAction, ev.Action)
				assert.Equal(t, caserecords.StepRecordCase, ev.Step)
				assert.Equal(t, now, ev.Time)
				assert.Equal(t, tt.executionName, ev.Resources["executionName"])
			}
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
				var f *investigation.Failure
				if tt.wantReason != "" {
					require.True(t, errors.As(err, &f), "want an investigation.Failure, got %T", err)
					assert.Equal(t, tt.wantReason, f.Reason)
				} else {
					assert.False(t, errors.As(err, &f), "a store error is not a Failure")
				}
				return
			}
			require.NoError(t, err)
			want := in
			want.ForensicID, want.ForensicType = tt.wantID, tt.wantType
			assert.Equal(t, want, got)
		})
	}
}

func TestHandleRecordsTheResource(t *testing.T) {
	records := &fakeRecords{}
	_, err := New(records, fixtureSnapshots(), evidenceBucket).Handle(context.Background(), investigation.State{Request: fixture(t, "disk-eks.json"), ExecutionName: "x"})
	require.NoError(t, err)
	require.Len(t, records.events, 1)
	assert.Equal(t, map[string]string{
		"executionName": "x", "accountId": "111122223333", "region": "eu-west-1",
		"eksClusterName": "payments-prod", "eksNodeInstanceId": "i-0c3d4e5f60718293a",
		"eksNamespace": "checkout", "eksPodName": "cart-api-7d9f8b6c5d-x2kqp",
		"findingId": "arn:aws:guardduty:eu-west-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/b2c3d4e5f67890a1b2c3d4e5f67890a1",
	}, records.events[0].Resources)
	require.Len(t, records.creates, 1)
	assert.Equal(t, "payments-prod", records.creates[0].Resource.EKS.ClusterName)
}
