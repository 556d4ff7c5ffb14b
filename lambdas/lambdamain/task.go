package lambdamain

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Bounds of the time a task keeps between its own deadline and the
// function's timeout: a tenth of the invocation's time, within these.
const (
	minDeadlineReserve = 100 * time.Millisecond
	maxDeadlineReserve = 5 * time.Second
)

// StartTask runs handle as the handler of a workflow task state whose
// failures are named reason. Its context ends a little before the
// function's timeout (see TaskContext), so that an AWS call that never
// answers fails the handler, rather than the function timing out without a
// name. An error that is not already an investigation.Failure becomes one
// of reason, so that the case records why its step failed.
func StartTask[In, Out any](logger *slog.Logger, reason investigation.Reason, handle func(context.Context, In) (Out, error)) {
	Start(logger, func(ctx context.Context, in In) (Out, error) {
		ctx, cancel := TaskContext(ctx)
		defer cancel()
		out, err := handle(ctx, in)
		return out, AsFailure(reason, err)
	})
}

// TaskContext returns ctx with a deadline a tenth of the remaining time
// (from 100 ms to 5 s) before ctx's own, the function's timeout; ctx
// unchanged when it has no deadline.
func TaskContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	reserve := min(max(time.Until(deadline)/10, minDeadlineReserve), maxDeadlineReserve)
	return context.WithDeadline(ctx, deadline.Add(-reserve))
}

// AsFailure returns err as an investigation.Failure: unchanged when it
// already is one (or is nil), else a Failure of reason.
func AsFailure(reason investigation.Reason, err error) error {
	var f *investigation.Failure
	if err == nil || errors.As(err, &f) {
		return err
	}
	return &investigation.Failure{Reason: reason, Err: err}
}
