package forensics

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		status  types.CommandInvocationStatus
		details string
		want    Outcome
	}{
		// Every status with the details SSM gives it.
		{types.CommandInvocationStatusPending, "Pending", OutcomeRunning},
		{types.CommandInvocationStatusInProgress, "InProgress", OutcomeRunning},
		{types.CommandInvocationStatusDelayed, "Delayed", OutcomeRunning},
		{types.CommandInvocationStatusCancelling, "Cancelling", OutcomeRunning},
		{types.CommandInvocationStatusSuccess, "Success", OutcomeSucceeded},
		{types.CommandInvocationStatusFailed, "Failed", OutcomeFailed},
		{types.CommandInvocationStatusTimedOut, "Delivery Timed Out", OutcomeFailed},
		{types.CommandInvocationStatusTimedOut, "Execution Timed Out", OutcomeFailed},
		{types.CommandInvocationStatusCancelled, "Canceled", OutcomeFailed},
		{types.CommandInvocationStatusFailed, "Undeliverable", OutcomeFailed},
		{types.CommandInvocationStatusFailed, "Terminated", OutcomeFailed},
		// Statuses without details.
		{types.CommandInvocationStatusPending, "", OutcomeRunning},
		{types.CommandInvocationStatusInProgress, "", OutcomeRunning},
		{types.CommandInvocationStatusDelayed, "", OutcomeRunning},
		{types.CommandInvocationStatusCancelling, "", OutcomeRunning},
		{types.CommandInvocationStatusSuccess, "", OutcomeSucceeded},
		{types.CommandInvocationStatusFailed, "", OutcomeFailed},
		{types.CommandInvocationStatusTimedOut, "", OutcomeFailed},
		{types.CommandInvocationStatusCancelled, "", OutcomeFailed},
		// Final details win over a status that is not final on its own.
		{types.CommandInvocationStatusInProgress, "Undeliverable", OutcomeFailed},
		{types.CommandInvocationStatusPending, "Terminated", OutcomeFailed},
		{types.CommandInvocationStatusInProgress, "Delivery Timed Out", OutcomeFailed},
		{types.CommandInvocationStatusInProgress, "Execution Timed Out", OutcomeFailed},
		{types.CommandInvocationStatusDelayed, "Failed", OutcomeFailed},
		// A status this code does not know waits, within the workflow's bound.
		{types.CommandInvocationStatus("Paused"), "", OutcomeRunning},
	}
	covered := map[types.CommandInvocationStatus]bool{}
	for _, tt := range tests {
		covered[tt.status] = true
		t.Run(string(tt.status)+"/"+tt.details, func(t *testing.T) {
			got := Classify(tt.status, tt.details)
			assert.Equal(t, tt.want, got, "Classify(%q, %q) = %s, want %s", tt.status, tt.details, got, tt.want)
		})
	}
	for _, s := range types.CommandInvocationStatus("").Values() {
		assert.True(t, covered[s], "status %s of the SDK has no row in this table", s)
	}
}
