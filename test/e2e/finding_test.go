package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/findingupdate"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/notify"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

// TestTheFindingIsToldHowTheCaseEnded runs a case that came from a
// Security Hub finding: the finding gets a note naming the case's status
// and results, and the workflow status NOTIFIED; when Security Hub refuses
// the update, the case still succeeds and the refusal is recorded and
// notified.
func TestTheFindingIsToldHowTheCaseEnded(t *testing.T) {
	tests := []struct {
		name       string
		forensicID string
		refuse     bool

		wantUpdate   findingupdate.Status
		wantAction   string
		wantWorkflow shtypes.WorkflowStatus
	}{
		{
			name: "updated", forensicID: "case-finding-0001",
			wantUpdate: findingupdate.StatusUpdated, wantAction: notify.ActionFindingUpdated,
			wantWorkflow: shtypes.WorkflowStatusNotified,
		},
		{
			name: "refused by Security Hub", forensicID: "case-finding-0002", refuse: true,
			wantUpdate: findingupdate.StatusFailed, wantAction: notify.ActionFindingUpdateFailed,
			wantWorkflow: shtypes.WorkflowStatusNew,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := environment(t)
			if tc.refuse {
				env.Host().Inject(forensichost.Fault{
					Service: "securityhub", Operation: "BatchUpdateFindings", Code: "AccessDeniedException",
					Message: "the forensic account is not the Security Hub administrator of this account",
				})
			}
			out := run(t, env, env.Fixture().MemoryRequest(tc.forensicID))

			assert.Equal(t, sfnlocal.StatusSucceeded, out.Status, "a finding update never fails the case")
			require.NotNil(t, out.Investigation)
			assert.Equal(t, investigation.StatusSucceeded, out.Investigation.Status, "investigation status")
			msg := caseMessage(t, out)
			require.NotNil(t, msg.FindingUpdate, "the notification says what became of the finding")
			assert.Equal(t, tc.wantUpdate, msg.FindingUpdate.Status, "findingUpdate (detail %q)", msg.FindingUpdate.Detail)
			assert.Len(t, custodyEvents(t, env, tc.forensicID, tc.wantAction), 1, "custody event %s", tc.wantAction)

			finding, err := fixture.Finding(context.Background(), env.Clients())
			require.NoError(t, err)
			require.NotNil(t, finding.Workflow)
			assert.Equal(t, tc.wantWorkflow, finding.Workflow.Status, "the finding's workflow status")
			if tc.refuse {
				assert.Contains(t, msg.FindingUpdate.Detail, "AccessDeniedException", "the refusal is named")
				assert.Nil(t, finding.Note, "the finding keeps no note")
				return
			}
			require.NotNil(t, finding.Note, "the finding has a note")
			assert.Equal(t, msg.FindingUpdate.Note, aws.ToString(finding.Note.Text), "the note the notification names")
			assert.Contains(t, aws.ToString(finding.Note.Text), tc.forensicID+": SUCCEEDED", "the note names the case and its status")
			assert.Contains(t, aws.ToString(finding.Note.Text), out.ResultsS3URI, "the note names the results")
			require.NotNil(t, msg.Report, "the notification names the report")
			assert.Contains(t, aws.ToString(finding.Note.Text), msg.Report.HTMLS3URI, "the note names the report")
			assert.Equal(t, findingupdate.UpdatedBy, aws.ToString(finding.Note.UpdatedBy))
			assertNothingLeft(t, out)
		})
	}
}
