// Package deployment builds the Casefile stack that app.go deploys: the
// whole service, configured from a config.Config, with outputs naming what
// operators need.
package deployment

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/constructs/config"
	"github.com/casefile-forensics/casefile/constructs/forensichost"
	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/constructs/service"
	"github.com/casefile-forensics/casefile/constructs/storage"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Construct IDs inside the stack.
const (
	idService  = "Service"
	idEventBus = "EventBus"
)

// Names of the stack outputs.
const (
	OutputStateMachineARN = "StateMachineArn"
	OutputEvidenceBucket  = "EvidenceBucketName"
	OutputResultsBucket   = "ResultsBucketName"
	OutputCaseTable       = "CaseTableName"
	OutputTopicARN        = "NotificationTopicArn"
	OutputAMIParameter    = "AmiParameterName"
	// OutputIsolationFunctionRoleARN is the isolation function's role: the only
	// principal the application accounts' isolation role trusts (the
	// StackSet parameter ForensicIsolationRoleArn).
	OutputIsolationFunctionRoleARN = "IsolationFunctionRoleArn"
)

// WarningPlaceholderAMI is the ID of the synthesis warning given while the
// forensic AMI is config.PlaceholderForensicAMIID.
const WarningPlaceholderAMI = "casefile:placeholderForensicAmi"

// Props configures the Casefile stack.
type Props struct {
	// Config is the validated deployment configuration.
	Config config.Config
	// ModuleRoot is the folder holding go.mod, from which the Lambda
	// handlers are built.
	ModuleRoot string
	// StackProps are passed to the stack (environment, tags, synthesizer).
	// Default: an environment-agnostic stack.
	StackProps *awscdk.StackProps
}

// Stack is the Casefile stack and the service in it.
type Stack struct {
	Stack   awscdk.Stack
	Service *service.Service
}

// NewStack builds the Casefile stack named id in scope.
func NewStack(scope constructs.Construct, id string, props Props) *Stack {
	sp := props.StackProps
	if sp == nil {
		sp = &awscdk.StackProps{}
	}
	if sp.Description == nil {
		sp.Description = jsii.String("Casefile: automated forensic investigation of EC2 instances and EKS workloads")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), sp)
	svc := service.NewService(stack, idService, serviceProps(stack, props))

	outputs := map[string]*string{
		OutputStateMachineARN:          svc.Workflow.StateMachine.StateMachineArn(),
		OutputEvidenceBucket:           svc.Storage.EvidenceBucket.BucketName(),
		OutputResultsBucket:            svc.Storage.ResultsBucket.BucketName(),
		OutputCaseTable:                svc.Cases.Table.TableName(),
		OutputTopicARN:                 svc.Notifications.Topic.TopicArn(),
		OutputAMIParameter:             svc.Host.AMIParameter.ParameterName(),
		OutputIsolationFunctionRoleARN: svc.Functions.Role(functions.Isolate).RoleArn(),
	}
	// In name order: the template lists outputs in the order they are made,
	// and the same configuration must give the same template.
	for _, name := range slices.Sorted(maps.Keys(outputs)) {
		awscdk.NewCfnOutput(stack, jsii.String(name), &awscdk.CfnOutputProps{Value: outputs[name]})
	}
	warnOfPlaceholders(stack, props.Config)
	return &Stack{Stack: stack, Service: svc}
}

// warnOfPlaceholders adds a synthesis warning on the stack while the
// configuration still holds cdk.json's placeholder AMI: the stack deploys,
// but no investigation could run.
func warnOfPlaceholders(stack awscdk.Stack, c config.Config) {
	if c.ForensicAMIID != config.PlaceholderForensicAMIID {
		return
	}
	awscdk.Annotations_Of(stack).AddWarningV2(jsii.String(WarningPlaceholderAMI), jsii.String(fmt.Sprintf(
		"%s is %s, cdk.json's placeholder, not a real AMI: every investigation would fail with %s. "+
			"Set the context key %s to your forensic AMI's ID (in cdk.json, or cdk deploy -c %s=ami-...), "+
			"or after deploying write it to the SSM parameter named by the stack output %s.",
		config.KeyForensicAMIID, c.ForensicAMIID, investigation.ReasonAMIUnavailable,
		config.KeyForensicAMIID, config.KeyForensicAMIID, OutputAMIParameter)), nil)
}

// serviceProps translates the configuration into the service's props.
func serviceProps(stack awscdk.Stack, props Props) service.Props {
	c := props.Config
	sp := service.Props{
		AMIID:                 c.ForensicAMIID,
		ModuleRoot:            props.ModuleRoot,
		InstanceType:          c.InstanceType,
		LargeInstanceType:     c.LargeInstanceType,
		LargeEvidenceGiB:      &c.LargeEvidenceGiB,
		CommandSecondsPerGiB:  &c.CommandSecondsPerGiB,
		ReportLinkSeconds:     c.ReportLinkSeconds,
		SymbolsS3URI:          c.SymbolsS3URI,
		NotificationEmail:     c.NotificationEmail,
		ApplicationAccountIDs: c.ApplicationAccountIDs,
		IsolationPolicy:       c.IsolationPolicy,
		IsolationRoleName:     c.Isolation.RoleName,
		IsolationDenyProfile:  c.Isolation.DenyProfileName,
		WaitInstanceSeconds:   &c.WaitInstanceSeconds,
		WaitCommandSeconds:    &c.WaitCommandSeconds,
		MaxInstanceChecks:     &c.MaxInstanceChecks,
		MaxCommandChecks:      &c.MaxCommandChecks,
		ExecutionTimeout:      ptr(time.Duration(c.ExecutionTimeoutMinutes) * time.Minute),
		CommandTimeoutSeconds: &c.CommandTimeoutSeconds,
		ScratchMinGiB:         &c.ScratchMinGiB,
		ScratchMaxGiB:         &c.ScratchMaxGiB,
		ObjectLockMode:        storage.ObjectLockMode(c.ObjectLockMode),
		ObjectLockDays:        &c.ObjectLockDays,
		RemovalPolicy:         removalPolicy(c.RemovalPolicy),
	}
	if n := c.Network; n != nil {
		sp.ExistingNetwork = &forensichost.ExistingNetwork{
			VpcID: n.VPCID, SubnetIDs: n.SubnetIDs, AvailabilityZones: n.AvailabilityZones, RouteTableIDs: n.RouteTableIDs,
		}
	}
	if c.EventBusName != "" {
		sp.EventBus = awsevents.EventBus_FromEventBusName(stack, jsii.String(idEventBus), jsii.String(c.EventBusName))
	}
	return sp
}

func removalPolicy(p config.RemovalPolicy) awscdk.RemovalPolicy {
	if p == config.RemovalDestroy {
		return awscdk.RemovalPolicy_DESTROY
	}
	return awscdk.RemovalPolicy_RETAIN
}

func ptr[T any](v T) *T { return &v }
