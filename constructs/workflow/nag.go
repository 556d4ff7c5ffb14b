package workflow

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppressFindings records why the state machine's role and the
// dead-letter queues differ from cdk-nag's AWS Solutions rules.
func suppressFindings(sm sfn.StateMachine, dlqs ...awssqs.IQueue) {
	cdknag.NagSuppressions_AddResourceSuppressions(sm.Role(), &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords, xray:GetSamplingRules, " +
				"xray:GetSamplingTargets) and CloudWatch Logs delivery (logs:*LogDelivery*, logs:PutResourcePolicy, " +
				"logs:DescribeResourcePolicies, logs:DescribeLogGroups) are authorized on \"*\" only; each action is named."),
			AppliesTo: &[]any{"Resource::*"},
		},
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("The task states invoke Casefile's own functions; the Step Functions grant also covers " +
				"their versions and aliases (function ARN followed by :*)."),
			AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::(<[A-Za-z0-9]+\.Arn>|arn:[a-z-]+:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+):\*$/`)}},
		},
	}, jsii.Bool(true))
	for _, dlq := range dlqs {
		cdknag.NagSuppressions_AddResourceSuppressions(dlq, &[]*cdknag.NagPackSuppression{{
			Id: jsii.String("AwsSolutions-SQS3"),
			Reason: jsii.String("This queue is itself the dead-letter queue of an EventBridge rule's target; " +
				"cdk-nag recognizes only queues named in an SQS redrive policy as dead-letter queues."),
		}}, jsii.Bool(false))
	}
}
