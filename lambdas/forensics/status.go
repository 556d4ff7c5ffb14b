package forensics

import (
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// Outcome is what a command invocation's status means for the workflow.
type Outcome int

// The outcomes of a command invocation.
const (
	// OutcomeRunning: not final yet; check again later.
	OutcomeRunning Outcome = iota
	// OutcomeSucceeded: the command ran to the end and exited 0.
	OutcomeSucceeded
	// OutcomeFailed: the command ended without success, or never ran.
	OutcomeFailed
)

// String names the outcome for messages and test failures.
func (o Outcome) String() string {
	switch o {
	case OutcomeRunning:
		return "running"
	case OutcomeSucceeded:
		return "succeeded"
	case OutcomeFailed:
		return "failed"
	default:
		return "unknown"
	}
}

// Final StatusDetails values that can come with a status that does not look
// final on its own.
var failedDetails = map[string]bool{
	"Undeliverable":       true,
	"Terminated":          true,
	"Delivery Timed Out":  true,
	"Execution Timed Out": true,
	"Failed":              true,
	"Canceled":            true,
	"Cancelled":           true,
}

// Classify says what an SSM command invocation's Status and StatusDetails
// mean. Pending, InProgress, Delayed and Cancelling are not final; Success
// is; Failed, TimedOut and Cancelled are final failures, and so is any
// status whose details say Undeliverable, Terminated, Delivery Timed Out,
// Execution Timed Out or Failed. A status this code does not know counts as
// running: the workflow's bound on attempts ends the wait.
func Classify(status types.CommandInvocationStatus, details string) Outcome {
	if failedDetails[details] {
		return OutcomeFailed
	}
	switch status {
	case types.CommandInvocationStatusSuccess:
		return OutcomeSucceeded
	case types.CommandInvocationStatusFailed,
		types.CommandInvocationStatusTimedOut,
		types.CommandInvocationStatusCancelled:
		return OutcomeFailed
	case types.CommandInvocationStatusPending,
		types.CommandInvocationStatusInProgress,
		types.CommandInvocationStatusDelayed,
		types.CommandInvocationStatusCancelling:
		return OutcomeRunning
	default:
		return OutcomeRunning
	}
}
