package ec2isolation

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// testNow is the isolation's moment in the tests.
var testNow = time.Date(2026, 12, 4, 11, 30, 15, 0, time.UTC)

const (
	testAccount    = "123456789012"
	profileARNBase = "arn:aws:iam::" + testAccount + ":instance-profile/"
)

// apiError is an error shaped as the SDK returns an API's refusal.
func apiError(service, op, code, msg string) error {
	return &smithy.OperationError{ServiceID: service, OperationName: op, Err: &smithy.GenericAPIError{Code: code, Message: msg}}
}

// failFunc decides whether a call fails: op is the operation's name, in
// its input.
type failFunc func(op string, in any) error

// failOn fails every call of op with an AccessDenied-style error.
func failOn(op string) failFunc {
	return func(got string, _ any) error {
		if got == op {
			return apiError("fake", op, "UnauthorizedOperation", "not allowed to "+op)
		}
		return nil
	}
}

// calls records operation names in call order.
type calls []string

func (c *calls) add(op string) { *c = append(*c, op) }

// count is how many calls of any of ops there were.
func (c calls) count(ops ...string) int {
	n := 0
	for _, op := range c {
		if slices.Contains(ops, op) {
			n++
		}
	}
	return n
}

// mutatingOps are the calls that change the application account.
var mutatingOps = []string{
	"ModifyInstanceAttribute", "CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress",
	"RevokeSecurityGroupEgress", "ModifyNetworkInterfaceAttribute", "ReplaceIamInstanceProfileAssociation",
	"AssociateIamInstanceProfile", "DisassociateAddress", "PutRolePolicy", "SetInstanceProtection", "DetachInstances",
}

// fakeEC2 is an in-memory EC2 holding instances, security groups,
// instance-profile associations and Elastic IPs, with the errors of the
// real API that the isolation relies on.
type fakeEC2 struct {
	instances    map[string]*types.Instance
	termination  map[string]bool
	groups       map[string]*types.SecurityGroup
	associations map[string]*types.IamInstanceProfileAssociation // by instance
	addresses    []*types.Address
	// profiles are the instance profiles that exist.
	profiles []string
	fail     failFunc
	calls    *calls
	nextID   int
	// moves lists "eni:sg-a,sg-b" per ModifyNetworkInterfaceAttribute
	// that succeeded.
	moves []string
}

func (f *fakeEC2) call(op string, in any) error {
	f.calls.add(op)
	if f.fail != nil {
		return f.fail(op, in)
	}
	return nil
}

func (f *fakeEC2) id(prefix string) string {
	f.nextID++
	return fmt.Sprintf("%s-%04d", prefix, f.nextID)
}

func (f *fakeEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	if err := f.call("DescribeInstances", in); err != nil {
		return nil, err
	}
	out := &ec2.DescribeInstancesOutput{}
	for _, id := range in.InstanceIds {
		inst, ok := f.instances[id]
		if !ok {
			return nil, apiError("EC2", "DescribeInstances", "InvalidInstanceID.NotFound", "The instance ID '"+id+"' does not exist")
		}
		out.Reservations = append(out.Reservations, types.Reservation{Instances: []types.Instance{*inst}})
	}
	return out, nil
}

func (f *fakeEC2) DescribeInstanceAttribute(_ context.Context, in *ec2.DescribeInstanceAttributeInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstanceAttributeOutput, error) {
	if err := f.call("DescribeInstanceAttribute", in); err != nil {
		return nil, err
	}
	return &ec2.DescribeInstanceAttributeOutput{
		InstanceId:            in.InstanceId,
		DisableApiTermination: &types.AttributeBooleanValue{Value: aws.Bool(f.termination[aws.ToString(in.InstanceId)])},
	}, nil
}

func (f *fakeEC2) ModifyInstanceAttribute(_ context.Context, in *ec2.ModifyInstanceAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifyInstanceAttributeOutput, error) {
	if err := f.call("ModifyInstanceAttribute", in); err != nil {
		return nil, err
	}
	if in.DisableApiTermination != nil {
		f.termination[aws.ToString(in.InstanceId)] = aws.ToBool(in.DisableApiTermination.Value)
	}
	return &ec2.ModifyInstanceAttributeOutput{}, nil
}

