package ec2isolation_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/ec2isolation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/rolesessions"
	"github.com/casefile-forensics/casefile/test/localaws/moto"
)

const motoRegion = "eu-west-1"

// motoClients are SDK clients for one moto server.
type motoClients struct {
	ec2 *ec2.Client
	iam *iam.Client
	asg *autoscaling.Client
}

func startMoto(t *testing.T) motoClients {
	t.Helper()
	if err := moto.Available(); err != nil {
		testenv.Missing(t, "%v", err)
	}
	srv, err := moto.Start(context.Background(), t.TempDir())
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	creds := credentials.NewStaticCredentialsProvider("testing", "testing", "")
	return motoClients{
		ec2: ec2.New(ec2.Options{Region: motoRegion, BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		iam: iam.New(iam.Options{Region: motoRegion, BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		asg: autoscaling.New(autoscaling.Options{Region: motoRegion, BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
	}
}

// application is the application account's compromised instance, as the
// moto test builds it.
type application struct {
	vpc, subnet       string
	image             string
	instance          string
	web, ssh, db      string // ordinary security groups
	primary, second   string // network interfaces
	profileARN        string
	associationID     string
	allocation        string
	publicIP          string
	associationEIP    string
	privateIP         string
	group             string
	roleName, roleARN string
}

// buildApplication makes a VPC, an Auto Scaling group whose one instance
// has two ordinary groups on its primary interface and one on a second
// interface, an instance profile with a role, and an Elastic IP; and the
// deny profile of the application account.
func buildApplication(t *testing.T, ctx context.Context, c motoClients) application {
	t.Helper()
	var app application
	vpc, err := c.ec2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	require.NoError(t, err)
	app.vpc = aws.ToString(vpc.Vpc.VpcId)
	subnet, err := c.ec2.CreateSubnet(ctx, &ec2.CreateSubnetInput{
		VpcId: aws.String(app.vpc), CidrBlock: aws.String("10.20.1.0/24"), AvailabilityZone: aws.String(motoRegion + "a"),
	})
	require.NoError(t, err)
	subnetID := aws.ToString(subnet.Subnet.SubnetId)
	app.subnet = subnetID
	for _, g := range []struct {
		name string
		id   *string
	}{{"app-web", &app.web}, {"app-ssh", &app.ssh}, {"app-db", &app.db}} {
		out, err := c.ec2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
			GroupName: aws.String(g.name), Description: aws.String("application group " + g.name), VpcId: aws.String(app.vpc),
		})
		require.NoError(t, err)
		*g.id = aws.ToString(out.GroupId)
	}

	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	for _, p := range []struct{ profile, role string }{
		{"app-profile", "app-role"},
		{investigation.DefaultIsolationDenyProfile, "casefile-isolation-deny-all-role"},
	} {
		role, err := c.iam.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(p.role), AssumeRolePolicyDocument: aws.String(trust)})
		require.NoError(t, err)
		profile, err := c.iam.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(p.profile)})
		require.NoError(t, err)
		_, err = c.iam.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{
			InstanceProfileName: aws.String(p.profile), RoleName: aws.String(p.role),
		})
		require.NoError(t, err)
		if p.profile == "app-profile" {
			app.profileARN, app.roleName, app.roleARN = aws.ToString(profile.InstanceProfile.Arn), p.role, aws.ToString(role.Role.Arn)
		}
	}

	img, err := c.ec2.RegisterImage(ctx, &ec2.RegisterImageInput{
		Name: aws.String("application"), Architecture: types.ArchitectureValuesX8664,
		RootDeviceName: aws.String("/dev/xvda"), VirtualizationType: aws.String("hvm"),
	})
	require.NoError(t, err)
	app.image = aws.ToString(img.ImageId)
	lt, err := c.ec2.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{
		LaunchTemplateName: aws.String("application"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: img.ImageId, InstanceType: types.InstanceTypeT3Small},
	})
	require.NoError(t, err)
	app.group = "application-asg"
	_, err = c.asg.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{
		AutoScalingGroupName: aws.String(app.group),
		LaunchTemplate:       &astypes.LaunchTemplateSpecification{LaunchTemplateId: lt.LaunchTemplate.LaunchTemplateId, Version: aws.String("$Latest")},
		MinSize:              aws.Int32(1), MaxSize: aws.Int32(3), DesiredCapacity: aws.Int32(1),
		VPCZoneIdentifier: aws.String(subnetID),
	})
	require.NoError(t, err)
	members, err := c.asg.DescribeAutoScalingInstances(ctx, &autoscaling.DescribeAutoScalingInstancesInput{})
	require.NoError(t, err)
	require.Len(t, members.AutoScalingInstances, 1, "the group launched its instance")
	app.instance = aws.ToString(members.AutoScalingInstances[0].InstanceId)

	inst := describe(t, ctx, c, app.instance)
	require.Len(t, inst.NetworkInterfaces, 1)
	app.primary = aws.ToString(inst.NetworkInterfaces[0].NetworkInterfaceId)
	_, err = c.ec2.ModifyNetworkInterfaceAttribute(ctx, &ec2.ModifyNetworkInterfaceAttributeInput{
		NetworkInterfaceId: aws.String(app.primary), Groups: []string{app.web, app.ssh},
	})
	require.NoError(t, err)
	eni, err := c.ec2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subnetID), Groups: []string{app.db}})
	require.NoError(t, err)
	app.second = aws.ToString(eni.NetworkInterface.NetworkInterfaceId)
	_, err = c.ec2.AttachNetworkInterface(ctx, &ec2.AttachNetworkInterfaceInput{
		NetworkInterfaceId: aws.String(app.second), InstanceId: aws.String(app.instance), DeviceIndex: aws.Int32(1),
	})
	require.NoError(t, err)

	assoc, err := c.ec2.AssociateIamInstanceProfile(ctx, &ec2.AssociateIamInstanceProfileInput{
		InstanceId: aws.String(app.instance), IamInstanceProfile: &types.IamInstanceProfileSpecification{Name: aws.String("app-profile")},
	})
	require.NoError(t, err)
	app.associationID = aws.ToString(assoc.IamInstanceProfileAssociation.AssociationId)

	eip, err := c.ec2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	require.NoError(t, err)
	app.allocation, app.publicIP = aws.ToString(eip.AllocationId), aws.ToString(eip.PublicIp)
	eipAssoc, err := c.ec2.AssociateAddress(ctx, &ec2.AssociateAddressInput{
		AllocationId: eip.AllocationId, NetworkInterfaceId: aws.String(app.primary),
	})
	require.NoError(t, err)
	app.associationEIP = aws.ToString(eipAssoc.AssociationId)
	addrs, err := c.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{app.allocation}})
	require.NoError(t, err)
	require.Len(t, addrs.Addresses, 1)
	app.privateIP = aws.ToString(addrs.Addresses[0].PrivateIpAddress)
	return app
}

