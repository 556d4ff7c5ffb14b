package localaws

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/sweep"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

func TestStatusChangeEvent(t *testing.T) {
	const (
		machine   = "arn:aws:states:eu-west-1:123456789012:stateMachine:CasefileInvestigation"
		execution = "arn:aws:states:eu-west-1:123456789012:execution:CasefileInvestigation:case-1-disk"
	)
	started := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	stopped := started.Add(20 * time.Second)
	exec := sfnlocal.Execution{
		Name: "case-1-disk", Status: sfnlocal.StatusTimedOut, Error: "States.Timeout",
		Input: json.RawMessage(`{"forensicId":"case-1","forensicType":"DISK"}`),
		Events: []sfnlocal.Event{
			{Type: "ExecutionStarted", Timestamp: started.UnixMilli()},
			{Type: "ExecutionTimeout", Timestamp: stopped.UnixMilli()},
		},
	}

	ev, err := statusChangeEvent("eu-west-1", "123456789012", machine, execution, exec)
	require.NoError(t, err)

	assert.Equal(t, investigation.ExecutionEventSource, ev.Source)
	assert.Equal(t, investigation.ExecutionEventDetailType, ev.DetailType)
	assert.Equal(t, []string{execution}, ev.Resources)
	assert.Equal(t, stopped, ev.Time)
	assert.Len(t, ev.ID, 32, "a random event ID")

	// The sweep reads it as it reads the event Step Functions sends.
	var got sweep.StatusChange
	require.NoError(t, json.Unmarshal(ev.Detail, &got))
	input := string(exec.Input)
	wantError := "States.Timeout"
	assert.Equal(t, sweep.StatusChange{
		ExecutionARN: execution, StateMachineARN: machine, Name: "case-1-disk", Status: investigation.ExecutionTimedOut,
		StartDate: started.UnixMilli(), StopDate: stopped.UnixMilli(), Input: &input, Error: &wantError,
	}, got)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(ev.Detail, &raw))
	assert.Equal(t, map[string]any{"included": true}, raw["inputDetails"], "inputDetails")
	assert.Contains(t, raw, "output", "output is null, not left out")
	assert.Nil(t, raw["cause"], "cause")
}
