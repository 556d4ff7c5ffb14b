package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/findingupdate"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// fakeFindings records what it was asked to update and answers with out.
type fakeFindings struct {
	out      findingupdate.Outcome
	findings []*investigation.Finding
	cases    []findingupdate.Case
	// budgets are how long each update was given.
	budgets []time.Duration
}

func (f *fakeFindings) Update(ctx context.Context, finding *investigation.Finding, c findingupdate.Case) findingupdate.Outcome {
	if deadline, ok := ctx.Deadline(); ok {
		f.budgets = append(f.budgets, time.Until(deadline))
	}
	f.findings = append(f.findings, finding)
	f.cases = append(f.cases, c)
	return f.out
}

var _ FindingUpdater = (*fakeFindings)(nil)

func TestHandleUpdatesTheFinding(t *testing.T) {
	const guardDutyFinding = "arn:aws:guardduty:eu-west-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/a1b2c3d4e5f67890a1b2c3d4e5f67890"
	succeeded := investigation.State{
		Request: fixture(t, "disk-ec2.json"), ExecutionName: "cf-2026-03-14-0001-disk",
		ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk,
		Results: &investigation.Results{S3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/disk/", ArtifactCount: 12},
		Report: &investigation.Report{
			JSONS3URI:     "s3://casefile-results/cases/cf-2026-03-14-0001/report.json",
			MarkdownS3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/report.md",
			HTMLS3URI:     "s3://casefile-results/cases/cf-2026-03-14-0001/report.html",
		},
	}
	failed := succeeded
	failed.Results, failed.Report = nil, nil
	failed.Error = &investigation.StepError{Error: "COMMAND_FAILED", Cause: "fls exited 1"}
	rejected := investigation.State{
		Request: fixture(t, "invalid-shell-metacharacters.json"), ExecutionName: "invalid-1b2c",
		Error: &investigation.StepError{Error: "INVALID_REQUEST", Cause: "forensicId: must be 3 to 64 letters"},
	}
	updated := findingupdate.Outcome{Status: findingupdate.StatusUpdated, FindingID: guardDutyFinding, Note: "Casefile DISK investigation cf-2026-03-14-0001: SUCCEEDED."}
	refused := findingupdate.Outcome{Status: findingupdate.StatusFailed, FindingID: guardDutyFinding, Detail: "Security Hub refused the update: AccessDeniedException: no"}

	tests := []struct {
		name        string
		state       investigation.State
		answer      findingupdate.Outcome
		wantCase    *findingupdate.Case
		wantAction  string
		wantDetail  string
		wantText    string
		wantMessage *findingupdate.Outcome
	}{
		{
			name: "succeeded case updates its finding", state: succeeded, answer: updated,
			wantCase: &findingupdate.Case{ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk,
				Status: investigation.StatusSucceeded, ResultsS3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/disk/",
				ReportS3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/report.html"},
			wantAction: ActionFindingUpdated, wantDetail: updated.Note,
			wantText: "Security Hub:  note added, workflow status NOTIFIED", wantMessage: &updated,
		},
		{
			name: "failed case updates its finding with the reason", state: failed, answer: updated,
			wantCase: &findingupdate.Case{ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk,
				Status: investigation.StatusFailed, Reason: investigation.ReasonCommandFailed},
			wantAction: ActionFindingUpdated, wantDetail: updated.Note, wantMessage: &updated,
		},
		{
			name: "a refused update is recorded and notified, not fatal", state: succeeded, answer: refused,
			wantCase: &findingupdate.Case{ForensicID: "cf-2026-03-14-0001", ForensicType: investigation.ForensicTypeDisk,
				Status: investigation.StatusSucceeded, ResultsS3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/disk/",
				ReportS3URI: "s3://casefile-results/cases/cf-2026-03-14-0001/report.html"},
			wantAction: ActionFindingUpdateFailed, wantDetail: refused.Detail,
			wantText: "Security Hub:  finding update failed: Security Hub refused the update: AccessDeniedException: no", wantMessage: &refused,
		},
		{name: "a rejected request touches no finding", state: rejected, answer: updated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			records, publisher, findings := &fakeRecords{}, &fakeSNS{}, &fakeFindings{out: tt.answer}
			h := New(records, publisher, Config{TopicARN: testTopic, TableName: testTable, Findings: findings})
			h.now = func() time.Time { return testNow }

			_, err := h.Handle(context.Background(), tt.state)

			require.NoError(t, err, "a finding update never fails the step")
			require.Len(t, publisher.inputs, 1, "published once")
			text, msg := published(t, publisher.inputs[0])
			assert.Equal(t, tt.wantMessage, msg.FindingUpdate, "the message's findingUpdate")
			if tt.wantText != "" {
				assert.Contains(t, text, tt.wantText)
			}
			if tt.wantCase == nil {
				assert.Empty(t, findings.cases, "no update")
				require.Len(t, records.events, 1, "only the notification event")
				return
			}
			require.Len(t, findings.cases, 1, "one update")
			require.Len(t, findings.budgets, 1, "the update has a deadline")
			assert.LessOrEqual(t, findings.budgets[0], findingUpdateTimeout, "the update's time is bounded")
			assert.Equal(t, *tt.wantCase, findings.cases[0], "what the note is told")
			assert.Equal(t, guardDutyFinding, findings.findings[0].ID, "the request's finding")
			require.Len(t, records.events, 2, "the notification and the finding's events")
			assert.Equal(t, ActionNotificationSent, records.events[0].Action)
			ev := records.events[1]
			assert.Equal(t, tt.wantAction, ev.Action, "finding event action")
			assert.Equal(t, tt.wantDetail, ev.Detail, "finding event detail")
			assert.Equal(t, guardDutyFinding, ev.Resources["findingId"], "finding event names the finding")
		})
	}
}

// TestMessageNamesTheReport checks that the notification says where the
// report is, and why it is missing when it was not written.
func TestMessageNamesTheReport(t *testing.T) {
	report := &investigation.Report{
		JSONS3URI:         "s3://casefile-results/cases/cf-1/report.json",
		MarkdownS3URI:     "s3://casefile-results/cases/cf-1/report.md",
		HTMLS3URI:         "s3://casefile-results/cases/cf-1/report.html",
		HTMLLink:          "https://casefile-results.s3.eu-west-1.amazonaws.com/cases/cf-1/report.html?X-Amz-Signature=abc",
		HTMLLinkExpiresAt: "2026-03-14T12:30:00Z",
	}
	overLong := *report
	overLong.HTMLLink = "https://" + strings.Repeat("l", maxLinkBytes)
	withoutLink := *report
	withoutLink.HTMLLink, withoutLink.HTMLLinkExpiresAt = "", ""
	tests := []struct {
		name        string
		report      *investigation.Report
		reportError *investigation.StepError
		wantText    []string
		wantReport  *investigation.Report
		wantError   string
	}{
		{
			name: "written, with a link", report: report,
			wantText: []string{
				"Report:        s3://casefile-results/cases/cf-1/report.html\n",
				"s3://casefile-results/cases/cf-1/report.json, s3://casefile-results/cases/cf-1/report.md",
				"link, valid until 2026-03-14T12:30:00Z: " + report.HTMLLink,
			},
			wantReport: report,
		},
		{
			name: "a link over the bound is left out", report: &overLong,
			wantText: []string{"Report:        s3://casefile-results/cases/cf-1/report.html\n"}, wantReport: &withoutLink,
		},
		{
			name: "not written", reportError: &investigation.StepError{Error: "REPORT_FAILED", Cause: `{"errorType":"REPORT_FAILED","errorMessage":"put report.html: AccessDenied"}`},
			wantText:  []string{"Report:        not written: REPORT_FAILED: put report.html: AccessDenied"},
			wantError: "REPORT_FAILED: put report.html: AccessDenied",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := investigation.State{
				Request: fixture(t, "disk-ec2.json"), ExecutionName: "cf-1-disk",
				ForensicID: "cf-1", ForensicType: investigation.ForensicTypeDisk,
				Report: tt.report, ReportError: tt.reportError,
			}
			publisher := &fakeSNS{}
			_, err := New(&fakeRecords{}, publisher, Config{TopicARN: testTopic, TableName: testTable}).Handle(context.Background(), st)
			require.NoError(t, err)
			require.Len(t, publisher.inputs, 1)
			text, msg := published(t, publisher.inputs[0])
			for _, want := range tt.wantText {
				assert.Contains(t, text, want)
			}
			assert.Equal(t, tt.wantReport, msg.Report, "the message's report")
			assert.Equal(t, tt.wantError, msg.ReportError, "the message's reportError")
		})
	}
}