func describe(t *testing.T, ctx context.Context, c motoClients, id string) types.Instance {
	t.Helper()
	out, err := c.ec2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	require.NoError(t, err)
	require.Len(t, out.Reservations, 1)
	require.Len(t, out.Reservations[0].Instances, 1)
	return out.Reservations[0].Instances[0]
}

// interfaceGroups reads, afresh, each interface's groups.
func interfaceGroups(t *testing.T, ctx context.Context, c motoClients, id string) map[string]string {
	t.Helper()
	groups := map[string]string{}
	for _, eni := range describe(t, ctx, c, id).NetworkInterfaces {
		var ids []string
		for _, g := range eni.Groups {
			ids = append(ids, aws.ToString(g.GroupId))
		}
		groups[aws.ToString(eni.NetworkInterfaceId)] = strings.Join(ids, ",")
	}
	return groups
}

// TestIsolateInMoto isolates an instance that has everything to isolate
// and checks the result with fresh Describe calls, then isolates it again;
// and a Spot instance that has nothing but its groups.
func TestIsolateInMoto(t *testing.T) {
	ctx := context.Background()
	c := startMoto(t)
	app := buildApplication(t, ctx, c)
	t.Run("everything to isolate", func(t *testing.T) { isolateEverything(t, ctx, c, app) })
	t.Run("Spot instance without profile, Elastic IP or group", func(t *testing.T) { isolateBareSpot(t, ctx, c, app) })
}

