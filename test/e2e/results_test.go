package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// artifactRecord is the part of an ARTIFACT# item these tests read.
type artifactRecord struct {
	SortKey   string `json:"sk"`
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	SizeBytes int64  `json:"sizeBytes"`
	SHA256    string `json:"sha256"`
	Tool      string `json:"tool"`
}

// artifactRecords returns the case's artifact items.
func artifactRecords(t *testing.T, env *localaws.Environment, forensicID string) []artifactRecord {
	t.Helper()
	return caseItems(t, env, forensicID, func(a artifactRecord) bool {
		return strings.HasPrefix(a.SortKey, investigation.SortArtifactPrefix)
	})
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

	records := artifactRecords(t, env, req.ForensicID)
	require.NotEmpty(t, records, "artifact records")
	prefix := investigation.ResultsPrefix(req.ForensicID, req.ForensicType)
	kinds := map[string]bool{}
	for _, a := range records {
		assert.Equal(t, fixture.ResultsBucket, a.Bucket, "bucket of %s", a.Key)
		body := readObject(t, env, a.Key)
		sum := sha256.Sum256(body)
		assert.Equal(t, hex.EncodeToString(sum[:]), a.SHA256, "recorded SHA-256 of %s", a.Key)
		assert.Equal(t, int64(len(body)), a.SizeBytes, "recorded size of %s", a.Key)
		for _, kind := range []string{"/disk/timeline.csv", "/disk/inventory.jsonl", "/disk/bodyfile.txt"} {
			if strings.HasPrefix(a.Key, prefix) && strings.HasSuffix(a.Key, kind) {
				kinds[kind] = true
				assert.Positive(t, a.SizeBytes, "%s is not empty", a.Key)
			}
		}
	}
	assert.Len(t, kinds, 3, "timeline, inventory and bodyfile are recorded artifacts; got %v", kinds)
	assertNothingLeft(t, out)
}
