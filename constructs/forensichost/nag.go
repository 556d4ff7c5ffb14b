package forensichost

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppressInstanceRoleFindings records, beside the role, why its wildcard
// resources are the narrowest possible.
func suppressInstanceRoleFindings(role awsiam.Role) {
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("The SSM agent's actions (ssm:UpdateInstanceInformation, ssmmessages:*Channel, " +
			"ec2messages:*Message) are authorized on Resource \"*\" only. The S3 object wildcards are " +
			"the evidence bucket's objects, the symbol tables' prefix and the results bucket's cases/ prefix: " +
			"case IDs are not known at deploy time."),
		AppliesTo: &[]any{
			"Resource::*",
			// Objects of a bucket of this stack, or of an imported one.
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::<[^>]+\.Arn>\/([^*]*\/)?\*$/`)},
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:<AWS::Partition>:s3:::[^/]+\/([^*]*\/)?\*$/`)},
		},
	}}, jsii.Bool(true))
}

// suppressEndpointGroupFindings: AwsSolutions-EC23 (no inbound from
// anywhere) cannot read a CIDR that CloudFormation resolves; the group's only
// inbound rule is TCP 443 from the VPC's own CIDR.
func suppressEndpointGroupFindings(group awsec2.SecurityGroup) {
	cdknag.NagSuppressions_AddResourceSuppressions(group, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("CdkNagValidationFailure"),
		Reason:    jsii.String("The only inbound rule is TCP 443 from the VPC's CIDR, a CloudFormation attribute that AwsSolutions-EC23 cannot evaluate."),
		AppliesTo: &[]any{"AwsSolutions-EC23"},
	}}, jsii.Bool(true))
}