func isolateEverything(t *testing.T, ctx context.Context, c motoClients, app application) {

	before := interfaceGroups(t, ctx, c, app.instance)
	require.Equal(t, map[string]string{app.primary: app.web + "," + app.ssh, app.second: app.db}, before, "the instance as built")

	now := time.Date(2026, 12, 4, 11, 30, 0, 0, time.UTC)
	iso := &ec2isolation.Isolator{EC2: c.ec2, IAM: c.iam, AutoScaling: c.asg, Now: func() time.Time { return now }}
	measures, err := iso.Isolate(ctx, ec2isolation.Target{ForensicID: "case-moto", InstanceID: app.instance})
	require.NoError(t, err)
	got := map[investigation.MeasureName]investigation.Measure{}
	for _, m := range measures {
		got[m.Name] = m
		assert.Equal(t, investigation.MeasureApplied, m.Status, "%s (reason %q)", m.Name, m.Reason)
	}
	require.Len(t, got, len(investigation.EC2Measures))

	// Only the no-rule group, on every interface.
	sg := got[investigation.MeasureSecurityGroups]
	deny := sg.Applied[ec2isolation.AppliedDenyGroup]
	allow := sg.Applied[ec2isolation.AppliedAllowGroup]
	assert.Equal(t, map[string]string{app.primary: deny, app.second: deny}, interfaceGroups(t, ctx, c, app.instance))
	assert.Equal(t, before, sg.Original, "the original groups per interface")
	groups, err := c.ec2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{deny, allow}})
	require.NoError(t, err)
	require.Len(t, groups.SecurityGroups, 2)
	for _, g := range groups.SecurityGroups {
		tags := map[string]string{}
		for _, tag := range g.Tags {
			tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
		}
		assert.Equal(t, app.vpc, aws.ToString(g.VpcId), "%s is in the instance's VPC", aws.ToString(g.GroupName))
		assert.Equal(t, "case-moto", tags[investigation.TagForensicID], "%s", aws.ToString(g.GroupName))
		assert.NotContains(t, tags, investigation.TagForensicType, "%s", aws.ToString(g.GroupName))
		switch aws.ToString(g.GroupId) {
		case deny:
			assert.Equal(t, ec2isolation.DenyGroupPrefix+"case-moto", aws.ToString(g.GroupName))
			assert.Empty(t, g.IpPermissions, "the no-rule group has no inbound rule")
			assert.Empty(t, g.IpPermissionsEgress, "the no-rule group has no outbound rule")
		case allow:
			assert.Equal(t, ec2isolation.AllowGroupPrefix+"case-moto", aws.ToString(g.GroupName))
			assert.Equal(t, []string{"-1 0.0.0.0/0 ::/0"}, rules(g.IpPermissions), "the allow-all group's inbound rules")
			assert.Equal(t, []string{"-1 0.0.0.0/0 ::/0"}, rules(g.IpPermissionsEgress), "the allow-all group's outbound rules")
		}
	}

	// The deny profile.
	assocs, err := c.ec2.DescribeIamInstanceProfileAssociations(ctx, &ec2.DescribeIamInstanceProfileAssociationsInput{
		Filters: []types.Filter{{Name: aws.String("instance-id"), Values: []string{app.instance}}},
	})
	require.NoError(t, err)
	require.Len(t, assocs.IamInstanceProfileAssociations, 1)
	denyProfile, err := c.iam.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(investigation.DefaultIsolationDenyProfile)})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(denyProfile.InstanceProfile.Arn), aws.ToString(assocs.IamInstanceProfileAssociations[0].IamInstanceProfile.Arn),
		"the instance has the deny profile")
	assert.Equal(t, map[string]string{ec2isolation.KeyInstanceProfileARN: app.profileARN, ec2isolation.KeyAssociationID: app.associationID},
		got[investigation.MeasureInstanceProfile].Original)

	// The original role's older sessions revoked.
	sessions := got[investigation.MeasureRoleSessions]
	assert.Equal(t, app.roleARN, sessions.Target)
	policy, err := c.iam.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(app.roleName), PolicyName: aws.String(rolesessions.PolicyName)})
	require.NoError(t, err)
	doc, err := url.QueryUnescape(aws.ToString(policy.PolicyDocument))
	require.NoError(t, err)
	assert.Contains(t, doc, `"aws:TokenIssueTime":"2026-12-04T11:30:01Z"`, "the whole second after the clock")

	// Termination protection.
	attr, err := c.ec2.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
		InstanceId: aws.String(app.instance), Attribute: types.InstanceAttributeNameDisableApiTermination,
	})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(attr.DisableApiTermination.Value), "termination protection is on")
	assert.Equal(t, map[string]string{ec2isolation.KeyDisableAPITermination: "false"}, got[investigation.MeasureTerminationProtection].Original)

	// No Elastic IP.
	addrs, err := c.ec2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{app.allocation}})
	require.NoError(t, err)
	require.Len(t, addrs.Addresses, 1)
	assert.Nil(t, addrs.Addresses[0].AssociationId, "the Elastic IP is disassociated")
	assert.Equal(t, map[string]string{
		app.allocation + ec2isolation.KeySuffixPublicIP: app.publicIP, app.allocation + ec2isolation.KeySuffixAssociationID: app.associationEIP,
		app.allocation + ec2isolation.KeySuffixNetworkInterface: app.primary, app.allocation + ec2isolation.KeySuffixPrivateIP: app.privateIP,
	}, got[investigation.MeasureElasticIPs].Original)

	// Out of the group, which keeps its desired capacity.
	members, err := c.asg.DescribeAutoScalingInstances(ctx, &autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: []string{app.instance}})
	require.NoError(t, err)
	assert.Empty(t, members.AutoScalingInstances, "the instance is out of its Auto Scaling group")
	asgs, err := c.asg.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{app.group}})
	require.NoError(t, err)
	require.Len(t, asgs.AutoScalingGroups, 1)
	assert.Equal(t, int32(1), aws.ToInt32(asgs.AutoScalingGroups[0].DesiredCapacity), "the group's desired capacity is unchanged")
	assert.Equal(t, map[string]string{
		ec2isolation.KeyAutoScalingGroup: app.group, ec2isolation.KeyProtectedFromScaleIn: "false", ec2isolation.KeyLifecycleState: "InService",
	}, got[investigation.MeasureAutoScaling].Original)

	// A second run finds the instance isolated, with the same originals.
	again, err := iso.Isolate(ctx, ec2isolation.Target{ForensicID: "case-other", InstanceID: app.instance})
	require.NoError(t, err)
	for _, m := range again {
		want := got[m.Name]
		want.Reason = "already isolated by case case-moto"
		assert.Equal(t, want, m, "%s on the second run", m.Name)
	}
	tags := map[string]string{}
	for _, tag := range describe(t, ctx, c, app.instance).Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	assert.Equal(t, "case-moto", tags[ec2isolation.TagIsolatedBy])
}

