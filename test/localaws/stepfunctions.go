package localaws

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// RegisterStateMachine creates the state machine in moto under the ARN
// that the start function is configured with, so that the real starter's
// StartExecution calls reach moto's Step Functions, which records the
// executions (and refuses a name twice) but runs none: Run runs them.
func (e *Environment) RegisterStateMachine(ctx context.Context) (string, error) {
	if e.fixture == nil {
		return "", fmt.Errorf("localaws: Reset before RegisterStateMachine")
	}
	out, err := e.clients.SFN.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(stateMachineName),
		Definition: aws.String(string(e.definition)),
		RoleArn:    aws.String("arn:aws:iam::" + e.fixture.AccountID + ":role/" + stateMachineName + "-role"),
	})
	if err != nil {
		return "", fmt.Errorf("create state machine %s in moto: %w", stateMachineName, err)
	}
	if arn := aws.ToString(out.StateMachineArn); arn != e.stateMachineARN() {
		return "", fmt.Errorf("moto named the state machine %s; the start function starts %s", arn, e.stateMachineARN())
	}
	return e.stateMachineARN(), nil
}
