package starter

import (
	"context"
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

func TestHandle(t *testing.T) {
	tests := []struct {
		name      string
		event     events.CloudWatchEvent
		sfnErr    error
		want      Started
		wantInput string // defaults to the event's detail
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
			name:  "invalid request with a usable ID keeps the case's name",
			event: event(t, testEventID, fixture(t, "invalid-duplicate-snapshot.json")),
			want:  Started{ExecutionName: "cf-2026-03-14-0005-disk", ExecutionARN: testMachine + ":cf-2026-03-14-0005-disk"},
		},
		{
			name:  "unknown forensic type is started under the event ID",
			event: event(t, testEventID, fixture(t, "invalid-unknown-type.json")),
			want:  Started{ExecutionName: "invalid-" + testEventID, ExecutionARN: testMachine + ":invalid-" + testEventID},
		},
		{
			name:  "missing forensic ID is started under the event ID",
			event: event(t, testEventID, fixture(t, "invalid-missing-forensic-id.json")),
			want:  Started{ExecutionName: "invalid-" + testEventID, ExecutionARN: testMachine + ":invalid-" + testEventID},
		},
		{
			name:  "shell metacharacters never reach the name",
			event: event(t, "id;rm -rf /", fixture(t, "invalid-shell-metacharacters.json")),
			want:  Started{ExecutionName: "invalid-id_rm_-rf__", ExecutionARN: testMachine + ":invalid-id_rm_-rf__"},
		},
		{
			name:      "empty detail",
			event:     events.CloudWatchEvent{ID: testEventID},
			want:      Started{ExecutionName: "invalid-" + testEventID, ExecutionARN: testMachine + ":invalid-" + testEventID},
			wantInput: "null",
		},
		{
			name:      "detail that is not JSON is passed as a string",
			event:     events.CloudWatchEvent{ID: testEventID, Detail: json.RawMessage(`forensicId=x`)},
			want:      Started{ExecutionName: "invalid-" + testEventID, ExecutionARN: testMachine + ":invalid-" + testEventID},
			wantInput: `"forensicId=x"`,
		},
		{
			name:   "duplicate delivery succeeds without a new execution",
			event:  event(t, testEventID, fixture(t, "disk-ec2.json")),
			sfnErr: &types.ExecutionAlreadyExists{Message: aws.String("Execution Already Exists: 'cf-2026-03-14-0001-disk'")},
			want:   Started{ExecutionName: "cf-2026-03-14-0001-disk", Duplicate: true},
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
			client := &fakeSFN{err: tt.sfnErr}
			got, err := New(client, testMachine).Handle(context.Background(), tt.event)

			require.Len(t, client.inputs, 1)
			in := client.inputs[0]
			assert.Equal(t, testMachine, aws.ToString(in.StateMachineArn))
			assert.Equal(t, tt.want.ExecutionName, aws.ToString(in.Name))
			wantInput := tt.wantInput
			if wantInput == "" {
				wantInput = string(tt.event.Detail)
			}
			assert.Equal(t, wantInput, aws.ToString(in.Input), "the request is passed on unchanged")
			assert.Equal(t, tt.want, got)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
		})
	}
}

func TestExecutionNameWithoutEventID(t *testing.T) {
	detail := json.RawMessage(`{"forensicType":"DISK"}`)
	first, usable := ExecutionName(events.CloudWatchEvent{Detail: detail})
	assert.False(t, usable)
	again, _ := ExecutionName(events.CloudWatchEvent{Detail: detail})
	other, _ := ExecutionName(events.CloudWatchEvent{Detail: json.RawMessage(`{"forensicType":"MEMORY"}`)})

	assert.True(t, strings.HasPrefix(first, "invalid-detail-"), "got %s", first)
	assert.Equal(t, first, again, "the same event gets the same name")
	assert.NotEqual(t, first, other)
	assert.LessOrEqual(t, len(first), maxExecutionName)
}

func TestExecutionNameIsBounded(t *testing.T) {
	name, _ := ExecutionName(events.CloudWatchEvent{ID: strings.Repeat("x", 200), Detail: json.RawMessage(`{}`)})
	assert.Len(t, name, maxExecutionName)
	long, usable := ExecutionName(events.CloudWatchEvent{
		Detail: json.RawMessage(`{"forensicId":"` + strings.Repeat("a", 64) + `","forensicType":"MEMORY"}`),
	})
	assert.True(t, usable)
	assert.LessOrEqual(t, len(long), maxExecutionName, "the longest valid ID fits: %s", long)
}

func TestHandleReportsStartErrorsAsErrors(t *testing.T) {
	client := &fakeSFN{err: errors.New("connection reset")}
	_, err := New(client, testMachine).Handle(context.Background(), event(t, testEventID, fixture(t, "disk-eks.json")))
	require.Error(t, err)
	assert.ErrorContains(t, err, "start execution cf-2026-03-14-0002-disk")
}
