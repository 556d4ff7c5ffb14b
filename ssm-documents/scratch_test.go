package ssmdocuments

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scratchVolumeID is the scratch volume of the tests: scratchDevice links a
// loop device as its NVMe device.
const scratchVolumeID = "vol-0123456789abcdef5"

// scratchTools are the tools the scratch volume needs, on top of the
// memory script's own.
var scratchTools = []string{"losetup", "truncate", "mkfs.ext4", "wipefs", "blkid", "findmnt", "mount", "umount", "blockdev"}

// scratchResults is the part of the memory script's results.json that
// describes the scratch space.
type scratchResults struct {
	Status  string `json:"status"`
	Scratch struct {
		Kind         string  `json:"kind"`
		Path         *string `json:"path"`
		VolumeID     string  `json:"volumeId"`
		Device       *string `json:"device"`
		Previously   *string `json:"previously"`
		SizeBytes    *int64  `json:"sizeBytes"`
		FileSystem   *string `json:"fileSystem"`
		Label        *string `json:"label"`
		MountOptions *string `json:"mountOptions"`
		DumpOn       *string `json:"dumpOn"`
		// NeededBytes and FreeBytes are what an AVML dump's decompressed
		// file needs and what the scratch space had free.
		NeededBytes *int64 `json:"neededBytes"`
		FreeBytes   *int64 `json:"freeBytes"`
	} `json:"scratch"`
	Errors []struct {
		Step    string `json:"step"`
		Message string `json:"message"`
	} `json:"errors"`
}

// scratchDevice attaches a sparse 64 MiB image as a loop device, lets
// prepare write to it (nil leaves it blank, as a new EBS volume is), and
// links it as the NVMe device of scratchVolumeID in a folder for
// CASEFILE_DEVICE_BY_ID_DIR. It returns the loop device and the folder;
// when the test ends the device is unmounted wherever it still is and
// detached.
func scratchDevice(t *testing.T, prepare func(t *testing.T, dev string)) (dev, links string) {
	t.Helper()
	image := filepath.Join(t.TempDir(), "scratch.img")
	mustRun(t, "truncate", "-s", "64M", image)
	dev = strings.TrimSpace(mustRun(t, "losetup", "--find", "--show", image))
	t.Cleanup(func() {
		for _, target := range strings.Fields(run(t, nil, "findmnt", "-rn", "-o", "TARGET", "-S", dev).stdout) {
			run(t, nil, "umount", target)
		}
		run(t, nil, "losetup", "-d", dev)
	})
	if prepare != nil {
		prepare(t, dev)
	}
	links = t.TempDir()
	require.NoError(t, os.Symlink(dev, filepath.Join(links, "nvme-Amazon_Elastic_Block_Store_vol"+strings.TrimPrefix(scratchVolumeID, "vol-"))))
	return dev, links
}

// assertScratchUsed checks that results.json says the dump was copied onto
// a fresh ext4 file system on dev, and that dev is no longer mounted.
func assertScratchUsed(t *testing.T, results, dev, previously string) {
	t.Helper()
	var res scratchResults
	readJSON(t, results, &res)
	s := res.Scratch
	assert.Equal(t, "volume", s.Kind, "scratch kind")
	assert.Equal(t, scratchVolumeID, s.VolumeID, "scratch volume")
	assert.Equal(t, &dev, s.Device, "scratch device, found by the volume's serial")
	assert.Equal(t, &previously, s.Previously, "what the device held before")
	assert.Equal(t, ptrTo("ext4"), s.FileSystem, "scratch file system")
	assert.Equal(t, ptrTo("casefile-scratch"), s.Label, "scratch label")
	assert.Equal(t, ptrTo("nodev,nosuid,noexec,noatime"), s.MountOptions, "scratch mount options")
	assert.Equal(t, &dev, s.DumpOn, "the device whose file system held the dump")
	if assert.NotNil(t, s.SizeBytes) {
		assert.Equal(t, int64(64<<20), *s.SizeBytes, "scratch size")
	}
	assert.Empty(t, strings.TrimSpace(run(t, nil, "findmnt", "-rn", "-S", dev).stdout), "%s is unmounted after the run", dev)
	probe := mustRun(t, "blkid", "-p", "-o", "export", dev)
	assert.Contains(t, probe, "TYPE=ext4", "file system left on the scratch device")
	assert.Contains(t, probe, "LABEL=casefile-scratch", "label left on the scratch device")
}

