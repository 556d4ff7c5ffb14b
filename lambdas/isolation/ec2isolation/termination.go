package ec2isolation

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Keys of the termination-protection measure's Original and Applied.
const (
	KeyDisableAPITermination = "disableApiTermination"
	KeyInstanceLifecycle     = "instanceLifecycle"
)

// ReasonSpot is why termination protection is impossible on a Spot
// instance.
const ReasonSpot = "EC2 does not allow termination protection on a Spot instance: " +
	"this Spot instance can still be terminated, and EC2 can still reclaim (interrupt) it"

// terminationProtection turns API termination off.
func (r *run) terminationProtection(ctx context.Context) investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureTerminationProtection, Target: r.inst.id}
	if r.inst.spot {
		m.Status, m.Reason = investigation.MeasureImpossible, ReasonSpot
		m.Original = map[string]string{KeyInstanceLifecycle: string(types.InstanceLifecycleTypeSpot)}
		return m
	}
	out, err := r.iso.EC2.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
		InstanceId: aws.String(r.inst.id), Attribute: types.InstanceAttributeNameDisableApiTermination,
	})
	if err != nil {
		return failed(m, fmt.Errorf("read the termination protection of %s: %w", r.inst.id, err))
	}
	protected := out.DisableApiTermination != nil && aws.ToBool(out.DisableApiTermination.Value)
	m.Original = map[string]string{KeyDisableAPITermination: strconv.FormatBool(protected)}
	m.Applied = map[string]string{KeyDisableAPITermination: "true"}
	if r.already(ctx, &m, protected) {
		return m
	}
	if protected {
		m.Status, m.Reason = investigation.MeasureApplied, "termination protection was already on"
		r.after(ctx, &m)
		return m
	}
	r.before(ctx, &m)
	_, err = r.iso.EC2.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{
		InstanceId: aws.String(r.inst.id), DisableApiTermination: &types.AttributeBooleanValue{Value: aws.Bool(true)},
	})
	if err != nil {
		return failed(m, fmt.Errorf("turn on the termination protection of %s: %w", r.inst.id, err))
	}
	m.Status = investigation.MeasureApplied
	r.after(ctx, &m)
	return m
}
