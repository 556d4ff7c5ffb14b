package host

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// InstanceDescriber reads the state of the forensic instance.
type InstanceDescriber interface {
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
}

// ReadinessProbe checks the software side of a running forensic instance:
// its SSM agent and its forensic tools. It returns r updated (PENDING or
// READY), or an investigation.Failure. *forensics.Prober implements it.
type ReadinessProbe interface {
	Check(ctx context.Context, st investigation.State, r investigation.Readiness) (investigation.Readiness, error)
}

// Checker is the CheckInstance step: one check of whether the forensic
// instance can take the forensics command. The workflow calls it again
// after a wait while it answers PENDING, up to its bound.
type Checker struct {
	EC2   InstanceDescriber
	Probe ReadinessProbe
}

// Handle makes one check and sets st.Readiness, counting the attempt.
func (c *Checker) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	if st.Instance == nil || st.Instance.InstanceID == "" {
		return st, investigation.Fail(investigation.ReasonInstanceNotReady, "state names no forensic instance")
	}
	var r investigation.Readiness
	if st.Readiness != nil {
		r = *st.Readiness
	}
	r.Attempts++
	r.Status = investigation.PollPending
	r.Detail = ""

	id := st.Instance.InstanceID
	inst, found, err := c.describe(ctx, id)
	switch {
	case err != nil:
		return st, err
	case !found:
		// EC2 is eventually consistent: a new instance may not be
		// visible to DescribeInstances yet.
		r.Detail = "instance " + id + " is not visible yet"
		st.Readiness = &r
		return st, nil
	}

	state := inst.State.Name
	switch state {
	case types.InstanceStateNameRunning:
	case types.InstanceStateNamePending:
		r.Detail = "instance " + id + " is pending"
		st.Readiness = &r
		return st, nil
	default:
		return st, investigation.Fail(investigation.ReasonInstanceLaunch,
			"forensic instance %s is %s, not running%s", id, state, stateReason(inst))
	}

	r, err = c.Probe.Check(ctx, st, r)
	st.Readiness = &r
	return st, err
}

// describe returns the instance, or found false when EC2 does not know it
// (yet).
func (c *Checker) describe(ctx context.Context, id string) (inst types.Instance, found bool, err error) {
	out, err := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if awserr.IsNotFound(err) {
		return types.Instance{}, false, nil
	}
	if err != nil {
		return types.Instance{}, false, fmt.Errorf("describe forensic instance %s: %w", id, err)
	}
	for _, res := range out.Reservations {
		for _, inst := range res.Instances {
			if aws.ToString(inst.InstanceId) == id && inst.State != nil {
				return inst, true, nil
			}
		}
	}
	return types.Instance{}, false, nil
}

func stateReason(inst types.Instance) string {
	if inst.StateReason == nil || aws.ToString(inst.StateReason.Message) == "" {
		return ""
	}
	return " (" + aws.ToString(inst.StateReason.Message) + ")"
}
