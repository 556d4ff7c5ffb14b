package localaws

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

// sweepHandler is the sweep function's handler: its folder under
// lambdas/cmd.
const sweepHandler = "sweep"

// statusChangeEvent is the "Step Functions Execution Status Change" event
// that Step Functions sends to the default event bus when exec ends, with
// the fields AWS documents for it.
func statusChangeEvent(region, accountID, stateMachineARN, executionARN string, exec sfnlocal.Execution) (events.CloudWatchEvent, error) {
	optional := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	detail, err := json.Marshal(map[string]any{
		"executionArn":    executionARN,
		"stateMachineArn": stateMachineARN,
		"name":            exec.Name,
		"status":          exec.Status,
		"startDate":       exec.StartDate().UnixMilli(),
		"stopDate":        exec.StopDate().UnixMilli(),
		"input":           string(exec.Input),
		"inputDetails":    map[string]bool{"included": true},
		"output":          optional(string(exec.Output)),
		"outputDetails":   nil,
		"error":           optional(exec.Error),
		"cause":           optional(exec.Cause),
	})
	if err != nil {
		return events.CloudWatchEvent{}, fmt.Errorf("encode the status change of %s: %w", exec.Name, err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id) // crypto/rand.Read never fails
	return events.CloudWatchEvent{
		Version:    "0",
		ID:         hex.EncodeToString(id),
		DetailType: investigation.ExecutionEventDetailType,
		Source:     investigation.ExecutionEventSource,
		AccountID:  accountID,
		Time:       exec.StopDate().UTC(),
		Region:     region,
		Resources:  []string{executionARN},
		Detail:     detail,
	}, nil
}

// DeliverStatusChange invokes the sweep function with ev, as the stack's
// rule does for an execution that timed out or was stopped, and returns
// the sweep's result. Run delivers it once by itself; call this to deliver
// it again.
func (e *Environment) DeliverStatusChange(ctx context.Context, ev events.CloudWatchEvent) (json.RawMessage, error) {
	if e.lambdas == nil {
		return nil, fmt.Errorf("localaws: Reset before DeliverStatusChange")
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode event %s: %w", ev.ID, err)
	}
	e.opts.Logger.Info("status change delivered", "event", ev.ID)
	out, err := e.lambdas.Invoke(ctx, sweepHandler, payload)
	if err != nil {
		return nil, fmt.Errorf("deliver the status change %s to the sweep function: %w", ev.ID, err)
	}
	return out, nil
}
