package appaccount

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// arns builds the ARN patterns of the application account's resources. The
// IAM role is global, so the patterns match every Region of the account.
type arns struct{ partition, account string }

func accountARNs() arns {
	return arns{partition: *awscdk.Aws_PARTITION(), account: *awscdk.Aws_ACCOUNT_ID()}
}

// ec2 is every EC2 resource of a type in the account, such as instance/*.
func (a arns) ec2(resourceType string) string {
	return "arn:" + a.partition + ":ec2:*:" + a.account + ":" + resourceType + "/*"
}

// snapshots is every EBS snapshot: snapshot ARNs carry no account.
func (a arns) snapshots() string { return "arn:" + a.partition + ":ec2:*::snapshot/*" }

func (a arns) iam(resource string) string {
	return "arn:" + a.partition + ":iam::" + a.account + ":" + resource
}

func (a arns) autoScalingGroups() string {
	return "arn:" + a.partition + ":autoscaling:*:" + a.account + ":autoScalingGroup:*:autoScalingGroupName/*"
}

func (a arns) eks(resource string) string {
	return "arn:" + a.partition + ":eks:*:" + a.account + ":" + resource
}

// isolationStatements are what the isolation role may do: read the
// instance's state with the Describe actions (which IAM authorizes on "*"
// only), and change instances, their network interfaces, their Elastic IP
// associations, their Auto Scaling groups, the account's roles' inline
// policies (to revoke sessions) and EKS Pod Identity associations, all
// within the account; create security groups tagged as Casefile's and set
// the rules of those only; write only Casefile's tags; pass only the deny
// role, only to EC2.
func isolationStatements(a arns, denyRoleARN *string) []awsiam.PolicyStatement {
	return []awsiam.PolicyStatement{
		allow("ReadInstanceState", []string{
			ec2DescribeInstances, ec2DescribeInstanceAttribute, ec2DescribeIamInstanceProfileAssociations,
			ec2DescribeAddresses, ec2DescribeSecurityGroups, autoscalingDescribeAutoScalingInstances,
		}, "*"),
		// The groups isolation creates carry Casefile's tag from their
		// creation; only such groups get rules, so the role cannot open the
		// account's other groups. CreateSecurityGroup is authorized on the
		// VPC and on the new group apart: the request's tags are a
		// condition key of the group only, so the VPC's statement has no
		// tag condition (IAM would refuse every creation with one).
		allow("CreateIsolationGroupsInVpcs", []string{ec2CreateSecurityGroup}, a.ec2("vpc")),
		withConditions(allow("CreateIsolationGroups", []string{ec2CreateSecurityGroup}, a.ec2("security-group")),
			casefileRequestTag()),
		withConditions(allow("SetIsolationGroupRules", groupRuleActions(), a.ec2("security-group")), casefileResourceTag()),
		allow("SetIsolationGroupRuleResources", groupRuleActions(), a.ec2("security-group-rule")),
		allow("SwapGroupsAndProtectInstances", []string{ec2ModifyNetworkInterfaceAttribute, ec2ModifyInstanceAttribute},
			a.ec2("instance"), a.ec2("network-interface"), a.ec2("security-group"), a.ec2("subnet"), a.ec2("vpc")),
		allow("ReplaceInstanceProfiles", []string{ec2ReplaceIamInstanceProfileAssociation, ec2AssociateIamInstanceProfile},
			a.ec2("instance")),
		allow("DisassociateElasticIps", []string{ec2DisassociateAddress},
			a.ec2("elastic-ip"), a.ec2("instance"), a.ec2("network-interface")),
		// Isolation's tags (the case, the original settings) are all
		// Casefile's; no other tag of the account's resources is touched.
		withConditions(allow("TagIsolatedInstances", []string{ec2CreateTags}, a.ec2("instance")),
			map[string]any{"ForAllValues:StringLike": map[string]any{"aws:TagKeys": CasefileTagKeys}}),
		// A group is tagged only as it is created: tagging an existing
		// group as Casefile's would let the rule statements above open it.
		withConditions(allow("TagIsolationGroupsAtCreation", []string{ec2CreateTags}, a.ec2("security-group")),
			map[string]any{
				"StringEquals":            map[string]any{"ec2:CreateAction": "CreateSecurityGroup"},
				"ForAllValues:StringLike": map[string]any{"aws:TagKeys": CasefileTagKeys},
			}),
		allow("ReadInstanceProfiles", []string{iamGetInstanceProfile}, a.iam("instance-profile/*")),
		allow("RevokeRoleSessions", []string{iamPutRolePolicy}, a.iam("role/*")),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("PassOnlyTheDenyRoleToEc2"),
			Actions:    jsii.Strings(iamPassRole),
			Resources:  &[]*string{denyRoleARN},
			Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ec2.amazonaws.com"}},
		}),
		allow("KeepInstancesInTheirGroups", []string{autoscalingSetInstanceProtection, autoscalingDetachInstances},
			a.autoScalingGroups()),
		allow("ReadClusters", []string{eksDescribeCluster, eksListPodIdentityAssociations}, a.eks("cluster/*")),
		allow("RemovePodIdentities", []string{eksDescribePodIdentityAssociation, eksDeletePodIdentityAssociation},
			a.eks("podidentityassociation/*")),
	}
}

