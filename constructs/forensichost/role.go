package forensichost

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Construct IDs of the instance identity.
const (
	idInstanceRole    = "InstanceRole"
	idInstanceProfile = "InstanceProfile"
)

// ssmAgentActions are what the SSM agent calls to register, stay Online and
// run commands: the Run Command subset of AmazonSSMManagedInstanceCore,
// without its association, inventory, patching and parameter actions. AWS
// authorizes these actions on "*" only.
func ssmAgentActions() []string {
	return []string{
		"ssm:UpdateInstanceInformation",
		"ssmmessages:CreateControlChannel",
		"ssmmessages:CreateDataChannel",
		"ssmmessages:OpenControlChannel",
		"ssmmessages:OpenDataChannel",
		"ec2messages:AcknowledgeMessage",
		"ec2messages:DeleteMessage",
		"ec2messages:FailMessage",
		"ec2messages:GetEndpoint",
		"ec2messages:GetMessages",
		"ec2messages:SendReply",
	}
}

// S3 actions of the instance. Reading: the evidence and the symbol tables.
// Writing: the results and the SSM command output, which the agent uploads
// with the bucket-owner-full-control ACL (hence PutObjectAcl, which grants
// nothing more on a bucket whose ACLs are disabled) after reading the
// bucket's encryption configuration.
const (
	s3GetObject                  = "s3:GetObject"
	s3ListBucket                 = "s3:ListBucket"
	s3PutObject                  = "s3:PutObject"
	s3PutObjectACL               = "s3:PutObjectAcl"
	s3AbortMultipartUpload       = "s3:AbortMultipartUpload"
	s3GetEncryptionConfiguration = "s3:GetEncryptionConfiguration"
)

// instanceS3Actions lists every S3 action the instance uses, for the S3
// endpoint's policy.
func instanceS3Actions() []string {
	return []string{s3GetObject, s3ListBucket, s3PutObject, s3PutObjectACL, s3AbortMultipartUpload,
		s3GetEncryptionConfiguration}
}

// instanceIdentity is the forensic instance's role and profile.
type instanceIdentity struct {
	role    awsiam.Role
	profile awsiam.InstanceProfile
}

// newInstanceIdentity creates the role that the forensic instance runs with
// and its instance profile. The role can do what the SSM documents need and
// nothing else: run the SSM agent, read the evidence (and the symbol tables),
// write under the results bucket's cases/ prefix, and use those buckets' keys
// for that. Every action is named; none is a wildcard.
func newInstanceIdentity(scope constructs.Construct, p Props) instanceIdentity {
	role := awsiam.NewRole(scope, jsii.String(idInstanceRole), instanceRoleProps())
	profile := awsiam.NewInstanceProfile(scope, jsii.String(idInstanceProfile),
		&awsiam.InstanceProfileProps{Role: role})

	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("SSMAgent"),
		Actions:   jsii.Strings(ssmAgentActions()...),
		Resources: jsii.Strings("*"),
	}))

	grantObjects(role, p.EvidenceBucket, "*", s3GetObject, "kms:Decrypt")

	if !p.symbolsInEvidence() {
		grantObjects(role, p.SymbolsBucket, p.SymbolsPrefix+"*", s3GetObject, "kms:Decrypt")
	}
	// Listing makes a missing symbol table a 404 rather than a 403.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(s3ListBucket),
		Resources: jsii.Strings(*p.SymbolsBucket.BucketArn()),
		Conditions: &map[string]any{
			"StringLike": map[string]any{"s3:prefix": p.SymbolsPrefix + "*"},
		},
	}))

	grantObjects(role, p.ResultsBucket, investigation.CasesPrefix+"*",
		s3PutObject, s3PutObjectACL, s3AbortMultipartUpload, "kms:GenerateDataKey", "kms:Decrypt")
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(s3GetEncryptionConfiguration),
		Resources: jsii.Strings(*p.ResultsBucket.BucketArn()),
	}))

	suppressInstanceRoleFindings(role)
	return instanceIdentity{role: role, profile: profile}
}

// grantObjects grants the S3 actions on the objects of bucket matching
// pattern, and the kms: actions on the bucket's key, if it has one.
func grantObjects(role awsiam.IGrantable, bucket awss3.IBucket, pattern string, actions ...string) {
	awss3.BucketGrants_FromBucket(bucket).
		ActionsOnObjectKeys(role, jsii.String(pattern), *jsii.Strings(actions...)...)
}
