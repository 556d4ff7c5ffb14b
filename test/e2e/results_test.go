package e2e

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
)

// readObject returns the bytes of a results bucket object.
func readObject(t *testing.T, env *localaws.Environment, key string) []byte {
	t.Helper()
	obj, err := env.Clients().S3.GetObject(context.Background(), &s3.GetObjectInput{
		Bucket: aws.String(fixture.ResultsBucket), Key: aws.String(key),
	})
	require.NoError(t, err, "get s3://%s/%s", fixture.ResultsBucket, key)
	defer obj.Body.Close()
	raw, err := io.ReadAll(obj.Body)
	require.NoError(t, err, "read s3://%s/%s", fixture.ResultsBucket, key)
	return raw
}

// readResults decodes results.json of the case's investigation of type ft
// into v.
func readResults(t *testing.T, env *localaws.Environment, forensicID string, ft investigation.ForensicType, v any) {
	t.Helper()
	raw := readObject(t, env, investigation.ResultsPrefix(forensicID, ft)+"results.json")
	require.NoError(t, json.Unmarshal(raw, v), "results.json: %.300s", raw)
}

// diskFindings is the findings list of the disk script's results.json.
type diskFindings struct {
	Findings []struct {
		ID   string `json:"id"`
		Path string `json:"path"`
	} `json:"findings"`
}

// TestDiskResultsDescribeTheEvidence runs a DISK case on the generated disks
// and checks what a responder reads: the findings planted in the evidence
// are named, and every artifact record's size and SHA-256 are those of the
// object it names.
func TestDiskResultsDescribeTheEvidence(t *testing.T) {
	env := environment(t)
	req := env.Fixture().DiskRequest("case-results-0001")

	out := run(t, env, req)

	require.Equal(t, investigation.StatusSucceeded, out.Investigation.Status, "investigation status")
	var res diskFindings
	readResults(t, env, req.ForensicID, req.ForensicType, &res)
	got := map[string][]string{}
	for _, f := range res.Findings {
		got[f.ID] = append(got[f.ID], f.Path)
	}
	for id, path := range map[string]string{
		"SUID_UNUSUAL_LOCATION": "/usr/local/bin/pkexec-helper",
		"CRON_SUSPICIOUS":       "/etc/cron.d/sysupdate",
		"SYSTEMD_SUSPICIOUS":    "/etc/systemd/system/sysupdate.service",
		"HISTORY_SUSPICIOUS":    "/root/.bash_history",
		"AUTHORIZED_KEYS":       "/home/admin/.ssh/authorized_keys",
	} {
		assert.Contains(t, got[id], path, "finding %s; got %v", id, got)
	}

	check, err := fixture.VerifyArtifacts(context.Background(), env.Clients(), req.ForensicID)
	require.NoError(t, err)
	require.NotEmpty(t, check.Records, "artifact records")
	assert.Empty(t, check.Mismatches, "artifact records whose object differs")
	assert.Equal(t, len(check.Records), check.Verified, "artifact records verified")
	// The results and the SSM command output are both under the case.
	prefix := investigation.CasesPrefix + req.ForensicID + "/"
	for _, a := range check.Records {
		assert.Equal(t, fixture.ResultsBucket, a.Bucket, "bucket of %s", a.Key)
		assert.True(t, strings.HasPrefix(a.Key, prefix), "%s is under the case's prefix %s", a.Key, prefix)
	}
	for _, kind := range []string{"/disk/timeline.csv", "/disk/inventory.jsonl", "/disk/bodyfile.txt"} {
		assert.True(t, check.Has(kind), "a non-empty %s is a recorded artifact", kind)
	}
	assertNothingLeft(t, out)
}
