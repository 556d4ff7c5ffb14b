package lambdamain

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestAsFailureNamesOtherErrorsAfterTheStep(t *testing.T) {
	own := investigation.Fail(investigation.ReasonEvidenceMismatch, "snapshot of another volume")
	cause := errors.New("AccessDeniedException: not allowed")
	tests := []struct {
		name       string
		err        error
		wantNil    bool
		wantReason investigation.Reason
	}{
		{name: "no error", err: nil, wantNil: true},
		{name: "a failure keeps its reason", err: own, wantReason: investigation.ReasonEvidenceMismatch},
		{name: "a wrapped failure keeps its reason", err: fmt.Errorf("attach: %w", own), wantReason: investigation.ReasonEvidenceMismatch},
		{name: "an AWS error takes the step's reason", err: fmt.Errorf("attach volume: %w", cause), wantReason: investigation.ReasonEvidenceAttach},
		{name: "a deadline takes the step's reason", err: context.DeadlineExceeded, wantReason: investigation.ReasonEvidenceAttach},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AsFailure(investigation.ReasonEvidenceAttach, tc.err)
			if tc.wantNil {
				assert.NoError(t, got)
				return
			}
			var f *investigation.Failure
			require.ErrorAs(t, got, &f, "got %v", got)
			assert.Equal(t, tc.wantReason, f.Reason, "reason of %v", got)
			assert.ErrorIs(t, got, tc.err, "the cause is kept")
		})
	}
}

func TestTaskContextEndsBeforeTheFunctionTimeout(t *testing.T) {
	tests := []struct {
		name        string
		timeout     time.Duration
		wantReserve time.Duration
	}{
		{name: "a tenth of a short timeout", timeout: 3 * time.Second, wantReserve: 300 * time.Millisecond},
		{name: "at most five seconds", timeout: 300 * time.Second, wantReserve: 5 * time.Second},
		{name: "at least 100 ms", timeout: 500 * time.Millisecond, wantReserve: 100 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			deadline := time.Now().Add(tc.timeout)
			parent, cancelParent := context.WithDeadline(context.Background(), deadline)
			defer cancelParent()
			ctx, cancel := TaskContext(parent)
			defer cancel()
			got, ok := ctx.Deadline()
			require.True(t, ok, "the task context has a deadline")
			assert.InDelta(t, tc.wantReserve.Seconds(), deadline.Sub(got).Seconds(), 0.05,
				"reserve before the function timeout: got %s", deadline.Sub(got))
		})
	}

	ctx, cancel := TaskContext(context.Background())
	defer cancel()
	_, ok := ctx.Deadline()
	assert.False(t, ok, "no deadline without a function timeout")
}
