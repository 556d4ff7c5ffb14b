package sweep

import (
	"context"
	"errors"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/notify"
)

// ownedOnly is the case store as the sweep's notify step sees it. notify
// keeps a record it may not change (already final, or another
// execution's) and publishes all the same, which suits a retried workflow
// task; for the sweep it would notify a redelivered event twice. Here such
// a refusal becomes a *keptError instead, which notify returns before it
// publishes.
type ownedOnly struct {
	notify.Records
}

// UpdateInvestigation applies u, turning a *caserecords.TransitionError
// into a *keptError.
func (o ownedOnly) UpdateInvestigation(ctx context.Context, u caserecords.InvestigationUpdate) error {
	err := o.Records.UpdateInvestigation(ctx, u)
	var terr *caserecords.TransitionError
	if errors.As(err, &terr) {
		return &keptError{final: errors.Is(terr, caserecords.ErrAlreadyFinal), detail: terr.Error()}
	}
	return err
}

// keptError says that the investigation record refused the sweep's update.
// It must not wrap the *caserecords.TransitionError: notify would find it
// and publish anyway.
type keptError struct {
	// final: the record had already ended; otherwise another execution
	// owns it.
	final  bool
	detail string
}

func (e *keptError) Error() string { return "investigation record kept: " + e.detail }