func (f *fakeEC2) CreateTags(_ context.Context, in *ec2.CreateTagsInput, _ ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error) {
	if err := f.call("CreateTags", in); err != nil {
		return nil, err
	}
	for _, id := range in.Resources {
		inst, ok := f.instances[id]
		if !ok {
			continue
		}
		for _, t := range in.Tags {
			if len(aws.ToString(t.Value)) > maxTagValue {
				return nil, apiError("EC2", "CreateTags", "InvalidParameterValue", "tag value too long")
			}
			inst.Tags = slices.DeleteFunc(inst.Tags, func(old types.Tag) bool { return aws.ToString(old.Key) == aws.ToString(t.Key) })
			inst.Tags = append(inst.Tags, t)
		}
	}
	return &ec2.CreateTagsOutput{}, nil
}

// tag is the value of the instance's tag key.
func (f *fakeEC2) tag(instanceID, key string) (string, bool) {
	for _, t := range f.instances[instanceID].Tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value), true
		}
	}
	return "", false
}

func (f *fakeEC2) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	if err := f.call("DescribeSecurityGroups", in); err != nil {
		return nil, err
	}
	out := &ec2.DescribeSecurityGroupsOutput{}
	for _, g := range f.groups {
		if matches(in.Filters, "vpc-id", aws.ToString(g.VpcId)) && matches(in.Filters, "group-name", aws.ToString(g.GroupName)) {
			out.SecurityGroups = append(out.SecurityGroups, *g)
		}
	}
	return out, nil
}

// matches reports whether value passes filters' filter of that name (or
// filters have none).
func matches(filters []types.Filter, name, value string) bool {
	for _, fl := range filters {
		if aws.ToString(fl.Name) == name && !slices.Contains(fl.Values, value) {
			return false
		}
	}
	return true
}

func (f *fakeEC2) CreateSecurityGroup(_ context.Context, in *ec2.CreateSecurityGroupInput, _ ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error) {
	if err := f.call("CreateSecurityGroup", in); err != nil {
		return nil, err
	}
	for _, g := range f.groups {
		if aws.ToString(g.VpcId) == aws.ToString(in.VpcId) && aws.ToString(g.GroupName) == aws.ToString(in.GroupName) {
			return nil, apiError("EC2", "CreateSecurityGroup", "InvalidGroup.Duplicate", "The security group '"+aws.ToString(in.GroupName)+"' already exists")
		}
	}
	g := &types.SecurityGroup{
		GroupId: aws.String(f.id("sg")), GroupName: in.GroupName, VpcId: in.VpcId, Description: in.Description,
		IpPermissionsEgress: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String(anyIPv4)}}}},
	}
	for _, spec := range in.TagSpecifications {
		g.Tags = append(g.Tags, spec.Tags...)
	}
	f.groups[aws.ToString(g.GroupId)] = g
	return &ec2.CreateSecurityGroupOutput{GroupId: g.GroupId}, nil
}

func (f *fakeEC2) AuthorizeSecurityGroupIngress(_ context.Context, in *ec2.AuthorizeSecurityGroupIngressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupIngressOutput, error) {
	if err := f.call("AuthorizeSecurityGroupIngress", in); err != nil {
		return nil, err
	}
	g, err := f.group(aws.ToString(in.GroupId))
	if err != nil {
		return nil, err
	}
	g.IpPermissions = append(g.IpPermissions, in.IpPermissions...)
	return &ec2.AuthorizeSecurityGroupIngressOutput{}, nil
}

func (f *fakeEC2) AuthorizeSecurityGroupEgress(_ context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error) {
	if err := f.call("AuthorizeSecurityGroupEgress", in); err != nil {
		return nil, err
	}
	g, err := f.group(aws.ToString(in.GroupId))
	if err != nil {
		return nil, err
	}
	g.IpPermissionsEgress = append(g.IpPermissionsEgress, in.IpPermissions...)
	return &ec2.AuthorizeSecurityGroupEgressOutput{}, nil
}

func (f *fakeEC2) RevokeSecurityGroupEgress(_ context.Context, in *ec2.RevokeSecurityGroupEgressInput, _ ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error) {
	if err := f.call("RevokeSecurityGroupEgress", in); err != nil {
		return nil, err
	}
	g, err := f.group(aws.ToString(in.GroupId))
	if err != nil {
		return nil, err
	}
	// The isolation revokes exactly the rules it described.
	g.IpPermissionsEgress = slices.DeleteFunc(g.IpPermissionsEgress, func(p types.IpPermission) bool {
		return slices.ContainsFunc(in.IpPermissions, func(q types.IpPermission) bool { return fmt.Sprint(p) == fmt.Sprint(q) })
	})
	return &ec2.RevokeSecurityGroupEgressOutput{}, nil
}

