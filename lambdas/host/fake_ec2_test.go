package host

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// fakeEC2 is a small in-memory EC2: images, security groups, instances and
// volumes, with the state changes and errors of the real API that the host
// steps rely on. Every operation can be made to fail through failures.
type fakeEC2 struct {
	images    map[string]types.Image
	groups    map[string]*fakeGroup
	instances map[string]*types.Instance
	volumes   map[string]*types.Volume
	snapshots map[string]types.Snapshot
	// subnetAZ maps subnets to their availability zone.
	subnetAZ map[string]string
	// vpcCIDRs maps VPCs to their CIDR blocks (disassociated ones are
	// listed as such), and prefixLists names a Region's managed prefix
	// lists to their IDs.
	vpcCIDRs    map[string][]types.VpcCidrBlockAssociation
	prefixLists map[string]string
	// newVolumeState is the state CreateVolume leaves a volume in; the
	// next DescribeVolumes moves a "creating" volume to "available".
	newVolumeState types.VolumeState
	// stuckCreating keeps "creating" volumes creating.
	stuckCreating bool
	// terminateTo is the state TerminateInstances leaves an instance in;
	// the next DescribeInstances moves "shutting-down" to "terminated".
	terminateTo types.InstanceStateName
	// lostAttachResponses is how many AttachVolume calls attach and then
	// answer VolumeInUse, as the SDK's retry of a lost response gets.
	lostAttachResponses int

	// failures injects errors, keyed by operation ("DeleteVolume") or by
	// operation and resource ID ("DeleteVolume:vol-1").
	failures map[string]*failure
	// calls lists "Operation:id" in call order.
	calls []string
	// Recorded inputs.
	runInputs    []*ec2.RunInstancesInput
	volumeInputs []*ec2.CreateVolumeInput

	tokens map[string]string
	nextID int
}

// failure is an injected error, returned times times (0 means always).
type failure struct {
	err   error
	times int
}

type fakeGroup struct {
	id, name, vpc string
	tags          []types.Tag
	egress        []string // "proto:from-to:cidr"
}

func newFakeEC2() *fakeEC2 {
	return &fakeEC2{
		images: map[string]types.Image{
			"ami-0123456789abcdef0": {
				ImageId: aws.String("ami-0123456789abcdef0"), State: types.ImageStateAvailable, RootDeviceName: aws.String("/dev/xvda"),
				BlockDeviceMappings: []types.BlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"), Ebs: &types.EbsBlockDevice{VolumeSize: aws.Int32(30)}}},
			},
		},
		groups:    map[string]*fakeGroup{},
		instances: map[string]*types.Instance{},
		volumes:   map[string]*types.Volume{},
		snapshots: map[string]types.Snapshot{},
		subnetAZ:  map[string]string{"subnet-a": "eu-west-1a", "subnet-b": "eu-west-1b", "subnet-c": "eu-west-1c"},
		vpcCIDRs: map[string][]types.VpcCidrBlockAssociation{"vpc-1": {
			{CidrBlock: aws.String("10.40.0.0/16"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated}},
			{CidrBlock: aws.String("10.41.0.0/16"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeDisassociated}},
			{CidrBlock: aws.String("100.64.0.0/24"), CidrBlockState: &types.VpcCidrBlockState{State: types.VpcCidrBlockStateCodeAssociated}},
		}},
		prefixLists:    map[string]string{"com.amazonaws.eu-west-1.s3": "pl-6da54004", "com.amazonaws.eu-west-1.dynamodb": "pl-b3a742da"},
		newVolumeState: types.VolumeStateAvailable,
		terminateTo:    types.InstanceStateNameTerminated,
		failures:       map[string]*failure{},
		tokens:         map[string]string{},
	}
}

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "fake " + code}
}

// fail makes op (on id, when given) return err, times times (0: always).
func (f *fakeEC2) fail(op, id string, err error, times int) {
	key := op
	if id != "" {
		key += ":" + id
	}
	f.failures[key] = &failure{err: err, times: times}
}

