// Package starter is the EventBridge target that starts an investigation:
// each "Evidence Acquisition Completed" event becomes one Step Functions
// execution, named after the case and evidence type so that a redelivered
// event cannot start a second one.
package starter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// InvalidPrefix starts the execution name of a request that has no usable
// forensicId or forensicType.
const InvalidPrefix = "invalid-"

// maxExecutionName is Step Functions' limit on execution names.
const maxExecutionName = 80

// StepFunctions is the part of the Step Functions client that the starter
// uses.
type StepFunctions interface {
	StartExecution(ctx context.Context, params *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// Handler starts investigations on one state machine.
type Handler struct {
	sfn             StepFunctions
	stateMachineARN string
}

// New returns a Handler that starts executions of stateMachineARN.
func New(client StepFunctions, stateMachineARN string) *Handler {
	return &Handler{sfn: client, stateMachineARN: stateMachineARN}
}

// Started says what Handle did.
type Started struct {
	ExecutionName string `json:"executionName"`
	// ExecutionARN is empty for a duplicate.
	ExecutionARN string `json:"executionArn,omitempty"`
	// Duplicate: an execution of that name already existed; nothing was
	// started.
	Duplicate bool `json:"duplicate,omitempty"`
}

// Handle starts the investigation whose request is the event's detail. The
// detail is passed on unchanged, even when it is invalid: the workflow then
// records the rejected request and notifies it, under the name
// "invalid-<event id>" when it has no usable forensicId or forensicType.
// An execution of that name that already exists is a duplicate delivery
// and not an error: Step Functions refuses it with ExecutionAlreadyExists
// (Duplicate is set), or, for a running execution with the very same input,
// answers with that execution, so that nothing new starts either way.
func (h *Handler) Handle(ctx context.Context, ev events.CloudWatchEvent) (Started, error) {
	name, usable := ExecutionName(ev)
	if !usable {
		slog.WarnContext(ctx, "request has no usable forensicId or forensicType; starting it to record the rejection",
			"eventId", ev.ID, "executionName", name)
	}
	out, err := h.sfn.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.stateMachineARN),
		Name:            aws.String(name),
		Input:           aws.String(input(ev.Detail)),
	})
	if awserr.IsAlreadyExists(err) {
		slog.InfoContext(ctx, "duplicate request: execution already exists", "eventId", ev.ID, "executionName", name)
		return Started{ExecutionName: name, Duplicate: true}, nil
	}
	if err != nil {
		return Started{ExecutionName: name}, fmt.Errorf("start execution %s for event %s: %w", name, ev.ID, err)
	}
	arn := aws.ToString(out.ExecutionArn)
	slog.InfoContext(ctx, "investigation started", "eventId", ev.ID, "executionName", name, "executionArn", arn)
	return Started{ExecutionName: name, ExecutionARN: arn}, nil
}

// ExecutionName returns the execution name for the event's request:
// investigation.ExecutionName of its forensicId and forensicType when both
// are usable (usable is true), else "invalid-" and the event ID.
func ExecutionName(ev events.CloudWatchEvent) (name string, usable bool) {
	var probe struct {
		ForensicID   any `json:"forensicId"`
		ForensicType any `json:"forensicType"`
	}
	if err := json.Unmarshal(ev.Detail, &probe); err == nil {
		id, _ := probe.ForensicID.(string)
		t, _ := probe.ForensicType.(string)
		idOK := id != "" && investigation.CaseID(ev.Detail, "") == id
		typeOK := t == string(investigation.ForensicTypeDisk) || t == string(investigation.ForensicTypeMemory)
		if idOK && typeOK {
			return investigation.ExecutionName(id, investigation.ForensicType(t)), true
		}
	}
	return InvalidPrefix + eventToken(ev), false
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]`)

// eventToken returns the event ID made safe for an execution name, or a
// hash of the detail when the event has no ID, so that a redelivery of the
// same event gets the same name.
func eventToken(ev events.CloudWatchEvent) string {
	token := unsafeName.ReplaceAllString(ev.ID, "_")
	if token == "" {
		sum := sha256.Sum256(ev.Detail)
		token = "detail-" + hex.EncodeToString(sum[:12])
	}
	if max := maxExecutionName - len(InvalidPrefix); len(token) > max {
		token = token[:max]
	}
	return token
}

// input returns the execution input: the detail as it is, JSON null when
// there is none, and a detail that is not JSON as a JSON string (so that it
// is still recorded and rejected).
func input(detail json.RawMessage) string {
	switch {
	case len(detail) == 0:
		return "null"
	case json.Valid(detail):
		return string(detail)
	default:
		quoted, _ := json.Marshal(string(detail)) // marshalling a string cannot fail
		return string(quoted)
	}
}