func (f *fakeEC2) group(id string) (*types.SecurityGroup, error) {
	g, ok := f.groups[id]
	if !ok {
		return nil, apiError("EC2", "SecurityGroup", "InvalidGroup.NotFound", "The security group '"+id+"' does not exist")
	}
	return g, nil
}

func (f *fakeEC2) ModifyNetworkInterfaceAttribute(_ context.Context, in *ec2.ModifyNetworkInterfaceAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifyNetworkInterfaceAttributeOutput, error) {
	if err := f.call("ModifyNetworkInterfaceAttribute", in); err != nil {
		return nil, err
	}
	var groups []types.GroupIdentifier
	for _, id := range in.Groups {
		if _, err := f.group(id); err != nil {
			return nil, err
		}
		groups = append(groups, types.GroupIdentifier{GroupId: aws.String(id)})
	}
	for _, inst := range f.instances {
		for i, eni := range inst.NetworkInterfaces {
			if aws.ToString(eni.NetworkInterfaceId) == aws.ToString(in.NetworkInterfaceId) {
				inst.NetworkInterfaces[i].Groups = groups
				f.moves = append(f.moves, aws.ToString(in.NetworkInterfaceId)+":"+joined(in.Groups))
				return &ec2.ModifyNetworkInterfaceAttributeOutput{}, nil
			}
		}
	}
	return nil, apiError("EC2", "ModifyNetworkInterfaceAttribute", "InvalidNetworkInterfaceID.NotFound", "no interface "+aws.ToString(in.NetworkInterfaceId))
}

// interfaceGroups lists the group IDs of each of the instance's
// interfaces.
func (f *fakeEC2) interfaceGroups(instanceID string) map[string][]string {
	out := map[string][]string{}
	for _, eni := range f.instances[instanceID].NetworkInterfaces {
		var ids []string
		for _, g := range eni.Groups {
			ids = append(ids, aws.ToString(g.GroupId))
		}
		out[aws.ToString(eni.NetworkInterfaceId)] = ids
	}
	return out
}

func (f *fakeEC2) groupByName(name string) *types.SecurityGroup {
	for _, g := range f.groups {
		if aws.ToString(g.GroupName) == name {
			return g
		}
	}
	return nil
}

func (f *fakeEC2) DescribeIamInstanceProfileAssociations(_ context.Context, in *ec2.DescribeIamInstanceProfileAssociationsInput, _ ...func(*ec2.Options)) (*ec2.DescribeIamInstanceProfileAssociationsOutput, error) {
	if err := f.call("DescribeIamInstanceProfileAssociations", in); err != nil {
		return nil, err
	}
	out := &ec2.DescribeIamInstanceProfileAssociationsOutput{}
	for id, a := range f.associations {
		if matches(in.Filters, "instance-id", id) && matches(in.Filters, "state", string(a.State)) {
			out.IamInstanceProfileAssociations = append(out.IamInstanceProfileAssociations, *a)
		}
	}
	return out, nil
}

func (f *fakeEC2) profileSpec(op string, spec *types.IamInstanceProfileSpecification) (*types.IamInstanceProfile, error) {
	name := aws.ToString(spec.Name)
	if !slices.Contains(f.profiles, name) {
		return nil, apiError("EC2", op, "InvalidParameterValue", "Value ("+name+") for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name")
	}
	return &types.IamInstanceProfile{Arn: aws.String(profileARNBase + name)}, nil
}

