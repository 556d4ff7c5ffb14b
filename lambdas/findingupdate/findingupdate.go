// Package findingupdate tells Security Hub how a case ended: the finding
// that opened the case gets a note with the case's status and where its
// results and report are, and its workflow status becomes NOTIFIED.
//
// The update is made from the forensic account, in its Region, which
// Security Hub allows when the forensic account is the Security Hub
// administrator of the finding's account (or the finding is its own), and
// the finding is in that Region or aggregated into it. A failed update is
// an outcome to record, never an error that fails the case.
package findingupdate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/smithy-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Security Hub's limits on a note.
const (
	maxNoteText = 512
	// maxDetail bounds an Outcome's Detail, which quotes Security Hub.
	maxDetail = 1024
	// UpdatedBy is who the note says made it.
	UpdatedBy = "Casefile"
)

// API is the part of the Security Hub client the update uses.
type API interface {
	BatchUpdateFindings(ctx context.Context, params *securityhub.BatchUpdateFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.BatchUpdateFindingsOutput, error)
}

// Status is what became of the update.
type Status string

// The statuses of an Outcome.
const (
	// StatusUpdated: the finding has the note and the NOTIFIED status.
	StatusUpdated Status = "UPDATED"
	// StatusSkipped: there was nothing to update, or not enough to name
	// the finding (no product ARN).
	StatusSkipped Status = "SKIPPED"
	// StatusFailed: Security Hub refused or did not answer.
	StatusFailed Status = "FAILED"
)

// Outcome is what the update did, for the case's custody log and the
// notification.
type Outcome struct {
	Status Status `json:"status"`
	// FindingID and ProductARN name the finding, when there is one.
	FindingID  string `json:"findingId,omitempty"`
	ProductARN string `json:"productArn,omitempty"`
	// Note is the note written (or that would have been).
	Note string `json:"note,omitempty"`
	// Detail says why the update was skipped or failed.
	Detail string `json:"detail,omitempty"`
}

// Case is what the note says about the case.
type Case struct {
	ForensicID   string
	ForensicType investigation.ForensicType
	Status       investigation.Status
	Reason       investigation.Reason
	// ResultsS3URI and ReportS3URI are where the results and the report
	// are; either may be empty.
	ResultsS3URI string
	ReportS3URI  string
}

// Updater updates findings through a Security Hub client.
type Updater struct {
	api API
}

// New returns an Updater that calls api.
func New(api API) *Updater { return &Updater{api: api} }

// Update adds the case's note to finding and sets its workflow status to
// NOTIFIED. A nil finding is skipped; so is one without a product ARN,
// which Security Hub needs to find it.
func (u *Updater) Update(ctx context.Context, finding *investigation.Finding, c Case) Outcome {
	if finding == nil {
		return Outcome{Status: StatusSkipped, Detail: "the case came from no Security Hub finding"}
	}
	out := Outcome{FindingID: finding.ID, ProductARN: finding.ProductARN, Note: Note(c)}
	if finding.ProductARN == "" {
		out.Status, out.Detail = StatusSkipped, "the request names no finding.productArn, which Security Hub needs to find the finding"
		return out
	}
	resp, err := u.api.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []types.AwsSecurityFindingIdentifier{{Id: aws.String(finding.ID), ProductArn: aws.String(finding.ProductARN)}},
		Note:               &types.NoteUpdate{Text: aws.String(out.Note), UpdatedBy: aws.String(UpdatedBy)},
		Workflow:           &types.WorkflowUpdate{Status: types.WorkflowStatusNotified},
	})
	if err != nil {
		out.Status, out.Detail = StatusFailed, bounded(describeError(err))
		return out
	}
	for _, f := range resp.UnprocessedFindings {
		out.Status = StatusFailed
		out.Detail = bounded(fmt.Sprintf("Security Hub did not update the finding: %s: %s", aws.ToString(f.ErrorCode), aws.ToString(f.ErrorMessage)))
		return out
	}
	out.Status = StatusUpdated
	return out
}

// Note is the finding's note for c: its status, its reason when it failed,
// and where its report and results are, within Security Hub's 512
// characters.
func Note(c Case) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Casefile %s investigation %s: %s", c.ForensicType, c.ForensicID, c.Status)
	if c.Reason != "" {
		fmt.Fprintf(&b, " (%s)", c.Reason)
	}
	b.WriteString(".")
	if c.ReportS3URI != "" {
		fmt.Fprintf(&b, " Report: %s", c.ReportS3URI)
	}
	if c.ResultsS3URI != "" {
		fmt.Fprintf(&b, " Results: %s", c.ResultsS3URI)
	}
	return investigation.Truncate(b.String(), maxNoteText)
}

func bounded(s string) string { return investigation.Truncate(s, maxDetail) }

// describeError names the API error's code when there is one, so that the
// custody log says what Security Hub answered.
func describeError(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return fmt.Sprintf("Security Hub refused the update: %s: %s", apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
	return fmt.Sprintf("update the finding: %v", err)
}