func ptrTo[T any](v T) *T { return &v }

// TestMemoryScratchVolumeIsCheckedBeforeFormatting runs the rendered memory
// document in SSM mode with scratch devices that hold something: only an
// earlier Casefile scratch file system is formatted again; anything that
// might be evidence is refused with SCRATCH_REFUSED and left as it was.
func TestMemoryScratchVolumeIsCheckedBeforeFormatting(t *testing.T) {
	requireRoot(t)
	requireTools(t, append([]string{"sh", "aws", "moto_server", "jq", "xz", "od", "cmp", "python3", "sfdisk", "mkfs.vfat"}, scratchTools...)...)
	s3 := memoryDumpInS3(t)
	tests := []struct {
		name    string
		prepare func(t *testing.T, dev string)
		// mounted mounts the device read-only before the run.
		mounted    bool
		wantStatus string
		wantMsg    string
	}{
		{
			name:       "an earlier Casefile scratch is formatted again",
			prepare:    func(t *testing.T, dev string) { mustRun(t, "mkfs.ext4", "-q", "-L", "casefile-scratch", dev) },
			wantStatus: "SUCCEEDED",
		},
		{
			name:       "an ext4 file system of another label",
			prepare:    func(t *testing.T, dev string) { mustRun(t, "mkfs.ext4", "-q", "-L", "web-01-root", dev) },
			wantStatus: "SCRATCH_REFUSED", wantMsg: "it carries ext4 labelled web-01-root",
		},
		{
			name:       "a FAT file system",
			prepare:    func(t *testing.T, dev string) { mustRun(t, "mkfs.vfat", "-n", "EVIDENCE", dev) },
			wantStatus: "SCRATCH_REFUSED", wantMsg: "it carries vfat labelled EVIDENCE",
		},
		{
			name: "a partition table",
			prepare: func(t *testing.T, dev string) {
				r := run(t, nil, "sh", "-c", `printf 'label: gpt\n,\n' | sfdisk -q --no-reread "$1"`, "sh", dev)
				require.Equal(t, 0, r.code, r.stderr)
			},
			wantStatus: "SCRATCH_REFUSED", wantMsg: "it carries gpt",
		},
		{
			name: "data without a signature",
			prepare: func(t *testing.T, dev string) {
				f, err := os.OpenFile(dev, os.O_WRONLY, 0)
				require.NoError(t, err)
				_, err = f.WriteAt([]byte(strings.Repeat("memory of another case ", 200)), 8192)
				require.NoError(t, err)
				require.NoError(t, f.Close())
			},
			wantStatus: "SCRATCH_REFUSED", wantMsg: "it holds data with no signature known to wipefs",
		},
		{
			name:       "an earlier Casefile scratch still mounted",
			prepare:    func(t *testing.T, dev string) { mustRun(t, "mkfs.ext4", "-q", "-L", "casefile-scratch", dev) },
			mounted:    true,
			wantStatus: "SCRATCH_REFUSED", wantMsg: "is mounted",
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dev, links := scratchDevice(t, tt.prepare)
			if tt.mounted {
				mustRun(t, "mount", "-o", "ro,noload", dev, t.TempDir())
			}
			before := sha256File(t, dev)
			prefix := "cases/case-scratch-" + strconv.Itoa(i) + "/memory/"

			r := s3.runDocument(t, prefix, "CASEFILE_DEVICE_BY_ID_DIR="+links, "SSM_scratchVolumeId="+scratchVolumeID)

			assert.Contains(t, r.lastLine(), `"status":"`+tt.wantStatus+`"`, "summary; stderr:\n%s", r.stderr)
			results := s3.results(t, prefix)
			var res scratchResults
			readJSON(t, results, &res)
			assert.Equal(t, tt.wantStatus, res.Status, "results.json status")
			if tt.wantStatus == "SUCCEEDED" {
				assert.Equal(t, 0, r.code, "exit code")
				assertScratchUsed(t, results, dev, "scratch")
				return
			}
			assert.Equal(t, 1, r.code, "exit code")
			if assert.NotEmpty(t, res.Errors, "the refusal is recorded") {
				assert.Equal(t, "scratch", res.Errors[0].Step)
				assert.Contains(t, res.Errors[0].Message, tt.wantMsg)
				assert.Contains(t, res.Errors[0].Message, "nothing was written to it")
			}
			assert.Equal(t, &dev, res.Scratch.Device, "the device refused")
			assert.Nil(t, res.Scratch.FileSystem, "no file system made")
			assert.Nil(t, res.Scratch.DumpOn, "the dump was not copied")
			assert.Equal(t, before, sha256File(t, dev), "the refused device is unchanged")
		})
	}
}

