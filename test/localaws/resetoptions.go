package localaws

import (
	"time"

	"github.com/casefile-forensics/casefile/test/localaws/stacktemplate"
)

// ResetOptions change how the handlers run until the next Reset. The zero
// value runs them as the template configures them.
type ResetOptions struct {
	// FunctionTimeouts replace the template's Timeout of the functions
	// named by their handler (the folder under lambdas/cmd), so that a
	// test of a call that never answers ends in seconds, as the function
	// timeout would end it.
	FunctionTimeouts map[string]time.Duration
}

func (o ResetOptions) timeout(fn stacktemplate.Function) time.Duration {
	if d, ok := o.FunctionTimeouts[fn.Handler]; ok && d > 0 {
		return d
	}
	return fn.Timeout
}
