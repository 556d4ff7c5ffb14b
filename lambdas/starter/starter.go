// Package starter is the EventBridge target that starts an investigation:
// each "Evidence Acquisition Completed" event becomes one Step Functions
// execution. A valid request is named after its case and evidence type, so
// that a redelivered event cannot start a second investigation; an invalid
// one is named after its content and passed on as a JSON string, so that it
// is still recorded and notified, as sent, without taking the name that its
// corrected re-send needs.
package starter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// InvalidPrefix starts the execution name of an invalid request.
const InvalidPrefix = "invalid-"

// invalidHashBytes is how much of the SHA-256 of an invalid request's
// detail names its execution: 16 bytes, 32 hex characters.
const invalidHashBytes = 16

// StepFunctions is the part of the Step Functions client that the starter
// uses.
type StepFunctions interface {
	StartExecution(ctx context.Context, params *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// Handler starts investigations on one state machine.
type Handler struct {
	sfn             StepFunctions
	stateMachineARN string
	evidenceBucket  string
}

// New returns a Handler that starts executions of stateMachineARN and
// judges requests as intake does, with memory dumps accepted in
// evidenceBucket only.
func New(client StepFunctions, stateMachineARN, evidenceBucket string) *Handler {
	return &Handler{sfn: client, stateMachineARN: stateMachineARN, evidenceBucket: evidenceBucket}
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

// Handle starts the investigation whose request is the event's detail,
// named and passed on as Execution says. An invalid request is started all
// the same, so that the workflow records and notifies the rejection.
// An execution of that name that already exists is a duplicate delivery
// and not an error: Step Functions refuses it with ExecutionAlreadyExists
// (Duplicate is set), or, for a running execution with the very same input,
// answers with that execution, so that nothing new starts either way.
func (h *Handler) Handle(ctx context.Context, ev events.CloudWatchEvent) (Started, error) {
	name, in, err := Execution(ev.Detail, h.evidenceBucket)
	if err != nil {
		field := investigation.RequestField
		var verr *investigation.ValidationError
		if errors.As(err, &verr) {
			field = verr.Field
		}
		slog.WarnContext(ctx, "invalid request; starting it to record and notify the rejection",
			"eventId", ev.ID, "executionName", name, "field", field)
	}
	out, err := h.sfn.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.stateMachineARN),
		Name:            aws.String(name),
		Input:           aws.String(in),
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

// Execution returns the name and input of the execution for a request,
// judged as intake judges it (investigation.ParseRequest, and a memory dump
// in evidenceBucket), and for an invalid one the reason.
//
// A valid request runs as investigation.ExecutionName of its forensicId and
// forensicType, with the request as input. An invalid one runs as
// "invalid-" and the first 32 hex characters of the SHA-256 of detail, so
// that the corrected re-send of its case and evidence type can still take
// the case's name; its input is the detail as a JSON string
// (investigation.RequestText), because Step Functions parses a JSON input,
// keeping only the last of duplicate keys, and intake would then judge
// another request. The same detail always gets the same name, so a
// redelivered event is a duplicate either way.
func Execution(detail json.RawMessage, evidenceBucket string) (name, input string, err error) {
	req, err := investigation.ParseRequest(detail)
	if err == nil {
		err = req.CheckEvidenceBucket(evidenceBucket)
	}
	if err != nil {
		sum := sha256.Sum256(detail)
		quoted, _ := json.Marshal(string(detail)) // marshalling a string cannot fail
		return InvalidPrefix + hex.EncodeToString(sum[:invalidHashBytes]), string(quoted), err
	}
	return investigation.ExecutionName(req.ForensicID, req.ForensicType), string(detail), nil
}
