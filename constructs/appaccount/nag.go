package appaccount

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppressIsolationRoleFindings records, beside the isolation role, why its
// wildcard resources are the narrowest IAM allows.
func suppressIsolationRoleFindings(role awsiam.Role) {
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("The Describe actions (EC2 instances, attributes, profile associations, addresses, " +
			"security groups, snapshots; Auto Scaling instances) are authorized on Resource \"*\" only. The other " +
			"wildcards are the application account's own resources of one type each (instances, network interfaces, " +
			"security groups, Elastic IPs, Auto Scaling groups, roles, instance profiles, EKS clusters and Pod Identity " +
			"associations, snapshots) in any Region, as the suspect instance or workload is known only when a case runs."),
		AppliesTo: &[]any{
			"Resource::*",
			&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:<AWS::Partition>:(ec2|iam|autoscaling|eks):\*?:(<AWS::AccountId>)?:[A-Za-z-]+(\/\*|:\*:autoScalingGroupName\/\*)$/`)},
		},
	}}, jsii.Bool(true))
}
