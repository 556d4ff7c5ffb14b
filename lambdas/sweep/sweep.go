// Package sweep ends the investigations whose execution timed out or was
// stopped. Step Functions then skips every Catch, so the workflow's Cleanup
// and NotifyFailure never run; EventBridge sends the execution's status
// change here instead, and the sweep runs those two steps itself: the
// release step (which finds the case's resources by tag as well) and the
// notify step, with the reason EXECUTION_TIMED_OUT or EXECUTION_ABORTED.
//
// The sweep acts only on an investigation that is not final and that its
// execution owns (or that was never recorded), and it notifies only when its
// own update made the record FAILED, so that a redelivered event neither
// releases nor notifies twice. The other side of that choice: when the
// publish fails after the record was updated, a retry finds the record
// final and does not notify.
package sweep

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/notify"
)

// Custody-log names of the sweep's own event; the release and notify steps
// record theirs as Cleanup and NotifyFailure.
const (
	StepSweep            = "Sweep"
	ActionExecutionEnded = "execution-ended"
)

// notifyReserve is the time kept for the notify step: the release's
// context ends that long before the invocation's.
const notifyReserve = 20 * time.Second

// Step is a workflow step's handler, such as (*host.Releaser).Handle.
type Step func(ctx context.Context, st investigation.State) (investigation.State, error)

// Records is the part of the case store that the sweep and its notify step
// use.
type Records interface {
	notify.Records
	GetInvestigation(ctx context.Context, forensicID string, t investigation.ForensicType) (caserecords.InvestigationRecord, bool, error)
}

// Outcome says what the sweep did with one event.
type Outcome string

// The outcomes.
const (
	// OutcomeIgnored: not the end of an execution that the sweep handles.
	OutcomeIgnored Outcome = "IGNORED"
	// OutcomeAlreadyFinal: the investigation had ended already (a
	// redelivered event, or the workflow got as far as NotifyFailure);
	// nothing was done.
	OutcomeAlreadyFinal Outcome = "ALREADY_FINAL"
	// OutcomeNotOwned: another execution recorded the investigation;
	// nothing was done.
	OutcomeNotOwned Outcome = "NOT_OWNED"
	// OutcomeSwept: the case's resources were released (or the release
	// failed, see CleanupError), the investigation recorded FAILED and the
	// error notification published.
	OutcomeSwept Outcome = "SWEPT"
)

// Result is what Handle did.
type Result struct {
	Outcome         Outcome                    `json:"outcome"`
	ExecutionName   string                     `json:"executionName,omitempty"`
	ExecutionStatus string                     `json:"executionStatus,omitempty"`
	ForensicID      string                     `json:"forensicId,omitempty"`
	ForensicType    investigation.ForensicType `json:"forensicType,omitempty"`
	// Detail says why nothing was done.
	Detail string `json:"detail,omitempty"`
	// Cleanup is what the release removed; CleanupError why it failed.
	Cleanup      *investigation.Cleanup   `json:"cleanup,omitempty"`
	CleanupError *investigation.StepError `json:"cleanupError,omitempty"`
}

// Handler handles execution status-change events.
type Handler struct {
	records Records
	release Step
	notify  Step
	now     func() time.Time
}

// New returns a Handler that releases with release (the release step's
// handler) and notifies with notify.New over records, publisher and cfg.
func New(records Records, release Step, publisher notify.Publisher, cfg notify.Config) *Handler {
	return &Handler{
		records: records,
		release: release,
		notify:  notify.New(ownedOnly{records}, publisher, cfg).Handle,
		now:     time.Now,
	}
}

