package starter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

type fakeSFN struct {
	err    error
	inputs []*sfn.StartExecutionInput
}

func (f *fakeSFN) StartExecution(_ context.Context, in *sfn.StartExecutionInput, _ ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error) {
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sfn.StartExecutionOutput{ExecutionArn: aws.String(testMachine + ":" + aws.ToString(in.Name))}, nil
}

var _ StepFunctions = (*fakeSFN)(nil)

const (
	testMachine = "arn:aws:states:eu-west-1:444455556666:stateMachine:casefile-investigation"
	testEventID = "7f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
	// testEvidenceBucket is the evidence bucket of the fixture requests.
	testEvidenceBucket = "casefile-evidence-111122223333"
)

func fixture(t *testing.T, name string) json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../../test/fixtures/requests", name))
	require.NoError(t, err)
	return raw
}

// event wraps detail the way EventBridge delivers it.
func event(t *testing.T, id string, detail json.RawMessage) events.CloudWatchEvent {
	t.Helper()
	wire, err := json.Marshal(map[string]any{
		"version": "0", "id": id, "detail-type": "Evidence Acquisition Completed",
		"source": "casefile.acquisition", "account": "444455556666", "time": "2026-03-14T09:00:00Z",
		"region": "eu-west-1", "resources": []string{}, "detail": detail,
	})
	require.NoError(t, err)
	var ev events.CloudWatchEvent
	require.NoError(t, json.Unmarshal(wire, &ev))
	return ev
}

// quote returns detail as a JSON string.
func quote(t *testing.T, detail []byte) string {
	t.Helper()
	out, err := json.Marshal(string(detail))
	require.NoError(t, err)
	return string(out)
}

// invalidName is the execution name of an invalid detail.
func invalidName(detail []byte) string {
	sum := sha256.Sum256(detail)
	return "invalid-" + hex.EncodeToString(sum[:16])
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name      string
		event     events.CloudWatchEvent
		sfnErr    error
		want      Started
		invalid   bool   // the name is invalidName of the detail, set in want by the loop
		wantInput string // defaults to the event's detail, quoted when invalid
		wantErr   string
	}{
		{
			name:  "disk request",
			event: event(t, testEventID, fixture(t, "disk-ec2.json")),
			want:  Started{ExecutionName: "cf-2026-03-14-0001-disk", ExecutionARN: testMachine + ":cf-2026-03-14-0001-disk"},
		},
		{
			name:  "memory request of the same case gets its own execution",
			event: event(t, testEventID, fixture(t, "memory-ec2.json")),
			want:  Started{ExecutionName: "cf-2026-03-14-0001-memory", ExecutionARN: testMachine + ":cf-2026-03-14-0001-memory"},
		},
		{
			name:    "invalid request with a usable ID leaves the case's name free",
			event:   event(t, testEventID, fixture(t, "invalid-duplicate-snapshot.json")),
			invalid: true,
		},
		{
			name:    "memory dump outside the evidence bucket leaves the case's name free",
			event:   event(t, testEventID, fixture(t, "invalid-dump-outside-evidence-bucket.json")),
			invalid: true,
		},
		{
			name:    "unknown forensic type",
			event:   event(t, testEventID, fixture(t, "invalid-unknown-type.json")),
			invalid: true,
		},
		{
			name:    "shell metacharacters never reach the name",
			event:   event(t, "id;rm -rf /", fixture(t, "invalid-shell-metacharacters.json")),
			invalid: true,
		},
		{
			name:      "empty detail",
			event:     events.CloudWatchEvent{ID: testEventID},
			invalid:   true,
			wantInput: `""`,
		},
		{
			name:      "detail that is not JSON is passed as a string",
			event:     events.CloudWatchEvent{ID: testEventID, Detail: json.RawMessage(`forensicId=x`)},
			invalid:   true,
			wantInput: `"forensicId=x"`,
		},
		{
			name:      "duplicate keys reach intake as they were sent",
			event:     events.CloudWatchEvent{ID: testEventID, Detail: json.RawMessage(`{"forensicId":"cf-1","forensicId":"cf-2"}`)},
			invalid:   true,
			wantInput: `"{\"forensicId\":\"cf-1\",\"forensicId\":\"cf-2\"}"`,
		},
		{
			name:   "duplicate delivery succeeds without a new execution",
			event:  event(t, testEventID, fixture(t, "disk-ec2.json")),
			sfnErr: &types.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists: 'cf-2026-03-14-0001-disk'")},
			want:   Started{ExecutionName: "cf-2026-03-14-0001-disk", Duplicate: true},
		},
		{
			name:    "duplicate delivery of an invalid request succeeds without a new execution",
			event:   event(t, "another-event-id", fixture(t, "invalid-duplicate-snapshot.json")),
			sfnErr:  &types.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists")},
			invalid: true,
			want:    Started{Duplicate: true},
		},
		{
			name:    "other Step Functions error",
			event:   event(t, testEventID, fixture(t, "disk-ec2.json")),
			sfnErr:  &types.StateMachineDoesNotExist{Message: aws.String("gone")},
			want:    Started{ExecutionName: "cf-2026-03-14-0001-disk"},
			wantErr: "start execution cf-2026-03-14-0001-disk for event " + testEventID + ": StateMachineDoesNotExist: gone",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.invalid {
				tt.want.ExecutionName = invalidName(tt.event.Detail)
				if !tt.want.Duplicate {
					tt.want.ExecutionARN = testMachine + ":" + tt.want.ExecutionName
				}
			}
			client := &fakeSFN{err: tt.sfnErr}
			got, err := New(client, testMachine, testEvidenceBucket).Handle(context.Background(), tt.event)

			require.Len(t, client.inputs, 1)
			in := client.inputs[0]
			assert.Equal(t, testMachine, aws.ToString(in.StateMachineArn))
			assert.Equal(t, tt.want.ExecutionName, aws.ToString(in.Name))
			wantInput := tt.wantInput
			if wantInput == "" {
				wantInput = string(tt.event.Detail)
				if tt.invalid {
					wantInput = quote(t, tt.event.Detail)
				}
			}
			assert.Equal(t, wantInput, aws.ToString(in.Input), "the request is passed on as sent")
			if tt.invalid {
				sent, quoted := investigation.RequestText([]byte(aws.ToString(in.Input)))
				assert.True(t, quoted, "an invalid request is passed as a JSON string")
				assert.Equal(t, string(tt.event.Detail), string(sent), "intake reads the request as sent")
			}
			assert.Equal(t, tt.want, got)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
		})
	}
}

