package host

import (
	"context"
	"time"
)

// WaitOptions bounds one kind of wait on EC2. Zero fields take the defaults
// of the step that waits.
type WaitOptions struct {
	// MinDelay and MaxDelay bound the pause between two describe calls.
	MinDelay, MaxDelay time.Duration
	// Timeout is the longest the step waits before giving up.
	Timeout time.Duration
}

// minWait is the shortest wait a deadline can leave.
const minWait = time.Second

// orDefault fills zero fields of w from def.
func (w WaitOptions) orDefault(def WaitOptions) WaitOptions {
	if w.MinDelay <= 0 {
		w.MinDelay = def.MinDelay
	}
	if w.MaxDelay <= 0 {
		w.MaxDelay = def.MaxDelay
	}
	if w.MaxDelay < w.MinDelay {
		w.MaxDelay = w.MinDelay
	}
	if w.Timeout <= 0 {
		w.Timeout = def.Timeout
	}
	return w
}

// within shortens w's Timeout so that the wait ends at least reserve before
// ctx's deadline (the Lambda's), leaving the step time to finish and report
// what is left instead of being killed mid-way.
func (w WaitOptions) within(ctx context.Context, reserve time.Duration) WaitOptions {
	deadline, ok := ctx.Deadline()
	if !ok {
		return w
	}
	w.Timeout = max(min(w.Timeout, time.Until(deadline)-reserve), minWait)
	return w
}
