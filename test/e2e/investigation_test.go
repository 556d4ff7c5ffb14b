package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/notify"
	"github.com/casefile-forensics/casefile/lambdas/report"
	"github.com/casefile-forensics/casefile/lambdas/sweep"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

func run(t *testing.T, env *localaws.Environment, req any) *localaws.Outcome {
	t.Helper()
	input, err := json.Marshal(req)
	require.NoError(t, err)
	out, err := env.Run(context.Background(), input)
	require.NoError(t, err, "run the investigation (logs in %s)", env.LogDir())
	t.Logf("states: %s", strings.Join(out.States, " > "))
	if out.Status != sfnlocal.StatusSucceeded {
		t.Logf("execution %s: %s: %s", out.Status, out.Error, out.Cause)
	}
	return out
}

// caseMessage returns the one notification of the case, decoded.
func caseMessage(t *testing.T, out *localaws.Outcome) notify.Message {
	t.Helper()
	require.Len(t, out.Notifications, 1, "one notification per investigation")
	var msg notify.Message
	require.NoError(t, json.Unmarshal(out.Notifications[0].JSON, &msg), "the notification is JSON: %s", out.Notifications[0].Message)
	return msg
}

// assertNothingLeft checks that no forensic instance runs and no case
// volume or security group is left.
func assertNothingLeft(t *testing.T, out *localaws.Outcome) {
	t.Helper()
	assert.Empty(t, out.Leftovers.Instances, "forensic instances pending, running, stopping or stopped")
	assert.Empty(t, out.Leftovers.Volumes, "case volumes")
	assert.Empty(t, out.Leftovers.SecurityGroups, "case security groups")
}

func resultKeys(out *localaws.Outcome) []string {
	keys := make([]string, 0, len(out.Results))
	for _, o := range out.Results {
		keys = append(keys, o.Key)
	}
	return keys
}

func hasSuffix(keys []string, suffix string) bool {
	for _, k := range keys {
		if strings.HasSuffix(k, suffix) {
			return true
		}
	}
	return false
}

func TestInvestigationSucceeds(t *testing.T) {
	tests := []struct {
		name      string
		request   func(f *fixture.Fixture) investigation.Request
		wantState string
		// wantResults are keys under the case's results prefix;
		// wantSuffixes end keys there (the volume ID is the run's).
		wantResults  []string
		wantSuffixes []string
	}{
		{
			name:        "disk",
			request:     func(f *fixture.Fixture) investigation.Request { return f.DiskRequest("case-disk-0001") },
			wantState:   workflow.StateAttachEvidence,
			wantResults: []string{"results.json", "manifest.json"},
			wantSuffixes: []string{
				"/disk/timeline.csv", "/disk/artifacts/root/.bash_history",
				"/disk/artifacts/home/admin/.ssh/authorized_keys", "/disk/artifacts/etc/cron.d/sysupdate",
			},
		},
		{
			name:         "memory",
			request:      func(f *fixture.Fixture) investigation.Request { return f.MemoryRequest("case-memory-0001") },
			wantState:    workflow.StateStartMemoryForensics,
			wantResults:  []string{"results.json", "manifest.json", "dump-banners.txt"},
			wantSuffixes: []string{"/volatility/linux.pslist.json"},
		},
		{
			name:         "windows memory",
			request:      func(f *fixture.Fixture) investigation.Request { return f.WindowsMemoryRequest("case-memory-win-0001") },
			wantState:    workflow.StateStartMemoryForensics,
			wantResults:  []string{"results.json", "manifest.json", "dump-banners.txt"},
			wantSuffixes: []string{"/volatility/windows.pslist.json", "/volatility/windows.malfind.json"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := environment(t)
			req := tc.request(env.Fixture())
			out := run(t, env, req)

			assert.Equal(t, sfnlocal.StatusSucceeded, out.Status, "execution status")
			assert.Contains(t, out.States, tc.wantState, "states entered")
			assert.Contains(t, out.States, workflow.StateReleaseResources, "states entered")
			require.NotNil(t, out.Investigation, "investigation item of %s", req.ForensicID)
			assert.Equal(t, investigation.StatusSucceeded, out.Investigation.Status, "investigation status")

			prefix := investigation.ResultsPrefix(req.ForensicID, req.ForensicType)
			for _, want := range tc.wantResults {
				assert.Contains(t, resultKeys(out), prefix+want, "results under %s", out.ResultsS3URI)
			}
			for _, suffix := range tc.wantSuffixes {
				assert.True(t, hasSuffix(resultKeys(out), suffix), "a result ends with %s; got %v", suffix, resultKeys(out))
			}
			for _, o := range out.Results {
				if strings.HasPrefix(o.Key, prefix) {
					assert.NotEmpty(t, o.ChecksumSHA256, "%s has a SHA-256 checksum", o.Key)
				}
			}
			if req.Disk != nil {
				timelines := 0
				for _, k := range resultKeys(out) {
					rest, ok := strings.CutPrefix(k, prefix)
					if ok && strings.HasPrefix(rest, "vol-") && strings.Count(rest, "/") == 2 && strings.HasSuffix(rest, "/disk/timeline.csv") {
						timelines++
					}
				}
				assert.Equal(t, len(req.Disk.Snapshots), timelines, "a timeline in each evidence volume's folder; got %v", resultKeys(out))
			}

			msg := caseMessage(t, out)
			assert.Equal(t, req.ForensicID, msg.ForensicID, "notification forensicId")
			assert.Equal(t, investigation.StatusSucceeded, msg.Status, "notification status")
			if assert.NotNil(t, msg.Results, "notification results") {
				assert.Equal(t, "s3://"+fixture.ResultsBucket+"/"+prefix, msg.Results.S3URI, "notification results location")
			}
			assertNothingLeft(t, out)
			assert.NotEmpty(t, out.ForensicInstances, "a forensic instance was launched")

			assert.Contains(t, out.States, workflow.StateWriteReport, "states entered")
			r := assertReport(t, env, req.ForensicID)
			assert.Equal(t, string(investigation.StatusSucceeded), r.Case.Status, "report status")
			assert.Len(t, r.Analysis, 1, "the report says what ran")
			assert.NotZero(t, r.Artifacts.Total, "the report lists the artifacts")
		})
	}
}

