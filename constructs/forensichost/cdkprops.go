package forensichost

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"
)

// This file is the one place where Props become jsii values.

const (
	maxAzs         = 2
	subnetCIDRMask = 24
)

// vpcProps: only isolated subnets, so CDK creates no internet gateway and no
// NAT; both are also refused explicitly. The default security group is left
// as EC2 makes it (restricting it needs a custom resource): nothing in this
// VPC uses it, as the endpoints and each case's instance have their own.
func vpcProps() *awsec2.VpcProps {
	return &awsec2.VpcProps{
		MaxAzs:                       jsii.Number(maxAzs),
		NatGateways:                  jsii.Number(0),
		CreateInternetGateway:        jsii.Bool(false),
		RestrictDefaultSecurityGroup: jsii.Bool(false),
		EnableDnsHostnames:           jsii.Bool(true),
		EnableDnsSupport:             jsii.Bool(true),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{
			Name:       jsii.String(isolatedSubnetGroup),
			SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED,
			CidrMask:   jsii.Number(subnetCIDRMask),
		}},
	}
}

// flowLogGroupProps: flow logs carry addresses and ports, not evidence, so
// the log group keeps CloudWatch Logs' own encryption.
func (p Props) flowLogGroupProps() *awslogs.LogGroupProps {
	return &awslogs.LogGroupProps{
		Retention:     p.FlowLogRetention,
		RemovalPolicy: p.RemovalPolicy,
	}
}

func flowLogOptions(logs awslogs.ILogGroup) *awsec2.FlowLogOptions {
	return &awsec2.FlowLogOptions{
		Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(logs, nil),
		TrafficType: awsec2.FlowLogTrafficType_ALL,
	}
}

func isolatedSubnets() *awsec2.SubnetSelection {
	return &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}
}

func s3EndpointOptions() *awsec2.GatewayVpcEndpointOptions {
	return &awsec2.GatewayVpcEndpointOptions{
		Service: awsec2.GatewayVpcEndpointAwsService_S3(),
		Subnets: &[]*awsec2.SubnetSelection{isolatedSubnets()},
	}
}

func endpointGroupProps(vpc awsec2.IVpc) *awsec2.SecurityGroupProps {
	return &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("Casefile VPC endpoints: HTTPS from the VPC only"),
		AllowAllOutbound: jsii.Bool(false),
	}
}

// interfaceEndpointOptions: Open is off so that the only rule is the
// group's own (443 from the VPC's CIDR).
func interfaceEndpointOptions(service awsec2.IInterfaceVpcEndpointService, group awsec2.ISecurityGroup) *awsec2.InterfaceVpcEndpointOptions {
	return &awsec2.InterfaceVpcEndpointOptions{
		Service:           service,
		PrivateDnsEnabled: jsii.Bool(true),
		Open:              jsii.Bool(false),
		SecurityGroups:    &[]awsec2.ISecurityGroup{group},
		Subnets:           isolatedSubnets(),
	}
}

func (n ExistingNetwork) vpcAttributes() *awsec2.VpcAttributes {
	attrs := &awsec2.VpcAttributes{
		VpcId:             jsii.String(n.VpcID),
		AvailabilityZones: jsii.Strings(n.AvailabilityZones...),
		IsolatedSubnetIds: jsii.Strings(n.SubnetIDs...),
	}
	if len(n.RouteTableIDs) != 0 {
		attrs.IsolatedSubnetRouteTableIds = jsii.Strings(n.RouteTableIDs...)
	}
	return attrs
}

func (p Props) volumeKeyProps() *awskms.KeyProps {
	return &awskms.KeyProps{
		Description:       jsii.String("Casefile forensic instance and evidence volumes"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     p.RemovalPolicy,
	}
}

// amiParameterProps: the data type is text, not aws:ec2:image. With
// aws:ec2:image, SSM checks that the AMI exists and is visible to the
// account when the parameter is written, which would make the deployment
// fail (or need credentials and a real AMI) for a value that the Create
// Instance step validates anyway when it launches.
func (p Props) amiParameterProps() *awsssm.StringParameterProps {
	return &awsssm.StringParameterProps{
		Description:    jsii.String("Casefile forensic AMI ID"),
		StringValue:    jsii.String(p.AMIID),
		DataType:       awsssm.ParameterDataType_TEXT,
		AllowedPattern: jsii.String(amiIDPattern.String()),
		Tier:           awsssm.ParameterTier_STANDARD,
	}
}

func instanceRoleProps() *awsiam.RoleProps {
	return &awsiam.RoleProps{
		Description: jsii.String("Casefile forensic instance: SSM agent, evidence read, results write"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
	}
}
