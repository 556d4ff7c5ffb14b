package forensics

import (
	"context"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
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

// scratchVolume is the scratch volume of testInstance in newFakeEC2.
const scratchVolume = "vol-0000000000000005c"

// fakeEC2 answers DescribeInstances with each instance's block device
// mappings (device name to volume ID) and records what it was asked.
type fakeEC2 struct {
	devices map[string]map[string]string
	err     error

	described []*ec2.DescribeInstancesInput
}

// newFakeEC2 holds testInstance with its root volume and, at the scratch
// device name, scratchVolume.
func newFakeEC2() *fakeEC2 {
	return &fakeEC2{devices: map[string]map[string]string{
		testInstance: {"/dev/xvda": "vol-0000000000000000a", investigation.ScratchDeviceName: scratchVolume},
	}}
}

func (f *fakeEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	f.described = append(f.described, in)
	if f.err != nil {
		return nil, f.err
	}
	res := ec2types.Reservation{}
	for _, id := range in.InstanceIds {
		devices, ok := f.devices[id]
		if !ok {
			return nil, apiErr("InvalidInstanceID.NotFound")
		}
		inst := ec2types.Instance{InstanceId: aws.String(id)}
		for _, name := range slices.Sorted(maps.Keys(devices)) {
			inst.BlockDeviceMappings = append(inst.BlockDeviceMappings, ec2types.InstanceBlockDeviceMapping{
				DeviceName: aws.String(name), Ebs: &ec2types.EbsInstanceBlockDevice{VolumeId: aws.String(devices[name])},
			})
		}
		res.Instances = append(res.Instances, inst)
	}
	return &ec2.DescribeInstancesOutput{Reservations: []ec2types.Reservation{res}}, nil
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
