package sfnlocal_test

import (
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/test/localaws/lambdalocal"
	"github.com/casefile-forensics/casefile/test/localaws/repo"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

const (
	region  = "eu-west-1"
	account = "123456789012"
)

// definition is a small hand-written machine with the shapes Casefile's
// synthesized one uses: a Pass reading the Context Object, a Task on a
// function ARN, a long Wait, and a lambda:invoke Task with Retry and Catch.
const definition = `{
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Pass", "Parameters": {"request.$": "$", "executionName.$": "$$.Execution.Name"}, "Next": "Echo"},
    "Echo": {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:trivial",
      "Parameters": {"echo.$": "$"}, "ResultSelector": {"echoed.$": "$.echo"}, "ResultPath": "$.echo", "Next": "Pause"},
    "Pause": {"Type": "Wait", "Seconds": 120, "Next": "Step"},
    "Step": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:trivial", "Payload.$": "$.request.step"},
      "ResultSelector": {"Payload.$": "$.Payload"}, "ResultPath": "$", "OutputPath": "$.Payload",
      "Retry": [{"ErrorEquals": ["Lambda.ServiceException", "Lambda.SdkClientException"], "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2}],
      "Catch": [{"ErrorEquals": ["COMMAND_FAILED"], "ResultPath": "$.error", "Next": "Caught"}],
      "End": true},
    "Caught": {"Type": "Pass", "End": true}
  }
}`

func TestRun(t *testing.T) {
	root, err := repo.Root()
	require.NoError(t, err)
	tools := repo.ToolsDir(root)
	if err := sfnlocal.Available(tools); err != nil {
		testenv.Missing(t, "aws-local-stepfunctions is not available: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	out, err := exec.Command("go", "build", "-o", bin, "../lambdalocal/testdata/trivial").CombinedOutput()
	require.NoError(t, err, "build the trivial handler: %s", out)
	svc, err := lambdalocal.Start([]lambdalocal.Function{{Name: "trivial", Command: bin, Timeout: 5 * time.Second}},
		lambdalocal.Options{Region: region, AccountID: account, LogDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(svc.Close)

	runner := sfnlocal.Runner{
		ToolsDir:        tools,
		LambdaEndpoint:  svc.URL(),
		Wait:            10 * time.Millisecond,
		StateMachineARN: "arn:aws:states:" + region + ":" + account + ":stateMachine:Test",
		WorkDir:         t.TempDir(),
	}
	tests := []struct {
		name string
		// interrupt sets the runner's TimeoutSeconds, AbortAt and
		// StateWaits, if anything.
		interrupt  func(r *sfnlocal.Runner)
		input      string
		wantStatus string
		wantError  string
		wantStates []string
		wantOutput string
	}{
		{
			name: "success", input: `{"step": {"echo": "done"}}`, wantStatus: sfnlocal.StatusSucceeded,
			wantStates: []string{"Prepare", "Echo", "Pause", "Step"},
			wantOutput: `"echo":"done"`,
		},
		{
			name: "caught named error", input: `{"step": {"fail": "COMMAND_FAILED"}}`, wantStatus: sfnlocal.StatusSucceeded,
			wantStates: []string{"Prepare", "Echo", "Pause", "Step", "Caught"},
			wantOutput: `"Error":"COMMAND_FAILED"`,
		},
		{
			name: "uncaught named error", input: `{"step": {"fail": "INVALID_REQUEST"}}`, wantStatus: sfnlocal.StatusFailed,
			wantError:  "INVALID_REQUEST",
			wantStates: []string{"Prepare", "Echo", "Pause", "Step"},
		},
		{
			name: "stopped in a state",
			interrupt: func(r *sfnlocal.Runner) {
				r.StateWaits, r.AbortAt = map[string]time.Duration{"Pause": time.Hour}, "Pause"
			},
			input: `{"step": {"echo": "done"}}`, wantStatus: sfnlocal.StatusAborted,
			wantStates: []string{"Prepare", "Echo", "Pause"},
		},
		{
			name: "timed out sooner than the definition says",
			interrupt: func(r *sfnlocal.Runner) {
				r.StateWaits, r.TimeoutSeconds = map[string]time.Duration{"Pause": time.Hour}, 2
			},
			input: `{"step": {"echo": "done"}}`, wantStatus: sfnlocal.StatusTimedOut, wantError: "States.Timeout",
			wantStates: []string{"Prepare", "Echo", "Pause"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			started := time.Now()
			r := runner
			if tc.interrupt != nil {
				tc.interrupt(&r)
			}
			got, err := r.Run(context.Background(), json.RawMessage(definition), json.RawMessage(tc.input), "case-1-disk")
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, got.Status, "status (error %s: %s)", got.Error, got.Cause)
			assert.Equal(t, tc.wantError, got.Error, "error name")
			assert.Equal(t, tc.wantStates, got.StatesEntered(), "states entered")
			assert.Contains(t, string(got.Output), tc.wantOutput, "output")
			assert.Less(t, time.Since(started), 60*time.Second, "the 120 s Wait is shortened or interrupted")
			assert.JSONEq(t, tc.input, string(got.Input), "input")
			assert.False(t, got.StopDate().Before(got.StartDate()), "stopped %s, after the start %s", got.StopDate(), got.StartDate())
			prepared, ok := got.LastOutput("Prepare")
			require.True(t, ok, "Prepare exited")
			assert.Contains(t, string(prepared), `"executionName":"case-1-disk"`, "Prepare reads $$.Execution.Name")
		})
	}
}