// TestCorrectedResendStarts: a rejected request must not take the name of
// its case, or the corrected re-send would be refused as a duplicate and
// dropped without a word.
func TestCorrectedResendStarts(t *testing.T) {
	client := &fakeSFN{}
	h := New(client, testMachine, testEvidenceBucket)
	rejected, err := h.Handle(context.Background(), event(t, "event-1", fixture(t, "invalid-duplicate-snapshot.json")))
	require.NoError(t, err)

	var corrected map[string]any
	require.NoError(t, json.Unmarshal(fixture(t, "invalid-duplicate-snapshot.json"), &corrected))
	snapshots := corrected["disk"].(map[string]any)["snapshots"].([]any)
	snapshots[1].(map[string]any)["snapshotId"] = "snap-0b2c3d4e5f6071829"
	detail, err := json.Marshal(corrected)
	require.NoError(t, err)
	resent, err := h.Handle(context.Background(), event(t, "event-2", detail))
	require.NoError(t, err)

	assert.True(t, strings.HasPrefix(rejected.ExecutionName, InvalidPrefix), "rejected request runs as %s", rejected.ExecutionName)
	assert.Equal(t, "cf-2026-03-14-0005-disk", resent.ExecutionName, "the corrected request runs under its case's name")
	assert.NotEqual(t, rejected.ExecutionName, resent.ExecutionName)
}

func TestExecution(t *testing.T) {
	tests := []struct {
		name      string
		detail    json.RawMessage
		want      string
		wantField string // of the error, for an invalid detail
	}{
		{name: "valid", detail: fixture(t, "disk-eks.json"), want: "cf-2026-03-14-0002-disk"},
		{name: "longest valid ID", detail: []byte(strings.Replace(string(fixture(t, "memory-ec2.json")), "cf-2026-03-14-0001", strings.Repeat("a", 64), 1)),
			want: strings.Repeat("a", 64) + "-memory"},
		{name: "ID with '..'", detail: fixture(t, "invalid-double-dot-forensic-id.json"), wantField: "forensicId"},
		{name: "case variant of forensicId", detail: fixture(t, "invalid-case-variant-key.json"), wantField: "FORENSICID"},
		{name: "dump elsewhere", detail: fixture(t, "invalid-dump-outside-evidence-bucket.json"), wantField: "memory.s3Uri"},
		{name: "no detail", detail: nil, wantField: investigation.RequestField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, input, err := Execution(tt.detail, testEvidenceBucket)
			assert.LessOrEqual(t, len(got), 80, "Step Functions' limit on names")
			if tt.wantField == "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				assert.Equal(t, string(tt.detail), input, "a valid request is the input as it is")
				return
			}
			assert.Equal(t, quote(t, tt.detail), input, "an invalid request is passed as a JSON string")
			var verr *investigation.ValidationError
			require.True(t, errors.As(err, &verr), "want a *ValidationError, got %v", err)
			assert.Equal(t, tt.wantField, verr.Field)
			assert.Equal(t, invalidName(tt.detail), got)
			again, _, _ := Execution(tt.detail, testEvidenceBucket)
			assert.Equal(t, got, again, "the same detail gets the same name")
		})
	}
}

func TestHandleReportsStartErrorsAsErrors(t *testing.T) {
	client := &fakeSFN{err: errors.New("connection reset")}
	_, err := New(client, testMachine, testEvidenceBucket).Handle(context.Background(), event(t, testEventID, fixture(t, "disk-eks.json")))
	require.Error(t, err)
	assert.ErrorContains(t, err, "start execution cf-2026-03-14-0002-disk")
}