// enter records a call and returns its injected error, if any.
func (f *fakeEC2) enter(op, id string) error {
	f.calls = append(f.calls, op+":"+id)
	for _, key := range []string{op + ":" + id, op} {
		fl, ok := f.failures[key]
		if !ok {
			continue
		}
		if fl.times > 0 {
			fl.times--
			if fl.times == 0 {
				delete(f.failures, key)
			}
		}
		return fl.err
	}
	return nil
}

// called counts the calls of op.
func (f *fakeEC2) called(op string) int {
	n := 0
	for _, c := range f.calls {
		if strings.HasPrefix(c, op+":") {
			n++
		}
	}
	return n
}

func (f *fakeEC2) id(prefix string) string {
	f.nextID++
	return fmt.Sprintf("%s-%017x", prefix, f.nextID)
}

// matches reports whether a resource with tags and the named fields passes
// every filter.
func matches(filters []types.Filter, tags []types.Tag, fields map[string]string) bool {
	for _, flt := range filters {
		name := aws.ToString(flt.Name)
		var got string
		var ok bool
		if key, isTag := strings.CutPrefix(name, "tag:"); isTag {
			for _, t := range tags {
				if aws.ToString(t.Key) == key {
					got, ok = aws.ToString(t.Value), true
				}
			}
		} else {
			got, ok = fields[name]
		}
		if !ok || !slices.Contains(flt.Values, got) {
			return false
		}
	}
	return true
}

func (f *fakeEC2) DescribeImages(_ context.Context, in *ec2.DescribeImagesInput, _ ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error) {
	if err := f.enter("DescribeImages", strings.Join(in.ImageIds, ",")); err != nil {
		return nil, err
	}
	out := &ec2.DescribeImagesOutput{}
	for _, id := range in.ImageIds {
		img, ok := f.images[id]
		if !ok {
			return nil, apiErr("InvalidAMIID.NotFound")
		}
		out.Images = append(out.Images, img)
	}
	return out, nil
}

func (f *fakeEC2) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	if err := f.enter("DescribeSecurityGroups", strings.Join(in.GroupIds, ",")); err != nil {
		return nil, err
	}
	out := &ec2.DescribeSecurityGroupsOutput{}
	for _, id := range in.GroupIds {
		if _, ok := f.groups[id]; !ok {
			return nil, apiErr("InvalidGroup.NotFound")
		}
	}
	for _, id := range sortedKeys(f.groups) {
		g := f.groups[id]
		if len(in.GroupIds) > 0 && !slices.Contains(in.GroupIds, id) {
			continue
		}
		if matches(in.Filters, g.tags, map[string]string{"vpc-id": g.vpc, "group-name": g.name, "group-id": g.id}) {
			out.SecurityGroups = append(out.SecurityGroups, types.SecurityGroup{GroupId: aws.String(g.id), GroupName: aws.String(g.name), VpcId: aws.String(g.vpc), Tags: g.tags})
		}
	}
	return out, nil
}

func (f *fakeEC2) CreateSecurityGroup(_ context.Context, in *ec2.CreateSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error) {
	if err := f.enter("CreateSecurityGroup", aws.ToString(in.GroupName)); err != nil {
		return nil, err
	}
	for _, g := range f.groups {
		if g.name == aws.ToString(in.GroupName) && g.vpc == aws.ToString(in.VpcId) {
			return nil, apiErr("InvalidGroup.Duplicate")
		}
	}
	g := &fakeGroup{id: f.id("sg"), name: aws.ToString(in.GroupName), vpc: aws.ToString(in.VpcId), egress: []string{"-1:0-0:0.0.0.0/0"}}
	for _, ts := range in.TagSpecifications {
		g.tags = append(g.tags, ts.Tags...)
	}
	f.groups[g.id] = g
	return &ec2.CreateSecurityGroupOutput{GroupId: aws.String(g.id)}, nil
}

func rules(perms []types.IpPermission) []string {
	var out []string
	for _, p := range perms {
		port := fmt.Sprintf("%s:%d-%d:", aws.ToString(p.IpProtocol), aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort))
		for _, r := range p.IpRanges {
			out = append(out, port+aws.ToString(r.CidrIp))
		}
		for _, pl := range p.PrefixListIds {
			out = append(out, port+aws.ToString(pl.PrefixListId))
		}
	}
	return out
}

