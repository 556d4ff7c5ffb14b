package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// StepCreateInstance names the launch step in the custody log.
const StepCreateInstance = "CreateInstance"

// LaunchEC2 is the part of the EC2 API that Launcher calls.
type LaunchEC2 interface {
	DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error)
	DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	CreateSecurityGroup(ctx context.Context, in *ec2.CreateSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error)
	RevokeSecurityGroupEgress(ctx context.Context, in *ec2.RevokeSecurityGroupEgressInput, optFns ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error)
	AuthorizeSecurityGroupEgress(ctx context.Context, in *ec2.AuthorizeSecurityGroupEgressInput, optFns ...func(*ec2.Options)) (*ec2.AuthorizeSecurityGroupEgressOutput, error)
	DeleteSecurityGroup(ctx context.Context, in *ec2.DeleteSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
	RunInstances(ctx context.Context, in *ec2.RunInstancesInput, optFns ...func(*ec2.Options)) (*ec2.RunInstancesOutput, error)
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	DescribeVpcs(ctx context.Context, in *ec2.DescribeVpcsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeManagedPrefixLists(ctx context.Context, in *ec2.DescribeManagedPrefixListsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeManagedPrefixListsOutput, error)
}

// LaunchConfig is where and how forensic instances are launched.
type LaunchConfig struct {
	// AMIParameter is the SSM parameter holding the forensic AMI ID.
	AMIParameter string
	// InstanceType is the EC2 instance type, such as m7g.large.
	InstanceType string
	// VPCID is the forensic VPC; the case security group is created in it.
	VPCID string
	// Region is the forensic Region, which names S3's prefix list.
	Region string
	// SubnetIDs are the VPC's isolated subnets; one is picked per case.
	SubnetIDs []string
	// InstanceProfileARN is the forensic instance's profile.
	InstanceProfileARN string
	// VolumeKMSKeyARN encrypts the root volume and the scratch volume.
	VolumeKMSKeyARN string
	// ScratchMinGiB and ScratchMaxGiB bound the scratch volume of a
	// MEMORY case (see scratchGiB).
	ScratchMinGiB int
	ScratchMaxGiB int
	// LargeInstanceType is launched instead of InstanceType for a case
	// whose evidence holds at least LargeEvidenceGiB GiB; empty or a
	// threshold of 0 means every case gets InstanceType.
	LargeInstanceType string
	LargeEvidenceGiB  int64
}

// Launcher is the CreateInstance step: it launches a case's forensic
// instance in a security group of its own.
type Launcher struct {
	EC2      LaunchEC2
	SSM      ParameterReader
	Recorder Recorder
	Config   LaunchConfig
	// Now is the clock of the custody log; nil means time.Now.
	Now func() time.Time
}

// Handle launches the forensic instance of st's case and sets st.Instance.
// A retried attempt gets the same security group (found by name) and the
// same instance (found by the case tags, or else returned by RunInstances
// for the client token derived from the execution name).
func (l *Launcher) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	if st.ForensicID == "" || st.ForensicType == "" {
		return st, investigation.Fail(investigation.ReasonInstanceLaunch, "state has no forensicId or forensicType")
	}
	if len(l.Config.SubnetIDs) == 0 {
		return st, investigation.Fail(investigation.ReasonInstanceLaunch, "no subnet configured in VPC %s", l.Config.VPCID)
	}
	trail := newCustody(l.Recorder, l.Now, st, StepCreateInstance)

	req, err := l.request(st)
	if err != nil {
		return st, err
	}
	instanceType := l.instanceType(req)
	scratch, err := l.scratch(st, req)
	if err != nil {
		return st, err
	}
	img, err := l.forensicImage(ctx)
	if err != nil {
		return st, err
	}
	group, err := l.caseGroup(ctx, st, trail)
	if err != nil {
		return st, err
	}
	subnet := pickSubnet(l.Config.SubnetIDs, st.ForensicID)
	detail := "forensic instance " + instanceType + " launched from the forensic AMI"
	if scratch != nil {
		detail += fmt.Sprintf(", with a %d GiB scratch volume for the memory dump", aws.ToInt32(scratch.Ebs.VolumeSize))
	}
	inst, found := l.launched(ctx, st)
	if found {
		detail = "forensic instance launched by an earlier attempt of this step"
		subnet = aws.ToString(inst.SubnetId)
	} else if inst, err = l.run(ctx, st, img, instanceType, subnet, group.id, scratch); err != nil {
		return st, l.abandonGroup(ctx, trail, group.id, err)
	}
	st.Instance = &investigation.Instance{
		InstanceID:       aws.ToString(inst.InstanceId),
		AvailabilityZone: availabilityZone(inst),
		SecurityGroupID:  group.id,
	}
	slog.InfoContext(ctx, "forensic instance launched", "forensicId", st.ForensicID,
		"instanceId", st.Instance.InstanceID, "amiId", img.id, "subnetId", subnet)

	resources := map[string]string{
		"instanceId":       st.Instance.InstanceID,
		"amiId":            img.id,
		"subnetId":         subnet,
		"securityGroupId":  group.id,
		"availabilityZone": st.Instance.AvailabilityZone,
		"instanceType":     instanceType,
	}
	if scratch != nil {
		resources["scratchDeviceName"] = aws.ToString(scratch.DeviceName)
		resources["scratchVolumeGiB"] = strconv.Itoa(int(aws.ToInt32(scratch.Ebs.VolumeSize)))
	}
	if err := trail.Record(ctx, "instance-launched", resources, detail); err != nil {
		return st, err
	}
	err = trail.Update(ctx, caserecords.InvestigationUpdate{
		Status:     investigation.StatusInProgress,
		InstanceID: st.Instance.InstanceID,
	})
	return st, err
}

