// Package workflow builds Casefile's investigation state machine (the
// states of docs/workflow.md, with the typed Step Functions API), the
// EventBridge rule that starts investigations from acquisition events (and
// the event bus policy statements that let other accounts send them), and
// the rule that sends the executions that timed out or were stopped to the
// sweep function.
package workflow

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Workflow is the investigation state machine and what starts it.
type Workflow struct {
	// StateMachine runs one investigation per execution.
	StateMachine sfn.IStateMachine
	// Rule sends acquisition events to the start function.
	Rule awsevents.IRule
	// DeadLetterQueue keeps the acquisition events the rule could not
	// deliver to the start function.
	DeadLetterQueue awssqs.IQueue
	// SweepRule sends the status change of every execution that timed out
	// or was stopped to the sweep function: Step Functions skips the
	// failure path then.
	SweepRule awsevents.IRule
	// SweepDeadLetterQueue keeps the status changes SweepRule could not
	// deliver.
	SweepDeadLetterQueue awssqs.IQueue
	// LogGroup receives the execution history.
	LogGroup awslogs.ILogGroup
	// SenderPolicies are the event bus's policy statements that let
	// Props.SenderAccountIDs put acquisition events on it, one per account.
	SenderPolicies []awsevents.CfnEventBusPolicy

	scope constructs.Construct
}

// NewWorkflow builds the workflow under a construct named id. It panics
// when props are invalid: CDK treats them as a synthesis error. The timeout
// must outlast the polling loops (see TaskAllowance); an execution that
// still times out, or is stopped, is ended by the sweep function.
func NewWorkflow(scope constructs.Construct, id string, props Props) *Workflow {
	s, err := props.resolve()
	if err != nil {
		panic(err)
	}
	w := &Workflow{scope: constructs.NewConstruct(scope, jsii.String(id))}
	w.LogGroup = awslogs.NewLogGroup(w.scope, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     s.logRetention,
		RemovalPolicy: s.logRemovalPolicy,
	})
	sm := sfn.NewStateMachine(w.scope, jsii.String("StateMachine"), &sfn.StateMachineProps{
		Comment:          jsii.String("Casefile investigation: one case and one evidence type per execution"),
		DefinitionBody:   sfn.DefinitionBody_FromChainable(definition(w.scope, s)),
		StateMachineType: sfn.StateMachineType_STANDARD,
		Timeout:          awscdk.Duration_Seconds(jsii.Number(s.timeout.Seconds())),
		TracingEnabled:   jsii.Bool(true),
		Logs: &sfn.LogOptions{
			Destination:          w.LogGroup,
			Level:                sfn.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(false),
		},
	})
	w.StateMachine = sm
	w.DeadLetterQueue, w.Rule = trigger(w.scope, s)
	w.SweepDeadLetterQueue, w.SweepRule = sweepTrigger(w.scope, s, sm)
	w.SenderPolicies = allowSenders(w.scope, s)
	suppressFindings(sm, w.DeadLetterQueue, w.SweepDeadLetterQueue)
	return w
}

// Scope returns the construct that holds the workflow, for aspects and
// cdk-nag suppressions.
func (w *Workflow) Scope() constructs.Construct { return w.scope }

// trigger builds the rule that sends acquisition events to the start
// function, with a dead-letter queue for events it cannot deliver.
func trigger(scope constructs.Construct, s settings) (awssqs.IQueue, awsevents.IRule) {
	dlq := deadLetterQueue(scope, "StartDeadLetters")
	rule := awsevents.NewRule(scope, jsii.String("AcquisitionCompleted"), &awsevents.RuleProps{
		Description: jsii.String("Starts a Casefile investigation when evidence acquisition completes"),
		EventBus:    s.eventBus,
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings(AcquisitionEventSource),
			DetailType: jsii.Strings(AcquisitionEventDetailType),
		},
		Targets: &[]awsevents.IRuleTarget{target(s.start, dlq)},
	})
	return dlq, rule
}

// sweepTrigger builds the rule that sends the status change of sm's
// executions that timed out or were stopped to the sweep function, with a
// dead-letter queue for events it cannot deliver. Step Functions sends
// these events to the account's default event bus, whatever bus carries
// the acquisition events.
func sweepTrigger(scope constructs.Construct, s settings, sm sfn.IStateMachine) (awssqs.IQueue, awsevents.IRule) {
	dlq := deadLetterQueue(scope, "SweepDeadLetters")
	rule := awsevents.NewRule(scope, jsii.String("ExecutionEnded"), &awsevents.RuleProps{
		Description: jsii.String("Sweeps a Casefile investigation whose execution timed out or was stopped"),
		EventPattern: &awsevents.EventPattern{
			Source:     jsii.Strings(investigation.ExecutionEventSource),
			DetailType: jsii.Strings(investigation.ExecutionEventDetailType),
			Detail: &map[string]any{
				"stateMachineArn": []*string{sm.StateMachineArn()},
				"status":          jsii.Strings(investigation.SweptStatuses()...),
			},
		},
		Targets: &[]awsevents.IRuleTarget{target(s.sweep, dlq)},
	})
	return dlq, rule
}

// target invokes fn with a rule's events, retried for a day, and keeps
// those it cannot deliver in dlq.
func target(fn awslambda.IFunction, dlq awssqs.IQueue) awsevents.IRuleTarget {
	return awseventstargets.NewLambdaFunction(fn, &awseventstargets.LambdaFunctionProps{
		DeadLetterQueue: dlq,
		RetryAttempts:   jsii.Number(8),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(24)),
	})
}

// deadLetterQueue builds an encrypted, TLS-only queue that keeps what it
// receives for 14 days.
func deadLetterQueue(scope constructs.Construct, id string) awssqs.IQueue {
	return awssqs.NewQueue(scope, jsii.String(id), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
}