// Handle ends the investigation of a timed-out or stopped execution. Other
// events are ignored. A failed release is recorded in the state's
// CleanupError, as the workflow's Cleanup catch does, and the notification
// goes out all the same; an error is returned only when the records could
// not be read or the notify step failed.
func (h *Handler) Handle(ctx context.Context, ev events.CloudWatchEvent) (Result, error) {
	change, err := statusChange(ev)
	if err != nil {
		slog.WarnContext(ctx, "not an execution status change; ignored", "eventId", ev.ID, "error", err)
		return Result{Outcome: OutcomeIgnored, Detail: err.Error()}, nil
	}
	res := Result{ExecutionName: change.Name, ExecutionStatus: change.Status}
	reason, swept := reasonOf(change.Status)
	if !swept {
		res.Outcome, res.Detail = OutcomeIgnored, "the workflow's own states handle an execution that ends "+change.Status
		slog.InfoContext(ctx, "execution status not swept; ignored", "executionArn", change.ExecutionARN,
			"status", change.Status, "why", res.Detail)
		return res, nil
	}

	st := change.state(reason, ev.Time)
	res.ForensicID, res.ForensicType = recordKey(st)
	left, detail, err := h.leftAlone(ctx, st, res)
	if err != nil {
		return res, err
	}
	if left != "" {
		res.Outcome, res.Detail = left, detail
		return res, nil
	}
	if err := h.records.AppendEvent(ctx, caserecords.Event{
		ForensicID: res.ForensicID, ForensicType: res.ForensicType, Step: StepSweep, Action: ActionExecutionEnded,
		Resources: map[string]string{"executionArn": change.ExecutionARN, "status": change.Status},
		Detail:    st.Error.Cause, Time: h.now().UTC(),
	}); err != nil {
		return res, err
	}

	st = h.releaseCase(ctx, st)
	res.Cleanup, res.CleanupError = st.Cleanup, st.CleanupError
	if _, err := h.notify(ctx, st); err != nil {
		var kept *keptError
		if !errors.As(err, &kept) {
			return res, err
		}
		res.Outcome, res.Detail = OutcomeNotOwned, kept.Error()
		if kept.final {
			res.Outcome = OutcomeAlreadyFinal
		}
		slog.InfoContext(ctx, "investigation recorded meanwhile; not notified", "forensicId", res.ForensicID,
			"forensicType", res.ForensicType, "detail", res.Detail)
		return res, nil
	}
	res.Outcome = OutcomeSwept
	slog.InfoContext(ctx, "investigation swept", "forensicId", res.ForensicID, "forensicType", res.ForensicType,
		"executionName", change.Name, "reason", reason, "cleanupFailed", st.CleanupError != nil)
	return res, nil
}

// leftAlone reads the investigation record and returns the outcome (with
// why) when the sweep must not touch the case: the record is final or
// another execution's. It returns "" when the sweep goes on.
func (h *Handler) leftAlone(ctx context.Context, st investigation.State, res Result) (Outcome, string, error) {
	rec, found, err := h.records.GetInvestigation(ctx, res.ForensicID, res.ForensicType)
	switch {
	case err != nil:
		return "", "", err
	case !found:
		return "", "", nil
	case rec.ExecutionName != st.ExecutionName:
		detail := "recorded by execution " + rec.ExecutionName + " with status " + string(rec.Status)
		slog.InfoContext(ctx, "investigation belongs to another execution; left alone", "forensicId", res.ForensicID,
			"forensicType", res.ForensicType, "detail", detail)
		return OutcomeNotOwned, detail, nil
	case rec.Final():
		detail := "already " + string(rec.Status)
		if rec.Reason != "" {
			detail += " with " + string(rec.Reason)
		}
		slog.InfoContext(ctx, "investigation already final; left alone", "forensicId", res.ForensicID,
			"forensicType", res.ForensicType, "detail", detail)
		return OutcomeAlreadyFinal, detail, nil
	}
	return "", "", nil
}

// releaseCase runs the release step, leaving notifyReserve of the
// invocation for the notify step, and returns st with the release's
// Cleanup and, when it failed, CleanupError.
func (h *Handler) releaseCase(ctx context.Context, st investigation.State) investigation.State {
	relCtx, cancel := reserving(ctx, notifyReserve)
	defer cancel()
	released, err := h.release(relCtx, st)
	st.Cleanup = released.Cleanup
	if err != nil {
		st.CleanupError = stepError(err)
		slog.WarnContext(ctx, "release failed; notifying all the same", "forensicId", st.ForensicID,
			"forensicType", st.ForensicType, "error", err)
	}
	return st
}

// reserving returns a context that ends reserve before ctx's deadline.
func reserving(ctx context.Context, reserve time.Duration) (context.Context, context.CancelFunc) {
	if deadline, ok := ctx.Deadline(); ok {
		return context.WithDeadline(ctx, deadline.Add(-reserve))
	}
	return context.WithCancel(ctx)
}

// stepError is err as a Catch records it: the Reason of a
// investigation.Failure as the error name (INTERNAL_ERROR for any other
// error), and its message as the cause.
func stepError(err error) *investigation.StepError {
	var f *investigation.Failure
	if errors.As(err, &f) {
		return &investigation.StepError{Error: string(f.Reason), Cause: f.Err.Error()}
	}
	return &investigation.StepError{Error: string(investigation.ReasonInternal), Cause: err.Error()}
}