func (f *fakeEC2) DescribeVpcs(_ context.Context, in *ec2.DescribeVpcsInput, _ ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error) {
	if err := f.enter("DescribeVpcs", strings.Join(in.VpcIds, ",")); err != nil {
		return nil, err
	}
	out := &ec2.DescribeVpcsOutput{}
	for _, id := range in.VpcIds {
		cidrs, ok := f.vpcCIDRs[id]
		if !ok {
			return nil, apiErr("InvalidVpcID.NotFound")
		}
		out.Vpcs = append(out.Vpcs, types.Vpc{VpcId: aws.String(id), CidrBlock: cidrs[0].CidrBlock, CidrBlockAssociationSet: cidrs})
	}
	return out, nil
}

func (f *fakeEC2) DescribeManagedPrefixLists(_ context.Context, in *ec2.DescribeManagedPrefixListsInput, _ ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error) {
	if err := f.enter("DescribeManagedPrefixLists", ""); err != nil {
		return nil, err
	}
	out := &ec2.DescribeManagedPrefixListsOutput{}
	for name, id := range f.prefixLists {
		if filterAdmits(in.Filters, "prefix-list-name", name) {
			out.PrefixLists = append(out.PrefixLists, types.ManagedPrefixList{PrefixListId: aws.String(id), PrefixListName: aws.String(name)})
		}
	}
	return out, nil
}

// filterAdmits reports whether filters, if they name the filter called name,
// admit value.
func filterAdmits(filters []types.Filter, name, value string) bool {
	for _, f := range filters {
		if aws.ToString(f.Name) == name && !slices.Contains(f.Values, value) {
			return false
		}
	}
	return true
}

func (f *fakeEC2) RevokeSecurityGroupEgress(_ context.Context, in *ec2.RevokeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error) {
	if err := f.enter("RevokeSecurityGroupEgress", aws.ToString(in.GroupId)); err != nil {
		return nil, err
	}
	g, ok := f.groups[aws.ToString(in.GroupId)]
	if !ok {
		return nil, apiErr("InvalidGroup.NotFound")
	}
	for _, r := range rules(in.IpPermissions) {
		i := slices.Index(g.egress, r)
		if i < 0 {
			return nil, apiErr("InvalidPermission.NotFound")
		}
		g.egress = slices.Delete(g.egress, i, i+1)
	}
	return &ec2.RevokeSecurityGroupEgressOutput{Return: aws.Bool(true)}, nil
}

func (f *fakeEC2) AuthorizeSecurityGroupEgress(_ context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error) {
	if err := f.enter("AuthorizeSecurityGroupEgress", aws.ToString(in.GroupId)); err != nil {
		return nil, err
	}
	g, ok := f.groups[aws.ToString(in.GroupId)]
	if !ok {
		return nil, apiErr("InvalidGroup.NotFound")
	}
	for _, r := range rules(in.IpPermissions) {
		if slices.Contains(g.egress, r) {
			return nil, apiErr("InvalidPermission.Duplicate")
		}
		g.egress = append(g.egress, r)
	}
	return &ec2.AuthorizeSecurityGroupEgressOutput{Return: aws.Bool(true)}, nil
}

func (f *fakeEC2) DeleteSecurityGroup(_ context.Context, in *ec2.DeleteSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error) {
	id := aws.ToString(in.GroupId)
	if err := f.enter("DeleteSecurityGroup", id); err != nil {
		return nil, err
	}
	if _, ok := f.groups[id]; !ok {
		return nil, apiErr("InvalidGroup.NotFound")
	}
	for _, inst := range f.instances {
		if inst.State.Name == types.InstanceStateNameTerminated {
			continue
		}
		for _, g := range inst.SecurityGroups {
			if aws.ToString(g.GroupId) == id {
				return nil, apiErr("DependencyViolation")
			}
		}
	}
	delete(f.groups, id)
	return &ec2.DeleteSecurityGroupOutput{}, nil
}