// TestInvestigationFails covers failures of the evidence and the forensics;
// the faults of AWS and of the forensic host (a refused AttachVolume, an
// agent that never registers, a command that never completes...) are the
// fault matrix's, in faults_test.go.
func TestInvestigationFails(t *testing.T) {
	tests := []struct {
		name string
		// prepare breaks something before the run and returns the request.
		prepare    func(t *testing.T, env *localaws.Environment) investigation.Request
		wantReason investigation.Reason
	}{
		{
			name: "snapshot deleted before attachment",
			prepare: func(t *testing.T, env *localaws.Environment) investigation.Request {
				f := env.Fixture()
				_, err := env.Clients().EC2.DeleteSnapshot(context.Background(), &ec2.DeleteSnapshotInput{SnapshotId: aws.String(f.Compromised.Disks[0].SnapshotID)})
				require.NoError(t, err)
				return f.DiskRequest("case-attach-0001")
			},
			// AttachEvidence describes the snapshot before it makes a volume.
			wantReason: investigation.ReasonEvidenceMismatch,
		},
		{
			name: "memory dump hash mismatch fails the command",
			prepare: func(_ *testing.T, env *localaws.Environment) investigation.Request {
				req := env.Fixture().MemoryRequest("case-command-0001")
				req.Memory.SHA256 = strings.Repeat("0", 64)
				return req
			},
			wantReason: investigation.ReasonCommandFailed,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := environment(t)
			req := tc.prepare(t, env)
			out := run(t, env, req)

			assert.Equal(t, sfnlocal.StatusFailed, out.Status, "execution status")
			assert.Equal(t, string(tc.wantReason), out.Error, "execution error")
			assert.Contains(t, out.States, workflow.StateCleanup, "the failure path ran")
			require.NotNil(t, out.Investigation, "investigation item of %s", req.ForensicID)
			assert.Equal(t, investigation.StatusFailed, out.Investigation.Status, "investigation status")
			assert.Equal(t, tc.wantReason, out.Investigation.Reason, "investigation reason")

			msg := caseMessage(t, out)
			assert.Equal(t, req.ForensicID, msg.ForensicID, "notification forensicId")
			assert.Equal(t, investigation.StatusFailed, msg.Status, "notification status")
			assert.Equal(t, tc.wantReason, msg.Reason, "notification reason")
			assertNothingLeft(t, out)

			assert.Contains(t, out.States, workflow.StateWriteFailureReport, "a failed case gets a report")
			r := assertReport(t, env, req.ForensicID)
			assert.Equal(t, string(investigation.StatusFailed), r.Case.Status, "report status")
			require.NotEmpty(t, r.Limitations)
			assert.Equal(t, report.LimitCaseFailed, r.Limitations[0].Code, "the failure is the first limitation")
			assert.Contains(t, r.Limitations[0].Detail, string(tc.wantReason))
		})
	}
}

func TestInvalidRequest(t *testing.T) {
	env := environment(t)
	req := env.Fixture().DiskRequest("case-invalid-0001")
	req.Disk.Snapshots[0].SnapshotID = "snap-not-an-id"
	out := run(t, env, req)

	assert.Equal(t, sfnlocal.StatusFailed, out.Status, "execution status")
	assert.Equal(t, string(investigation.ReasonInvalidRequest), out.Error, "execution error")
	require.NotNil(t, out.Investigation, "investigation item of %s", out.ForensicID)
	assert.Equal(t, investigation.StatusFailed, out.Investigation.Status, "investigation status")
	assert.Equal(t, investigation.ReasonInvalidRequest, out.Investigation.Reason, "investigation reason")
	const field = "disk.snapshots[0].snapshotId"
	assert.Contains(t, out.Investigation.InvalidField+" "+out.Investigation.ReasonDetail, field, "the record names the field")

	msg := caseMessage(t, out)
	assert.Equal(t, investigation.ReasonInvalidRequest, msg.Reason, "notification reason")
	assert.Contains(t, msg.Detail, field, "the notification names the field")
	assert.Empty(t, out.ForensicInstances, "no forensic instance was launched")
	assertNothingLeft(t, out)
}

