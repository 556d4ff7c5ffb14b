package functions

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Condition blocks on Casefile's managed-by tag.
func managedByResource() map[string]any {
	return map[string]any{"StringEquals": map[string]any{
		"aws:ResourceTag/" + investigation.TagManagedBy: investigation.ManagedByValue,
	}}
}

func managedByRequest() map[string]any {
	return map[string]any{"StringEquals": map[string]any{
		"aws:RequestTag/" + investigation.TagManagedBy: investigation.ManagedByValue,
	}}
}

// launchedInstance is the condition on the instance a launch creates: tagged
// by Casefile and with IMDSv2 required, so that no role can start a forensic
// instance whose metadata service answers without a token.
func launchedInstance() map[string]any {
	return map[string]any{"StringEquals": map[string]any{
		"aws:RequestTag/" + investigation.TagManagedBy: investigation.ManagedByValue,
		"ec2:MetadataHttpTokens":                       "required",
	}}
}

// encryptedVolume is the condition on a volume a function creates: tagged by
// Casefile and encrypted.
func encryptedVolume() map[string]any {
	return map[string]any{
		"StringEquals": map[string]any{"aws:RequestTag/" + investigation.TagManagedBy: investigation.ManagedByValue},
		"Bool":         map[string]any{"ec2:Encrypted": "true"},
	}
}

// managedBySSMTarget is the tag condition that SSM evaluates on the
// instances a command targets.
func managedBySSMTarget() map[string]any {
	return map[string]any{"StringEquals": map[string]any{
		"ssm:resourceTag/" + investigation.TagManagedBy: investigation.ManagedByValue,
	}}
}

// allow adds one Allow statement to role.
func allow(role awsiam.Role, actions, resources []string, conditions map[string]any) {
	props := &awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(resources...),
	}
	if conditions != nil {
		props.Conditions = &conditions
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(props))
}

// unscopedActions are the calls of the function called name that AWS
// authorizes only on "*": EC2 Describe*, ssm:DescribeInstanceInformation,
// ssm:GetCommandInvocation, ssm:ListCommands. All are reads, each listed by
// its exact action.
func unscopedActions(name Name) []string {
	switch name {
	case Intake:
		// DescribeSnapshots shows who owns a DISK request's snapshots.
		return []string{"ec2:DescribeSnapshots"}
	case CreateInstance:
		// DescribeInstances finds an instance a retried launch already made.
		// DescribeVpcs and DescribeManagedPrefixLists give the case group's
		// egress its destinations.
		return []string{"ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeSecurityGroups",
			"ec2:DescribeVpcs", "ec2:DescribeManagedPrefixLists"}
	case CheckInstance:
		return []string{"ec2:DescribeInstances", "ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation"}
	case AttachEvidence:
		// DescribeSnapshots checks the evidence is what the request says.
		return []string{"ec2:DescribeSnapshots", "ec2:DescribeVolumes"}
	case StartForensics:
		// ListCommands finds a command a retried step already sent;
		// DescribeInstances finds a MEMORY instance's scratch volume.
		return []string{"ec2:DescribeInstances", "ssm:ListCommands"}
	case CheckCommand:
		return []string{"ssm:GetCommandInvocation"}
	case Release, Sweep:
		return []string{"ec2:DescribeInstances", "ec2:DescribeVolumes", "ec2:DescribeSecurityGroups"}
	}
	return nil
}