// protectionStatement denies the IAM writes on Casefile's own identities in
// the account, which the Allow statements would otherwise partly permit.
func protectionStatement(identityARNs ...*string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("ProtectCasefileIdentities"),
		Effect:    awsiam.Effect_DENY,
		Actions:   jsii.Strings(protectedIdentityActions()...),
		Resources: &identityARNs,
	})
}

// evidenceStatements let the role snapshot a suspect instance's volumes,
// tag the new snapshots, and add a create-volume permission for the forensic
// account, and for no other account and never for everyone.
func evidenceStatements(a arns, forensicAccount *string) []awsiam.PolicyStatement {
	return []awsiam.PolicyStatement{
		allow("ReadSnapshots", []string{ec2DescribeSnapshots}, "*"),
		allow("SnapshotVolumes", []string{ec2CreateSnapshot, ec2CreateSnapshots},
			a.snapshots(), a.ec2("volume"), a.ec2("instance")),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("TagNewSnapshots"),
			Actions:   jsii.Strings(ec2CreateTags),
			Resources: jsii.Strings(a.snapshots()),
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"ec2:CreateAction": []string{"CreateSnapshot", "CreateSnapshots"}},
			},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("ShareSnapshotsWithTheForensicAccount"),
			Actions:    jsii.Strings(ec2ModifySnapshotAttribute),
			Resources:  jsii.Strings(a.snapshots()),
			Conditions: &map[string]any{"StringEquals": map[string]any{"ec2:Add/userId": forensicAccount}},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("NeverShareSnapshotsWithGroups"),
			Effect:     awsiam.Effect_DENY,
			Actions:    jsii.Strings(ec2ModifySnapshotAttribute),
			Resources:  jsii.Strings(a.snapshots()),
			Conditions: &map[string]any{"Null": map[string]any{"ec2:Add/group": "false"}},
		}),
	}
}

// CasefileTagKeys matches the keys of every tag Casefile puts on an
// application account's resources (investigation.TagManagedBy and the
// other casefile: tags): the only tags the isolation role may write.
const CasefileTagKeys = "casefile:*"

func groupRuleActions() []string {
	return []string{ec2AuthorizeSecurityGroupIngress, ec2AuthorizeSecurityGroupEgress, ec2RevokeSecurityGroupEgress}
}

// casefileRequestTag requires the request to tag what it creates as
// Casefile's (investigation.TagManagedBy).
func casefileRequestTag() map[string]any {
	return map[string]any{"StringEquals": map[string]any{"aws:RequestTag/" + investigation.TagManagedBy: investigation.ManagedByValue}}
}

// casefileResourceTag requires the resource to be tagged as Casefile's.
func casefileResourceTag() map[string]any {
	return map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/" + investigation.TagManagedBy: investigation.ManagedByValue}}
}

// withConditions adds conditions to a statement and returns it.
func withConditions(st awsiam.PolicyStatement, conditions map[string]any) awsiam.PolicyStatement {
	st.AddConditions(&conditions)
	return st
}

// denyEverything is the deny role's one statement.
func denyEverything() awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("DenyEverything"),
		Effect:    awsiam.Effect_DENY,
		Actions:   jsii.Strings("*"),
		Resources: jsii.Strings("*"),
	})
}

func allow(sid string, actions []string, resources ...string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(resources...),
	})
}