func (f *fakeEC2) ReplaceIamInstanceProfileAssociation(_ context.Context, in *ec2.ReplaceIamInstanceProfileAssociationInput, _ ...func(*ec2.Options)) (*ec2.ReplaceIamInstanceProfileAssociationOutput, error) {
	if err := f.call("ReplaceIamInstanceProfileAssociation", in); err != nil {
		return nil, err
	}
	profile, err := f.profileSpec("ReplaceIamInstanceProfileAssociation", in.IamInstanceProfile)
	if err != nil {
		return nil, err
	}
	for id, a := range f.associations {
		if aws.ToString(a.AssociationId) == aws.ToString(in.AssociationId) {
			next := &types.IamInstanceProfileAssociation{
				AssociationId: aws.String(f.id("iip-assoc")), InstanceId: aws.String(id),
				IamInstanceProfile: profile, State: types.IamInstanceProfileAssociationStateAssociated,
			}
			f.associations[id] = next
			return &ec2.ReplaceIamInstanceProfileAssociationOutput{IamInstanceProfileAssociation: next}, nil
		}
	}
	return nil, apiError("EC2", "ReplaceIamInstanceProfileAssociation", "InvalidAssociationID.NotFound", "no association "+aws.ToString(in.AssociationId))
}

func (f *fakeEC2) AssociateIamInstanceProfile(_ context.Context, in *ec2.AssociateIamInstanceProfileInput, _ ...func(*ec2.Options)) (*ec2.AssociateIamInstanceProfileOutput, error) {
	if err := f.call("AssociateIamInstanceProfile", in); err != nil {
		return nil, err
	}
	profile, err := f.profileSpec("AssociateIamInstanceProfile", in.IamInstanceProfile)
	if err != nil {
		return nil, err
	}
	id := aws.ToString(in.InstanceId)
	if _, ok := f.associations[id]; ok {
		return nil, apiError("EC2", "AssociateIamInstanceProfile", "IncorrectState", "There is an existing association for instance "+id)
	}
	a := &types.IamInstanceProfileAssociation{
		AssociationId: aws.String(f.id("iip-assoc")), InstanceId: aws.String(id),
		IamInstanceProfile: profile, State: types.IamInstanceProfileAssociationStateAssociated,
	}
	f.associations[id] = a
	return &ec2.AssociateIamInstanceProfileOutput{IamInstanceProfileAssociation: a}, nil
}

func (f *fakeEC2) DescribeAddresses(_ context.Context, in *ec2.DescribeAddressesInput, _ ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error) {
	if err := f.call("DescribeAddresses", in); err != nil {
		return nil, err
	}
	out := &ec2.DescribeAddressesOutput{}
	for _, a := range f.addresses {
		if a.NetworkInterfaceId != nil && matches(in.Filters, "network-interface-id", aws.ToString(a.NetworkInterfaceId)) {
			out.Addresses = append(out.Addresses, *a)
		}
	}
	return out, nil
}

func (f *fakeEC2) DisassociateAddress(_ context.Context, in *ec2.DisassociateAddressInput, _ ...func(*ec2.Options)) (*ec2.DisassociateAddressOutput, error) {
	if err := f.call("DisassociateAddress", in); err != nil {
		return nil, err
	}
	for _, a := range f.addresses {
		if aws.ToString(a.AssociationId) == aws.ToString(in.AssociationId) {
			a.AssociationId, a.NetworkInterfaceId, a.PrivateIpAddress, a.InstanceId = nil, nil, nil, nil
			return &ec2.DisassociateAddressOutput{}, nil
		}
	}
	return nil, apiError("EC2", "DisassociateAddress", "InvalidAssociationID.NotFound", "no association "+aws.ToString(in.AssociationId))
}

// associatedAddresses lists the allocation IDs still associated.
func (f *fakeEC2) associatedAddresses() []string {
	var ids []string
	for _, a := range f.addresses {
		if a.AssociationId != nil {
			ids = append(ids, aws.ToString(a.AllocationId))
		}
	}
	return ids
}

// fakeIAM holds instance profiles and the inline policies put on roles.
type fakeIAM struct {
	profiles map[string][]iamtypes.Role
	policies map[string]*iam.PutRolePolicyInput // by role name
	fail     failFunc
	calls    *calls
}

func (f *fakeIAM) call(op string, in any) error {
	f.calls.add(op)
	if f.fail != nil {
		return f.fail(op, in)
	}
	return nil
}

func (f *fakeIAM) GetInstanceProfile(_ context.Context, in *iam.GetInstanceProfileInput, _ ...func(*iam.Options)) (*iam.GetInstanceProfileOutput, error) {
	if err := f.call("GetInstanceProfile", in); err != nil {
		return nil, err
	}
	name := aws.ToString(in.InstanceProfileName)
	roles, ok := f.profiles[name]
	if !ok {
		return nil, apiError("IAM", "GetInstanceProfile", "NoSuchEntity", "Instance Profile "+name+" cannot be found.")
	}
	return &iam.GetInstanceProfileOutput{InstanceProfile: &iamtypes.InstanceProfile{
		InstanceProfileName: aws.String(name), Arn: aws.String(profileARNBase + name), Roles: roles,
	}}, nil
}

