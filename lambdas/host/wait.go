package host

import "time"

// WaitOptions bounds one kind of wait on EC2. Zero fields take the defaults
// of the step that waits.
type WaitOptions struct {
	// MinDelay and MaxDelay bound the pause between two describe calls.
	MinDelay, MaxDelay time.Duration
	// Timeout is the longest the step waits before giving up.
	Timeout time.Duration
}

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
