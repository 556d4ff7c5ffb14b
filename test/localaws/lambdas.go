package localaws

import (
	"context"
	"encoding/json"
	"fmt"
)

// Invoke runs one synchronous invocation of the function whose handler is
// named handler (its folder under lambdas/cmd), as EventBridge or a test
// would invoke it, and returns its result.
func (e *Environment) Invoke(ctx context.Context, handler string, payload json.RawMessage) (json.RawMessage, error) {
	if e.lambdas == nil {
		return nil, fmt.Errorf("localaws: Reset before Invoke")
	}
	out, err := e.lambdas.Invoke(ctx, handler, payload)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", handler, err)
	}
	return out, nil
}

// LoseLambdaResponses makes the Lambda service lose the response of the
// next times invocations of handler by the state machine: each runs, then
// Step Functions sees Lambda.ServiceException and retries the task with
// the same input. Reset ends it.
func (e *Environment) LoseLambdaResponses(handler string, times int) {
	if e.lambdas != nil {
		e.lambdas.LoseResponses(handler, times)
	}
}

// LambdaEnvironments returns how many execution environments handler has
// started since the last Reset: more than one when invocations overlapped.
func (e *Environment) LambdaEnvironments(handler string) int {
	if e.lambdas == nil {
		return 0
	}
	return e.lambdas.Environments(handler)
}