func (f *fakeIAM) PutRolePolicy(_ context.Context, in *iam.PutRolePolicyInput, _ ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	if err := f.call("PutRolePolicy", in); err != nil {
		return nil, err
	}
	f.policies[aws.ToString(in.RoleName)] = in
	return &iam.PutRolePolicyOutput{}, nil
}

// asgMember is an instance's place in an Auto Scaling group.
type asgMember struct {
	group, state string
	protected    bool
}

// fakeAutoScaling holds the instances of Auto Scaling groups.
type fakeAutoScaling struct {
	members map[string]*asgMember
	// lingering keeps a detached instance listed, Detaching, as Auto
	// Scaling does for a while.
	lingering bool
	detached  []*autoscaling.DetachInstancesInput
	fail      failFunc
	calls     *calls
}

func (f *fakeAutoScaling) call(op string, in any) error {
	f.calls.add(op)
	if f.fail != nil {
		return f.fail(op, in)
	}
	return nil
}

func (f *fakeAutoScaling) DescribeAutoScalingInstances(_ context.Context, in *autoscaling.DescribeAutoScalingInstancesInput, _ ...func(*autoscaling.Options)) (*autoscaling.DescribeAutoScalingInstancesOutput, error) {
	if err := f.call("DescribeAutoScalingInstances", in); err != nil {
		return nil, err
	}
	out := &autoscaling.DescribeAutoScalingInstancesOutput{}
	for _, id := range in.InstanceIds {
		if m, ok := f.members[id]; ok {
			out.AutoScalingInstances = append(out.AutoScalingInstances, astypes.AutoScalingInstanceDetails{
				InstanceId: aws.String(id), AutoScalingGroupName: aws.String(m.group),
				LifecycleState: aws.String(m.state), ProtectedFromScaleIn: aws.Bool(m.protected),
			})
		}
	}
	return out, nil
}

func (f *fakeAutoScaling) SetInstanceProtection(_ context.Context, in *autoscaling.SetInstanceProtectionInput, _ ...func(*autoscaling.Options)) (*autoscaling.SetInstanceProtectionOutput, error) {
	if err := f.call("SetInstanceProtection", in); err != nil {
		return nil, err
	}
	for _, id := range in.InstanceIds {
		m, ok := f.members[id]
		if !ok || m.group != aws.ToString(in.AutoScalingGroupName) {
			return nil, apiError("AutoScaling", "SetInstanceProtection", "ValidationError", "The instance "+id+" is not part of Auto Scaling group "+aws.ToString(in.AutoScalingGroupName)+".")
		}
		m.protected = aws.ToBool(in.ProtectedFromScaleIn)
	}
	return &autoscaling.SetInstanceProtectionOutput{}, nil
}

func (f *fakeAutoScaling) DetachInstances(_ context.Context, in *autoscaling.DetachInstancesInput, _ ...func(*autoscaling.Options)) (*autoscaling.DetachInstancesOutput, error) {
	if err := f.call("DetachInstances", in); err != nil {
		return nil, err
	}
	for _, id := range in.InstanceIds {
		if m, ok := f.members[id]; !ok || m.group != aws.ToString(in.AutoScalingGroupName) {
			return nil, apiError("AutoScaling", "DetachInstances", "ValidationError", "The instance "+id+" is not part of Auto Scaling group "+aws.ToString(in.AutoScalingGroupName)+".")
		}
		if f.lingering {
			f.members[id].state = "Detaching"
			continue
		}
		delete(f.members, id)
	}
	f.detached = append(f.detached, in)
	return &autoscaling.DetachInstancesOutput{}, nil
}

// world is an application account with one instance to isolate.
type world struct {
	ec2   *fakeEC2
	iam   *fakeIAM
	asg   *fakeAutoScaling
	calls *calls
}

const (
	testInstance = "i-0123456789abcdef0"
	testVPC      = "vpc-0aaa"
	primaryENI   = "eni-0primary"
	secondENI    = "eni-0second"
	appProfile   = "app-profile"
	appRole      = "app-role"
	appRoleARN   = "arn:aws:iam::" + testAccount + ":role/" + appRole
	testGroup    = "web-asg"
)

