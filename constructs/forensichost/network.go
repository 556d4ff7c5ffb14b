package forensichost

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Construct IDs in the network.
const (
	idVpc               = "Vpc"
	idFlowLogGroup      = "FlowLogGroup"
	idFlowLog           = "FlowLog"
	idEndpointGroup     = "EndpointSecurityGroup"
	idS3Endpoint        = "S3Endpoint"
	isolatedSubnetGroup = "Forensic"
	httpsPort           = 443
	// warningNoRouteTableID is CDK's warning on an imported subnet without
	// a route table ID.
	warningNoRouteTableID = "@aws-cdk/aws-ec2:noSubnetRouteTableId"
)

// interfaceEndpoint is a service the forensic instance reaches through the
// VPC rather than the internet.
type interfaceEndpoint struct {
	id      string
	service awsec2.InterfaceVpcEndpointAwsService
}

// interfaceEndpoints: the SSM agent's three services (SSM, SSM Messages, EC2
// Messages), EC2, KMS and CloudWatch Logs.
func interfaceEndpoints() []interfaceEndpoint {
	return []interfaceEndpoint{
		{"SsmEndpoint", awsec2.InterfaceVpcEndpointAwsService_SSM()},
		{"SsmMessagesEndpoint", awsec2.InterfaceVpcEndpointAwsService_SSM_MESSAGES()},
		{"Ec2MessagesEndpoint", awsec2.InterfaceVpcEndpointAwsService_EC2_MESSAGES()},
		{"Ec2Endpoint", awsec2.InterfaceVpcEndpointAwsService_EC2()},
		{"KmsEndpoint", awsec2.InterfaceVpcEndpointAwsService_KMS()},
		{"LogsEndpoint", awsec2.InterfaceVpcEndpointAwsService_CLOUDWATCH_LOGS()},
	}
}

// network is where the forensic instances run.
type network struct {
	vpc       awsec2.IVpc
	subnetIDs []string
}

// newNetwork returns p.ExistingNetwork as given, or creates an isolated VPC:
// two zones, isolated subnets only (no internet gateway, no NAT), flow logs
// to CloudWatch Logs, and endpoints for what the instance calls. The S3
// gateway endpoint's policy admits only the buckets in s3Resources: the
// instance examines hostile evidence, and the endpoint is its only way out.
func newNetwork(scope constructs.Construct, p Props, s3Resources []string) network {
	if n := p.ExistingNetwork; n != nil {
		vpc := awsec2.Vpc_FromVpcAttributes(scope, jsii.String(idVpc), n.vpcAttributes())
		if len(n.RouteTableIDs) == 0 {
			awscdk.Annotations_Of(scope).AcknowledgeWarning(jsii.String(warningNoRouteTableID),
				jsii.String("Casefile reads no route table of an existing VPC; ExistingNetwork.RouteTableIDs is optional"))
		}
		return network{vpc: vpc, subnetIDs: n.SubnetIDs}
	}

	vpc := awsec2.NewVpc(scope, jsii.String(idVpc), vpcProps())
	logs := awslogs.NewLogGroup(scope, jsii.String(idFlowLogGroup), p.flowLogGroupProps())
	vpc.AddFlowLog(jsii.String(idFlowLog), flowLogOptions(logs))

	s3 := vpc.AddGatewayEndpoint(jsii.String(idS3Endpoint), s3EndpointOptions())
	s3.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings(instanceS3Actions()...),
		Resources:  jsii.Strings(s3Resources...),
	}))

	group := awsec2.NewSecurityGroup(scope, jsii.String(idEndpointGroup), endpointGroupProps(vpc))
	group.AddIngressRule(awsec2.Peer_Ipv4(vpc.VpcCidrBlock()), awsec2.Port_Tcp(jsii.Number(httpsPort)),
		jsii.String("HTTPS from the VPC"), nil)
	suppressEndpointGroupFindings(group)
	for _, e := range interfaceEndpoints() {
		vpc.AddInterfaceEndpoint(jsii.String(e.id), interfaceEndpointOptions(e.service, group))
	}

	var subnetIDs []string
	for _, subnet := range *vpc.IsolatedSubnets() {
		subnetIDs = append(subnetIDs, *subnet.SubnetId())
	}
	return network{vpc: vpc, subnetIDs: subnetIDs}
}
