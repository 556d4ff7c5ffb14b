// Package appaccount defines what an application account holds so that
// Casefile's forensic account can isolate its EC2 instances and EKS
// workloads: the isolation role, trusted by the forensic account's isolation
// function alone, and the deny-all role and instance profile that isolation
// puts on a suspect instance.
package appaccount

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseks"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Construct IDs inside IsolationAccess.
const (
	idRole                = "IsolationRole"
	idDenyRole            = "DenyRole"
	idDenyInstanceProfile = "DenyInstanceProfile"
	idAccessEntryPrefix   = "EksAccessEntry-"
)

// Names of the inline policies.
const (
	PolicyIsolation = "CasefileIsolation"
	PolicyDenyAll   = "DenyEverything"
)

// AccessEntryType is the type of the EKS access entries: a standard entry,
// whose Kubernetes groups the cluster's RBAC binds.
const AccessEntryType = "STANDARD"

// IsolationAccess is the application account's side of Casefile's
// isolation.
type IsolationAccess struct {
	role          awsiam.Role
	denyRole      awsiam.Role
	denyProfile   awsiam.InstanceProfile
	accessEntries []awseks.CfnAccessEntry
}

// Role is the isolation role, named Props.RoleName, that the forensic
// account's isolation function assumes.
func (a *IsolationAccess) Role() awsiam.IRole { return a.role }

// DenyRole is the role of the deny profile: trusted by EC2, it denies every
// action.
func (a *IsolationAccess) DenyRole() awsiam.IRole { return a.denyRole }

// DenyInstanceProfile is the instance profile, named Props.DenyProfileName,
// that isolation gives a suspect instance in place of its own.
func (a *IsolationAccess) DenyInstanceProfile() awsiam.IInstanceProfile { return a.denyProfile }

// AccessEntries are the EKS access entries of the role, one per
// Props.EKSClusterNames, in that order.
func (a *IsolationAccess) AccessEntries() []awseks.CfnAccessEntry { return a.accessEntries }

// NewIsolationAccess creates, in scope, the isolation role, the deny role
// and its instance profile, and an EKS access entry per named cluster.
//
// The isolation role trusts exactly one principal, Props.ForensicFunctionRoleARN,
// with one statement. Its inline policy allows each action it needs by
// name, on the account's resources of the types IAM authorizes them on
// ("*" only for the Describe actions), passes only the deny role, only to
// EC2, and denies the IAM writes on the isolation role, the deny role and
// the deny profile. It panics, naming the field, on invalid props.
func NewIsolationAccess(scope constructs.Construct, id string, props *Props) *IsolationAccess {
	if props == nil {
		props = &Props{}
	}
	p := props.withDefaults()
	node := constructs.NewConstruct(scope, jsii.String(id))
	a := accountARNs()

	denyRole := awsiam.NewRole(node, jsii.String(idDenyRole), &awsiam.RoleProps{
		Description: jsii.String("Casefile isolation: the role of the instance profile put on an isolated instance; denies everything"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			PolicyDenyAll: awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{denyEverything()},
			}),
		},
	})
	denyProfile := awsiam.NewInstanceProfile(node, jsii.String(idDenyInstanceProfile), &awsiam.InstanceProfileProps{
		InstanceProfileName: jsii.String(p.DenyProfileName),
		Role:                denyRole,
	})

	statements := isolationStatements(a, denyRole.RoleArn())
	if *p.ShareEvidence {
		statements = append(statements, evidenceStatements(a, forensicAccountOf(p.ForensicFunctionRoleARN))...)
	}
	// The role's own ARN is built from its fixed name: a reference to the
	// role inside its own policy would be a circular dependency.
	// The account's administrative roles are protected too: the session
	// revocation writes inline policies on roles, and IAM cannot limit
	// what such a policy says.
	statements = append(statements, protectionStatement(
		jsii.String(a.iam("role/"+p.RoleName)), denyRole.RoleArn(),
		jsii.String(a.iam("instance-profile/"+p.DenyProfileName)),
		jsii.String(a.iam("role/aws-service-role/*")), jsii.String(a.iam("role/aws-reserved/*")),
		jsii.String(a.iam("role/AWSCloudFormationStackSetExecutionRole")),
		jsii.String(a.iam("role/OrganizationAccountAccessRole"))))

	role := awsiam.NewRole(node, jsii.String(idRole), &awsiam.RoleProps{
		RoleName:    jsii.String(p.RoleName),
		Description: jsii.String("Casefile isolation: assumed by the forensic account's isolation function only"),
		AssumedBy:   awsiam.NewArnPrincipal(p.ForensicFunctionRoleARN),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			PolicyIsolation: awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
		},
	})
	suppressIsolationRoleFindings(role)

	access := &IsolationAccess{role: role, denyRole: denyRole, denyProfile: denyProfile}
	for _, cluster := range p.EKSClusterNames {
		access.accessEntries = append(access.accessEntries, awseks.NewCfnAccessEntry(node,
			jsii.String(idAccessEntryPrefix+cluster), &awseks.CfnAccessEntryProps{
				ClusterName:      jsii.String(cluster),
				PrincipalArn:     role.RoleArn(),
				KubernetesGroups: jsii.Strings(investigation.KubernetesIsolationGroup),
				Type:             jsii.String(AccessEntryType),
			}))
	}
	return access
}

// forensicAccountOf is the account field of an IAM role ARN, resolved by
// CloudFormation when the ARN is a token (the fifth ":"-separated field).
func forensicAccountOf(roleARN *string) *string {
	const accountField = 4
	if !isToken(*roleARN) {
		return jsii.String(strings.Split(*roleARN, ":")[accountField])
	}
	return awscdk.Fn_Select(jsii.Number(accountField), awscdk.Fn_Split(jsii.String(":"), roleARN, nil))
}
