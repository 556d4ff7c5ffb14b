package sweep

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/notify"
)

// fakeRecords is the case store: GetInvestigation answers with record and
// found (or getErr); updates and events are recorded and answered with
// updateErr and eventErr.
type fakeRecords struct {
	record    caserecords.InvestigationRecord
	found     bool
	getErr    error
	updateErr error
	eventErr  error

	gets    []string // forensicId/forensicType
	updates []caserecords.InvestigationUpdate
	events  []caserecords.Event
}

func (f *fakeRecords) GetInvestigation(_ context.Context, id string, t investigation.ForensicType) (caserecords.InvestigationRecord, bool, error) {
	f.gets = append(f.gets, id+"/"+string(t))
	return f.record, f.found, f.getErr
}

func (f *fakeRecords) UpdateInvestigation(_ context.Context, u caserecords.InvestigationUpdate) error {
	f.updates = append(f.updates, u)
	return f.updateErr
}

func (f *fakeRecords) AppendEvent(_ context.Context, e caserecords.Event) error {
	f.events = append(f.events, e)
	return f.eventErr
}

// fakeSNS records what is published and answers with err.
type fakeSNS struct {
	err    error
	inputs []*sns.PublishInput
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sns.PublishOutput{MessageId: aws.String("msg-0001")}, nil
}

// fakeRelease stands for the release step: it records the states it was
// given and the deadline of its context, and returns the state with
// cleanup set, and err.
type fakeRelease struct {
	cleanup *investigation.Cleanup
	err     error

	states    []investigation.State
	deadlines []time.Time
}

func (f *fakeRelease) handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	f.states = append(f.states, st)
	deadline, _ := ctx.Deadline()
	f.deadlines = append(f.deadlines, deadline)
	st.Cleanup = f.cleanup
	return st, f.err
}

var (
	_ Records          = (*fakeRecords)(nil)
	_ notify.Publisher = (*fakeSNS)(nil)
	_ Step             = (*fakeRelease)(nil).handle
)
