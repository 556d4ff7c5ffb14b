package host

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const testAMI = "ami-0123456789abcdef0"

var testTime = time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)

func testClock() time.Time { return testTime }

func diskState() investigation.State {
	return investigation.State{
		Request:       json.RawMessage(`{}`),
		ExecutionName: "case-42-disk",
		ForensicID:    "case-42",
		ForensicType:  investigation.ForensicTypeDisk,
	}
}

func testLaunchConfig() LaunchConfig {
	return LaunchConfig{
		AMIParameter:       "/casefile/ami",
		InstanceType:       "m7g.large",
		VPCID:              "vpc-1",
		Region:             "eu-west-1",
		SubnetIDs:          []string{"subnet-a", "subnet-b", "subnet-c"},
		InstanceProfileARN: "arn:aws:iam::111122223333:instance-profile/forensic",
		VolumeKMSKeyARN:    "arn:aws:kms:eu-west-1:111122223333:key/volumes",
		ScratchMinGiB:      8,
		ScratchMaxGiB:      1024,
	}
}

// wantEgress are the case group's egress rules in the fake's vpc-1.
var wantEgress = []string{"tcp:443-443:10.40.0.0/16", "tcp:443-443:100.64.0.0/24", "tcp:443-443:pl-6da54004"}

func newLauncher(fake *fakeEC2, rec *fakeRecorder, ami parameterFunc) *Launcher {
	return &Launcher{EC2: fake, SSM: ami, Recorder: rec, Config: testLaunchConfig(), Now: testClock}
}

func amiIs(id string) parameterFunc {
	return func(string) (string, error) { return id, nil }
}

func TestLaunchSucceeds(t *testing.T) {
	fake, rec := newFakeEC2(), &fakeRecorder{}
	l := newLauncher(fake, rec, amiIs(testAMI))

	got, err := l.Handle(context.Background(), diskState())
	require.NoError(t, err)

	require.NotNil(t, got.Instance)
	require.Len(t, fake.instances, 1, "instances launched")
	require.Len(t, fake.groups, 1, "security groups created")
	inst := fake.instances[got.Instance.InstanceID]
	require.NotNil(t, inst, "state names an instance the fake does not have")
	group := fake.groups[got.Instance.SecurityGroupID]
	require.NotNil(t, group, "state names a group the fake does not have")
	assert.Equal(t, fake.subnetAZ[aws.ToString(inst.SubnetId)], got.Instance.AvailabilityZone, "availability zone")

	in := fake.runInputs[0]
	assert.Equal(t, testAMI, aws.ToString(in.ImageId))
	assert.Equal(t, types.InstanceType("m7g.large"), in.InstanceType)
	assert.Equal(t, int32(1), aws.ToInt32(in.MinCount))
	assert.Equal(t, int32(1), aws.ToInt32(in.MaxCount))
	assert.Equal(t, pickSubnet(testLaunchConfig().SubnetIDs, "case-42"), aws.ToString(in.SubnetId))
	assert.Equal(t, []string{got.Instance.SecurityGroupID}, in.SecurityGroupIds)
	assert.Equal(t, testLaunchConfig().InstanceProfileARN, aws.ToString(in.IamInstanceProfile.Arn))
	assert.Equal(t, types.HttpTokensStateRequired, in.MetadataOptions.HttpTokens, "IMDSv2 only")
	assert.Equal(t, int32(1), aws.ToInt32(in.MetadataOptions.HttpPutResponseHopLimit), "hop limit")
	assert.Equal(t, types.ShutdownBehaviorTerminate, in.InstanceInitiatedShutdownBehavior)
	assert.Equal(t, clientToken("case-42-disk", "launch"), aws.ToString(in.ClientToken))
	assert.LessOrEqual(t, len(aws.ToString(in.ClientToken)), 64, "client token length")
	require.Len(t, in.BlockDeviceMappings, 1)
	root := in.BlockDeviceMappings[0]
	assert.Equal(t, "/dev/xvda", aws.ToString(root.DeviceName), "root device of the AMI")
	assert.True(t, aws.ToBool(root.Ebs.Encrypted), "root volume encrypted")
	assert.Equal(t, testLaunchConfig().VolumeKMSKeyARN, aws.ToString(root.Ebs.KmsKeyId))
	assert.Equal(t, int32(30), aws.ToInt32(root.Ebs.VolumeSize), "root volume size of the AMI")

	var tagged []types.ResourceType
	for _, ts := range in.TagSpecifications {
		tagged = append(tagged, ts.ResourceType)
		assert.Contains(t, ts.Tags, types.Tag{Key: aws.String(investigation.TagForensicID), Value: aws.String("case-42")}, "%s tags", ts.ResourceType)
		assert.Contains(t, ts.Tags, types.Tag{Key: aws.String(investigation.TagForensicType), Value: aws.String("DISK")}, "%s tags", ts.ResourceType)
		assert.Contains(t, ts.Tags, types.Tag{Key: aws.String(investigation.TagManagedBy), Value: aws.String(investigation.ManagedByValue)}, "%s tags", ts.ResourceType)
	}
	assert.ElementsMatch(t, []types.ResourceType{types.ResourceTypeInstance, types.ResourceTypeVolume}, tagged, "tagged resource types")

	assert.Equal(t, wantEgress, group.egress, "egress rules: HTTPS to the VPC's associated blocks and S3's prefix list")
	assert.Equal(t, "vpc-1", group.vpc)
	assert.Contains(t, group.tags, types.Tag{Key: aws.String(investigation.TagRole), Value: aws.String(investigation.RoleCaseGroup)})
	assert.Contains(t, group.tags, types.Tag{Key: aws.String(investigation.TagForensicID), Value: aws.String("case-42")})

	assert.Equal(t, []string{"security-group-created", "instance-launched"}, rec.actions())
	assert.Equal(t, got.Instance.InstanceID, rec.events[1].Resources["instanceId"])
	assert.Equal(t, testAMI, rec.events[1].Resources["amiId"])
	assert.Equal(t, StepCreateInstance, rec.events[1].Step)
	assert.Equal(t, testTime, rec.events[1].Time)
	require.Len(t, rec.updates, 1)
	assert.Equal(t, investigation.StatusInProgress, rec.updates[0].Status)
	assert.Equal(t, got.Instance.InstanceID, rec.updates[0].InstanceID)
	assert.Equal(t, "case-42", rec.updates[0].ForensicID)
	assert.Equal(t, investigation.ForensicTypeDisk, rec.updates[0].ForensicType)
}

