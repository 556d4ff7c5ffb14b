package report

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/repo"
)

// The case the real results belong to.
const (
	realCase       = "case-2026-report"
	rootVolume     = "vol-0a1b2c3d4e5f60718"
	dataVolume     = "vol-0fedcba9876543210"
	rootSnapshot   = "snap-0a1b2c3d4e5f60718"
	dataSnapshot   = "snap-0fedcba9876543210"
	sourceRootVol  = "vol-01111111111111111"
	sourceDataVol  = "vol-02222222222222222"
	forensicHostID = "i-0123456789abcdef0"
)

// realRun is a case whose results were produced by the real forensics
// scripts, with the case records the workflow would have made.
type realRun struct {
	db        *fakeDB
	s3        *fakeS3
	artifacts []caserecords.Artifact
	// forms are the report's renderings for a DISK execution that
	// succeeded, by form name.
	forms map[string][]byte
}

var (
	realOnce   sync.Once
	realShared *realRun
	realErr    error
)

// realResults runs disk-forensics.sh --local on the demo's two generated
// evidence disks (planted cron and systemd persistence, a SUID helper, an
// SSH key, shell history) and memory-forensics.sh --local on the generated
// LiME dump with the local vol stand-in, once per test binary, and builds
// the report of the case from their output.
func realResults(t *testing.T) *realRun {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.Missing(t, "needs root: the disk forensics attach loop devices and mount read-only")
	}
	var missing []string
	for _, tool := range []string{"mke2fs", "fls", "mactime", "icat", "losetup", "blockdev", "sfdisk", "jq", "xz", "openssl", "python3"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		testenv.Missing(t, "missing %s (make debian-deps installs them)", strings.Join(missing, ", "))
	}
	realOnce.Do(func() { realShared, realErr = makeRealRun() })
	require.NoError(t, realErr)
	return realShared
}

func makeRealRun() (*realRun, error) {
	root, err := repo.Root()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "casefile-report-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	rootImage, err := fixture.MakeDiskImage(dir)
	if err != nil {
		return nil, err
	}
	dataImage, err := fixture.MakeDataDiskImage(dir)
	if err != nil {
		return nil, err
	}
	dump, err := fixture.MakeMemoryDump(dir)
	if err != nil {
		return nil, err
	}
	symbols := filepath.Join(dir, "symbols")
	bin := filepath.Join(dir, "bin")
	for _, d := range []string{symbols, bin} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	if _, err := fixture.MakeSymbolTable(symbols); err != nil {
		return nil, err
	}
	standIn, err := os.ReadFile(filepath.Join(root, "test/localaws/forensichost/vol-standin.sh"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(bin, "vol"), standIn, 0o755); err != nil {
		return nil, err
	}

	scripts := filepath.Join(root, "ssm-documents/scripts")
	diskOut, memOut := filepath.Join(dir, "disk-out"), filepath.Join(dir, "memory-out")
	runs := []*exec.Cmd{
		exec.Command("bash", filepath.Join(scripts, "disk-forensics.sh"), "--local", "--forensic-id", realCase,
			"--device", rootImage, "--evidence-id", rootVolume, "--device", dataImage, "--evidence-id", dataVolume,
			"--output-dir", diskOut),
		exec.Command("bash", filepath.Join(scripts, "memory-forensics.sh"), "--local", "--forensic-id", realCase,
			"--dump", dump.Path, "--dump-sha256", dump.SHA256, "--dump-size-bytes", fmt.Sprint(dump.SizeBytes),
			"--dump-format", dump.Format, "--kernel-release", dump.KernelRelease,
			"--symbols-dir", symbols, "--output-dir", memOut, "--scratch-dir", dir),
	}
	runs[1].Env = append(os.Environ(), "PATH="+os.Getenv("PATH")+string(os.PathListSeparator)+bin)
	var wg sync.WaitGroup
	errs := make([]error, len(runs))
	for i, cmd := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("%s: %w\n%s", filepath.Base(cmd.Args[1]), err, out)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}

	r := &realRun{db: &fakeDB{pageSize: 7}, s3: newFakeS3(), forms: map[string][]byte{}}
	for _, out := range []struct {
		dir string
		typ investigation.ForensicType
	}{{diskOut, investigation.ForensicTypeDisk}, {memOut, investigation.ForensicTypeMemory}} {
		arts, err := r.upload(out.dir, out.typ)
		if err != nil {
			return nil, err
		}
		r.artifacts = append(r.artifacts, arts...)
	}
	r.record(dump)

	h := New(r.db, &fakeRecords{}, r.s3, Config{TableName: testTable, ResultsBucket: testBucket,
		VolumeKMSKeyARN: "arn:aws:kms:eu-west-1:444455556666:key/volume"})
	h.now = func() time.Time { return testNow }
	st := investigation.State{
		ForensicID: realCase, ForensicType: investigation.ForensicTypeDisk, ExecutionName: realCase + "-disk",
		Results: &investigation.Results{S3URI: "s3://" + testBucket + "/" + investigation.ResultsPrefix(realCase, investigation.ForensicTypeDisk)},
	}
	if _, err := h.Handle(context.Background(), st); err != nil {
		return nil, err
	}
	for _, form := range []string{investigation.ReportJSON, investigation.ReportMarkdown, investigation.ReportHTML} {
		r.forms[form] = r.s3.bodies[investigation.ReportKey(realCase, form)]
	}
	return r, nil
}