func (f *fakeEC2) RunInstances(_ context.Context, in *ec2.RunInstancesInput, _ ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error) {
	f.runInputs = append(f.runInputs, in)
	if err := f.enter("RunInstances", aws.ToString(in.ImageId)); err != nil {
		return nil, err
	}
	if id, ok := f.tokens[aws.ToString(in.ClientToken)]; ok {
		return &ec2.RunInstancesOutput{Instances: []types.Instance{*f.instances[id]}}, nil
	}
	if _, ok := f.images[aws.ToString(in.ImageId)]; !ok {
		return nil, apiErr("InvalidAMIID.NotFound")
	}
	az := f.subnetAZ[aws.ToString(in.SubnetId)]
	inst := &types.Instance{
		InstanceId: aws.String(f.id("i")),
		State:      &types.InstanceState{Name: types.InstanceStateNamePending},
		Placement:  &types.Placement{AvailabilityZone: aws.String(az)},
		SubnetId:   in.SubnetId,
	}
	for _, g := range in.SecurityGroupIds {
		inst.SecurityGroups = append(inst.SecurityGroups, types.GroupIdentifier{GroupId: aws.String(g)})
	}
	for _, ts := range in.TagSpecifications {
		if ts.ResourceType == types.ResourceTypeInstance {
			inst.Tags = append(inst.Tags, ts.Tags...)
		}
	}
	f.instances[*inst.InstanceId] = inst
	f.tokens[aws.ToString(in.ClientToken)] = *inst.InstanceId
	for _, bd := range in.BlockDeviceMappings {
		vol := &types.Volume{VolumeId: aws.String(f.id("vol")), AvailabilityZone: aws.String(az), State: types.VolumeStateInUse}
		for _, ts := range in.TagSpecifications {
			if ts.ResourceType == types.ResourceTypeVolume {
				vol.Tags = append(vol.Tags, ts.Tags...)
			}
		}
		vol.Attachments = []types.VolumeAttachment{{
			InstanceId: inst.InstanceId, VolumeId: vol.VolumeId, Device: bd.DeviceName,
			State: types.VolumeAttachmentStateAttached, DeleteOnTermination: bd.Ebs.DeleteOnTermination,
		}}
		f.volumes[*vol.VolumeId] = vol
	}
	return &ec2.RunInstancesOutput{Instances: []types.Instance{*inst}}, nil
}

// addInstance puts an instance in a state, with tags, into the fake.
func (f *fakeEC2) addInstance(id string, state types.InstanceStateName, tags ...types.Tag) {
	f.instances[id] = &types.Instance{
		InstanceId: aws.String(id),
		State:      &types.InstanceState{Name: state},
		Placement:  &types.Placement{AvailabilityZone: aws.String("eu-west-1a")},
		Tags:       tags,
	}
}

func (f *fakeEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	if err := f.enter("DescribeInstances", strings.Join(in.InstanceIds, ",")); err != nil {
		return nil, err
	}
	for _, id := range in.InstanceIds {
		if _, ok := f.instances[id]; !ok {
			return nil, apiErr("InvalidInstanceID.NotFound")
		}
	}
	res := types.Reservation{}
	for _, id := range sortedKeys(f.instances) {
		inst := f.instances[id]
		if len(in.InstanceIds) > 0 && !slices.Contains(in.InstanceIds, id) {
			continue
		}
		if inst.State.Name == types.InstanceStateNameShuttingDown {
			inst.State.Name = types.InstanceStateNameTerminated
		}
		if matches(in.Filters, inst.Tags, map[string]string{"instance-state-name": string(inst.State.Name)}) {
			res.Instances = append(res.Instances, *inst)
		}
	}
	out := &ec2.DescribeInstancesOutput{}
	if len(res.Instances) > 0 {
		out.Reservations = []types.Reservation{res}
	}
	return out, nil
}

