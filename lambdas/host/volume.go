package host

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// volumeFor returns the evidence volume of snap: the one an earlier attempt
// created, or a new one.
func (a *Attacher) volumeFor(ctx context.Context, trail caserecords.Trail, snap investigation.Snapshot, device string) (evidenceVolume, error) {
	st := trail.State()
	found, err := a.findVolume(ctx, st, snap.SnapshotID)
	if err != nil {
		return evidenceVolume{}, err
	}
	if found != nil {
		v := evidenceVolume{id: aws.ToString(found.VolumeId), snapshot: snap.SnapshotID, device: device}
		for _, att := range found.Attachments {
			if aws.ToString(att.InstanceId) != st.Instance.InstanceID {
				return evidenceVolume{}, investigation.Fail(investigation.ReasonEvidenceAttach,
					"evidence volume %s of snapshot %s is attached to %s, not to the forensic instance %s",
					v.id, snap.SnapshotID, aws.ToString(att.InstanceId), st.Instance.InstanceID)
			}
			v.attached, v.device = true, aws.ToString(att.Device)
		}
		return v, nil
	}

	out, err := a.EC2.CreateVolume(ctx, &ec2.CreateVolumeInput{
		AvailabilityZone: aws.String(st.Instance.AvailabilityZone),
		SnapshotId:       aws.String(snap.SnapshotID),
		Encrypted:        aws.Bool(true),
		KmsKeyId:         aws.String(a.VolumeKMSKeyARN),
		VolumeType:       types.VolumeTypeGp3,
		ClientToken:      aws.String(clientToken(executionName(st), "volume", snap.SnapshotID)),
		TagSpecifications: []types.TagSpecification{tagSpec(types.ResourceTypeVolume, caseTags(st, investigation.RoleEvidenceVolume,
			types.Tag{Key: aws.String(tagSourceSnapshot), Value: aws.String(snap.SnapshotID)},
			types.Tag{Key: aws.String(tagSourceVolume), Value: aws.String(snap.SourceVolumeID)},
		))},
	})
	if err != nil {
		return evidenceVolume{}, investigation.Fail(investigation.ReasonEvidenceAttach,
			"create volume from snapshot %s in %s: %w", snap.SnapshotID, st.Instance.AvailabilityZone, err)
	}
	v := evidenceVolume{id: aws.ToString(out.VolumeId), snapshot: snap.SnapshotID, device: device}
	err = trail.Record(ctx, "volume-created", map[string]string{
		"volumeId":         v.id,
		"snapshotId":       snap.SnapshotID,
		"sourceVolumeId":   snap.SourceVolumeID,
		"availabilityZone": st.Instance.AvailabilityZone,
	}, "encrypted evidence volume created from the snapshot")
	return v, err
}

// findVolume looks for the live evidence volume of st's case made from
// snapshot; nil means there is none.
func (a *Attacher) findVolume(ctx context.Context, st investigation.State, snapshot string) (*types.Volume, error) {
	out, err := a.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{
		Filters: caseFilters(st,
			tagFilter(investigation.TagRole, investigation.RoleEvidenceVolume),
			filter("snapshot-id", snapshot),
			filter("status", string(types.VolumeStateCreating), string(types.VolumeStateAvailable), string(types.VolumeStateInUse)),
		),
	})
	if err != nil {
		return nil, investigation.Fail(investigation.ReasonEvidenceAttach, "look for the evidence volume of snapshot %s: %w", snapshot, err)
	}
	if len(out.Volumes) == 0 {
		return nil, nil
	}
	return &out.Volumes[0], nil
}

