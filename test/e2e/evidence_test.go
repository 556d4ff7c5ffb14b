package e2e

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

// missingSnapshot and otherVolume are well-formed IDs that name nothing
// in the emulator.
const (
	missingSnapshot = "snap-0123456789abcdef0"
	otherVolume     = "vol-0123456789abcdef0"
)

// custodyEvent is a custody event item of the case table.
type custodyEvent struct {
	Step      string            `json:"step"`
	Action    string            `json:"action"`
	Resources map[string]string `json:"resources"`
}

// custodyEvents returns the case's custody events with the action, in
// order.
func custodyEvents(t *testing.T, env *localaws.Environment, forensicID, action string) []custodyEvent {
	t.Helper()
	return caseItems(t, env, forensicID, func(e custodyEvent) bool { return e.Action == action })
}

// caseItems decodes the items of the case's collection into T and returns
// those that keep accepts, in key order.
func caseItems[T any](t *testing.T, env *localaws.Environment, forensicID string, keep func(T) bool) []T {
	t.Helper()
	items, err := fixture.ItemsWithSortPrefix[T](context.Background(), env.Clients(), forensicID, "")
	require.NoError(t, err)
	var out []T
	for _, v := range items {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

// memoryResultsFile is the part of the memory script's results.json that
// these tests read.
type memoryResultsFile struct {
	Status string `json:"status"`
	Dump   struct {
		SizeBytes         int64  `json:"sizeBytes"`
		ExpectedSizeBytes *int64 `json:"expectedSizeBytes"`
		SizeVerified      bool   `json:"sizeVerified"`
		HashVerified      bool   `json:"hashVerified"`
		Source            string `json:"source"`
	} `json:"dump"`
}

// readMemoryResults reads results.json from the case's memory results.
func readMemoryResults(t *testing.T, env *localaws.Environment, forensicID string) memoryResultsFile {
	t.Helper()
	var res memoryResultsFile
	readResults(t, env, forensicID, investigation.ForensicTypeMemory, &res)
	return res
}

// assertEvidenceCaseFailed checks a case that must end FAILED for reason:
// the execution's error, the investigation record and its detail, one
// error notification, nothing left in EC2.
func assertEvidenceCaseFailed(t *testing.T, out *localaws.Outcome, forensicID string, reason investigation.Reason, wantDetail []string) {
	t.Helper()
	assert.Equal(t, sfnlocal.StatusFailed, out.Status, "execution status")
	assert.Equal(t, string(reason), out.Error, "execution error (cause: %.400s)", out.Cause)
	assert.Contains(t, out.States, workflow.StateCleanup, "the failure path ran")
	if assert.NotNil(t, out.Investigation, "investigation item of %s", forensicID) {
		assert.Equal(t, investigation.StatusFailed, out.Investigation.Status, "investigation status")
		assert.Equal(t, reason, out.Investigation.Reason, "investigation reason")
		for _, want := range wantDetail {
			assert.Contains(t, out.Investigation.ReasonDetail, want, "investigation reason detail")
		}
	}
	msg := caseMessage(t, out)
	assert.Equal(t, forensicID, msg.ForensicID, "notification forensicId")
	assert.Equal(t, investigation.StatusFailed, msg.Status, "notification status")
	assert.Equal(t, reason, msg.Reason, "notification reason")
	assertNothingLeft(t, out)
}

// TestSnapshotsAreChecked runs DISK requests whose snapshots are not what
// they say. AttachEvidence describes the snapshots before it makes any
// volume, so each case fails with EVIDENCE_MISMATCH and no volume is ever
// created. A snapshot that does not exist is a mismatch too, not an attach
// failure: EC2 answers InvalidSnapshot.NotFound to DescribeSnapshots, so
// the request names evidence that is not there (or not shared with the
// forensic account), and nothing was attempted that could fail.
func TestSnapshotsAreChecked(t *testing.T) {
	tests := []struct {
		name       string
		prepare    func(f *fixture.Fixture, req *investigation.Request)
		wantDetail func(f *fixture.Fixture) []string
	}{
		{
			name: "declared source volume and size are wrong",
			prepare: func(_ *fixture.Fixture, req *investigation.Request) {
				req.Disk.Snapshots[0].SourceVolumeID = otherVolume
				req.Disk.Snapshots[0].SizeGiB = investigation.MaxSnapshotGiB
			},
			wantDetail: func(f *fixture.Fixture) []string {
				d := f.Compromised.Disks[0]
				return []string{
					"snapshot " + d.SnapshotID,
					"source volume is " + d.VolumeID + ", the request says " + otherVolume,
					"size is " + strconv.Itoa(int(d.SizeGiB)) + " GiB, the request says " + strconv.Itoa(investigation.MaxSnapshotGiB) + " GiB",
				}
			},
		},
		{
			name: "declared size of the second snapshot alone is wrong",
			prepare: func(f *fixture.Fixture, req *investigation.Request) {
				req.Disk.Snapshots[1].SizeGiB = f.Compromised.Disks[1].SizeGiB + 1
			},
			wantDetail: func(f *fixture.Fixture) []string {
				d := f.Compromised.Disks[1]
				return []string{"snapshot " + d.SnapshotID, "size is " + strconv.Itoa(int(d.SizeGiB)) + " GiB"}
			},
		},
		{
			name: "snapshot does not exist",
			prepare: func(_ *fixture.Fixture, req *investigation.Request) {
				req.Disk.Snapshots[0].SnapshotID = missingSnapshot
			},
			wantDetail: func(*fixture.Fixture) []string {
				return []string{"snapshot " + missingSnapshot + " does not exist or is not shared with the forensic account"}
			},
		},
		{
			name: "second snapshot does not exist",
			prepare: func(_ *fixture.Fixture, req *investigation.Request) {
				req.Disk.Snapshots = append(req.Disk.Snapshots, investigation.Snapshot{
					SnapshotID: missingSnapshot, SourceVolumeID: otherVolume, SizeGiB: 8,
				})
			},
			wantDetail: func(*fixture.Fixture) []string {
				return []string{"snapshot " + missingSnapshot + " does not exist or is not shared with the forensic account"}
			},
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := environment(t)
			f := env.Fixture()
			req := f.DiskRequest("case-evidence-000" + strconv.Itoa(i+1))
			tc.prepare(f, &req)

			out := run(t, env, req)

			assertEvidenceCaseFailed(t, out, req.ForensicID, investigation.ReasonEvidenceMismatch, tc.wantDetail(f))
			assert.Contains(t, out.States, workflow.StateAttachEvidence, "states entered")
			assert.NotContains(t, out.States, workflow.StateStartDiskForensics, "no forensics on evidence that does not match")
			assert.Empty(t, custodyEvents(t, env, req.ForensicID, "volume-created"), "no evidence volume was created")
			assert.Empty(t, custodyEvents(t, env, req.ForensicID, "snapshot-verified"), "no snapshot was recorded as verified")
			for _, c := range out.Commands {
				assert.Equal(t, f.Documents.Probe.Name, c.DocumentName, "no command but the readiness probe ran")
			}
		})
	}
}

// TestDumpSizeIsChecked runs a MEMORY request whose dump is 1 byte bigger
// than declared: the memory script compares the sizes before it hashes
// the dump and fails with SIZE_MISMATCH, which the investigation's detail
// names and results.json records with both sizes.
func TestDumpSizeIsChecked(t *testing.T) {
	env := environment(t)
	f := env.Fixture()
	req := f.MemoryRequest("case-evidence-0101")
	req.Memory.SizeBytes++

	out := run(t, env, req)

	assertEvidenceCaseFailed(t, out, req.ForensicID, investigation.ReasonCommandFailed,
		[]string{"the script reported SIZE_MISMATCH"})
	res := readMemoryResults(t, env, req.ForensicID)
	assert.Equal(t, "SIZE_MISMATCH", res.Status, "results.json status")
	assert.Equal(t, f.Dump.SizeBytes, res.Dump.SizeBytes, "the dump's size, as found")
	if assert.NotNil(t, res.Dump.ExpectedSizeBytes, "the declared size is recorded") {
		assert.Equal(t, req.Memory.SizeBytes, *res.Dump.ExpectedSizeBytes, "the declared size")
	}
	assert.False(t, res.Dump.SizeVerified, "size verified")
	assert.False(t, res.Dump.HashVerified, "no hash before the size is right")
	assert.Equal(t, req.Memory.S3URI, res.Dump.Source, "the dump's source")
}

// TestVerifiedEvidenceIsRecorded runs cases whose evidence is what the
// request says and checks what the custody log and the results keep of
// the checks: what EC2 shows of the snapshot, and the dump's size the
// script was told and found.
func TestVerifiedEvidenceIsRecorded(t *testing.T) {
	t.Run("disk", func(t *testing.T) {
		env := environment(t)
		f := env.Fixture()
		req := f.DiskRequest("case-evidence-0201")

		out := run(t, env, req)

		require.Equal(t, sfnlocal.StatusSucceeded, out.Status, "execution status")
		events := custodyEvents(t, env, req.ForensicID, "snapshot-verified")
		require.Len(t, events, len(f.Compromised.Disks), "one snapshot-verified event per snapshot")
		verified := map[string]map[string]string{}
		for _, e := range events {
			verified[e.Resources["snapshotId"]] = e.Resources
		}
		for _, d := range f.Compromised.Disks {
			got := verified[d.SnapshotID]
			require.NotNil(t, got, "snapshot %s verified; got %v", d.SnapshotID, verified)
			assert.Equal(t, d.VolumeID, got["sourceVolumeId"], "the volume EC2 says %s was taken of", d.SnapshotID)
			assert.Equal(t, strconv.Itoa(int(d.SizeGiB)), got["volumeSizeGiB"], "the size EC2 says of %s", d.SnapshotID)
			assert.Equal(t, "completed", got["state"])
			assert.Equal(t, f.AccountID, got["ownerId"], "the snapshot's owner")
			assert.NotEmpty(t, got["startTime"], "when the snapshot was taken")
		}
		assert.Len(t, custodyEvents(t, env, req.ForensicID, "volume-created"), len(f.Compromised.Disks), "volumes created after the check")
		assertNothingLeft(t, out)
	})
	t.Run("memory", func(t *testing.T) {
		env := environment(t)
		f := env.Fixture()
		req := f.MemoryRequest("case-evidence-0202")

		out := run(t, env, req)

		require.Equal(t, sfnlocal.StatusSucceeded, out.Status, "execution status")
		events := custodyEvents(t, env, req.ForensicID, "command-sent")
		require.Len(t, events, 1, "the forensics command's custody event")
		assert.Equal(t, strconv.FormatInt(f.Dump.SizeBytes, 10), events[0].Resources["dumpSizeBytes"], "the size the script checks")
		assert.Equal(t, f.Dump.SHA256, events[0].Resources["dumpSha256"], "the hash the script checks")
		res := readMemoryResults(t, env, req.ForensicID)
		assert.Equal(t, "SUCCEEDED", res.Status)
		assert.True(t, res.Dump.SizeVerified, "size verified")
		assert.True(t, res.Dump.HashVerified, "hash verified")
		assert.Equal(t, f.Dump.SizeBytes, res.Dump.SizeBytes)
		assertNothingLeft(t, out)
	})
}