func (f *fakeEC2) TerminateInstances(_ context.Context, in *ec2.TerminateInstancesInput, _ ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error) {
	if err := f.enter("TerminateInstances", strings.Join(in.InstanceIds, ",")); err != nil {
		return nil, err
	}
	for _, id := range in.InstanceIds {
		if _, ok := f.instances[id]; !ok {
			return nil, apiErr("InvalidInstanceID.NotFound")
		}
	}
	for _, id := range in.InstanceIds {
		inst := f.instances[id]
		if inst.State.Name != types.InstanceStateNameTerminated {
			inst.State.Name = f.terminateTo
		}
		for vid, vol := range f.volumes {
			if len(vol.Attachments) == 0 || aws.ToString(vol.Attachments[0].InstanceId) != id {
				continue
			}
			if aws.ToBool(vol.Attachments[0].DeleteOnTermination) {
				delete(f.volumes, vid)
				continue
			}
			vol.Attachments, vol.State = nil, types.VolumeStateAvailable
		}
	}
	return &ec2.TerminateInstancesOutput{}, nil
}

// addVolume puts a volume into the fake, attached to instance when given.
func (f *fakeEC2) addVolume(id, snapshot, instance string, tags ...types.Tag) {
	vol := &types.Volume{VolumeId: aws.String(id), SnapshotId: aws.String(snapshot), AvailabilityZone: aws.String("eu-west-1a"), State: types.VolumeStateAvailable, Tags: tags}
	if instance != "" {
		vol.State = types.VolumeStateInUse
		vol.Attachments = []types.VolumeAttachment{{InstanceId: aws.String(instance), VolumeId: aws.String(id), Device: aws.String("/dev/sdf"), State: types.VolumeAttachmentStateAttached, DeleteOnTermination: aws.Bool(false)}}
	}
	f.volumes[id] = vol
}

func (f *fakeEC2) DescribeVolumes(_ context.Context, in *ec2.DescribeVolumesInput, _ ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error) {
	if err := f.enter("DescribeVolumes", strings.Join(in.VolumeIds, ",")); err != nil {
		return nil, err
	}
	for _, id := range in.VolumeIds {
		if _, ok := f.volumes[id]; !ok {
			return nil, apiErr("InvalidVolume.NotFound")
		}
	}
	out := &ec2.DescribeVolumesOutput{}
	for _, id := range sortedKeys(f.volumes) {
		vol := f.volumes[id]
		if len(in.VolumeIds) > 0 && !slices.Contains(in.VolumeIds, id) {
			continue
		}
		if matches(in.Filters, vol.Tags, map[string]string{"snapshot-id": aws.ToString(vol.SnapshotId), "status": string(vol.State), "volume-id": id}) {
			out.Volumes = append(out.Volumes, *vol)
		}
		if vol.State == types.VolumeStateCreating && !f.stuckCreating {
			vol.State = types.VolumeStateAvailable
		}
	}
	return out, nil
}

func (f *fakeEC2) CreateVolume(_ context.Context, in *ec2.CreateVolumeInput, _ ...func(*ec2.Options)) (*ec2.CreateVolumeOutput, error) {
	f.volumeInputs = append(f.volumeInputs, in)
	if err := f.enter("CreateVolume", aws.ToString(in.SnapshotId)); err != nil {
		return nil, err
	}
	id, ok := f.tokens[aws.ToString(in.ClientToken)]
	if !ok {
		id = f.id("vol")
		vol := &types.Volume{VolumeId: aws.String(id), SnapshotId: in.SnapshotId, AvailabilityZone: in.AvailabilityZone, State: f.newVolumeState}
		for _, ts := range in.TagSpecifications {
			vol.Tags = append(vol.Tags, ts.Tags...)
		}
		f.volumes[id] = vol
		f.tokens[aws.ToString(in.ClientToken)] = id
	}
	vol := f.volumes[id]
	return &ec2.CreateVolumeOutput{VolumeId: vol.VolumeId, State: vol.State, AvailabilityZone: vol.AvailabilityZone, SnapshotId: vol.SnapshotId}, nil
}

