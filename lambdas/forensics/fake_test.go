package forensics

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

var testTime = time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)

func testClock() time.Time { return testTime }

func apiErr(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "fake " + code}
}

// fakeSSM answers with fixed behaviour and records what it was sent.
type fakeSSM struct {
	// ping is the agent's PingStatus; "" means not registered.
	ping        types.PingStatus
	describeErr error
	// sendErr fails SendCommand; otherwise it returns commandID.
	sendErr   error
	commandID string
	// invocation answers GetCommandInvocation.
	invocation    *ssm.GetCommandInvocationOutput
	invocationErr error

	// commands answers ListCommands.
	commands []types.Command
	listErr  error

	described []*ssm.DescribeInstanceInformationInput
	listed    []*ssm.ListCommandsInput
	sent      []*ssm.SendCommandInput
	got       []*ssm.GetCommandInvocationInput
}

func (f *fakeSSM) DescribeInstanceInformation(_ context.Context, in *ssm.DescribeInstanceInformationInput, _ ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error) {
	f.described = append(f.described, in)
	if f.describeErr != nil {
		return nil, f.describeErr
	}
	out := &ssm.DescribeInstanceInformationOutput{}
	if f.ping != "" {
		out.InstanceInformationList = []types.InstanceInformation{{InstanceId: aws.String(in.Filters[0].Values[0]), PingStatus: f.ping}}
	}
	return out, nil
}

func (f *fakeSSM) ListCommands(_ context.Context, in *ssm.ListCommandsInput, _ ...func(*ssm.Options)) (*ssm.ListCommandsOutput, error) {
	f.listed = append(f.listed, in)
	if f.listErr != nil {
		return nil, f.listErr
	}
	return &ssm.ListCommandsOutput{Commands: f.commands}, nil
}

func (f *fakeSSM) SendCommand(_ context.Context, in *ssm.SendCommandInput, _ ...func(*ssm.Options)) (*ssm.SendCommandOutput, error) {
	f.sent = append(f.sent, in)
	if f.sendErr != nil {
		return nil, f.sendErr
	}
	return &ssm.SendCommandOutput{Command: &types.Command{CommandId: aws.String(f.commandID), DocumentName: in.DocumentName}}, nil
}

func (f *fakeSSM) GetCommandInvocation(_ context.Context, in *ssm.GetCommandInvocationInput, _ ...func(*ssm.Options)) (*ssm.GetCommandInvocationOutput, error) {
	f.got = append(f.got, in)
	if f.invocationErr != nil {
		return nil, f.invocationErr
	}
	return f.invocation, nil
}

// invocation builds a GetCommandInvocation answer.
func invocation(status types.CommandInvocationStatus, details string, code int32, stdout string) *ssm.GetCommandInvocationOutput {
	return &ssm.GetCommandInvocationOutput{
		Status:                status,
		StatusDetails:         aws.String(details),
		ResponseCode:          code,
		StandardOutputContent: aws.String(stdout),
	}
}

// fakeRecorder keeps what the steps record; err fails every call.
type fakeRecorder struct {
	events  []caserecords.Event
	updates []caserecords.InvestigationUpdate
	err     error
}

func (r *fakeRecorder) AppendEvent(_ context.Context, e caserecords.Event) error {
	if r.err != nil {
		return r.err
	}
	r.events = append(r.events, e)
	return nil
}

func (r *fakeRecorder) UpdateInvestigation(_ context.Context, u caserecords.InvestigationUpdate) error {
	if r.err != nil {
		return r.err
	}
	r.updates = append(r.updates, u)
	return nil
}

func (r *fakeRecorder) actions() []string {
	var out []string
	for _, e := range r.events {
		out = append(out, e.Action)
	}
	return out
}

// reasonOf returns the Reason of a Failure, or "" for any other error.
func reasonOf(err error) investigation.Reason {
	var f *investigation.Failure
	if errors.As(err, &f) {
		return f.Reason
	}
	return ""
}