// sizesByEvidence reports whether the instance type follows the evidence.
func (c LaunchConfig) sizesByEvidence() bool {
	return c.LargeInstanceType != "" && c.LargeEvidenceGiB > 0
}

// request parses st's request when the launch needs it (a MEMORY case's
// scratch volume, or an instance type that follows the evidence); else it
// returns the zero Request.
func (l *Launcher) request(st investigation.State) (investigation.Request, error) {
	if st.ForensicType != investigation.ForensicTypeMemory && !l.Config.sizesByEvidence() {
		return investigation.Request{}, nil
	}
	req, err := investigation.ParseRequest(st.Request)
	if err != nil {
		return req, investigation.Fail(investigation.ReasonInstanceLaunch, "read the request of case %s: %w", st.ForensicID, err)
	}
	return req, nil
}

// instanceType returns the instance type for req's case: the large type
// when its evidence holds at least the configured threshold, so that a big
// disk or dump gets the cores and memory its analysis needs.
func (l *Launcher) instanceType(req investigation.Request) string {
	if l.Config.sizesByEvidence() && req.EvidenceGiB() >= l.Config.LargeEvidenceGiB {
		return l.Config.LargeInstanceType
	}
	return l.Config.InstanceType
}

// scratch returns the scratch volume's mapping for a MEMORY case, sized
// for its dump, or nil for any other case. A dump too large for the
// configured maximum fails with DUMP_TOO_LARGE before anything is made.
func (l *Launcher) scratch(st investigation.State, req investigation.Request) (*types.BlockDeviceMapping, error) {
	if st.ForensicType != investigation.ForensicTypeMemory {
		return nil, nil
	}
	if req.Memory == nil {
		return nil, investigation.Fail(investigation.ReasonInstanceLaunch, "request of case %s has no memory evidence", st.ForensicID)
	}
	gib, err := scratchGiB(*req.Memory, l.Config.ScratchMinGiB, l.Config.ScratchMaxGiB)
	if err != nil {
		return nil, err
	}
	m := l.scratchMapping(gib)
	return &m, nil
}

// launched returns the live forensic instance that an earlier attempt of
// this step launched, found by the case tags. RunInstances' client token
// already gives a retry the same instance; the lookup also covers a retry
// whose parameters changed in between (a new AMI in the parameter) and
// emulators that ignore client tokens. A failed lookup only loses that
// extra safety, so it is logged and the launch goes on.
func (l *Launcher) launched(ctx context.Context, st investigation.State) (types.Instance, bool) {
	out, err := l.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{
		Filters: caseFilters(st,
			tagFilter(investigation.TagRole, investigation.RoleForensicInstance),
			filter("instance-state-name", string(types.InstanceStateNamePending), string(types.InstanceStateNameRunning)),
		),
	})
	if err != nil {
		slog.WarnContext(ctx, "cannot look for an instance launched by an earlier attempt; relying on the client token",
			"forensicId", st.ForensicID, "error", err)
		return types.Instance{}, false
	}
	insts := instancesOf(out)
	if len(insts) == 0 {
		return types.Instance{}, false
	}
	return insts[0], true
}

