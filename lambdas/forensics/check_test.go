package forensics

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func commandState() investigation.State {
	st := diskReady()
	st.Command = &investigation.Command{CommandID: "cmd-forensics", DocumentName: "casefile-disk", Status: investigation.PollPending, Attempts: 2}
	return st
}

func TestCheckCommand(t *testing.T) {
	tests := []struct {
		name          string
		ssm           *fakeSSM
		wantStatus    investigation.PollStatus
		wantSSMStatus string
		wantReason    investigation.Reason
		wantErrParts  []string
		wantActions   []string
	}{
		{
			name:       "invocation not visible yet",
			ssm:        &fakeSSM{invocationErr: apiErr("InvocationDoesNotExist")},
			wantStatus: investigation.PollPending,
		},
		{
			name:          "in progress",
			ssm:           &fakeSSM{invocation: invocation(types.CommandInvocationStatusInProgress, "InProgress", -1, "")},
			wantStatus:    investigation.PollPending,
			wantSSMStatus: "InProgress",
		},
		{
			name:          "delayed",
			ssm:           &fakeSSM{invocation: invocation(types.CommandInvocationStatusDelayed, "Delayed", -1, "")},
			wantStatus:    investigation.PollPending,
			wantSSMStatus: "Delayed",
		},
		{
			name:          "succeeded",
			ssm:           &fakeSSM{invocation: invocation(types.CommandInvocationStatusSuccess, "Success", 0, `{"a": "lot of output"}`)},
			wantStatus:    investigation.PollReady,
			wantSSMStatus: "Success",
			wantActions:   []string{"command-succeeded"},
		},
		{
			name:         "script failed",
			ssm:          &fakeSSM{invocation: invocation(types.CommandInvocationStatusFailed, "Failed", 3, "secret stdout")},
			wantReason:   investigation.ReasonCommandFailed,
			wantErrParts: []string{"cmd-forensics", "casefile-disk", testInstance, "ended Failed (Failed)", "response code 3"},
			wantActions:  []string{"command-failed"},
		},
		{
			name: "script reported why it failed",
			ssm: &fakeSSM{invocation: invocation(types.CommandInvocationStatusFailed, "Failed", 1,
				"secret stdout\n{\"status\":\"SIZE_MISMATCH\",\"forensicId\":\"case-42\",\"results\":\"s3://r/cases/case-42/memory/\",\"errors\":1}\n")},
			wantReason:   investigation.ReasonCommandFailed,
			wantErrParts: []string{"ended Failed (Failed), response code 1; the script reported SIZE_MISMATCH"},
			wantActions:  []string{"command-failed"},
		},
		{
			name:         "execution timed out",
			ssm:          &fakeSSM{invocation: invocation(types.CommandInvocationStatusTimedOut, "Execution Timed Out", -1, "")},
			wantReason:   investigation.ReasonCommandFailed,
			wantErrParts: []string{"ended TimedOut (Execution Timed Out)"},
			wantActions:  []string{"command-failed"},
		},
		{
			name:         "undeliverable",
			ssm:          &fakeSSM{invocation: invocation(types.CommandInvocationStatusFailed, "Undeliverable", -1, "")},
			wantReason:   investigation.ReasonCommandFailed,
			wantErrParts: []string{"Undeliverable"},
			wantActions:  []string{"command-failed"},
		},
		{
			name:         "instance terminated under the command",
			ssm:          &fakeSSM{invocation: invocation(types.CommandInvocationStatusFailed, "Terminated", -1, "")},
			wantReason:   investigation.ReasonCommandFailed,
			wantErrParts: []string{"Terminated"},
			wantActions:  []string{"command-failed"},
		},
		{
			name:         "cancelled",
			ssm:          &fakeSSM{invocation: invocation(types.CommandInvocationStatusCancelled, "Canceled", -1, "")},
			wantReason:   investigation.ReasonCommandFailed,
			wantErrParts: []string{"ended Cancelled (Canceled)"},
			wantActions:  []string{"command-failed"},
		},
		{
			name:         "SSM unavailable",
			ssm:          &fakeSSM{invocationErr: apiErr("InternalServerError")},
			wantErrParts: []string{"read command cmd-forensics on instance " + testInstance},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fakeRecorder{}
			c := &CommandChecker{SSM: tt.ssm, Recorder: rec, Now: testClock}

			got, err := c.Handle(context.Background(), commandState())

			assert.Equal(t, tt.wantActions, rec.actions(), "recorded events")
			require.Len(t, tt.ssm.got, 1, "GetCommandInvocation calls")
			assert.Equal(t, "cmd-forensics", aws.ToString(tt.ssm.got[0].CommandId), "command read")
			assert.Equal(t, testInstance, aws.ToString(tt.ssm.got[0].InstanceId), "instance read")
			require.NotNil(t, got.Command)
			assert.Equal(t, 3, got.Command.Attempts, "attempts")
			if len(tt.wantErrParts) > 0 {
				require.Error(t, err)
				assert.Equal(t, tt.wantReason, reasonOf(err), "reason of %v", err)
				for _, part := range tt.wantErrParts {
					assert.ErrorContains(t, err, part)
				}
				assert.NotContains(t, err.Error(), "secret stdout", "command output must not reach the state")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantStatus, got.Command.Status, "status")
			assert.Equal(t, tt.wantSSMStatus, got.Command.SSMStatus, "SSM status")
			assert.Equal(t, "cmd-forensics", got.Command.CommandID, "command ID kept")
		})
	}
}

func TestCheckCommandDoesNotChangeItsInput(t *testing.T) {
	fake := &fakeSSM{invocation: invocation(types.CommandInvocationStatusSuccess, "Success", 0, "")}
	c := &CommandChecker{SSM: fake, Recorder: &fakeRecorder{}, Now: testClock}
	in := commandState()

	_, err := c.Handle(context.Background(), in)
	require.NoError(t, err)

	assert.Equal(t, 2, in.Command.Attempts, "attempts of the input state")
	assert.Equal(t, investigation.PollPending, in.Command.Status, "status of the input state")
}

func TestCheckCommandWithoutCommand(t *testing.T) {
	c := &CommandChecker{SSM: &fakeSSM{}, Recorder: &fakeRecorder{}, Now: testClock}

	_, err := c.Handle(context.Background(), diskReady())

	require.Error(t, err)
	assert.Equal(t, investigation.ReasonCommandFailed, reasonOf(err), "reason of %v", err)
}
