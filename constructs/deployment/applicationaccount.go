package deployment

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/constructs/appaccount"
	"github.com/casefile-forensics/casefile/constructs/config"
)

// ParameterForensicIsolationRoleARN is the application account stack's one
// parameter: the ARN of the forensic account's isolation function role,
// which the isolation role trusts. A StackSet gives it once for every
// account.
const ParameterForensicIsolationRoleARN = "ForensicIsolationRoleArn"

// Names of the application account stack's outputs.
const (
	OutputIsolationRoleARN       = "IsolationRoleArn"
	OutputDenyInstanceProfileARN = "DenyInstanceProfileArn"
)

const idIsolationAccess = "IsolationAccess"

// ApplicationAccountProps configures the application account stack.
type ApplicationAccountProps struct {
	// Config is the validated deployment configuration; its Isolation
	// settings shape the stack.
	Config config.Config
	// StackProps are passed to the stack. Default: an environment-agnostic
	// stack whose synthesizer adds no bootstrap version check, so that the
	// template deploys through a StackSet into accounts that were never
	// bootstrapped for the CDK (the stack has no assets).
	StackProps *awscdk.StackProps
}

// ApplicationAccountStack is the stack deployed into every application
// account, by a CloudFormation StackSet: the isolation role, the deny-all
// role and instance profile, and the EKS access entries.
type ApplicationAccountStack struct {
	Stack awscdk.Stack
	// ForensicRoleParameter is ParameterForensicIsolationRoleARN.
	ForensicRoleParameter awscdk.CfnParameter
	Access                *appaccount.IsolationAccess
}

// NewApplicationAccountStack builds the application account stack named id
// in scope.
func NewApplicationAccountStack(scope constructs.Construct, id string, props ApplicationAccountProps) *ApplicationAccountStack {
	sp := props.StackProps
	if sp == nil {
		sp = &awscdk.StackProps{}
	}
	if sp.Description == nil {
		sp.Description = jsii.String("Casefile application account: the role through which the forensic account isolates EC2 instances and EKS workloads")
	}
	if sp.Synthesizer == nil {
		sp.Synthesizer = awscdk.NewDefaultStackSynthesizer(&awscdk.DefaultStackSynthesizerProps{
			GenerateBootstrapVersionRule: jsii.Bool(false),
		})
	}
	stack := awscdk.NewStack(scope, jsii.String(id), sp)
	iso := props.Config.Isolation

	parameter := awscdk.NewCfnParameter(stack, jsii.String(ParameterForensicIsolationRoleARN), forensicRoleParameterProps(iso))
	access := appaccount.NewIsolationAccess(stack, idIsolationAccess, &appaccount.Props{
		ForensicFunctionRoleARN: parameter.ValueAsString(),
		RoleName:                iso.RoleName,
		DenyProfileName:         iso.DenyProfileName,
		EKSClusterNames:         iso.EKSClusterNames,
		ShareEvidence:           jsii.Bool(iso.ShareEvidence),
	})
	awscdk.NewCfnOutput(stack, jsii.String(OutputDenyInstanceProfileARN), &awscdk.CfnOutputProps{
		Value: access.DenyInstanceProfile().InstanceProfileArn(),
	})
	awscdk.NewCfnOutput(stack, jsii.String(OutputIsolationRoleARN), &awscdk.CfnOutputProps{Value: access.Role().RoleArn()})
	return &ApplicationAccountStack{Stack: stack, ForensicRoleParameter: parameter, Access: access}
}

// forensicRoleParameterProps: the parameter defaults to the configured ARN,
// if any; without one, the StackSet must give it.
func forensicRoleParameterProps(iso config.Isolation) *awscdk.CfnParameterProps {
	p := &awscdk.CfnParameterProps{
		Type: jsii.String("String"),
		Description: jsii.String("ARN of the forensic account's isolation function role (an output of the Casefile stack): " +
			"the only principal that may assume the isolation role"),
		AllowedPattern:        jsii.String(appaccount.RoleARNPattern),
		ConstraintDescription: jsii.String("must be an IAM role ARN such as arn:aws:iam::111111111111:role/name"),
	}
	if iso.ForensicRoleARN != "" {
		p.Default = iso.ForensicRoleARN
	}
	return p
}
