package forensics

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// StepCheckInstance names the readiness check in the custody log.
const StepCheckInstance = "CheckInstance"

// probeTimeoutSeconds bounds how long SSM tries to deliver the probe.
const probeTimeoutSeconds = 60

// ProbeSSM is the part of the SSM API that Prober calls.
type ProbeSSM interface {
	AgentLister
	SendCommand(ctx context.Context, in *ssm.SendCommandInput, optFns ...func(*ssm.Options)) (*ssm.SendCommandOutput, error)
	GetCommandInvocation(ctx context.Context, in *ssm.GetCommandInvocationInput, optFns ...func(*ssm.Options)) (*ssm.GetCommandInvocationOutput, error)
}

// Prober checks that a running forensic instance can take the forensics
// command: its SSM agent is Online, and the probe document reports every
// forensic tool present.
type Prober struct {
	SSM ProbeSSM
	// Document is the readiness probe's SSM document.
	Document string
	Recorder Recorder
	// Now is the clock of the custody log; nil means time.Now.
	Now func() time.Time
}

// Check takes the readiness one step further: it waits for the agent, then
// sends the probe, then reads the probe's report. It returns r with Status
// READY or PENDING and Detail saying what is pending, or a Failure:
// TOOLS_MISSING naming the missing tools, or INSTANCE_NOT_READY when the
// probe itself failed.
func (p *Prober) Check(ctx context.Context, st investigation.State, r investigation.Readiness) (investigation.Readiness, error) {
	id := st.Instance.InstanceID
	ping, err := agentPing(ctx, p.SSM, id)
	if err != nil {
		return r, err
	}
	if ping != types.PingStatusOnline {
		r.Status = investigation.PollPending
		if ping == "" {
			r.Detail = "SSM agent of " + id + " has not registered yet"
		} else {
			r.Detail = "SSM agent of " + id + " is " + string(ping)
		}
		return r, nil
	}
	trail := newCustody(p.Recorder, p.Now, st, StepCheckInstance)
	if r.ProbeCommandID == "" {
		return p.send(ctx, trail, id, r)
	}
	return p.read(ctx, trail, id, r)
}

// send starts the probe. An instance the agent has not fully registered is
// refused with InvalidInstanceId for a while after launch: that is pending.
func (p *Prober) send(ctx context.Context, trail caserecords.Trail, instanceID string, r investigation.Readiness) (investigation.Readiness, error) {
	r.Status = investigation.PollPending
	out, err := p.SSM.SendCommand(ctx, &ssm.SendCommandInput{
		DocumentName: aws.String(p.Document),
		// The documents are updated as new versions; run the newest, not $DEFAULT.
		DocumentVersion:        aws.String("$LATEST"),
		InstanceIds:            []string{instanceID},
		TimeoutSeconds:         aws.Int32(probeTimeoutSeconds),
		Comment:                aws.String(comment("probe", trail.State())),
		CloudWatchOutputConfig: &types.CloudWatchOutputConfig{CloudWatchOutputEnabled: false},
	})
	if isInvalidInstanceID(err) {
		r.Detail = "SSM cannot send commands to " + instanceID + " yet"
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("send readiness probe %s to instance %s: %w", p.Document, instanceID, err)
	}
	if out.Command == nil || aws.ToString(out.Command.CommandId) == "" {
		return r, fmt.Errorf("send readiness probe %s to instance %s: SSM returned no command ID", p.Document, instanceID)
	}
	r.ProbeCommandID = aws.ToString(out.Command.CommandId)
	r.Detail = "readiness probe " + r.ProbeCommandID + " sent"
	slog.InfoContext(ctx, "readiness probe sent", "forensicId", trail.State().ForensicID,
		"instanceId", instanceID, "commandId", r.ProbeCommandID)
	err = trail.Record(ctx, "probe-sent", map[string]string{
		"instanceId": instanceID, "commandId": r.ProbeCommandID, "documentName": p.Document,
	}, "readiness probe sent")
	return r, err
}

// read reads the probe's invocation and, once it is final, its report.
func (p *Prober) read(ctx context.Context, trail caserecords.Trail, instanceID string, r investigation.Readiness) (investigation.Readiness, error) {
	r.Status = investigation.PollPending
	out, err := p.SSM.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{
		CommandId:  aws.String(r.ProbeCommandID),
		InstanceId: aws.String(instanceID),
	})
	if isInvocationDoesNotExist(err) {
		r.Detail = "readiness probe " + r.ProbeCommandID + " is not visible yet"
		return r, nil
	}
	if err != nil {
		return r, fmt.Errorf("read readiness probe %s on instance %s: %w", r.ProbeCommandID, instanceID, err)
	}

	status, details := out.Status, aws.ToString(out.StatusDetails)
	outcome := Classify(status, details)
	if outcome == OutcomeRunning {
		r.Detail = "readiness probe " + r.ProbeCommandID + " is " + string(status)
		return r, nil
	}
	report, parseErr := ParseProbeReport(aws.ToString(out.StandardOutputContent))
	if parseErr == nil {
		if missing := report.Missing(); len(missing) > 0 {
			failure := investigation.Fail(investigation.ReasonToolsMissing,
				"forensic instance %s lacks %s (readiness probe %s)", instanceID, joinNames(missing), r.ProbeCommandID)
			return r, recordFailure(ctx, trail, "tools-missing", instanceID, r.ProbeCommandID, failure)
		}
	}
	if outcome == OutcomeFailed {
		failure := investigation.Fail(investigation.ReasonInstanceNotReady,
			"readiness probe %s on instance %s ended %s (%s), response code %d",
			r.ProbeCommandID, instanceID, status, details, out.ResponseCode)
		return r, recordFailure(ctx, trail, "probe-failed", instanceID, r.ProbeCommandID, failure)
	}
	if parseErr != nil {
		failure := investigation.Fail(investigation.ReasonInstanceNotReady,
			"readiness probe %s on instance %s succeeded but printed no report: %w", r.ProbeCommandID, instanceID, parseErr)
		return r, recordFailure(ctx, trail, "probe-failed", instanceID, r.ProbeCommandID, failure)
	}
	if !report.Ready {
		failure := investigation.Fail(investigation.ReasonInstanceNotReady,
			"readiness probe %s on instance %s reported the instance not ready", r.ProbeCommandID, instanceID)
		return r, recordFailure(ctx, trail, "probe-failed", instanceID, r.ProbeCommandID, failure)
	}

	r.Status = investigation.PollReady
	r.Detail = "tools: " + report.Versions()
	err = trail.Record(ctx, "instance-ready", map[string]string{
		"instanceId": instanceID, "commandId": r.ProbeCommandID,
	}, r.Detail)
	return r, err
}

// recordFailure logs a failed readiness in the custody log and returns the
// failure (joined with the recording error, if any).
func recordFailure(ctx context.Context, trail caserecords.Trail, action, instanceID, commandID string, failure *investigation.Failure) error {
	if err := trail.Record(ctx, action, map[string]string{
		"instanceId": instanceID, "commandId": commandID,
	}, failure.Err.Error()); err != nil {
		return fmt.Errorf("%w; and %w", failure, err)
	}
	return failure
}

// comment is the SendCommand comment of a command of st's case (SSM allows
// 100 characters).
func comment(what string, st investigation.State) string {
	c := "casefile " + what + " " + st.ForensicID + " " + string(st.ForensicType)
	if len(c) > 100 {
		c = c[:100]
	}
	return c
}
