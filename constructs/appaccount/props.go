package appaccount

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// RoleARNPattern is what an IAM role ARN looks like (with or without a
// path), as a regular expression that Go and CloudFormation (a parameter's
// AllowedPattern) read alike.
const RoleARNPattern = `^arn:aws[a-z-]*:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`

// Formats checked at synth time, as IAM and EKS define them.
var (
	roleARNPattern     = regexp.MustCompile(RoleARNPattern)
	roleNamePattern    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	profileNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	clusterNamePattern = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
)

// Props configures the isolation access of an application account.
// ForensicFunctionRoleARN is required; every other field has a default.
type Props struct {
	// ForensicFunctionRoleARN is the role of the forensic account's
	// isolation function: the one principal the isolation role trusts. An
	// IAM role ARN, or a token such as a CfnParameter's value. The forensic
	// account's ID is taken from it. Required.
	ForensicFunctionRoleARN *string
	// RoleName is the isolation role's name. It is fixed, the same in every
	// application account, because the forensic account finds the role by
	// name. Default: investigation.DefaultIsolationRoleName.
	RoleName string
	// DenyProfileName is the name of the instance profile whose role denies
	// everything, which isolation puts on a suspect instance. Default:
	// investigation.DefaultIsolationDenyProfile.
	DenyProfileName string
	// EKSClusterNames are the EKS clusters of the stack's Region in which
	// the isolation role may cordon nodes and isolate pods: each gets an
	// access entry giving the role the Kubernetes group
	// investigation.KubernetesIsolationGroup. The clusters' authentication
	// mode must allow access entries (API or API_AND_CONFIG_MAP), and
	// docs/eks-isolation-rbac.yaml must be applied in each to bind that
	// group to the verbs isolation uses. Default: none.
	EKSClusterNames []string
	// ShareEvidence lets the isolation role also snapshot a suspect
	// instance's volumes and share the snapshots with the forensic account
	// (and with no other). Default: false.
	ShareEvidence *bool
}

// withDefaults returns a copy of p with the defaults filled in. It panics,
// naming the field, when a value is missing or invalid.
func (p Props) withDefaults() Props {
	if p.ForensicFunctionRoleARN == nil {
		invalid("ForensicFunctionRoleARN is required")
	}
	if arn := *p.ForensicFunctionRoleARN; !isToken(arn) && !roleARNPattern.MatchString(arn) {
		invalid("ForensicFunctionRoleARN must be an IAM role ARN such as arn:aws:iam::111111111111:role/name, got %q", arn)
	}
	if p.RoleName == "" {
		p.RoleName = investigation.DefaultIsolationRoleName
	}
	if !roleNamePattern.MatchString(p.RoleName) {
		invalid("RoleName must be an IAM role name (1 to 64 of A-Z a-z 0-9 _+=,.@-), got %q", p.RoleName)
	}
	if p.DenyProfileName == "" {
		p.DenyProfileName = investigation.DefaultIsolationDenyProfile
	}
	if !profileNamePattern.MatchString(p.DenyProfileName) {
		invalid("DenyProfileName must be an instance profile name (1 to 128 of A-Z a-z 0-9 _+=,.@-), got %q", p.DenyProfileName)
	}
	for _, name := range p.EKSClusterNames {
		if !clusterNamePattern.MatchString(name) {
			invalid("EKSClusterNames must hold EKS cluster names (a letter or digit, then up to 99 of A-Z a-z 0-9 _-), got %q", name)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(p.EKSClusterNames)))) != len(p.EKSClusterNames) {
		invalid("EKSClusterNames names a cluster twice: %q", p.EKSClusterNames)
	}
	if p.ShareEvidence == nil {
		p.ShareEvidence = new(bool)
	}
	return p
}

func invalid(format string, args ...any) {
	panic("appaccount: Props." + fmt.Sprintf(format, args...))
}

func isToken(s string) bool { return *awscdk.Token_IsUnresolved(s) }
