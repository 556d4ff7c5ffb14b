package ssmdocuments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// attachAsVolume attaches image as a loop device and links it in byID
// under the name the NVMe driver gives an EBS volume, as the forensic
// instance sees an evidence volume. It returns the loop device.
func attachAsVolume(t *testing.T, byID, image, volumeID string) string {
	t.Helper()
	loop := strings.TrimSpace(mustRun(t, "losetup", "--find", "--show", image))
	t.Cleanup(func() {
		run(t, nil, "blockdev", "--setrw", loop)
		run(t, nil, "losetup", "-d", loop)
	})
	link := filepath.Join(byID, "nvme-Amazon_Elastic_Block_Store_vol"+strings.TrimPrefix(volumeID, "vol-"))
	require.NoError(t, os.Symlink(loop, link))
	return loop
}

// TestRenderedDiskDocumentAgainstS3 runs the disk document's command as the
// SSM agent would, in SSM mode against a local moto server: the evidence
// volumes are found by their NVMe serial links (the test's by-id folder
// stands in for /dev/disk/by-id), never by a device name; each is set
// read-only and analysed; every result goes to S3 with SSE-KMS and a
// SHA-256 checksum; the evidence is unchanged.
func TestRenderedDiskDocumentAgainstS3(t *testing.T) {
	requireRoot(t)
	requireTools(t, "sh", "aws", "moto_server", "jq", "openssl", "mke2fs", "losetup", "fls", "mactime", "python3")
	s3 := startS3(t, "results-bucket")
	awsEnv, awsCLI := s3.env, s3.aws

	dir := t.TempDir()
	byID := filepath.Join(dir, "by-id")
	require.NoError(t, os.MkdirAll(byID, 0o755))
	root, _ := stageSuspectRoot(t)
	images := map[string]string{evidenceVolume: filepath.Join(dir, "system.img"), evidenceVolume2: filepath.Join(dir, "data.img")}
	before, loops := map[string]string{}, map[string]string{}
	for vol, image := range images {
		buildExt4(t, root, image, 32)
		before[vol] = sha256File(t, image)
		loops[vol] = attachAsVolume(t, byID, image, vol)
	}
	kms := "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
	prefix := "cases/case-disk-ssm/disk"
	env := append(append([]string{}, awsEnv...), "CASEFILE_DEVICE_BY_ID_DIR="+byID,
		"SSM_forensicId=case-disk-ssm", "SSM_volumeIds="+evidenceVolume+","+evidenceVolume2,
		"SSM_resultsBucket=results-bucket", "SSM_resultsPrefix="+prefix, "SSM_kmsKeyArn="+kms)
	doc, err := Disk()
	require.NoError(t, err)

	r := run(t, env, "sh", renderedCommand(t, doc))

	require.Equal(t, 0, r.code, "stderr:\n%s", r.stderr)
	assert.Contains(t, r.lastLine(), `"results":"s3://results-bucket/`+prefix+`/"`)
	for vol, image := range images {
		assert.Equal(t, before[vol], sha256File(t, image), "the evidence of %s is unchanged", vol)
		assert.Equal(t, "1", strings.TrimSpace(mustRun(t, "blockdev", "--getro", loops[vol])), "%s was set read-only", loops[vol])
		assertNothingLeftOf(t, image, loops[vol])
	}
	got := filepath.Join(dir, "results.json")
	require.Equal(t, 0, awsCLI("s3", "cp", "s3://results-bucket/"+prefix+"/results.json", got).code)
	var res diskResults
	readJSON(t, got, &res)
	assert.Equal(t, "SUCCEEDED", res.Status)
	require.Len(t, res.Devices, 2)
	for _, d := range res.Devices {
		assert.Equal(t, before[d.Evidence], d.SHA256, "the recorded SHA-256 of %s is its image's", d.Evidence)
		assert.True(t, d.ReadOnly, "%s recorded read-only", d.Evidence)
	}
	assert.Contains(t, res.findingPaths()["CRON_SUSPICIOUS"], "/etc/cron.d/backdoor")

	manifest := filepath.Join(dir, "manifest.json")
	require.Equal(t, 0, awsCLI("s3", "cp", "s3://results-bucket/"+prefix+"/manifest.json", manifest).code)
	var m Manifest
	readJSON(t, manifest, &m)
	keys := []string{ManifestFileName}
	for _, f := range m.Files {
		keys = append(keys, f.Path)
	}
	for _, vol := range []string{evidenceVolume, evidenceVolume2} {
		assert.Contains(t, keys, vol+"/disk/timeline.csv")
		assert.Contains(t, keys, vol+"/disk/inventory.jsonl")
	}
	checksums := wantChecksums(t, manifest)
	for _, key := range keys {
		s3.assertUploaded("results-bucket", prefix+"/"+key, kms, checksums[key])
	}
}

// TestDiskForensicsVolumeNotAttached: a volume whose NVMe device never
// appears fails DEVICE_NOT_FOUND after the wait, naming the serial it
// looked for; the volumes that are there are still analysed.
func TestDiskForensicsVolumeNotAttached(t *testing.T) {
	requireRoot(t)
	requireTools(t, "aws", "moto_server", "jq", "openssl", "mke2fs", "losetup", "fls", "mactime", "python3")
	s3 := startS3(t, "results-bucket")
	awsEnv := s3.env
	dir := t.TempDir()
	byID := filepath.Join(dir, "by-id")
	require.NoError(t, os.MkdirAll(byID, 0o755))
	root, _ := stageSuspectRoot(t)
	image := filepath.Join(dir, "system.img")
	buildExt4(t, root, image, 32)
	attachAsVolume(t, byID, image, evidenceVolume)

	r := run(t, append(awsEnv, "CASEFILE_DEVICE_BY_ID_DIR="+byID), "bash", script(t, "disk-forensics.sh"),
		"--forensic-id", "case-missing-volume", "--volume-ids", evidenceVolume+","+evidenceVolume2,
		"--results-bucket", "results-bucket", "--results-prefix", "cases/case-missing-volume/disk",
		"--kms-key-arn", "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab",
		"--device-wait-seconds", "1")

	assert.Equal(t, 1, r.code, "stderr:\n%s", r.stderr)
	got := filepath.Join(dir, "results.json")
	require.Equal(t, 0, run(t, awsEnv, "aws", "s3", "cp", "s3://results-bucket/cases/case-missing-volume/disk/results.json", got).code)
	var res diskResults
	readJSON(t, got, &res)
	assert.Equal(t, "DEVICE_NOT_FOUND", res.Status)
	require.NotEmpty(t, res.Errors)
	assert.Contains(t, res.Errors[0].Message, "vol"+strings.TrimPrefix(evidenceVolume2, "vol-"), "the error names the serial looked for")
	analysed := map[string]bool{}
	for _, d := range res.Devices {
		analysed[d.Evidence] = d.SHA256 != ""
	}
	assert.Equal(t, map[string]bool{evidenceVolume: true, evidenceVolume2: false}, analysed)
}

// assertNothingLeftOf checks that a run left no mount of image and no loop
// device of its own over it: only the test's own, loop.
func assertNothingLeftOf(t *testing.T, image, loop string) {
	t.Helper()
	assert.Empty(t, mountsOf(t, image), "no mount of %s left under a run folder", image)
	left := strings.TrimSpace(mustRun(t, "losetup", "-j", image))
	assert.Equal(t, 1, len(strings.Split(left, "\n")), "only the test's loop device is over %s: %s", image, left)
	assert.True(t, strings.HasPrefix(left, loop+":"), "the loop device over %s is the test's %s: %s", image, loop, left)
}