// grant gives the function called name what its handler calls, and no more.
func grant(scope constructs.Construct, name Name, role awsiam.Role, p Props) {
	a := arnsOf(scope)
	if name != Start {
		p.Grants.Record(role)
	}
	if actions := unscopedActions(name); len(actions) > 0 {
		allow(role, actions, []string{"*"}, nil)
	}
	switch name {
	case Start:
		// states:StartExecution on the state machine: ConnectStateMachine.
	case Intake:
		// The case table, and DescribeSnapshots above.
	case Isolate:
		grantIsolate(a, role, p)
	case CreateInstance:
		grantCreateInstance(a, role, p)
	case CheckInstance:
		grantSendCommand(a, role, p.Documents.Probe)
	case AttachEvidence:
		grantAttachEvidence(a, role, p)
	case StartForensics:
		grantSendCommand(a, role, p.Documents.Disk, p.Documents.Memory)
	case CheckCommand:
		// GetCommandInvocation only, above.
	case CollectResults:
		p.Grants.ReadResults(role)
	case Release:
		grantRelease(a, role)
	case Report:
		// GetObject of recorded results only (no ListBucket), PutObject
		// of the report only.
		p.Grants.ReadResultObjects(role)
		p.Grants.WriteReport(role)
	case Notify:
		grantNotify(a, role, p)
	case Sweep:
		// The release and notify steps it runs, and nothing more.
		grantRelease(a, role)
		grantNotify(a, role, p)
	}
}

// grantNotify: publish the notification and tell the case's Security Hub
// finding how the case ended.
func grantNotify(a arns, role awsiam.Role, p Props) {
	p.Grants.Publish(role)
	allow(role, []string{"securityhub:BatchUpdateFindings"}, []string{a.securityHub()}, nil)
}

