package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/starter"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

// otherBucket is a bucket beside the evidence bucket, which the forensic
// instance cannot read.
const otherBucket = "casefile-other-uploads"

// storeDumpCopy stores the fixture's memory dump again under key in bucket
// (creating a bucket other than the evidence bucket) and returns its s3
// URI, so that a request naming it names a real, intact dump.
func storeDumpCopy(t *testing.T, env *localaws.Environment, bucket, key string) string {
	t.Helper()
	ctx := context.Background()
	client := env.Clients().S3
	if bucket != fixture.EvidenceBucket {
		_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{
			Bucket: aws.String(bucket),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
				LocationConstraint: s3types.BucketLocationConstraint(env.Fixture().Region),
			},
		})
		var owned *s3types.BucketAlreadyOwnedByYou
		if !errors.As(err, &owned) {
			require.NoError(t, err, "create bucket %s", bucket)
		}
	}
	data, err := os.ReadFile(env.Fixture().Dump.Path)
	require.NoError(t, err)
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
	})
	require.NoError(t, err, "store the dump at s3://%s/%s", bucket, key)
	return "s3://" + bucket + "/" + key
}

// assertRefusedAtIntake checks a request that intake must refuse: the
// execution fails with INVALID_REQUEST naming field, the rejection is
// recorded and notified once under the case's ID, no forensic instance is
// launched and nothing is left.
func assertRefusedAtIntake(t *testing.T, out *localaws.Outcome, field string) {
	t.Helper()
	assert.Equal(t, sfnlocal.StatusFailed, out.Status, "execution status")
	assert.Equal(t, string(investigation.ReasonInvalidRequest), out.Error, "execution error (cause: %.300s)", out.Cause)
	assert.Contains(t, causeMessage(out.Cause), field, "the execution's cause names the field")
	assert.NotContains(t, out.States, workflow.StateCreateInstance, "states entered")
	if assert.NotNil(t, out.Investigation, "investigation item of %s", out.ForensicID) {
		assert.Equal(t, investigation.StatusFailed, out.Investigation.Status, "investigation status")
		assert.Equal(t, investigation.ReasonInvalidRequest, out.Investigation.Reason, "investigation reason (detail: %.300s)", out.Investigation.ReasonDetail)
		assert.Equal(t, field, out.Investigation.InvalidField, "the record names the field")
	}
	if assert.Len(t, out.Notifications, 1, "one notification per investigation") {
		msg := caseMessage(t, out)
		assert.Equal(t, out.ForensicID, msg.ForensicID, "notification forensicId")
		assert.Equal(t, investigation.StatusFailed, msg.Status, "notification status")
		assert.Equal(t, investigation.ReasonInvalidRequest, msg.Reason, "notification reason")
		assert.Contains(t, msg.Detail, field, "the notification names the field")
	}
	assert.Empty(t, out.ForensicInstances, "no forensic instance was launched")
	assertNothingLeft(t, out)
}

// causeMessage returns the message of a Lambda error in an execution's
// cause, or the cause itself when it is not one.
func causeMessage(cause string) string {
	var lambdaErr struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(cause), &lambdaErr) == nil && lambdaErr.ErrorMessage != "" {
		return lambdaErr.ErrorMessage
	}
	return cause
}