// attach attaches v to the forensic instance unless it already is.
func (a *Attacher) attach(ctx context.Context, trail caserecords.Trail, v *evidenceVolume) error {
	if v.attached {
		return nil
	}
	instance := trail.State().Instance.InstanceID
	_, err := a.EC2.AttachVolume(ctx, &ec2.AttachVolumeInput{
		VolumeId:   aws.String(v.id),
		InstanceId: aws.String(instance),
		Device:     aws.String(v.device),
	})
	detail := "evidence volume attached; the forensics set its device read-only before reading"
	if awserr.Code(err) == "VolumeInUse" {
		// The SDK retries a call whose response was lost; EC2 refuses the
		// retry of an attachment that the first attempt made.
		if device, ok := a.attachmentTo(ctx, v.id, instance); ok {
			err, v.device = nil, device
			detail = "evidence volume found attached by an earlier attempt of the call; the forensics set its device read-only before reading"
		}
	}
	if err != nil {
		return investigation.Fail(investigation.ReasonEvidenceAttach, "attach volume %s to instance %s as %s: %w", v.id, instance, v.device, err)
	}
	v.attached = true
	return trail.Record(ctx, "volume-attached", map[string]string{
		"volumeId": v.id, "instanceId": instance, "device": v.device, "snapshotId": v.snapshot,
	}, detail)
}

// attachmentTo returns the device at which volume is attached, or being
// attached, to instance; false when it is not, or cannot be described.
func (a *Attacher) attachmentTo(ctx context.Context, volume, instance string) (string, bool) {
	out, err := a.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{volume}})
	if err != nil {
		return "", false
	}
	for _, v := range out.Volumes {
		for _, att := range v.Attachments {
			if aws.ToString(att.InstanceId) == instance &&
				(att.State == types.VolumeAttachmentStateAttaching || att.State == types.VolumeAttachmentStateAttached) {
				return aws.ToString(att.Device), true
			}
		}
	}
	return "", false
}

// waitAvailable waits until every volume in ids is available.
func (a *Attacher) waitAvailable(ctx context.Context, wait WaitOptions, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	w := ec2.NewVolumeAvailableWaiter(a.EC2, func(o *ec2.VolumeAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = wait.MinDelay, wait.MaxDelay
		o.Retryable = volumesReady(func(v types.Volume) bool { return v.State == types.VolumeStateAvailable })
	})
	if err := w.Wait(ctx, &ec2.DescribeVolumesInput{VolumeIds: ids}, wait.Timeout); err != nil {
		return investigation.Fail(investigation.ReasonEvidenceAttach, "wait for evidence volumes %v to become available: %w", ids, err)
	}
	return nil
}

// waitAttached waits until every volume in ids is attached to instance.
func (a *Attacher) waitAttached(ctx context.Context, wait WaitOptions, instance string, ids []string) error {
	w := ec2.NewVolumeInUseWaiter(a.EC2, func(o *ec2.VolumeInUseWaiterOptions) {
		o.MinDelay, o.MaxDelay = wait.MinDelay, wait.MaxDelay
		o.Retryable = volumesReady(func(v types.Volume) bool { return attachedTo(v, instance) })
	})
	if err := w.Wait(ctx, &ec2.DescribeVolumesInput{VolumeIds: ids}, wait.Timeout); err != nil {
		return investigation.Fail(investigation.ReasonEvidenceAttach, "wait for evidence volumes %v to attach to instance %s: %w", ids, instance, err)
	}
	return nil
}

// volumesReady is a waiter test: done when every volume is ready, failed
// when one is deleted or in error, retried otherwise. A volume that EC2 does
// not show yet (eventual consistency after CreateVolume) is retried too.
func volumesReady(ready func(types.Volume) bool) func(context.Context, *ec2.DescribeVolumesInput, *ec2.DescribeVolumesOutput, error) (bool, error) {
	return func(_ context.Context, _ *ec2.DescribeVolumesInput, out *ec2.DescribeVolumesOutput, err error) (bool, error) {
		if awserr.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		retry := false
		for _, v := range out.Volumes {
			switch v.State {
			case types.VolumeStateDeleting, types.VolumeStateDeleted, types.VolumeStateError:
				return false, fmt.Errorf("volume %s is %s", aws.ToString(v.VolumeId), v.State)
			}
			if !ready(v) {
				retry = true
			}
		}
		return retry, nil
	}
}

func attachedTo(v types.Volume, instance string) bool {
	for _, att := range v.Attachments {
		if aws.ToString(att.InstanceId) == instance && att.State == types.VolumeAttachmentStateAttached {
			return true
		}
	}
	return false
}
