// Package functions builds Casefile's Lambda functions: one per handler in
// lambdas/cmd, each built locally for provided.al2023 on arm64, with its own
// log group and its own role scoped to what the handler does.
package functions

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// spec is what differs between the functions besides their permissions.
type spec struct {
	description    string
	timeoutSeconds float64
	memoryMB       float64
}

// specOf returns a function's settings. release and attachevidence wait
// for EC2 (volumes available, instances terminated), so they get longer
// timeouts; sweep runs release and then notify, so it gets release's plus
// a minute.
func specOf(name Name) spec {
	switch name {
	case Start:
		return spec{"Starts an investigation for an Evidence Acquisition Completed event", 30, 128}
	case Intake:
		return spec{"Validates the investigation request and records the case", 30, 128}
	case Isolate:
		// Kubernetes and EC2 calls in the application account; client-go
		// wants more than the smallest size.
		return spec{"Isolates the compromised EC2 instance or EKS workload as the isolation policy decides", 120, 256}
	case CreateInstance:
		return spec{"Launches the forensic instance of a case", 60, 256}
	case CheckInstance:
		return spec{"Checks that the forensic instance and its tools are ready", 60, 128}
	case AttachEvidence:
		return spec{"Creates and attaches the evidence volumes of a disk case", 300, 256}
	case StartForensics:
		return spec{"Sends the disk or memory forensics SSM document", 30, 128}
	case CheckCommand:
		return spec{"Checks the forensics SSM command", 30, 128}
	case CollectResults:
		return spec{"Records every result file of a case as an artifact", 60, 256}
	case Release:
		return spec{"Terminates the forensic instance and deletes the case's volumes and security group", 300, 256}
	case Report:
		return spec{"Writes the case report (JSON, Markdown, HTML) from the case records and results", 120, 256}
	case Notify:
		return spec{"Records the outcome of an investigation and publishes the notification", 30, 128}
	case Sweep:
		return spec{"Releases and notifies an investigation whose execution timed out or was stopped", 360, 256}
	}
	panic(fmt.Sprintf("functions: unknown function %q", name))
}

// Functions are Casefile's Lambda functions.
type Functions struct {
	// Start receives acquisition events and starts the workflow.
	Start awslambda.IFunction
	// The workflow's task functions, named after their handlers.
	Intake, Isolate, CreateInstance, CheckInstance, AttachEvidence, StartForensics,
	CheckCommand, CollectResults, Release, Report, Notify awslambda.IFunction
	// Sweep receives the status changes of executions that timed out or
	// were stopped, and releases and notifies their investigations.
	Sweep awslambda.IFunction

	scope  constructs.Construct
	byName map[Name]awslambda.Function
	roles  map[Name]awsiam.Role
}

// NewFunctions builds every function under a construct named id. It panics
// when a required prop is missing: CDK treats invalid props as a synthesis
// error.
func NewFunctions(scope constructs.Construct, id string, props Props) *Functions {
	p, err := props.withDefaults()
	if err != nil {
		panic(err)
	}
	f := &Functions{
		scope:  constructs.NewConstruct(scope, jsii.String(id)),
		byName: make(map[Name]awslambda.Function, len(Names())),
		roles:  make(map[Name]awsiam.Role, len(Names())),
	}
	for _, name := range Names() {
		f.byName[name], f.roles[name] = newFunction(f.scope, name, p)
		grant(f.scope, name, f.roles[name], p)
		suppressFindings(f.roles[name], name)
	}
	f.Start, f.Intake, f.CreateInstance = f.byName[Start], f.byName[Intake], f.byName[CreateInstance]
	f.CheckInstance, f.AttachEvidence = f.byName[CheckInstance], f.byName[AttachEvidence]
	f.StartForensics, f.CheckCommand = f.byName[StartForensics], f.byName[CheckCommand]
	f.CollectResults, f.Release, f.Notify = f.byName[CollectResults], f.byName[Release], f.byName[Notify]
	f.Report, f.Isolate = f.byName[Report], f.byName[Isolate]
	f.Sweep = f.byName[Sweep]
	return f
}

// Function returns the function called name.
func (f *Functions) Function(name Name) awslambda.IFunction {
	fn, ok := f.byName[name]
	if !ok {
		panic(fmt.Sprintf("functions: no function named %q", name))
	}
	return fn
}

// Role returns the execution role of the function called name.
func (f *Functions) Role(name Name) awsiam.IRole {
	role, ok := f.roles[name]
	if !ok {
		panic(fmt.Sprintf("functions: no role for %q", name))
	}
	return role
}

// Scope returns the construct that holds the functions, for aspects and
// cdk-nag suppressions.
func (f *Functions) Scope() constructs.Construct { return f.scope }

// ConnectStateMachine lets the start function start executions of sm, and
// only of sm, and tells it sm's ARN.
func (f *Functions) ConnectStateMachine(sm awsstepfunctions.IStateMachine) {
	f.byName[Start].AddEnvironment(jsii.String(investigation.EnvStateMachineARN), sm.StateMachineArn(), nil)
	sm.GrantStartExecution(f.roles[Start])
}

// newFunction builds one function with its own role and log group.
func newFunction(scope constructs.Construct, name Name, p Props) (awslambda.Function, awsiam.Role) {
	s := specOf(name)
	id := string(name)
	role := awsiam.NewRole(scope, jsii.String(id+"Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Casefile " + id + " function"),
	})
	logGroup := awslogs.NewLogGroup(scope, jsii.String(id+"Logs"), &awslogs.LogGroupProps{
		Retention:     p.LogRetention,
		RemovalPolicy: p.LogRemovalPolicy,
	})
	// The function writes to its own log group only; no managed policy.
	logGroup.GrantWrite(role)
	fn := awslambda.NewFunction(scope, jsii.String(id), &awslambda.FunctionProps{
		Description:           jsii.String(s.description),
		Runtime:               awslambda.Runtime_PROVIDED_AL2023(),
		Architecture:          awslambda.Architecture_ARM_64(),
		Handler:               jsii.String(bootstrapName),
		Code:                  code(p.ModuleRoot, name),
		MemorySize:            jsii.Number(s.memoryMB),
		Timeout:               awscdk.Duration_Seconds(jsii.Number(s.timeoutSeconds)),
		Role:                  role,
		LogGroup:              logGroup,
		LoggingFormat:         awslambda.LoggingFormat_JSON,
		ApplicationLogLevelV2: awslambda.ApplicationLogLevel_INFO,
		Tracing:               awslambda.Tracing_ACTIVE,
		Environment:           environmentMap(environment(name, p)),
	})
	return fn, role
}

// environmentMap converts env to the form jsii takes.
func environmentMap(env map[string]string) *map[string]*string {
	m := make(map[string]*string, len(env))
	for k, v := range env {
		m[k] = jsii.String(v)
	}
	return &m
}
