package forensichost_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
	"github.com/casefile-forensics/casefile/test/localaws/moto"
)

// TestBatchUpdateFindingsUpdatesOnlyTheNamedFinding holds two findings:
// moto's GetFindings answers both whatever the filter, and the stand-in
// must still update only the one named.
func TestBatchUpdateFindingsUpdatesOnlyTheNamedFinding(t *testing.T) {
	if err := moto.Available(); err != nil {
		testenv.Missing(t, "%v", err)
	}
	ctx := context.Background()
	srv, err := moto.Start(ctx, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	direct, err := fixture.NewClients(ctx, srv.URL, region)
	require.NoError(t, err)
	h, err := forensichost.Start(forensichost.Options{Upstream: srv.URL, EC2: direct.EC2, S3: direct.S3, SecurityHub: direct.SecurityHub})
	require.NoError(t, err)
	t.Cleanup(h.Close)
	proxied, err := fixture.NewClients(ctx, h.URL(), region)
	require.NoError(t, err)

	const product = "arn:aws:securityhub:eu-west-1::product/aws/guardduty"
	now := aws.String(time.Now().UTC().Format(time.RFC3339))
	var findings []shtypes.AwsSecurityFinding
	for _, id := range []string{"finding-ec2", "finding-eks"} {
		findings = append(findings, shtypes.AwsSecurityFinding{
			SchemaVersion: aws.String("2018-10-08"), Id: aws.String(id), ProductArn: aws.String(product),
			GeneratorId: aws.String("detector"), AwsAccountId: aws.String("123456789012"), Types: []string{"TTPs/Command and Control"},
			CreatedAt: now, UpdatedAt: now, Severity: &shtypes.Severity{Label: shtypes.SeverityLabelHigh},
			Title: aws.String(id), Description: aws.String(id),
			Resources: []shtypes.Resource{{Type: aws.String("Other"), Id: aws.String(id)}},
			Workflow:  &shtypes.Workflow{Status: shtypes.WorkflowStatusNew},
		})
	}
	_, err = direct.SecurityHub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: findings})
	require.NoError(t, err)

	out, err := proxied.SecurityHub.BatchUpdateFindings(ctx, &securityhub.BatchUpdateFindingsInput{
		FindingIdentifiers: []shtypes.AwsSecurityFindingIdentifier{{Id: aws.String("finding-eks"), ProductArn: aws.String(product)}},
		Note:               &shtypes.NoteUpdate{Text: aws.String("case-0001: SUCCEEDED"), UpdatedBy: aws.String("casefile")},
		Workflow:           &shtypes.WorkflowUpdate{Status: shtypes.WorkflowStatusNotified},
	})
	require.NoError(t, err)
	require.Empty(t, out.UnprocessedFindings)
	require.Len(t, out.ProcessedFindings, 1)

	all, err := direct.SecurityHub.GetFindings(ctx, &securityhub.GetFindingsInput{})
	require.NoError(t, err)
	status := map[string]shtypes.WorkflowStatus{}
	for _, f := range all.Findings {
		status[aws.ToString(f.Id)] = f.Workflow.Status
	}
	assert.Equal(t, map[string]shtypes.WorkflowStatus{"finding-ec2": shtypes.WorkflowStatusNew, "finding-eks": shtypes.WorkflowStatusNotified}, status,
		"only the named finding was updated")
}
