package host

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// liveInstanceStates are the states of an instance that still needs
// terminating.
var liveInstanceStates = []string{
	string(types.InstanceStateNamePending), string(types.InstanceStateNameRunning),
	string(types.InstanceStateNameStopping), string(types.InstanceStateNameStopped),
	string(types.InstanceStateNameShuttingDown),
}

// caseResources is what one release found to remove.
type caseResources struct {
	// instances are the IDs of instances not yet terminated.
	instances []string
	// volumes are the case's volumes as last described; a volume the
	// state names but that could not be described has only its ID.
	volumes []types.Volume
	groups  []string
}

// find collects the case's resources from the state's IDs and from the
// case tags. A search that fails leaves a leftover that names it: the
// release cannot claim that nothing is left when it could not look.
func (run *releaseRun) find(ctx context.Context) caseResources {
	var found caseResources
	found.instances = run.findInstances(ctx)
	found.volumes = run.findVolumes(ctx)
	found.groups = run.findGroups(ctx)
	return found
}

func (run *releaseRun) findInstances(ctx context.Context) []string {
	var ids []string
	if st := run.st; st.Instance != nil && st.Instance.InstanceID != "" {
		id := st.Instance.InstanceID
		out, err := run.r.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
		switch {
		case awserr.IsNotFound(err):
		case err != nil:
			// Terminate it anyway: TerminateInstances is idempotent.
			ids = append(ids, id)
		default:
			for _, inst := range instancesOf(out) {
				if slices.Contains(liveInstanceStates, string(inst.State.Name)) {
					ids = append(ids, id)
				}
			}
		}
	}

	pages := ec2.NewDescribeInstancesPaginator(run.r.EC2, &ec2.DescribeInstancesInput{
		Filters: caseFilters(run.st, filter("instance-state-name", liveInstanceStates...)),
	})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			run.left("instances tagged "+run.tagText(), fmt.Errorf("search instances by tag: %w", err))
			break
		}
		for _, inst := range instancesOf(out) {
			ids = appendNew(ids, aws.ToString(inst.InstanceId))
		}
	}
	return ids
}

func (run *releaseRun) findVolumes(ctx context.Context) []types.Volume {
	var vols []types.Volume
	pages := ec2.NewDescribeVolumesPaginator(run.r.EC2, &ec2.DescribeVolumesInput{Filters: caseFilters(run.st)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			run.left("volumes tagged "+run.tagText(), fmt.Errorf("search volumes by tag: %w", err))
			break
		}
		vols = append(vols, out.Volumes...)
	}
	for _, v := range run.st.Volumes {
		if v.VolumeID == "" || slices.ContainsFunc(vols, func(have types.Volume) bool { return aws.ToString(have.VolumeId) == v.VolumeID }) {
			continue
		}
		out, err := run.r.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{v.VolumeID}})
		switch {
		case awserr.IsNotFound(err):
		case err != nil:
			vols = append(vols, types.Volume{VolumeId: aws.String(v.VolumeID)})
		default:
			vols = append(vols, out.Volumes...)
		}
	}
	return vols
}

func (run *releaseRun) findGroups(ctx context.Context) []string {
	var ids []string
	if st := run.st; st.Instance != nil && st.Instance.SecurityGroupID != "" {
		ids = append(ids, st.Instance.SecurityGroupID)
	}
	pages := ec2.NewDescribeSecurityGroupsPaginator(run.r.EC2, &ec2.DescribeSecurityGroupsInput{Filters: caseFilters(run.st)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			run.left("security groups tagged "+run.tagText(), fmt.Errorf("search security groups by tag: %w", err))
			break
		}
		for _, g := range out.SecurityGroups {
			ids = appendNew(ids, aws.ToString(g.GroupId))
		}
	}
	return ids
}

// tagText names the case tags in a message.
func (run *releaseRun) tagText() string {
	return investigation.TagForensicID + "=" + run.st.ForensicID + " " +
		investigation.TagForensicType + "=" + string(run.st.ForensicType)
}

func instancesOf(out *ec2.DescribeInstancesOutput) []types.Instance {
	var insts []types.Instance
	for _, res := range out.Reservations {
		for _, inst := range res.Instances {
			if inst.State != nil {
				insts = append(insts, inst)
			}
		}
	}
	return insts
}

func appendNew(ids []string, id string) []string {
	if id == "" || slices.Contains(ids, id) {
		return ids
	}
	return append(ids, id)
}