// run calls RunInstances with every protection the forensic host needs.
// A MEMORY case's instance also gets the scratch volume.
func (l *Launcher) run(ctx context.Context, st investigation.State, img image, instanceType, subnet, group string, scratch *types.BlockDeviceMapping) (types.Instance, error) {
	in := &ec2.RunInstancesInput{
		ImageId:          aws.String(img.id),
		InstanceType:     types.InstanceType(instanceType),
		MinCount:         aws.Int32(1),
		MaxCount:         aws.Int32(1),
		SubnetId:         aws.String(subnet),
		SecurityGroupIds: []string{group},
		IamInstanceProfile: &types.IamInstanceProfileSpecification{
			Arn: aws.String(l.Config.InstanceProfileARN),
		},
		// IMDSv2 only, and a hop limit of 1 so that nothing behind the
		// instance (a container) can reach its credentials.
		MetadataOptions: &types.InstanceMetadataOptionsRequest{
			HttpEndpoint:            types.InstanceMetadataEndpointStateEnabled,
			HttpTokens:              types.HttpTokensStateRequired,
			HttpPutResponseHopLimit: aws.Int32(1),
		},
		BlockDeviceMappings: []types.BlockDeviceMapping{{
			DeviceName: aws.String(img.rootDevice),
			Ebs: &types.EbsBlockDevice{
				Encrypted:           aws.Bool(true),
				KmsKeyId:            aws.String(l.Config.VolumeKMSKeyARN),
				VolumeType:          types.VolumeTypeGp3,
				DeleteOnTermination: aws.Bool(true),
				// The AMI's own size; EC2 would take it anyway, the
				// emulator of the end-to-end tests needs it spelt out.
				VolumeSize: sizeOrNil(img.rootGiB),
			},
		}},
		// A shutdown from inside the instance ends it for good: nothing of
		// a case is left stopped and billed.
		InstanceInitiatedShutdownBehavior: types.ShutdownBehaviorTerminate,
		ClientToken:                       aws.String(clientToken(executionName(st), "launch")),
		TagSpecifications: []types.TagSpecification{
			tagSpec(types.ResourceTypeInstance, caseTags(st, investigation.RoleForensicInstance)),
			tagSpec(types.ResourceTypeVolume, caseTags(st, investigation.RoleForensicInstance)),
		},
	}
	if scratch != nil {
		in.BlockDeviceMappings = append(in.BlockDeviceMappings, *scratch)
	}
	out, err := l.EC2.RunInstances(ctx, in)
	switch {
	case err != nil && strings.HasPrefix(awserr.Code(err), "InvalidAMIID"):
		return types.Instance{}, investigation.Fail(investigation.ReasonAMIUnavailable,
			"launch from AMI %s in subnet %s: %w", img.id, subnet, err)
	case err != nil:
		return types.Instance{}, investigation.Fail(investigation.ReasonInstanceLaunch,
			"launch %s from AMI %s in subnet %s: %w", instanceType, img.id, subnet, err)
	case len(out.Instances) != 1:
		return types.Instance{}, investigation.Fail(investigation.ReasonInstanceLaunch,
			"launch %s from AMI %s in subnet %s returned %d instances, want 1", instanceType, img.id, subnet, len(out.Instances))
	}
	return out.Instances[0], nil
}

// abandonGroup deletes the case security group after a failed launch and
// returns the launch error, with the group's fate added when it could not
// be deleted (the release step then finds it by its tags).
func (l *Launcher) abandonGroup(ctx context.Context, trail caserecords.Trail, group string, launchErr error) error {
	_, err := l.EC2.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: aws.String(group)})
	if err != nil && !awserr.IsNotFound(err) {
		return errors.Join(launchErr, fmt.Errorf("delete security group %s after the failed launch: %w", group, err))
	}
	if err := trail.Record(ctx, "security-group-deleted", map[string]string{"securityGroupId": group},
		"deleted after the launch failed"); err != nil {
		return errors.Join(launchErr, err)
	}
	return launchErr
}

func sizeOrNil(gib int32) *int32 {
	if gib <= 0 {
		return nil
	}
	return aws.Int32(gib)
}

func availabilityZone(inst types.Instance) string {
	if inst.Placement == nil {
		return ""
	}
	return aws.ToString(inst.Placement.AvailabilityZone)
}
