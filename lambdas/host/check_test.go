package host

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// probeFunc is a ReadinessProbe made of one function.
type probeFunc func(r investigation.Readiness) (investigation.Readiness, error)

func (f probeFunc) Check(_ context.Context, _ investigation.State, r investigation.Readiness) (investigation.Readiness, error) {
	return f(r)
}

func probeAnswers(status investigation.PollStatus, detail string) probeFunc {
	return func(r investigation.Readiness) (investigation.Readiness, error) {
		r.Status, r.Detail = status, detail
		return r, nil
	}
}

func TestCheckInstance(t *testing.T) {
	const id = "i-0000000000000000a"
	tests := []struct {
		name      string
		state     types.InstanceStateName // "" means EC2 does not know the instance
		readiness *investigation.Readiness
		probe     probeFunc
		describe  error

		wantStatus   investigation.PollStatus
		wantAttempts int
		wantDetail   string
		wantReason   investigation.Reason
		wantErrPart  string
		wantProbed   bool
	}{
		{
			name:         "not visible yet",
			wantStatus:   investigation.PollPending,
			wantAttempts: 1,
			wantDetail:   "instance " + id + " is not visible yet",
		},
		{
			name:         "pending",
			state:        types.InstanceStateNamePending,
			wantStatus:   investigation.PollPending,
			wantAttempts: 1,
			wantDetail:   "instance " + id + " is pending",
		},
		{
			name:         "running, agent not online",
			state:        types.InstanceStateNameRunning,
			probe:        probeAnswers(investigation.PollPending, "SSM agent has not registered yet"),
			wantStatus:   investigation.PollPending,
			wantAttempts: 1,
			wantDetail:   "SSM agent has not registered yet",
			wantProbed:   true,
		},
		{
			name:         "running and ready on the fourth check",
			state:        types.InstanceStateNameRunning,
			readiness:    &investigation.Readiness{Status: investigation.PollPending, Attempts: 3, ProbeCommandID: "cmd-1", Detail: "probe sent"},
			probe:        probeAnswers(investigation.PollReady, "tools: fls 4.12"),
			wantStatus:   investigation.PollReady,
			wantAttempts: 4,
			wantDetail:   "tools: fls 4.12",
			wantProbed:   true,
		},
		{
			name:  "tools missing",
			state: types.InstanceStateNameRunning,
			probe: func(r investigation.Readiness) (investigation.Readiness, error) {
				return r, investigation.Fail(investigation.ReasonToolsMissing, "forensic instance %s lacks vol", id)
			},
			wantReason:   investigation.ReasonToolsMissing,
			wantErrPart:  "lacks vol",
			wantAttempts: 1,
			wantProbed:   true,
		},
		{
			name:         "terminated",
			state:        types.InstanceStateNameTerminated,
			wantReason:   investigation.ReasonInstanceLaunch,
			wantErrPart:  id + " is terminated, not running (Server.InternalError)",
			wantAttempts: 1,
		},
		{
			name:         "stopped",
			state:        types.InstanceStateNameStopped,
			wantReason:   investigation.ReasonInstanceLaunch,
			wantErrPart:  id + " is stopped",
			wantAttempts: 1,
		},
		{
			name:         "describe fails",
			state:        types.InstanceStateNameRunning,
			describe:     apiErr("UnauthorizedOperation"),
			wantErrPart:  "describe forensic instance " + id,
			wantAttempts: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeEC2()
			if tt.state != "" {
				fake.addInstance(id, tt.state)
				fake.instances[id].StateReason = &types.StateReason{Message: aws.String("Server.InternalError")}
			}
			if tt.describe != nil {
				fake.fail("DescribeInstances", "", tt.describe, 0)
			}
			probed := false
			probe := func(r investigation.Readiness) (investigation.Readiness, error) {
				probed = true
				return tt.probe(r)
			}
			c := &Checker{EC2: fake, Probe: probeFunc(probe)}
			st := diskState()
			st.Instance = &investigation.Instance{InstanceID: id, AvailabilityZone: "eu-west-1a"}
			st.Readiness = tt.readiness

			got, err := c.Handle(context.Background(), st)

			assert.Equal(t, tt.wantProbed, probed, "readiness probe called")
			if tt.wantErrPart != "" {
				require.Error(t, err)
				assert.ErrorContains(t, err, tt.wantErrPart)
				assert.Equal(t, tt.wantReason, reasonOf(err), "reason of %v", err)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, got.Readiness)
			assert.Equal(t, tt.wantStatus, got.Readiness.Status, "status")
			assert.Equal(t, tt.wantAttempts, got.Readiness.Attempts, "attempts")
			assert.Equal(t, tt.wantDetail, got.Readiness.Detail, "detail")
			if tt.readiness != nil {
				assert.Equal(t, tt.readiness.ProbeCommandID, got.Readiness.ProbeCommandID, "probe command kept")
			}
		})
	}
}

func TestCheckInstanceWithoutInstance(t *testing.T) {
	c := &Checker{EC2: newFakeEC2(), Probe: probeAnswers(investigation.PollReady, "")}

	_, err := c.Handle(context.Background(), diskState())

	require.Error(t, err)
	assert.Equal(t, investigation.ReasonInstanceNotReady, reasonOf(err), "reason of %v", err)
}