func (f *fakeEC2) AttachVolume(_ context.Context, in *ec2.AttachVolumeInput, _ ...func(*ec2.Options)) (*ec2.AttachVolumeOutput, error) {
	id := aws.ToString(in.VolumeId)
	if err := f.enter("AttachVolume", id); err != nil {
		return nil, err
	}
	vol, ok := f.volumes[id]
	if !ok {
		return nil, apiErr("InvalidVolume.NotFound")
	}
	inst, ok := f.instances[aws.ToString(in.InstanceId)]
	if !ok {
		return nil, apiErr("InvalidInstanceID.NotFound")
	}
	if vol.State != types.VolumeStateAvailable {
		return nil, apiErr("VolumeInUse")
	}
	if aws.ToString(vol.AvailabilityZone) != aws.ToString(inst.Placement.AvailabilityZone) {
		return nil, apiErr("InvalidVolume.ZoneMismatch")
	}
	vol.State = types.VolumeStateInUse
	vol.Attachments = []types.VolumeAttachment{{InstanceId: in.InstanceId, VolumeId: in.VolumeId, Device: in.Device, State: types.VolumeAttachmentStateAttached, DeleteOnTermination: aws.Bool(false)}}
	if f.lostAttachResponses > 0 {
		// What the SDK returns when the response was lost and EC2 refused
		// the retry of the attachment it had made.
		f.lostAttachResponses--
		return nil, apiErr("VolumeInUse")
	}
	return &ec2.AttachVolumeOutput{State: types.VolumeAttachmentStateAttaching}, nil
}

func (f *fakeEC2) DetachVolume(_ context.Context, in *ec2.DetachVolumeInput, _ ...func(*ec2.Options)) (*ec2.DetachVolumeOutput, error) {
	id := aws.ToString(in.VolumeId)
	if err := f.enter("DetachVolume", id); err != nil {
		return nil, err
	}
	vol, ok := f.volumes[id]
	if !ok {
		return nil, apiErr("InvalidVolume.NotFound")
	}
	if len(vol.Attachments) == 0 {
		return nil, apiErr("IncorrectState")
	}
	// Like the emulator the end-to-end tests use, insist on the instance.
	if aws.ToString(in.InstanceId) != aws.ToString(vol.Attachments[0].InstanceId) {
		return nil, apiErr("InvalidAttachment.NotFound")
	}
	vol.Attachments, vol.State = nil, types.VolumeStateAvailable
	return &ec2.DetachVolumeOutput{State: types.VolumeAttachmentStateDetaching}, nil
}

func (f *fakeEC2) DeleteVolume(_ context.Context, in *ec2.DeleteVolumeInput, _ ...func(*ec2.Options)) (*ec2.DeleteVolumeOutput, error) {
	id := aws.ToString(in.VolumeId)
	if err := f.enter("DeleteVolume", id); err != nil {
		return nil, err
	}
	vol, ok := f.volumes[id]
	if !ok {
		return nil, apiErr("InvalidVolume.NotFound")
	}
	if vol.State != types.VolumeStateAvailable {
		return nil, apiErr("VolumeInUse")
	}
	delete(f.volumes, id)
	return &ec2.DeleteVolumeOutput{}, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// addSnapshot puts a completed snapshot of volume, of sizeGiB, into the fake.
func (f *fakeEC2) addSnapshot(id, volume string, sizeGiB int32) {
	f.snapshots[id] = types.Snapshot{
		SnapshotId: aws.String(id), VolumeId: aws.String(volume), VolumeSize: aws.Int32(sizeGiB),
		State: types.SnapshotStateCompleted, OwnerId: aws.String("444455556666"),
		StartTime: aws.Time(time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)), Encrypted: aws.Bool(false),
	}
}

// DescribeSnapshots answers like EC2: an ID it does not know fails the
// whole call with InvalidSnapshot.NotFound.
func (f *fakeEC2) DescribeSnapshots(_ context.Context, in *ec2.DescribeSnapshotsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error) {
	if err := f.enter("DescribeSnapshots", strings.Join(in.SnapshotIds, ",")); err != nil {
		return nil, err
	}
	out := &ec2.DescribeSnapshotsOutput{}
	for _, id := range in.SnapshotIds {
		snap, ok := f.snapshots[id]
		if !ok {
			return nil, &smithy.GenericAPIError{Code: "InvalidSnapshot.NotFound", Message: fmt.Sprintf("The snapshot '%s' does not exist.", id)}
		}
		out.Snapshots = append(out.Snapshots, snap)
	}
	return out, nil
}