// rules lists permissions as "protocol cidr... ipv6cidr...".
func rules(perms []types.IpPermission) []string {
	var out []string
	for _, p := range perms {
		parts := []string{aws.ToString(p.IpProtocol)}
		for _, r := range p.IpRanges {
			parts = append(parts, aws.ToString(r.CidrIp))
		}
		for _, r := range p.Ipv6Ranges {
			parts = append(parts, aws.ToString(r.CidrIpv6))
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out
}

// isolateBareSpot isolates a Spot instance outside any Auto Scaling group,
// without an instance profile or an Elastic IP. moto accepts termination
// protection on a Spot instance, which EC2 refuses; the isolation must not
// try it.
func isolateBareSpot(t *testing.T, ctx context.Context, c motoClients, app application) {
	run, err := c.ec2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(app.image), InstanceType: types.InstanceTypeT3Small, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		SubnetId: aws.String(app.subnet), InstanceMarketOptions: &types.InstanceMarketOptionsRequest{MarketType: types.MarketTypeSpot},
	})
	require.NoError(t, err)
	id := aws.ToString(run.Instances[0].InstanceId)
	// The group is set on the interface rather than at launch: moto
	// reports an interface's groups joined with the groups the instance
	// was launched with, even after ModifyNetworkInterfaceAttribute
	// replaced them (EC2 reports the interface's own).
	_, err = c.ec2.ModifyNetworkInterfaceAttribute(ctx, &ec2.ModifyNetworkInterfaceAttributeInput{
		NetworkInterfaceId: run.Instances[0].NetworkInterfaces[0].NetworkInterfaceId, Groups: []string{app.web},
	})
	require.NoError(t, err)
	require.Equal(t, types.InstanceLifecycleTypeSpot, describe(t, ctx, c, id).InstanceLifecycle, "moto launched a Spot instance")

	iso := &ec2isolation.Isolator{EC2: c.ec2, IAM: c.iam, AutoScaling: c.asg}
	measures, err := iso.Isolate(ctx, ec2isolation.Target{ForensicID: "case-spot", InstanceID: id})
	require.NoError(t, err)
	status := map[investigation.MeasureName]investigation.MeasureStatus{}
	for _, m := range measures {
		status[m.Name] = m.Status
	}
	assert.Equal(t, map[investigation.MeasureName]investigation.MeasureStatus{
		investigation.MeasureSecurityGroups:        investigation.MeasureApplied,
		investigation.MeasureInstanceProfile:       investigation.MeasureApplied,
		investigation.MeasureRoleSessions:          investigation.MeasureSkipped,
		investigation.MeasureTerminationProtection: investigation.MeasureImpossible,
		investigation.MeasureElasticIPs:            investigation.MeasureSkipped,
		investigation.MeasureAutoScaling:           investigation.MeasureSkipped,
	}, status)
	attr, err := c.ec2.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
		InstanceId: aws.String(id), Attribute: types.InstanceAttributeNameDisableApiTermination,
	})
	require.NoError(t, err)
	assert.False(t, aws.ToBool(attr.DisableApiTermination.Value), "termination protection was not tried on the Spot instance")
	assocs, err := c.ec2.DescribeIamInstanceProfileAssociations(ctx, &ec2.DescribeIamInstanceProfileAssociationsInput{
		Filters: []types.Filter{{Name: aws.String("instance-id"), Values: []string{id}}},
	})
	require.NoError(t, err)
	require.Len(t, assocs.IamInstanceProfileAssociations, 1, "the deny profile is associated")
	assert.True(t, strings.HasSuffix(aws.ToString(assocs.IamInstanceProfileAssociations[0].IamInstanceProfile.Arn), "/"+investigation.DefaultIsolationDenyProfile))
	sg := measures[0]
	require.Equal(t, investigation.MeasureSecurityGroups, sg.Name)
	eni := aws.ToString(run.Instances[0].NetworkInterfaces[0].NetworkInterfaceId)
	assert.Equal(t, map[string]string{eni: app.web}, sg.Original)
	assert.Equal(t, map[string]string{eni: sg.Applied[ec2isolation.AppliedDenyGroup]}, interfaceGroups(t, ctx, c, id),
		"the interface has only the no-rule group")
}