// grantCreateInstance: read the AMI parameter, create the case security
// group (and delete it again when the launch fails), launch the instance
// with the instance profile, tag what the launch creates.
func grantCreateInstance(a arns, role awsiam.Role, p Props) {
	// GetParameter alone: the handler reads the one parameter, no history.
	allow(role, []string{"ssm:GetParameter"}, []string{*p.AMIParameter.ParameterArn()}, nil)

	allow(role, []string{"ec2:CreateSecurityGroup"}, []string{a.ec2("vpc", p.Network.VPCID)}, nil)
	allow(role, []string{"ec2:CreateSecurityGroup"}, []string{a.ec2("security-group", "*")}, managedByRequest())
	allow(role, []string{"ec2:RevokeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupEgress", "ec2:DeleteSecurityGroup"},
		[]string{a.ec2("security-group", "*")}, managedByResource())

	// RunInstances: what it creates must carry the managed-by tag, the
	// instance must require IMDSv2 and its volumes be encrypted, the
	// security group must be a Casefile one, and only Casefile's subnets.
	allow(role, []string{"ec2:RunInstances"}, []string{a.ec2("instance", "*")}, launchedInstance())
	allow(role, []string{"ec2:RunInstances"}, []string{a.ec2("volume", "*")}, encryptedVolume())
	allow(role, []string{"ec2:RunInstances"}, []string{a.ec2("security-group", "*")}, managedByResource())
	launchOn := []string{a.ec2Public("image", "*"), a.ec2("network-interface", "*")}
	for _, subnet := range p.Network.SubnetIDs {
		launchOn = append(launchOn, a.ec2("subnet", subnet))
	}
	allow(role, []string{"ec2:RunInstances"}, launchOn, nil)
	allow(role, []string{"ec2:CreateTags"},
		[]string{a.ec2("instance", "*"), a.ec2("volume", "*"), a.ec2("network-interface", "*"), a.ec2("security-group", "*")},
		map[string]any{"StringEquals": map[string]any{"ec2:CreateAction": []string{"RunInstances", "CreateSecurityGroup"}}})

	allow(role, []string{"iam:PassRole"}, []string{*p.InstanceRole.RoleArn()},
		map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ec2.amazonaws.com"}})
	grantVolumeKey(a, role, p)
}

// grantAttachEvidence: create encrypted volumes from the shared snapshots,
// attach them to the case's instance, and wait for both.
func grantAttachEvidence(a arns, role awsiam.Role, p Props) {
	allow(role, []string{"ec2:CreateVolume"}, []string{a.ec2("volume", "*")}, encryptedVolume())
	allow(role, []string{"ec2:CreateVolume"}, []string{a.ec2Public("snapshot", "*")}, nil)
	allow(role, []string{"ec2:CreateTags"}, []string{a.ec2("volume", "*")},
		map[string]any{"StringEquals": map[string]any{"ec2:CreateAction": "CreateVolume"}})
	allow(role, []string{"ec2:AttachVolume"}, []string{a.ec2("volume", "*"), a.ec2("instance", "*")}, managedByResource())
	grantVolumeKey(a, role, p)
	grantSnapshotKeys(a, role, p.ApplicationAccountIDs)
}

// grantSnapshotKeys lets EC2, and only EC2, use the application accounts'
// keys on the function's behalf: a volume made from a snapshot encrypted
// with such a key is re-encrypted to the volume key, which needs the
// snapshot key's Decrypt (or ReEncryptFrom) and a grant for the volume.
// The key policy in the application account must allow it as well.
func grantSnapshotKeys(a arns, role awsiam.Role, accounts []string) {
	if len(accounts) == 0 {
		return
	}
	keys := make([]string, 0, len(accounts))
	for _, account := range accounts {
		keys = append(keys, a.kmsKeys(account))
	}
	allow(role, []string{"kms:Decrypt", "kms:DescribeKey", "kms:ReEncryptFrom"}, keys,
		map[string]any{"StringEquals": map[string]any{"kms:ViaService": a.ec2Endpoint()}})
	allow(role, []string{"kms:CreateGrant"}, keys, map[string]any{
		"StringEquals": map[string]any{"kms:ViaService": a.ec2Endpoint()},
		"Bool":         map[string]any{"kms:GrantIsForAWSResource": "true"},
	})
}

// grantVolumeKey lets EC2 use the volume key on the function's behalf.
func grantVolumeKey(a arns, role awsiam.Role, p Props) {
	key := []string{*p.VolumeKey.KeyArn()}
	allow(role, []string{"kms:GenerateDataKeyWithoutPlaintext", "kms:Decrypt", "kms:DescribeKey",
		"kms:ReEncryptFrom", "kms:ReEncryptTo"}, key,
		map[string]any{"StringEquals": map[string]any{"kms:ViaService": a.ec2Endpoint()}})
	allow(role, []string{"kms:CreateGrant"}, key,
		map[string]any{"Bool": map[string]any{"kms:GrantIsForAWSResource": "true"}})
}

// grantSendCommand allows documents to be sent to Casefile's instances only.
func grantSendCommand(a arns, role awsiam.Role, documents ...string) {
	docs := make([]string, 0, len(documents))
	for _, d := range documents {
		docs = append(docs, a.document(d))
	}
	allow(role, []string{"ssm:SendCommand"}, docs, nil)
	allow(role, []string{"ssm:SendCommand"}, []string{a.ec2("instance", "*")}, managedBySSMTarget())
}

// grantRelease: terminate the case's instance and delete its volumes and
// security group, all only when tagged as Casefile's.
func grantRelease(a arns, role awsiam.Role) {
	allow(role, []string{"ec2:TerminateInstances"}, []string{a.ec2("instance", "*")}, managedByResource())
	allow(role, []string{"ec2:DetachVolume"}, []string{a.ec2("volume", "*"), a.ec2("instance", "*")}, managedByResource())
	allow(role, []string{"ec2:DeleteVolume"}, []string{a.ec2("volume", "*")}, managedByResource())
	allow(role, []string{"ec2:DeleteSecurityGroup"}, []string{a.ec2("security-group", "*")}, managedByResource())
}

// grantIsolate lets the isolation assume the isolation role of the
// application accounts, and nothing else: every isolation measure is the
// application account role's to allow.
func grantIsolate(a arns, role awsiam.Role, p Props) {
	accounts := p.ApplicationAccountIDs
	if len(accounts) == 0 {
		accounts = []string{"*"}
	}
	roles := make([]string, 0, len(accounts))
	for _, account := range accounts {
		roles = append(roles, a.role(account, p.IsolationRoleName))
	}
	allow(role, []string{"sts:AssumeRole"}, roles, nil)
}
