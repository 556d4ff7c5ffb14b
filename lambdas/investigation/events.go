package investigation

// The Step Functions event that reports how an execution ended. EventBridge
// sends it to the sweep function when an investigation's execution timed
// out or was stopped: the two ends that skip the workflow's own failure
// path (docs/workflow.md).
const (
	ExecutionEventSource     = "aws.states"
	ExecutionEventDetailType = "Step Functions Execution Status Change"
)

// The execution statuses, as the status-change event names them, that the
// sweep handles.
const (
	ExecutionTimedOut = "TIMED_OUT"
	ExecutionAborted  = "ABORTED"
)

// SweptStatuses lists the execution statuses that the sweep handles: the
// rule that triggers it matches these, and the handler ignores any other.
func SweptStatuses() []string { return []string{ExecutionTimedOut, ExecutionAborted} }