// newWorld builds the usual instance: two interfaces (two groups on the
// primary, one on the second), an instance profile with one role, an
// Elastic IP on each interface, in an Auto Scaling group, termination
// protection off.
func newWorld() *world {
	c := &calls{}
	w := &world{calls: c}
	w.ec2 = &fakeEC2{
		instances: map[string]*types.Instance{testInstance: {
			InstanceId: aws.String(testInstance), VpcId: aws.String(testVPC),
			State: &types.InstanceState{Name: types.InstanceStateNameRunning},
			// Listed out of device order on purpose.
			NetworkInterfaces: []types.InstanceNetworkInterface{
				{NetworkInterfaceId: aws.String(secondENI), Attachment: &types.InstanceNetworkInterfaceAttachment{DeviceIndex: aws.Int32(1)},
					Groups: []types.GroupIdentifier{{GroupId: aws.String("sg-0db")}}},
				{NetworkInterfaceId: aws.String(primaryENI), Attachment: &types.InstanceNetworkInterfaceAttachment{DeviceIndex: aws.Int32(0)},
					Groups: []types.GroupIdentifier{{GroupId: aws.String("sg-0web")}, {GroupId: aws.String("sg-0ssh")}}},
			},
			Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("web-1")}},
		}},
		termination: map[string]bool{},
		groups: map[string]*types.SecurityGroup{
			"sg-0web": {GroupId: aws.String("sg-0web"), GroupName: aws.String("web"), VpcId: aws.String(testVPC)},
			"sg-0ssh": {GroupId: aws.String("sg-0ssh"), GroupName: aws.String("ssh"), VpcId: aws.String(testVPC)},
			"sg-0db":  {GroupId: aws.String("sg-0db"), GroupName: aws.String("db"), VpcId: aws.String(testVPC)},
		},
		associations: map[string]*types.IamInstanceProfileAssociation{testInstance: {
			AssociationId: aws.String("iip-assoc-0orig"), InstanceId: aws.String(testInstance),
			IamInstanceProfile: &types.IamInstanceProfile{Arn: aws.String(profileARNBase + appProfile)},
			State:              types.IamInstanceProfileAssociationStateAssociated,
		}},
		addresses: []*types.Address{
			{AllocationId: aws.String("eipalloc-0one"), PublicIp: aws.String("203.0.113.10"), AssociationId: aws.String("eipassoc-0one"),
				NetworkInterfaceId: aws.String(primaryENI), PrivateIpAddress: aws.String("10.0.1.10"), InstanceId: aws.String(testInstance)},
			{AllocationId: aws.String("eipalloc-0two"), PublicIp: aws.String("203.0.113.20"), AssociationId: aws.String("eipassoc-0two"),
				NetworkInterfaceId: aws.String(secondENI), PrivateIpAddress: aws.String("10.0.2.20"), InstanceId: aws.String(testInstance)},
			{AllocationId: aws.String("eipalloc-0other"), PublicIp: aws.String("203.0.113.99"), AssociationId: aws.String("eipassoc-0other"),
				NetworkInterfaceId: aws.String("eni-0someoneelse"), PrivateIpAddress: aws.String("10.0.9.9")},
		},
		profiles: []string{appProfile, "casefile-isolation-deny-all"},
		calls:    c,
	}
	w.iam = &fakeIAM{
		profiles: map[string][]iamtypes.Role{appProfile: {{RoleName: aws.String(appRole), Arn: aws.String(appRoleARN)}}},
		policies: map[string]*iam.PutRolePolicyInput{},
		calls:    c,
	}
	w.asg = &fakeAutoScaling{
		members: map[string]*asgMember{testInstance: {group: testGroup, state: "InService"}},
		calls:   c,
	}
	return w
}

// refuse makes every fake refuse the calls that fail picks; nil refuses
// none.
func (w *world) refuse(fail failFunc) {
	w.ec2.fail, w.iam.fail, w.asg.fail = fail, fail, fail
}

func (w *world) isolator() *Isolator {
	return &Isolator{EC2: w.ec2, IAM: w.iam, AutoScaling: w.asg, Now: func() time.Time { return testNow }}
}

// joined is a compact view of a string list for messages.
func joined(s []string) string { return strings.Join(s, ",") }
