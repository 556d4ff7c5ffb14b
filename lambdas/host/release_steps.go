package host

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
)

// detachVolumes detaches the case volumes that are attached and would not
// go away with their instance (the evidence volumes; the root volume is
// deleted on termination). A failure here is not final: terminating the
// instance detaches them too, and deleteVolumes judges the end result.
func (run *releaseRun) detachVolumes(ctx context.Context, vols []types.Volume) {
	for _, v := range vols {
		for _, att := range v.Attachments {
			if aws.ToBool(att.DeleteOnTermination) || att.State == types.VolumeAttachmentStateDetached {
				continue
			}
			id, instance := aws.ToString(v.VolumeId), aws.ToString(att.InstanceId)
			// The instance ID is optional for EC2, but the emulator
			// the end-to-end tests use requires it.
			_, err := run.r.EC2.DetachVolume(ctx, &ec2.DetachVolumeInput{VolumeId: aws.String(id), InstanceId: aws.String(instance)})
			switch {
			case awserr.IsNotFound(err), isCode(err, "IncorrectState"):
			case err != nil:
				run.problems = append(run.problems, fmt.Errorf("detach volume %s from instance %s: %w", id, instance, err))
			default:
				run.record(ctx, "volume-detached", map[string]string{"volumeId": id, "instanceId": instance}, "")
			}
		}
	}
}

// terminateInstances terminates the instances and waits until they are.
func (run *releaseRun) terminateInstances(ctx context.Context, ids []string) {
	var terminating []string
	for _, id := range ids {
		_, err := run.r.EC2.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
		switch {
		case awserr.IsNotFound(err):
		case err != nil:
			run.left(id, fmt.Errorf("terminate instance %s: %w", id, err))
		default:
			terminating = append(terminating, id)
		}
	}
	if len(terminating) == 0 {
		return
	}
	wait := run.terminateWait.within(ctx, terminateReserve)
	w := ec2.NewInstanceTerminatedWaiter(run.r.EC2, func(o *ec2.InstanceTerminatedWaiterOptions) {
		o.MinDelay, o.MaxDelay = wait.MinDelay, wait.MaxDelay
		o.Retryable = instancesTerminated
	})
	if err := w.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: terminating}, wait.Timeout); err != nil {
		for _, id := range terminating {
			run.left(id, fmt.Errorf("wait for instance %s to terminate: %w", id, err))
		}
		return
	}
	for _, id := range terminating {
		run.done.TerminatedInstances = append(run.done.TerminatedInstances, id)
		run.record(ctx, "instance-terminated", map[string]string{"instanceId": id}, "")
	}
}

// instancesTerminated is the terminated waiter's test: done when every
// instance is terminated or gone.
func instancesTerminated(_ context.Context, _ *ec2.DescribeInstancesInput, out *ec2.DescribeInstancesOutput, err error) (bool, error) {
	if awserr.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, inst := range instancesOf(out) {
		if inst.State.Name != types.InstanceStateNameTerminated {
			return true, nil
		}
	}
	return false, nil
}

// deleteVolumes waits until the volumes are free, then deletes each one
// that is still there.
func (run *releaseRun) deleteVolumes(ctx context.Context, vols []types.Volume) {
	if len(vols) == 0 {
		return
	}
	ids := make([]string, 0, len(vols))
	for _, v := range vols {
		ids = append(ids, aws.ToString(v.VolumeId))
	}
	states, waitErr := run.waitVolumesFree(ctx, ids)
	for _, id := range ids {
		state, known := states[id]
		if waitErr == nil && (!known || state == types.VolumeStateDeleting || state == types.VolumeStateDeleted) {
			// Gone already: a root volume goes with its instance.
			continue
		}
		_, err := run.r.EC2.DeleteVolume(ctx, &ec2.DeleteVolumeInput{VolumeId: aws.String(id)})
		switch {
		case awserr.IsNotFound(err):
		case err != nil:
			run.left(id, errors.Join(waitErr, fmt.Errorf("delete volume %s: %w", id, err)))
		default:
			run.done.DeletedVolumes = append(run.done.DeletedVolumes, id)
			run.record(ctx, "volume-deleted", map[string]string{"volumeId": id}, "")
		}
	}
}

// waitVolumesFree waits until none of the volumes is attached or being
// created, and returns the states it last saw (a volume missing from the
// map no longer exists). It filters by volume ID instead of naming the IDs,
// so that a volume already gone does not fail the whole describe.
func (run *releaseRun) waitVolumesFree(ctx context.Context, ids []string) (map[string]types.VolumeState, error) {
	states := map[string]types.VolumeState{}
	wait := run.detachWait.within(ctx, detachReserve)
	w := ec2.NewVolumeAvailableWaiter(run.r.EC2, func(o *ec2.VolumeAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = wait.MinDelay, wait.MaxDelay
		o.Retryable = func(_ context.Context, _ *ec2.DescribeVolumesInput, out *ec2.DescribeVolumesOutput, err error) (bool, error) {
			if err != nil {
				return false, err
			}
			clear(states)
			retry := false
			for _, v := range out.Volumes {
				states[aws.ToString(v.VolumeId)] = v.State
				if v.State == types.VolumeStateInUse || v.State == types.VolumeStateCreating {
					retry = true
				}
			}
			return retry, nil
		}
	})
	err := w.Wait(ctx, &ec2.DescribeVolumesInput{Filters: []types.Filter{filter("volume-id", ids...)}}, wait.Timeout)
	if err != nil {
		return states, fmt.Errorf("wait for volumes to be detached: %w", err)
	}
	return states, nil
}

// deleteGroups deletes the security groups, retrying while EC2 says one is
// still in use (the terminated instance's network interface lingers).
func (run *releaseRun) deleteGroups(ctx context.Context, ids []string) {
	for _, id := range ids {
		err := run.deleteGroup(ctx, id)
		switch {
		case awserr.IsNotFound(err):
		case err != nil:
			run.left(id, fmt.Errorf("delete security group %s: %w", id, err))
		default:
			run.done.DeletedGroups = append(run.done.DeletedGroups, id)
			run.record(ctx, "security-group-deleted", map[string]string{"securityGroupId": id}, "")
		}
	}
}

func (run *releaseRun) deleteGroup(ctx context.Context, id string) error {
	wait := run.groupWait.within(ctx, groupReserve)
	deadline := time.Now().Add(wait.Timeout)
	for {
		_, err := run.r.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(id)})
		if !isCode(err, "DependencyViolation") || time.Now().Add(wait.MinDelay).After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait.MinDelay):
		}
	}
}
