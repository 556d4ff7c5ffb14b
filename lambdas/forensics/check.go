package forensics

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// StepCheckCommand names the command check in the custody log.
const StepCheckCommand = "CheckCommand"

// InvocationReader reads how a command is doing on one instance.
type InvocationReader interface {
	GetCommandInvocation(ctx context.Context, in *ssm.GetCommandInvocationInput, optFns ...func(*ssm.Options)) (*ssm.GetCommandInvocationOutput, error)
}

// CommandChecker is the CheckCommand step: one look at the forensics
// command. The workflow calls it again after a wait while it answers
// PENDING, up to its bound.
type CommandChecker struct {
	SSM      InvocationReader
	Recorder Recorder
	// Now is the clock of the custody log; nil means time.Now.
	Now func() time.Time
}

// Handle counts the attempt and sets st.Command's Status (PENDING or READY)
// and SSMStatus. A command that ended without success fails the case with
// COMMAND_FAILED, naming the status the script reported (such as
// HASH_MISMATCH) when its output ends with one. The command's output stays
// in S3: nothing else of it enters the state.
func (c *CommandChecker) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	if st.Command == nil || st.Command.CommandID == "" || st.Instance == nil || st.Instance.InstanceID == "" {
		return st, investigation.Fail(investigation.ReasonCommandFailed, "state names no forensics command and instance")
	}
	cmd := *st.Command
	cmd.Attempts++
	cmd.Status = investigation.PollPending
	st.Command = &cmd
	instance := st.Instance.InstanceID

	out, err := c.SSM.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{
		CommandId:  aws.String(cmd.CommandID),
		InstanceId: aws.String(instance),
	})
	if isInvocationDoesNotExist(err) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("read command %s on instance %s: %w", cmd.CommandID, instance, err)
	}

	details := aws.ToString(out.StatusDetails)
	cmd.SSMStatus = string(out.Status)
	outcome := Classify(out.Status, details)
	if outcome == OutcomeRunning {
		return st, nil
	}
	trail := newCustody(c.Recorder, c.Now, st, StepCheckCommand)
	resources := map[string]string{
		"instanceId":   instance,
		"commandId":    cmd.CommandID,
		"documentName": cmd.DocumentName,
		"status":       string(out.Status),
		"statusDetail": details,
		"responseCode": strconv.Itoa(int(out.ResponseCode)),
	}
	script := ScriptStatus(aws.ToString(out.StandardOutputContent))
	if script != "" {
		resources["scriptStatus"] = script
	}
	if outcome == OutcomeFailed {
		failure := investigation.Fail(investigation.ReasonCommandFailed,
			"forensics command %s (%s) on instance %s ended %s (%s), response code %d%s",
			cmd.CommandID, cmd.DocumentName, instance, out.Status, details, out.ResponseCode, scriptSays(script))
		if err := trail.Record(ctx, "command-failed", resources, failure.Err.Error()); err != nil {
			return st, fmt.Errorf("%w; and %w", failure, err)
		}
		return st, failure
	}

	cmd.Status = investigation.PollReady
	slog.InfoContext(ctx, "forensics command succeeded", "forensicId", st.ForensicID,
		"instanceId", instance, "commandId", cmd.CommandID, "attempts", cmd.Attempts)
	return st, trail.Record(ctx, "command-succeeded", resources, "forensics command finished; results in S3")
}

// scriptSays is the end of a failure message that names the script's
// status, or "".
func scriptSays(status string) string {
	if status == "" {
		return ""
	}
	return "; the script reported " + status
}
