package appaccount_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/constructs/appaccount"
	"github.com/casefile-forensics/casefile/lambdas/isolation/ec2isolation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/eksisolation"
)

// TestTheRoleAllowsWhatTheIsolatorsCall: the isolation role allows exactly
// the actions the EC2 and EKS isolators call, no fewer (a measure would be
// refused) and no more.
func TestTheRoleAllowsWhatTheIsolatorsCall(t *testing.T) {
	called := slices.Concat(ec2isolation.RequiredActions, eksisolation.RequiredActions)
	slices.Sort(called)
	called = slices.Compact(called)
	assert.ElementsMatch(t, called, appaccount.IsolationActions())
}