// memoryDump is a Linux dump and its symbol table in a moto server's S3,
// for running the memory document in SSM mode.
type memoryDump struct {
	awsEnv  []string
	dumpURI string
	sha     string
	size    int
	bin     string
}

func memoryDumpInS3(t *testing.T) memoryDump {
	t.Helper()
	m := memoryDump{awsEnv: startS3(t, "evidence-bucket", "results-bucket").env}
	dir := t.TempDir()
	dump := filepath.Join(dir, "mem.lime")
	writeFile(t, dump, string(limeRange(1, 0x1000, memoryWithBanner(testBanner))), 0o600)
	symbolTable(t, dir, testBanner)
	m.dumpURI = "s3://evidence-bucket/dumps/mem.lime"
	require.Equal(t, 0, m.aws(t, "s3", "cp", dump, m.dumpURI).code)
	require.Equal(t, 0, m.aws(t, "s3", "cp", filepath.Join(dir, testRelease+".json.xz"), "s3://evidence-bucket/symbols/"+testRelease+".json.xz").code)
	m.sha, m.size = sha256File(t, dump), fileSize(t, dump)
	m.bin, _ = fakeVol(t)
	return m
}

func (m memoryDump) aws(t *testing.T, args ...string) result {
	t.Helper()
	return run(t, m.awsEnv, "aws", args...)
}

// runDocument runs the rendered memory document on the dump, its results
// under prefix, with the extra environment.
func (m memoryDump) runDocument(t *testing.T, prefix string, extra ...string) result {
	t.Helper()
	doc, err := Memory()
	require.NoError(t, err)
	env := append(append([]string{}, m.awsEnv...),
		"PATH="+m.bin+":"+os.Getenv("PATH"), "FAKE_VOL_LOG="+filepath.Join(t.TempDir(), "vol.log"),
		"SSM_forensicId=case-scratch", "SSM_dumpS3Uri="+m.dumpURI, "SSM_dumpSha256="+m.sha,
		"SSM_dumpSizeBytes="+strconv.Itoa(m.size), "SSM_dumpFormat=lime", "SSM_operatingSystem=linux",
		"SSM_kernelRelease="+testRelease, "SSM_symbolsS3Uri=s3://evidence-bucket/symbols/",
		"SSM_resultsBucket=results-bucket", "SSM_resultsPrefix="+prefix,
		"SSM_kmsKeyArn=arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab")
	return run(t, append(env, extra...), "sh", renderedCommand(t, doc))
}

// results downloads results.json from under prefix and returns its path.
func (m memoryDump) results(t *testing.T, prefix string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), ResultsFileName)
	got := m.aws(t, "s3", "cp", "s3://results-bucket/"+prefix+ResultsFileName, p)
	require.Equal(t, 0, got.code, "results.json uploaded: %s", got.stderr)
	return p
}

