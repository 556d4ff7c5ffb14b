package caserecords

import (
	"context"
	"fmt"
	"time"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Recorder keeps a case's custody log and investigation item. *Store
// implements it; the step packages hand Trail their own fakes.
type Recorder interface {
	AppendEvent(ctx context.Context, e Event) error
	UpdateInvestigation(ctx context.Context, u InvestigationUpdate) error
}

// Trail records the events and investigation updates of one step of one
// case, stamped with the case, the step and the execution.
type Trail struct {
	rec  Recorder
	now  func() time.Time
	st   investigation.State
	step string
}

// NewTrail returns the trail of step for the case in st; now defaults to
// time.Now.
func NewTrail(rec Recorder, now func() time.Time, st investigation.State, step string) Trail {
	if now == nil {
		now = time.Now
	}
	return Trail{rec: rec, now: now, st: st, step: step}
}

// Record appends one custody event: action done to resources, with a short
// detail.
func (t Trail) Record(ctx context.Context, action string, resources map[string]string, detail string) error {
	err := t.rec.AppendEvent(ctx, Event{
		ForensicID:   t.st.ForensicID,
		ForensicType: t.st.ForensicType,
		Step:         t.step,
		Action:       action,
		Resources:    resources,
		Detail:       detail,
		Time:         t.now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("record %s event of case %s: %w", action, t.st.ForensicID, err)
	}
	return nil
}

// Update changes the case's investigation item, only if this execution owns
// it.
func (t Trail) Update(ctx context.Context, u InvestigationUpdate) error {
	u.ForensicID = t.st.ForensicID
	u.ForensicType = t.st.ForensicType
	u.Execution = t.st.ExecutionName
	u.Time = t.now().UTC()
	if err := t.rec.UpdateInvestigation(ctx, u); err != nil {
		return fmt.Errorf("update investigation of case %s: %w", t.st.ForensicID, err)
	}
	return nil
}

// State returns the workflow state the trail was made for.
func (t Trail) State() investigation.State { return t.st }
