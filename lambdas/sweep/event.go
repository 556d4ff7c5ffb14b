package sweep

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// StatusChange is the detail of a "Step Functions Execution Status Change"
// event: the fields the sweep reads.
type StatusChange struct {
	ExecutionARN    string `json:"executionArn"`
	StateMachineARN string `json:"stateMachineArn"`
	// Name is the execution name (investigation.ExecutionName).
	Name   string `json:"name"`
	Status string `json:"status"`
	// StartDate and StopDate are milliseconds since the Unix epoch.
	StartDate int64 `json:"startDate"`
	StopDate  int64 `json:"stopDate,omitempty"`
	// Input is the execution input, a JSON text; nil when it was too large
	// for the event.
	Input *string `json:"input"`
	// Error and Cause are what StopExecution was given, if anything.
	Error *string `json:"error,omitempty"`
	Cause *string `json:"cause,omitempty"`
}

// statusChange decodes the event's detail, or says why the event is not
// an execution status change.
func statusChange(ev events.CloudWatchEvent) (StatusChange, error) {
	var c StatusChange
	if ev.Source != investigation.ExecutionEventSource || ev.DetailType != investigation.ExecutionEventDetailType {
		return c, fmt.Errorf("event %s is %q from %q, not %q from %q", ev.ID, ev.DetailType, ev.Source,
			investigation.ExecutionEventDetailType, investigation.ExecutionEventSource)
	}
	if err := json.Unmarshal(ev.Detail, &c); err != nil {
		return c, fmt.Errorf("decode the detail of event %s: %w", ev.ID, err)
	}
	if c.Name == "" || c.Status == "" {
		return c, errors.New("event " + ev.ID + " names no execution or no status")
	}
	return c, nil
}

// reasonOf returns the Reason recorded for an execution that ended with
// status, and false for a status the sweep leaves alone.
func reasonOf(status string) (investigation.Reason, bool) {
	switch status {
	case investigation.ExecutionTimedOut:
		return investigation.ReasonExecutionTimedOut, true
	case investigation.ExecutionAborted:
		return investigation.ReasonExecutionAborted, true
	}
	return "", false
}

// request returns the execution input as the workflow state holds it: the
// JSON as it is, nothing when the event left it out, and anything that is
// not JSON as a JSON string (as the start function passes it on).
func (c StatusChange) request() json.RawMessage {
	if c.Input == nil || *c.Input == "" {
		return nil
	}
	if json.Valid([]byte(*c.Input)) {
		return json.RawMessage(*c.Input)
	}
	quoted, _ := json.Marshal(*c.Input) // marshalling a string cannot fail
	return quoted
}

// cause says how the execution ended, for the record and the message.
func (c StatusChange) cause(eventTime time.Time) string {
	at := eventTime
	if c.StopDate > 0 {
		at = time.UnixMilli(c.StopDate)
	}
	s := fmt.Sprintf("execution %s ended %s at %s", c.ExecutionARN, c.Status, at.UTC().Format(time.RFC3339))
	if c.Error != nil && *c.Error != "" {
		s += ": " + *c.Error
	}
	if c.Cause != nil && *c.Cause != "" {
		s += ": " + *c.Cause
	}
	return s
}

// state builds the workflow state the failure path would have had: the
// request, the execution name and, as intake would set them, the forensic
// ID and type. A valid request gives both. Otherwise they are what intake
// records a rejected request under (investigation.CaseID and
// caserecords.RejectedType), with the gaps filled from an execution name
// "<forensicId>-disk|memory"; they stay unset when neither gives a usable
// ID and type, and notify then keys the record as intake would.
func (c StatusChange) state(reason investigation.Reason, eventTime time.Time) investigation.State {
	st := investigation.State{
		Request:       c.request(),
		ExecutionName: c.Name,
		Error:         &investigation.StepError{Error: string(reason), Cause: c.cause(eventTime)},
	}
	if req, err := investigation.ParseRequest(st.Request); err == nil {
		st.ForensicID, st.ForensicType = req.ForensicID, req.ForensicType
		return st
	}
	noID := investigation.CaseID(nil, c.Name)
	id, t := investigation.CaseID(st.Request, c.Name), caserecords.RejectedType(st.Request)
	if nameID, nameType, ok := investigation.ParseExecutionName(c.Name); ok {
		if id == noID {
			id = nameID
		}
		if t == caserecords.ForensicTypeUnknown {
			t = nameType
		}
	}
	if id != noID && t != caserecords.ForensicTypeUnknown {
		st.ForensicID, st.ForensicType = id, t
	}
	return st
}

// recordKey returns the key under which notify records st's outcome.
func recordKey(st investigation.State) (string, investigation.ForensicType) {
	if st.ForensicID != "" {
		return st.ForensicID, st.ForensicType
	}
	return investigation.CaseID(st.Request, st.ExecutionName), caserecords.RejectedType(st.Request)
}
