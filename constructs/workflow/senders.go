package workflow

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// defaultEventBusName is the name of every account's default event bus.
const defaultEventBusName = "default"

// allowSenders adds to the acquisition event bus's resource policy one
// statement per sender account, allowing it to put acquisition events (and
// no others) on the bus: an application account's own rule, or its
// acquisition code, sends them to the forensic account. It returns the
// policies, none without senders.
//
// The policies are CloudFormation resources with the statement written out:
// through jsii, the EventBusPolicy construct leaves its statement
// unrendered (synthesis fails on a circular reference), and a statement's
// ToJSON comes back with jsii's map markers in it.
func allowSenders(scope constructs.Construct, s settings) []awsevents.CfnEventBusPolicy {
	if len(s.senderAccountIDs) == 0 {
		return nil
	}
	bus := s.eventBus
	if bus == nil {
		bus = awsevents.EventBus_FromEventBusName(scope, jsii.String("DefaultEventBus"), jsii.String(defaultEventBusName))
	}
	policies := make([]awsevents.CfnEventBusPolicy, 0, len(s.senderAccountIDs))
	for _, account := range s.senderAccountIDs {
		sid := "CasefileAcquisitionFrom" + account
		policies = append(policies, awsevents.NewCfnEventBusPolicy(scope, jsii.String("AcquisitionSender"+account),
			&awsevents.CfnEventBusPolicyProps{
				EventBusName: bus.EventBusName(),
				StatementId:  jsii.String(sid),
				Statement:    senderStatement(sid, account, bus),
			}))
	}
	return policies
}

// senderStatement allows account to put acquisition events on bus, as an
// IAM policy statement in JSON form. Source is compared for all values, as
// the AWS example of this policy does: one PutEvents call may carry several
// events.
func senderStatement(sid, account string, bus awsevents.IEventBus) map[string]any {
	return map[string]any{
		"Sid":       sid,
		"Effect":    "Allow",
		"Principal": map[string]any{"AWS": awsiam.NewAccountPrincipal(jsii.String(account)).Arn()},
		"Action":    "events:PutEvents",
		"Resource":  bus.EventBusArn(),
		"Condition": map[string]any{
			"ForAllValues:StringEquals": map[string]any{"events:source": []string{AcquisitionEventSource}},
			"StringEquals":              map[string]any{"events:detail-type": AcquisitionEventDetailType},
		},
	}
}
