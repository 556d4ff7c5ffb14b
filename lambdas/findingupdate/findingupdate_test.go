package findingupdate

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// fakeHub records the updates and answers with out or err.
type fakeHub struct {
	out    *securityhub.BatchUpdateFindingsOutput
	err    error
	inputs []*securityhub.BatchUpdateFindingsInput
}

func (f *fakeHub) BatchUpdateFindings(_ context.Context, in *securityhub.BatchUpdateFindingsInput, _ ...func(*securityhub.Options)) (*securityhub.BatchUpdateFindingsOutput, error) {
	f.inputs = append(f.inputs, in)
	if f.err != nil {
		return nil, f.err
	}
	if f.out == nil {
		return &securityhub.BatchUpdateFindingsOutput{}, nil
	}
	return f.out, nil
}

var _ API = (*fakeHub)(nil)

const (
	findingID  = "arn:aws:guardduty:eu-west-1:111122223333:detector/12abc34d/finding/a1b2c3d4"
	productARN = "arn:aws:securityhub:eu-west-1::product/aws/guardduty"
)

func succeeded() Case {
	return Case{
		ForensicID: "case-0001", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusSucceeded,
		ResultsS3URI: "s3://results/cases/case-0001/disk/", ReportS3URI: "s3://results/cases/case-0001/report.html",
	}
}

func TestUpdate(t *testing.T) {
	finding := &investigation.Finding{ID: findingID, ProductARN: productARN}
	tests := []struct {
		name       string
		finding    *investigation.Finding
		hub        *fakeHub
		wantStatus Status
		wantCalls  int
		wantDetail string
	}{
		{name: "updated", finding: finding, hub: &fakeHub{}, wantStatus: StatusUpdated, wantCalls: 1},
		{name: "no finding", finding: nil, hub: &fakeHub{}, wantStatus: StatusSkipped, wantDetail: "no Security Hub finding"},
		{
			name: "no product ARN", finding: &investigation.Finding{ID: findingID}, hub: &fakeHub{},
			wantStatus: StatusSkipped, wantDetail: "finding.productArn",
		},
		{
			name: "refused", finding: finding,
			hub:        &fakeHub{err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not the administrator"}},
			wantStatus: StatusFailed, wantCalls: 1, wantDetail: "AccessDeniedException: not the administrator",
		},
		{
			name: "no answer", finding: finding, hub: &fakeHub{err: errors.New("dial tcp: i/o timeout")},
			wantStatus: StatusFailed, wantCalls: 1, wantDetail: "i/o timeout",
		},
		{
			name: "finding not processed", finding: finding,
			hub: &fakeHub{out: &securityhub.BatchUpdateFindingsOutput{UnprocessedFindings: []types.BatchUpdateFindingsUnprocessedFinding{{
				ErrorCode: aws.String("FindingNotFound"), ErrorMessage: aws.String("no such finding"),
			}}}},
			wantStatus: StatusFailed, wantCalls: 1, wantDetail: "FindingNotFound: no such finding",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := New(tt.hub).Update(context.Background(), tt.finding, succeeded())

			assert.Equal(t, tt.wantStatus, got.Status, "status (detail %q)", got.Detail)
			assert.Contains(t, got.Detail, tt.wantDetail, "detail")
			require.Len(t, tt.hub.inputs, tt.wantCalls, "BatchUpdateFindings calls")
			if tt.wantCalls == 0 {
				return
			}
			in := tt.hub.inputs[0]
			require.Len(t, in.FindingIdentifiers, 1)
			assert.Equal(t, findingID, aws.ToString(in.FindingIdentifiers[0].Id), "finding ID")
			assert.Equal(t, productARN, aws.ToString(in.FindingIdentifiers[0].ProductArn), "product ARN")
			assert.Equal(t, types.WorkflowStatusNotified, in.Workflow.Status, "workflow status")
			assert.Equal(t, UpdatedBy, aws.ToString(in.Note.UpdatedBy), "note author")
			assert.Equal(t, got.Note, aws.ToString(in.Note.Text), "the outcome records the note sent")
		})
	}
}

func TestNote(t *testing.T) {
	failed := Case{
		ForensicID: "case-0002", ForensicType: investigation.ForensicTypeMemory, Status: investigation.StatusFailed,
		Reason: investigation.ReasonCommandFailed,
	}
	long := succeeded()
	long.ReportS3URI = "s3://results/" + strings.Repeat("k", 600)
	tests := []struct {
		name string
		c    Case
		want string
	}{
		{
			name: "succeeded", c: succeeded(),
			want: "Casefile DISK investigation case-0001: SUCCEEDED. Report: s3://results/cases/case-0001/report.html Results: s3://results/cases/case-0001/disk/",
		},
		{name: "failed", c: failed, want: "Casefile MEMORY investigation case-0002: FAILED (COMMAND_FAILED)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Note(tt.c))
		})
	}
	t.Run("cut to Security Hub's limit", func(t *testing.T) {
		got := Note(long)
		assert.Len(t, got, maxNoteText)
		assert.True(t, strings.HasSuffix(got, "..."), "the cut is marked: %q", got[len(got)-10:])
	})
}
