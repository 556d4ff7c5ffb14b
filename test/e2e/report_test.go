package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/report"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
)

// assertReport checks that the case's report was written in its three
// forms under the case prefix, each with its SHA-256 checksum, naming the
// case, and returns report.json decoded.
func assertReport(t *testing.T, env *localaws.Environment, forensicID string) report.Report {
	t.Helper()
	var r report.Report
	for _, form := range []string{investigation.ReportJSON, investigation.ReportMarkdown, investigation.ReportHTML} {
		key := investigation.ReportKey(forensicID, form)
		out, err := env.Clients().S3.GetObject(context.Background(), &s3.GetObjectInput{
			Bucket: aws.String(fixture.ResultsBucket), Key: aws.String(key), ChecksumMode: s3types.ChecksumModeEnabled,
		})
		if !assert.NoError(t, err, "the report's %s form is at s3://%s/%s", form, fixture.ResultsBucket, key) {
			continue
		}
		body, err := io.ReadAll(out.Body)
		out.Body.Close()
		require.NoError(t, err)
		sum := sha256.Sum256(body)
		assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), aws.ToString(out.ChecksumSHA256), "%s was uploaded with its SHA-256", key)
		assert.True(t, strings.Contains(string(body), forensicID), "%s names the case %s", key, forensicID)
		if form == investigation.ReportJSON {
			require.NoError(t, json.Unmarshal(body, &r), "report.json is JSON")
		}
	}
	assert.Equal(t, forensicID, r.Case.ForensicID, "report.json's forensicId")
	assert.Equal(t, report.SchemaID, r.Schema)
	assert.NotEmpty(t, r.Timeline.Events, "the custody timeline")
	return r
}
