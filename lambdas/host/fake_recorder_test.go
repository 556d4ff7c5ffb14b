package host

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

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

// actions lists the recorded event actions in order.
func (r *fakeRecorder) actions() []string {
	var out []string
	for _, e := range r.events {
		out = append(out, e.Action)
	}
	return out
}

// parameterFunc is a ParameterReader made of one function.
type parameterFunc func(name string) (string, error)

func (f parameterFunc) GetParameter(_ context.Context, in *ssm.GetParameterInput, _ ...func(*ssm.Options)) (*ssm.GetParameterOutput, error) {
	v, err := f(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	return &ssm.GetParameterOutput{Parameter: &ssmtypes.Parameter{Name: in.Name, Value: aws.String(v)}}, nil
}

// reasonOf returns the Reason of a Failure, or "" for any other error.
func reasonOf(err error) investigation.Reason {
	var f *investigation.Failure
	if errors.As(err, &f) {
		return f.Reason
	}
	return ""
}
