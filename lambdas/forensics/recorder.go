package forensics

import (
	"context"
	"fmt"
	"time"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Recorder keeps a case's custody log and investigation item.
// *caserecords.Store implements it.
type Recorder interface {
	AppendEvent(ctx context.Context, e caserecords.Event) error
	UpdateInvestigation(ctx context.Context, u caserecords.InvestigationUpdate) error
}

// custody appends the events of one step of one case.
type custody struct {
	rec  Recorder
	now  func() time.Time
	st   investigation.State
	step string
}

func newCustody(rec Recorder, now func() time.Time, st investigation.State, step string) custody {
	if now == nil {
		now = time.Now
	}
	return custody{rec: rec, now: now, st: st, step: step}
}

// record appends one event: action done to resources, with a short detail.
func (c custody) record(ctx context.Context, action string, resources map[string]string, detail string) error {
	err := c.rec.AppendEvent(ctx, caserecords.Event{
		ForensicID:   c.st.ForensicID,
		ForensicType: c.st.ForensicType,
		Step:         c.step,
		Action:       action,
		Resources:    resources,
		Detail:       detail,
		Time:         c.now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("record %s event of case %s: %w", action, c.st.ForensicID, err)
	}
	return nil
}

// update changes the case's investigation item.
func (c custody) update(ctx context.Context, u caserecords.InvestigationUpdate) error {
	u.ForensicID = c.st.ForensicID
	u.ForensicType = c.st.ForensicType
	u.Time = c.now().UTC()
	if err := c.rec.UpdateInvestigation(ctx, u); err != nil {
		return fmt.Errorf("update investigation of case %s: %w", c.st.ForensicID, err)
	}
	return nil
}