// TestRefusedAtIntake runs requests that the SSM documents' allowedPattern
// or the scripts (which refuse '..') would refuse, or whose dump the
// forensic instance could not read, and requests whose keys are not the
// exact field names. Such a request can never succeed, so intake refuses it
// before anything is launched instead of failing it late.
func TestRefusedAtIntake(t *testing.T) {
	tests := []struct {
		name    string
		request func(t *testing.T, env *localaws.Environment) any
		field   string
		// wantID is the ID the case is recorded under; empty for a request
		// without a usable one ("invalid-" and the execution name).
		wantID string
	}{
		{
			name:    "forensicId with '..' (the scripts refuse it)",
			request: func(_ *testing.T, env *localaws.Environment) any { return env.Fixture().DiskRequest("case..0005") },
			field:   "forensicId",
		},
		{
			name: "dump key with '..' inside a segment (the scripts refuse it)",
			request: func(t *testing.T, env *localaws.Environment) any {
				req := env.Fixture().MemoryRequest("case-hostile-0006")
				req.Memory.S3URI = storeDumpCopy(t, env, fixture.EvidenceBucket, "memory/web-01..dump/memory.lime")
				return req
			},
			field: "memory.s3Uri", wantID: "case-hostile-0006",
		},
		{
			name: "dump key with an apostrophe (dumpS3Uri's allowedPattern refuses it)",
			request: func(t *testing.T, env *localaws.Environment) any {
				req := env.Fixture().MemoryRequest("case-hostile-0007")
				req.Memory.S3URI = storeDumpCopy(t, env, fixture.EvidenceBucket, "memory/web-01's-dump.lime")
				return req
			},
			field: "memory.s3Uri", wantID: "case-hostile-0007",
		},
		{
			name: "kernelRelease with '..' (the scripts refuse it)",
			request: func(_ *testing.T, env *localaws.Environment) any {
				req := env.Fixture().MemoryRequest("case-hostile-0008")
				req.Memory.KernelRelease = "6.1..0-28-cloud-amd64"
				return req
			},
			field: "memory.kernelRelease", wantID: "case-hostile-0008",
		},
		{
			name: "dump outside the evidence bucket (the instance cannot read it)",
			request: func(t *testing.T, env *localaws.Environment) any {
				req := env.Fixture().MemoryRequest("case-hostile-0009")
				req.Memory.S3URI = storeDumpCopy(t, env, otherBucket, "memory/memory.lime")
				return req
			},
			field: "memory.s3Uri", wantID: "case-hostile-0009",
		},
		{
			name: "case variant of forensicId (encoding/json would take its value)",
			request: func(t *testing.T, env *localaws.Environment) any {
				raw, err := json.Marshal(env.Fixture().DiskRequest("case-hostile-0010"))
				require.NoError(t, err)
				return json.RawMessage(`{"FORENSICID":"case-hostile-0011",` + string(raw[1:]))
			},
			field: "FORENSICID", wantID: "case-hostile-0010",
		},
		{
			// Step Functions parses a JSON input and keeps the last of
			// duplicate keys, so only the starter sees them: the input is
			// the one it gives the execution.
			name: "forensicId given twice, through the starter (Step Functions would keep the last)",
			request: func(t *testing.T, env *localaws.Environment) any {
				raw, err := json.Marshal(env.Fixture().DiskRequest("case-hostile-0012"))
				require.NoError(t, err)
				detail := json.RawMessage(strings.TrimSuffix(string(raw), "}") + `,"forensicId":"case-hostile-0013"}`)
				_, input, err := starter.Execution(detail, fixture.EvidenceBucket)
				require.Error(t, err, "the starter judges the request invalid")
				return json.RawMessage(input)
			},
			field: "forensicId",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := environment(t)
			out := run(t, env, tc.request(t, env))

			if tc.wantID != "" {
				assert.Equal(t, tc.wantID, out.ForensicID, "the case is recorded under its forensicId")
			} else {
				assert.True(t, strings.HasPrefix(out.ForensicID, "invalid-"), "a request without a usable ID is recorded under its execution: %s", out.ForensicID)
			}
			assertRefusedAtIntake(t, out, tc.field)
		})
	}
}

// TestRejectedRequestWithHugeFieldName sends a request under the 64 KiB
// limit whose one unknown key is made of C1 control characters, which the
// field name quotes as \u escapes, three times their size. The rejection is
// still recorded as INVALID_REQUEST and notified, with a bounded field.
func TestRejectedRequestWithHugeFieldName(t *testing.T) {
	env := environment(t)
	const forensicID = "case-hostile-0014"
	raw, err := json.Marshal(env.Fixture().DiskRequest(forensicID))
	require.NoError(t, err)
	key := strings.Repeat("\u0085", (investigation.MaxRequestBytes-len(raw)-16)/2)
	input := json.RawMessage(`{"` + key + `":1,` + string(raw[1:]))
	require.Less(t, len(input), investigation.MaxRequestBytes)

	out := run(t, env, input)

	assert.Equal(t, forensicID, out.ForensicID)
	require.NotNil(t, out.Investigation, "investigation item of %s", forensicID)
	field := out.Investigation.InvalidField
	assert.LessOrEqual(t, len(field), investigation.MaxFieldBytes, "the recorded field is bounded")
	assert.True(t, strings.HasPrefix(field, `"\u0085\u0085`), "the field quotes the key in ASCII: %.40s", field)
	assertRefusedAtIntake(t, out, field)
	assert.Less(t, len(out.Cause), 4096, "the execution's cause is bounded")
}

// TestCorrectedResendIsInvestigated: after a request is rejected, the
// corrected request of the same case and evidence type is investigated;
// the rejection does not hold its place, and stays in the custody log.
func TestCorrectedResendIsInvestigated(t *testing.T) {
	env := environment(t)
	const forensicID = "case-resend-0001"
	rejected := env.Fixture().DiskRequest(forensicID)
	rejected.Disk.Snapshots[0].SnapshotID = "snap-not-an-id"
	first := run(t, env, rejected)
	assertRefusedAtIntake(t, first, "disk.snapshots[0].snapshotId")

	second := run(t, env, env.Fixture().DiskRequest(forensicID))

	assert.Equal(t, sfnlocal.StatusSucceeded, second.Status, "execution status of the corrected request")
	require.NotNil(t, second.Investigation, "investigation item of %s", forensicID)
	assert.Equal(t, investigation.StatusSucceeded, second.Investigation.Status, "investigation status")
	assert.Empty(t, second.Investigation.InvalidField, "the rejection's record was replaced")
	msg := caseMessage(t, second)
	assert.Equal(t, investigation.StatusSucceeded, msg.Status, "notification status")
	assertNothingLeft(t, second)

	items, err := fixture.CaseItems(context.Background(), env.Clients(), forensicID)
	require.NoError(t, err)
	var actions []string
	for _, it := range items {
		if a, ok := it["action"].(string); ok {
			actions = append(actions, a)
		}
	}
	assert.Contains(t, actions, caserecords.ActionRequestRejected, "the custody log keeps the rejection")
	assert.Contains(t, actions, caserecords.ActionCaseRecorded, "and records the corrected request")
}