// interruptedTimeoutSeconds replaces the state machine's timeout in the
// timed-out case: long enough for a disk case to reach WaitForCommand on a
// busy machine, where holdCommand keeps it.
const interruptedTimeoutSeconds = 20

// holdCommand keeps an interrupted execution in WaitForCommand: by then
// the forensic instance runs, the evidence volume is attached and the
// command is running.
var holdCommand = map[string]time.Duration{workflow.StateWaitForCommand: time.Hour}

func TestInvestigationInterrupted(t *testing.T) {
	tests := []struct {
		name       string
		forensicID string
		opts       localaws.RunOptions
		wantStatus string
		wantReason investigation.Reason
	}{
		{
			name:       "timed out while the command runs",
			forensicID: "case-timeout-0001",
			opts:       localaws.RunOptions{TimeoutSeconds: interruptedTimeoutSeconds, StateWaits: holdCommand},
			wantStatus: sfnlocal.StatusTimedOut,
			wantReason: investigation.ReasonExecutionTimedOut,
		},
		{
			name:       "stopped while the command runs",
			forensicID: "case-abort-0001",
			opts:       localaws.RunOptions{AbortAt: workflow.StateWaitForCommand, StateWaits: holdCommand},
			wantStatus: sfnlocal.StatusAborted,
			wantReason: investigation.ReasonExecutionAborted,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			env := environment(t)
			req := env.Fixture().DiskRequest(tc.forensicID)
			input, err := json.Marshal(req)
			require.NoError(t, err)

			out, err := env.RunWith(ctx, input, tc.opts)
			require.NoError(t, err, "run the investigation (logs in %s)", env.LogDir())
			t.Logf("states: %s", strings.Join(out.States, " > "))

			assert.Equal(t, tc.wantStatus, out.Status, "execution status")
			require.Contains(t, out.States, workflow.StateWaitForCommand, "interrupted while the command ran")
			assert.NotContains(t, out.States, workflow.StateCleanup, "Step Functions skips the failure path")
			require.NotNil(t, out.StatusChange, "the status change went to the sweep function")

			var swept sweep.Result
			require.NoError(t, json.Unmarshal(out.Sweep, &swept), "the sweep's result: %s", out.Sweep)
			assert.Equal(t, sweep.OutcomeSwept, swept.Outcome, "sweep outcome (%s)", swept.Detail)
			if assert.NotNil(t, swept.Cleanup, "the sweep released the case") {
				assert.NotEmpty(t, swept.Cleanup.TerminatedInstances, "forensic instance terminated")
				assert.NotEmpty(t, swept.Cleanup.DeletedVolumes, "evidence volume deleted")
				assert.NotEmpty(t, swept.Cleanup.DeletedGroups, "case security group deleted")
			}
			assert.Nil(t, swept.CleanupError, "cleanup error")

			require.NotNil(t, out.Investigation, "investigation item of %s", req.ForensicID)
			assert.Equal(t, investigation.StatusFailed, out.Investigation.Status, "investigation status")
			assert.Equal(t, tc.wantReason, out.Investigation.Reason, "investigation reason")
			wantDetail := "execution " + out.StatusChange.Resources[0] + " ended " + tc.wantStatus
			assert.Contains(t, out.Investigation.ReasonDetail, wantDetail, "the record says how the execution ended")

			msg := caseMessage(t, out)
			assert.Equal(t, req.ForensicID, msg.ForensicID, "notification forensicId")
			assert.Equal(t, investigation.StatusFailed, msg.Status, "notification status")
			assert.Equal(t, tc.wantReason, msg.Reason, "notification reason")
			assert.Contains(t, msg.Detail, wantDetail, "notification detail")
			assertNothingLeft(t, out)
			assert.NotEmpty(t, out.ForensicInstances, "a forensic instance was launched")

			// EventBridge may deliver the event again: nothing more happens.
			again, err := env.DeliverStatusChange(ctx, *out.StatusChange)
			require.NoError(t, err, "deliver the status change again")
			var redelivered sweep.Result
			require.NoError(t, json.Unmarshal(again, &redelivered))
			assert.Equal(t, sweep.OutcomeAlreadyFinal, redelivered.Outcome, "a redelivered event (%s)", redelivered.Detail)
			notes, err := fixture.ReceiveNotifications(ctx, env.Clients(), env.Fixture().QueueURL)
			require.NoError(t, err)
			assert.Empty(t, notes, "no second notification")
			records, err := fixture.Investigations(ctx, env.Clients(), req.ForensicID)
			require.NoError(t, err)
			require.Len(t, records, 1)
			assert.Equal(t, *out.Investigation, records[0], "the record is left as it was")
		})
	}
}
