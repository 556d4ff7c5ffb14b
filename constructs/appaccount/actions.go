package appaccount

// The actions the isolation role is allowed, each by name: what the EC2 and
// EKS isolation of lambdas/isolation calls in an application account.
const (
	ec2DescribeInstances                      = "ec2:DescribeInstances"
	ec2DescribeInstanceAttribute              = "ec2:DescribeInstanceAttribute"
	ec2DescribeIamInstanceProfileAssociations = "ec2:DescribeIamInstanceProfileAssociations"
	ec2DescribeAddresses                      = "ec2:DescribeAddresses"
	ec2DescribeSecurityGroups                 = "ec2:DescribeSecurityGroups"
	ec2CreateSecurityGroup                    = "ec2:CreateSecurityGroup"
	ec2AuthorizeSecurityGroupIngress          = "ec2:AuthorizeSecurityGroupIngress"
	ec2AuthorizeSecurityGroupEgress           = "ec2:AuthorizeSecurityGroupEgress"
	ec2RevokeSecurityGroupEgress              = "ec2:RevokeSecurityGroupEgress"
	ec2ModifyNetworkInterfaceAttribute        = "ec2:ModifyNetworkInterfaceAttribute"
	ec2ModifyInstanceAttribute                = "ec2:ModifyInstanceAttribute"
	ec2ReplaceIamInstanceProfileAssociation   = "ec2:ReplaceIamInstanceProfileAssociation"
	ec2AssociateIamInstanceProfile            = "ec2:AssociateIamInstanceProfile"
	ec2DisassociateAddress                    = "ec2:DisassociateAddress"
	ec2CreateTags                             = "ec2:CreateTags"
	iamGetInstanceProfile                     = "iam:GetInstanceProfile"
	iamPutRolePolicy                          = "iam:PutRolePolicy"
	iamPassRole                               = "iam:PassRole"
	autoscalingDescribeAutoScalingInstances   = "autoscaling:DescribeAutoScalingInstances"
	autoscalingSetInstanceProtection          = "autoscaling:SetInstanceProtection"
	autoscalingDetachInstances                = "autoscaling:DetachInstances"
	eksDescribeCluster                        = "eks:DescribeCluster"
	eksListPodIdentityAssociations            = "eks:ListPodIdentityAssociations"
	eksDescribePodIdentityAssociation         = "eks:DescribePodIdentityAssociation"
	eksDeletePodIdentityAssociation           = "eks:DeletePodIdentityAssociation"
)

// The actions that Props.ShareEvidence adds: snapshot a suspect instance's
// volumes and share the snapshots with the forensic account.
const (
	ec2DescribeSnapshots       = "ec2:DescribeSnapshots"
	ec2CreateSnapshot          = "ec2:CreateSnapshot"
	ec2CreateSnapshots         = "ec2:CreateSnapshots"
	ec2ModifySnapshotAttribute = "ec2:ModifySnapshotAttribute"
)

// protectedIdentityActions are the IAM writes explicitly denied on the
// isolation role, the deny role and the deny profile, so that a caller of
// the isolation role cannot widen or undo them (iam:PutRolePolicy above all,
// which the role needs on other roles to revoke their sessions).
func protectedIdentityActions() []string {
	return []string{
		"iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
		"iam:UpdateAssumeRolePolicy", "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
		"iam:UpdateRole", "iam:UpdateRoleDescription", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole",
		"iam:AddRoleToInstanceProfile", "iam:RemoveRoleFromInstanceProfile", "iam:DeleteInstanceProfile",
	}
}

// IsolationActions lists every action the isolation role is allowed without
// Props.ShareEvidence, sorted: what the isolation packages' RequiredActions
// must stay within.
func IsolationActions() []string {
	return []string{
		autoscalingDescribeAutoScalingInstances, autoscalingDetachInstances, autoscalingSetInstanceProtection,
		ec2AssociateIamInstanceProfile, ec2AuthorizeSecurityGroupEgress, ec2AuthorizeSecurityGroupIngress,
		ec2CreateSecurityGroup, ec2CreateTags, ec2DescribeAddresses, ec2DescribeIamInstanceProfileAssociations,
		ec2DescribeInstanceAttribute, ec2DescribeInstances, ec2DescribeSecurityGroups, ec2DisassociateAddress,
		ec2ModifyInstanceAttribute, ec2ModifyNetworkInterfaceAttribute, ec2ReplaceIamInstanceProfileAssociation,
		ec2RevokeSecurityGroupEgress,
		eksDeletePodIdentityAssociation, eksDescribeCluster, eksDescribePodIdentityAssociation, eksListPodIdentityAssociations,
		iamGetInstanceProfile, iamPassRole, iamPutRolePolicy,
	}
}

// EvidenceSharingActions lists the actions Props.ShareEvidence adds, sorted.
func EvidenceSharingActions() []string {
	return []string{ec2CreateSnapshot, ec2CreateSnapshots, ec2DescribeSnapshots, ec2ModifySnapshotAttribute}
}
