package host

import (
	"context"
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

func newCustody(rec Recorder, now func() time.Time, st investigation.State, step string) caserecords.Trail {
	return caserecords.NewTrail(rec, now, st, step)
}
