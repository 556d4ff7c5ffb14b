package eksisolation

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// steppingClock moves on by step at every reading, so that a test can
// tell when the isolation read it.
type steppingClock struct {
	mu   sync.Mutex
	next time.Time
	step time.Duration
}

func (c *steppingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.next
	c.next = c.next.Add(c.step)
	return now
}

// TestWorkloadSessionsCutOffIsAfterTheRemoval: with a clock that moves
// between readings, the revocation's cut-off is after the IRSA annotation
// and the Pod Identity associations were removed, so that no credentials
// issued to the workload up to then stay valid.
func TestWorkloadSessionsCutOffIsAfterTheRemoval(t *testing.T) {
	tests := []struct {
		name string
		step time.Duration
	}{
		{name: "a minute between readings", step: time.Minute},
		// The removal and the revocation fall in the same second: a
		// cut-off truncated to that second would be before the removal.
		{name: "a tenth of a second between readings", step: 100 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ec2Node(), shopPod(), irsaAccount())
			e.eks.add("a-checkout1", testNamespace, testSA, testPIRole)
			clock := &steppingClock{next: testNow.Add(400 * time.Millisecond), step: tc.step}
			e.iso.Now = clock.Now
			var removedAt []time.Time
			e.eks.onDelete = func() { removedAt = append(removedAt, clock.Now()) }
			e.kube.PrependReactor("patch", "serviceaccounts", func(k8stesting.Action) (bool, runtime.Object, error) {
				removedAt = append(removedAt, clock.Now())
				return false, nil, nil
			})

			res, err := e.iso.Isolate(context.Background(), e.target())
			require.NoError(t, err)

			m := measure(t, res, investigation.MeasureWorkloadCredentials, saRef)
			require.Equal(t, investigation.MeasureApplied, m.Status, m.Reason)
			require.Len(t, removedAt, 3, "the annotation removed, the association deleted, the deletion recorded on the service account")
			last := removedAt[len(removedAt)-1]
			for _, role := range []string{testIRSARole, testPIRole} {
				stamp := m.Applied["revokedSessions."+role]
				cutOff, err := time.Parse(time.RFC3339, stamp)
				require.NoError(t, err, "revokedSessions of %s: %q", role, stamp)
				assert.True(t, cutOff.After(last), "the cut-off %s of %s is after the last removal at %s", cutOff, role, last)
				name, _ := roleName(role)
				assert.Contains(t, e.iam.policies[name], `"aws:TokenIssueTime":"`+stamp+`"`, "the policy on %s names the recorded cut-off", name)
			}
		})
	}
}