// upload puts a run's output folder under its results prefix and returns
// the artifacts the collect step would record, with the manifest's tools.
func (r *realRun) upload(dir string, t investigation.ForensicType) ([]caserecords.Artifact, error) {
	prefix := investigation.ResultsPrefix(realCase, t)
	var manifest struct {
		Files []struct {
			Path, Tool, ToolVersion string
			Evidence                *string
		} `json:"files"`
	}
	content, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(content, &manifest); err != nil {
		return nil, err
	}
	var arts []caserecords.Artifact
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		a := r.s3.put(realCase, t, prefix+filepath.ToSlash(rel), content)
		for _, e := range manifest.Files {
			if e.Path == filepath.ToSlash(rel) {
				a.Tool, a.ToolVersion = e.Tool, e.ToolVersion
				if e.Evidence != nil {
					a.Evidence = *e.Evidence
				}
			}
		}
		arts = append(arts, a)
		return nil
	})
	return arts, err
}

// record adds the case records the workflow makes for both evidence types.
func (r *realRun) record(dump fixture.MemoryDump) {
	db := r.db
	at := func(minute int) time.Time { return time.Date(2026, 3, 14, 9, minute, 0, 0, time.UTC) }
	stamp := func(minute int) string { return at(minute).Format("2006-01-02T15:04:05.000000000Z07:00") }
	db.add(realCase, investigation.SortCase, map[string]any{
		"forensicId": realCase, "resourceKey": "ec2#111122223333#eu-west-1#i-0aaaabbbbccccdddd", "createdAt": stamp(0),
		"accountId": "111122223333", "region": "eu-west-1", "instanceId": "i-0aaaabbbbccccdddd",
		"findingId": "arn:aws:securityhub:eu-west-1:111122223333:finding/f-1", "findingTypes": []string{"TTPs/Command and Control/CryptoCurrency:EC2-BitcoinTool.B!DNS"},
		"findingSeverity": "HIGH",
	})
	db.add(realCase, investigation.InvestigationSortKey(investigation.ForensicTypeDisk), map[string]any{
		"forensicId": realCase, "forensicType": "DISK", "status": "IN_PROGRESS", "executionName": realCase + "-disk",
		"createdAt": stamp(0), "updatedAt": stamp(5), "instanceId": forensicHostID, "commandId": "11111111-2222-3333-4444-555555555555",
		"snapshots": []map[string]any{
			{"snapshotId": rootSnapshot, "sourceVolumeId": sourceRootVol, "sizeGiB": 1},
			{"snapshotId": dataSnapshot, "sourceVolumeId": sourceDataVol, "sizeGiB": 1},
		},
	})
	db.add(realCase, investigation.InvestigationSortKey(investigation.ForensicTypeMemory), map[string]any{
		"forensicId": realCase, "forensicType": "MEMORY", "status": "SUCCEEDED", "executionName": realCase + "-memory",
		"createdAt": stamp(0), "updatedAt": stamp(20), "finishedAt": stamp(20),
		"memory": map[string]any{"s3Uri": "s3://casefile-evidence/dumps/web-01.lime", "sha256": dump.SHA256,
			"sizeBytes": dump.SizeBytes, "format": dump.Format, "kernelRelease": dump.KernelRelease},
	})
	events := []caserecords.Event{
		{ForensicType: investigation.ForensicTypeDisk, Step: "RecordCase", Action: "case-recorded", Time: at(0)},
		{ForensicType: investigation.ForensicTypeDisk, Step: "CreateInstance", Action: "instance-launched", Time: at(1),
			Resources: map[string]string{"instanceId": forensicHostID, "amiId": "ami-0123456789abcdef0"}},
		{ForensicType: investigation.ForensicTypeDisk, Step: "AttachEvidence", Action: "snapshot-verified", Time: at(2),
			Resources: map[string]string{"snapshotId": rootSnapshot, "sourceVolumeId": sourceRootVol, "encrypted": "true"}},
		{ForensicType: investigation.ForensicTypeDisk, Step: "AttachEvidence", Action: "volume-created", Time: at(3),
			Resources: map[string]string{"volumeId": rootVolume, "snapshotId": rootSnapshot, "sourceVolumeId": sourceRootVol}},
		{ForensicType: investigation.ForensicTypeDisk, Step: "AttachEvidence", Action: "volume-created", Time: at(3).Add(time.Second),
			Resources: map[string]string{"volumeId": dataVolume, "snapshotId": dataSnapshot, "sourceVolumeId": sourceDataVol}},
		{ForensicType: investigation.ForensicTypeDisk, Step: "CollectResults", Action: "results-collected", Time: at(9),
			Resources: map[string]string{"artifactCount": fmt.Sprint(len(r.artifacts))}},
		{ForensicType: investigation.ForensicTypeMemory, Step: "CollectResults", Action: "results-collected", Time: at(19)},
		{ForensicType: investigation.ForensicTypeDisk, Step: "ReleaseResources", Action: "instance-terminated", Time: at(10),
			Resources: map[string]string{"instanceId": forensicHostID}},
	}
	for _, e := range events {
		e.ForensicID = realCase
		db.addEvent(e)
	}
	for _, a := range r.artifacts {
		db.addArtifact(a)
	}
}

// htmlText is HTML with its entities decoded, for substring checks.
func htmlText(b []byte) string { return html.UnescapeString(string(b)) }