func TestLaunchRetryGetsTheSameInstance(t *testing.T) {
	fake, rec := newFakeEC2(), &fakeRecorder{}
	l := newLauncher(fake, rec, amiIs(testAMI))

	first, err := l.Handle(context.Background(), diskState())
	require.NoError(t, err)
	second, err := l.Handle(context.Background(), diskState())
	require.NoError(t, err)

	assert.Equal(t, first.Instance, second.Instance, "instance of the retry")
	assert.Len(t, fake.instances, 1, "instances")
	assert.Len(t, fake.groups, 1, "security groups")
	assert.Equal(t, wantEgress, fake.groups[first.Instance.SecurityGroupID].egress, "egress rules after the retry")
	assert.Equal(t, []string{"security-group-created", "instance-launched", "instance-launched"}, rec.actions())
	assert.Equal(t, 1, fake.called("RunInstances"), "RunInstances calls: the retry finds the instance by its tags")
}

func TestLaunchRetryWithoutClientTokenSupport(t *testing.T) {
	tests := []struct {
		name string
		// lookupFails makes the tag lookup fail; the client token still
		// gives the retry the same instance.
		lookupFails   bool
		forgetTokens  bool
		wantInstances int
	}{
		{name: "tag lookup finds the instance", forgetTokens: true, wantInstances: 1},
		{name: "client token gives the instance", lookupFails: true, wantInstances: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := newFakeEC2(), &fakeRecorder{}
			l := newLauncher(fake, rec, amiIs(testAMI))
			first, err := l.Handle(context.Background(), diskState())
			require.NoError(t, err)
			if tt.forgetTokens {
				fake.tokens = map[string]string{}
			}
			if tt.lookupFails {
				fake.fail("DescribeInstances", "", apiErr("UnauthorizedOperation"), 0)
			}

			second, err := l.Handle(context.Background(), diskState())

			require.NoError(t, err)
			assert.Equal(t, first.Instance, second.Instance, "instance of the retry")
			assert.Len(t, fake.instances, tt.wantInstances, "instances")
		})
	}
}

