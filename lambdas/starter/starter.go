// Package starter is the EventBridge target that starts an investigation:
// each "Evidence Acquisition Completed" event becomes one Step Functions
// execution. A valid request is named after its case and evidence type, so
// that a redelivered event cannot start a second investigation; an invalid
// one is named after its content, so that it is still recorded and notified
// without taking the name that its corrected re-send needs.
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

// Handle starts the investigation whose request is the event's detail. The
// detail is passed on unchanged, even when it is invalid: the workflow then
// records the rejected request and notifies it. A valid request runs as
// investigation.ExecutionName; an invalid one as "invalid-" and a hash of
// the detail, so that a corrected re-send of the same case and evidence
// type can still start under the case's name.
// An execution of that name that already exists is a duplicate delivery
// and not an error: Step Functions refuses it with ExecutionAlreadyExists
// (Duplicate is set), or, for a running execution with the very same input,
// answers with that execution, so that nothing new starts either way.
func (h *Handler) Handle(ctx context.Context, ev events.CloudWatchEvent) (Started, error) {
	name, err := ExecutionName(ev.Detail, h.evidenceBucket)
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

// ExecutionName returns the execution name for a request: for a valid one
// (investigation.ParseRequest, and a memory dump in evidenceBucket)
// investigation.ExecutionName of its forensicId and forensicType; for any
// other, "invalid-" and the first 32 hex characters of the SHA-256 of
// detail, with the reason it is invalid. The same detail always gets the
// same name, so a redelivered event is a duplicate either way.
func ExecutionName(detail json.RawMessage, evidenceBucket string) (string, error) {
	req, err := investigation.ParseRequest(detail)
	if err == nil {
		err = req.CheckEvidenceBucket(evidenceBucket)
	}
	if err != nil {
		sum := sha256.Sum256(detail)
		return InvalidPrefix + hex.EncodeToString(sum[:invalidHashBytes]), err
	}
	return investigation.ExecutionName(req.ForensicID, req.ForensicType), nil
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