// TestMemoryScratchOptionsBelongToTheirMode checks that SSM mode needs a
// scratch volume and takes no folder, and local mode the reverse.
func TestMemoryScratchOptionsBelongToTheirMode(t *testing.T) {
	requireTools(t, "jq")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "mem.lime"), "dump", 0o600)
	ssm := []string{
		"--forensic-id", "case-001", "--dump-s3-uri", "s3://evidence/d/mem.lime", "--dump-sha256", strings.Repeat("a", 64),
		"--dump-size-bytes", "4096", "--dump-format", "lime", "--os", "linux", "--kernel-release", testRelease,
		"--symbols-s3-uri", "s3://symbols", "--results-bucket", "results-bucket", "--results-prefix", "cases/case-001/memory/",
		"--kms-key-arn", "arn:aws:kms:eu-west-1:123456789012:key/k-1",
	}
	local := []string{"--local", "--dump", filepath.Join(dir, "mem.lime"), "--symbols-dir", dir, "--output-dir", filepath.Join(dir, "o")}
	tests := []struct {
		name    string
		args    []string
		wantMsg string
	}{
		{"SSM without a scratch volume", ssm, "--scratch-volume-id is required"},
		{"SSM with a device name", append(ssm, "--scratch-volume-id", "/dev/sdz"), "--scratch-volume-id does not match"},
		{"SSM with two volumes", append(ssm, "--scratch-volume-id", scratchVolumeID+","+scratchVolumeID), "--scratch-volume-id does not match"},
		{"SSM with a folder", append(ssm, "--scratch-volume-id", scratchVolumeID, "--scratch-dir", dir), "--scratch-dir needs --local"},
		{"local with a volume", append(local, "--scratch-volume-id", scratchVolumeID), "--scratch-volume-id is for SSM mode"},
		{"local with a relative folder", append(local, "--scratch-dir", "scratch"), "--scratch-dir does not match"},
		{"local with a missing folder", append(local, "--scratch-dir", filepath.Join(dir, "none")), "--scratch-dir must be a folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, "bash", append([]string{script(t, "memory-forensics.sh")}, tt.args...)...)

			assert.Equal(t, 2, r.code, "exit code; stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, "usage error: "+tt.wantMsg)
		})
	}
}

// TestMemoryLocalScratchFolder runs the script locally: the dump goes into
// a folder of its own in --scratch-dir, which is gone after the run, or
// into the run folder without --scratch-dir.
func TestMemoryLocalScratchFolder(t *testing.T) {
	requireTools(t, "jq", "xz", "od", "cmp", "python3")
	tests := []struct {
		name       string
		scratchDir bool
	}{
		{name: "in --scratch-dir", scratchDir: true},
		{name: "in the run folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dump := filepath.Join(dir, "mem.lime")
			writeFile(t, dump, string(limeRange(1, 0x1000, memoryWithBanner(testBanner))), 0o600)
			symbols := filepath.Join(dir, "symbols")
			symbolTable(t, symbols, testBanner)
			scratch := filepath.Join(dir, "scratch")
			require.NoError(t, os.Mkdir(scratch, 0o700))
			bin, _ := fakeVol(t)
			out := filepath.Join(dir, "out")
			args := []string{script(t, "memory-forensics.sh"), "--local", "--dump", dump, "--symbols-dir", symbols,
				"--output-dir", out, "--kernel-release", testRelease}
			if tt.scratchDir {
				args = append(args, "--scratch-dir", scratch)
			}

			r := run(t, []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "FAKE_VOL_LOG=" + filepath.Join(dir, "vol.log")}, "bash", args...)

			require.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
			var res scratchResults
			readJSON(t, filepath.Join(out, ResultsFileName), &res)
			assert.Equal(t, "folder", res.Scratch.Kind, "scratch kind")
			require.NotNil(t, res.Scratch.Path, "scratch folder recorded")
			if tt.scratchDir {
				assert.Equal(t, scratch, filepath.Dir(*res.Scratch.Path), "a folder of its own in --scratch-dir")
			} else {
				assert.True(t, strings.HasPrefix(*res.Scratch.Path, "/var/tmp/casefile-memory."), "the run folder: %s", *res.Scratch.Path)
			}
			assert.NoDirExists(t, *res.Scratch.Path, "the scratch folder is removed after the run")
			left, err := os.ReadDir(scratch)
			require.NoError(t, err)
			assert.Empty(t, left, "nothing left in --scratch-dir")
		})
	}
}
