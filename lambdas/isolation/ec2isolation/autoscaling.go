package ec2isolation

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Keys of the Auto Scaling measure's Original and Applied.
const (
	KeyAutoScalingGroup     = "autoScalingGroup"
	KeyProtectedFromScaleIn = "protectedFromScaleIn"
	KeyLifecycleState       = "lifecycleState"
	KeyDetachedFrom         = "detachedFrom"
)

// Auto Scaling lifecycle states of an instance leaving its group.
const (
	lifecycleDetaching = "Detaching"
	lifecycleDetached  = "Detached"
)

// autoScaling protects the instance from scale-in and then detaches it
// from its group without decrementing the desired capacity: the group
// launches a replacement, so the application keeps its capacity, and
// neither replaces nor terminates this instance any more.
func (r *run) autoScaling(ctx context.Context) investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureAutoScaling, Target: r.inst.id}
	out, err := r.iso.AutoScaling.DescribeAutoScalingInstances(ctx, &autoscaling.DescribeAutoScalingInstancesInput{
		InstanceIds: []string{r.inst.id},
	})
	if err != nil {
		return failed(m, fmt.Errorf("look for the Auto Scaling group of %s: %w", r.inst.id, err))
	}
	var group, state string
	var protected bool
	for _, in := range out.AutoScalingInstances {
		if aws.ToString(in.InstanceId) == r.inst.id {
			group, state, protected = aws.ToString(in.AutoScalingGroupName), aws.ToString(in.LifecycleState), aws.ToBool(in.ProtectedFromScaleIn)
		}
	}
	// An instance being detached is still listed, Detaching, for a while:
	// a run right after the one that detached it (a retry, the case's
	// other evidence type) finds it so and must not take that for the
	// original setting.
	detached := group == "" || state == lifecycleDetaching || state == lifecycleDetached
	if rec, earlier := r.records[m.Name]; earlier && detached {
		m.Applied = map[string]string{KeyProtectedFromScaleIn: "true", KeyDetachedFrom: rec.Original[KeyAutoScalingGroup]}
	}
	if r.already(ctx, &m, detached) {
		return m
	}
	if group != "" && detached {
		m.Status, m.Reason = investigation.MeasureApplied, "the instance is already leaving group "+group+" ("+state+")"
		m.Applied = map[string]string{KeyDetachedFrom: group}
		return m
	}
	if group == "" {
		m.Status, m.Reason = investigation.MeasureSkipped, "the instance is in no Auto Scaling group"
		return m
	}
	m.Original = map[string]string{
		KeyAutoScalingGroup: group, KeyProtectedFromScaleIn: strconv.FormatBool(protected), KeyLifecycleState: state,
	}
	r.before(ctx, &m)
	_, err = r.iso.AutoScaling.SetInstanceProtection(ctx, &autoscaling.SetInstanceProtectionInput{
		AutoScalingGroupName: aws.String(group), InstanceIds: []string{r.inst.id}, ProtectedFromScaleIn: aws.Bool(true),
	})
	if err != nil {
		return failed(m, fmt.Errorf("protect %s from scale-in in group %s: %w", r.inst.id, group, err))
	}
	_, err = r.iso.AutoScaling.DetachInstances(ctx, &autoscaling.DetachInstancesInput{
		AutoScalingGroupName: aws.String(group), InstanceIds: []string{r.inst.id}, ShouldDecrementDesiredCapacity: aws.Bool(false),
	})
	if err != nil {
		m.Applied = map[string]string{KeyProtectedFromScaleIn: "true"}
		return failed(m, fmt.Errorf("detach %s from group %s (it is protected from scale-in, but the group can still replace it when unhealthy): %w", r.inst.id, group, err))
	}
	m.Status = investigation.MeasureApplied
	m.Applied = map[string]string{KeyProtectedFromScaleIn: "true", KeyDetachedFrom: group}
	m.Reason = "detached without decrementing the desired capacity: the group launches a replacement, " +
		"and the instance leaves the group's load balancers and target groups"
	r.after(ctx, &m)
	return m
}