func TestLaunchFails(t *testing.T) {
	tests := []struct {
		name       string
		ami        parameterFunc
		setup      func(*fakeEC2)
		wantReason investigation.Reason
		wantInMsg  string
		// wantGroups is how many security groups remain.
		wantGroups int
	}{
		{
			name:       "AMI parameter missing",
			ami:        func(string) (string, error) { return "", apiErr("ParameterNotFound") },
			wantReason: investigation.ReasonAMIUnavailable,
			wantInMsg:  "/casefile/ami",
		},
		{
			name:       "AMI parameter not an AMI ID",
			ami:        amiIs("latest"),
			wantReason: investigation.ReasonAMIUnavailable,
			wantInMsg:  `"latest"`,
		},
		{
			name:       "AMI does not exist",
			ami:        amiIs("ami-0fedcba9876543210"),
			wantReason: investigation.ReasonAMIUnavailable,
			wantInMsg:  "ami-0fedcba9876543210",
		},
		{
			name:       "security group cannot be created",
			ami:        amiIs(testAMI),
			setup:      func(f *fakeEC2) { f.fail("CreateSecurityGroup", "", apiErr("SecurityGroupLimitExceeded"), 0) },
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "vpc-1",
		},
		{
			name: "egress cannot be restricted",
			ami:  amiIs(testAMI),
			setup: func(f *fakeEC2) {
				f.fail("AuthorizeSecurityGroupEgress", "", apiErr("RulesPerSecurityGroupLimitExceeded"), 0)
			},
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "allow HTTPS egress",
		},
		{
			name:       "VPC cannot be described",
			ami:        amiIs(testAMI),
			setup:      func(f *fakeEC2) { f.fail("DescribeVpcs", "", apiErr("UnauthorizedOperation"), 0) },
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "describe VPC vpc-1",
		},
		{
			name: "VPC without an associated block",
			ami:  amiIs(testAMI),
			setup: func(f *fakeEC2) {
				f.vpcCIDRs["vpc-1"] = f.vpcCIDRs["vpc-1"][1:2] // the disassociated one only
			},
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "VPC vpc-1 has no associated IPv4 CIDR block",
		},
		{
			name:       "no prefix list for S3",
			ami:        amiIs(testAMI),
			setup:      func(f *fakeEC2) { delete(f.prefixLists, "com.amazonaws.eu-west-1.s3") },
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "no managed prefix list com.amazonaws.eu-west-1.s3",
		},
		{
			name:       "no capacity",
			ami:        amiIs(testAMI),
			setup:      func(f *fakeEC2) { f.fail("RunInstances", "", apiErr("InsufficientInstanceCapacity"), 0) },
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "m7g.large",
		},
		{
			name: "no capacity and the group cannot be deleted",
			ami:  amiIs(testAMI),
			setup: func(f *fakeEC2) {
				f.fail("RunInstances", "", apiErr("InsufficientInstanceCapacity"), 0)
				f.fail("DeleteSecurityGroup", "", apiErr("RequestLimitExceeded"), 0)
			},
			wantReason: investigation.ReasonInstanceLaunch,
			wantInMsg:  "InsufficientInstanceCapacity",
			wantGroups: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := newFakeEC2(), &fakeRecorder{}
			if tt.setup != nil {
				tt.setup(fake)
			}
			l := newLauncher(fake, rec, tt.ami)

			got, err := l.Handle(context.Background(), diskState())

			require.Error(t, err)
			assert.Equal(t, tt.wantReason, reasonOf(err), "reason of %v", err)
			assert.Contains(t, err.Error(), tt.wantInMsg)
			assert.Nil(t, got.Instance, "instance in the state")
			assert.Empty(t, fake.instances, "instances")
			assert.Len(t, fake.groups, tt.wantGroups, "security groups left")
			assert.Empty(t, rec.updates, "investigation updates")
		})
	}
}

func TestLaunchRecorderFailureIsReturned(t *testing.T) {
	fake, rec := newFakeEC2(), &fakeRecorder{err: apiErr("ProvisionedThroughputExceededException")}
	l := newLauncher(fake, rec, amiIs(testAMI))

	_, err := l.Handle(context.Background(), diskState())

	require.Error(t, err)
	assert.ErrorContains(t, err, "record security-group-created event")
}

func TestPickSubnet(t *testing.T) {
	subnets := []string{"subnet-a", "subnet-b", "subnet-c"}
	seen := map[string]bool{}
	for _, id := range []string{"case-1", "case-2", "case-3", "case-4", "case-5", "case-6", "case-7", "case-8"} {
		first := pickSubnet(subnets, id)
		assert.Equal(t, first, pickSubnet(subnets, id), "subnet of %s on a second pick", id)
		seen[first] = true
	}
	assert.Greater(t, len(seen), 1, "eight cases should not all land in one subnet")
	assert.Equal(t, "subnet-only", pickSubnet([]string{"subnet-only"}, "case-1"))
}

func TestLaunchNeedsTheRegionForS3sPrefixList(t *testing.T) {
	fake, rec := newFakeEC2(), &fakeRecorder{}
	l := newLauncher(fake, rec, amiIs(testAMI))
	l.Config.Region = ""

	_, err := l.Handle(context.Background(), diskState())

	require.Error(t, err)
	assert.Equal(t, investigation.ReasonInstanceLaunch, reasonOf(err), "reason of %v", err)
	assert.ErrorContains(t, err, "no Region configured")
	assert.Zero(t, fake.called("RunInstances"), "no instance launched")
	assert.Empty(t, fake.groups, "the case group is deleted again")
}
