package ssmdocuments

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
)

// The tests here plant the traps of DESIGN.md section 9 in the evidence: a
// journal that a read-only mount would still replay, a file system whose
// UUID the host already has mounted, and a file system the kernel will not
// mount. Each checks that the evidence is not changed and still analysed.

// runDiskPass runs the disk script in local mode on image and returns its
// results; the run must succeed and leave the image as it was.
func runDiskPass(t *testing.T, image string) (diskResults, string) {
	t.Helper()
	before := sha256File(t, image)
	out := filepath.Join(t.TempDir(), "out")

	r := run(t, nil, "bash", script(t, "disk-forensics.sh"), "--local", "--device", image,
		"--evidence-id", evidenceVolume, "--output-dir", out)

	require.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
	assert.Equal(t, before, sha256File(t, image), "the evidence image is unchanged")
	var res diskResults
	readJSON(t, filepath.Join(out, ResultsFileName), &res)
	assert.Equal(t, "SUCCEEDED", res.Status)
	assertManifest(t, out)
	return res, out
}

// onlyFilesystem returns the one file system of a one-device result.
func onlyFilesystem(t *testing.T, res diskResults) (fs struct {
	readOnly, mounted             bool
	filesystem, options, analysis string
	entries                       int
}) {
	t.Helper()
	require.Len(t, res.Devices, 1)
	require.Len(t, res.Devices[0].Partitions, 1)
	p := res.Devices[0].Partitions[0]
	fs.readOnly, fs.mounted, fs.analysis, fs.entries = p.ReadOnly, p.Mounted, p.Analysis, p.BodyfileEntries
	if p.Filesystem != nil {
		fs.filesystem = *p.Filesystem
	}
	if p.MountOptions != nil {
		fs.options = *p.MountOptions
	}
	return fs
}

// TestDiskForensicsDirtyExt4Journal: an ext4 journal holding a committed
// transaction that was never applied. `mount -o ro` would replay it, which
// writes to the device; the pass must mount with noload and leave the
// journal as it found it.
func TestDiskForensicsDirtyExt4Journal(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mke2fs", "debugfs", "dumpe2fs", "losetup", "blockdev", "fls", "mactime", "icat", "jq", "python3")
	root, _ := stageSuspectRoot(t)
	dir := t.TempDir()
	image := filepath.Join(dir, "dirty.img")
	buildExt4(t, root, image, 32)
	block := filepath.Join(dir, "block")
	writeFile(t, block, strings.Repeat("journalled block ", 241), 0o600)
	commands := filepath.Join(dir, "debugfs.cmds")
	writeFile(t, commands, "jo\njw -b 400,401 "+block+"\njc\n", 0o600)
	mustRun(t, "debugfs", "-w", "-f", commands, image)
	require.Contains(t, mustRun(t, "dumpe2fs", "-h", image), "needs_recovery", "the journal needs recovery")

	res, _ := runDiskPass(t, image)

	fs := onlyFilesystem(t, res)
	assert.Equal(t, "ext4", fs.filesystem)
	assert.True(t, fs.mounted, "mounted without replaying the journal")
	assert.Subset(t, strings.Split(fs.options, ","), []string{"ro", "noload"})
	assert.Contains(t, mustRun(t, "dumpe2fs", "-h", image), "needs_recovery", "the journal was not replayed")
	assert.Contains(t, res.findingPaths()["SUID_SHELL"], "/tmp/.rootsh")
}

// TestDiskForensicsXFSWithTheHostsUUID: a volume made from a snapshot of
// the same image family as the forensic instance has the UUID of the
// instance's own root file system. The kernel refuses a second mount of a
// UUID unless told nouuid. Here the "root" is an XFS with that UUID that
// the test keeps mounted during the pass.
func TestDiskForensicsXFSWithTheHostsUUID(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mkfs.xfs", "xfs_db", "losetup", "blockdev", "blkid", "fls", "mactime", "icat", "jq", "python3", "mount", "umount")
	const uuid = "5b3f0a52-6f4e-4c1e-9a47-2d7e1c0b9e11"
	dir := t.TempDir()
	image := filepath.Join(dir, "evidence-xfs.img")
	mustRun(t, "truncate", "-s", "300M", image)
	mustRun(t, "mkfs.xfs", "-q", "-m", "uuid="+uuid, image)
	populateXFS(t, image, dir)
	assert.Contains(t, mustRun(t, "blkid", "-p", "-o", "export", image), "UUID="+uuid, "the evidence has the host's UUID")

	hostRoot := filepath.Join(dir, "host-root.img")
	mustRun(t, "truncate", "-s", "300M", hostRoot)
	mustRun(t, "mkfs.xfs", "-q", "-m", "uuid="+uuid, hostRoot)
	hostMount := filepath.Join(dir, "host-root")
	require.NoError(t, os.MkdirAll(hostMount, 0o755))
	if r := run(t, nil, "mount", "-o", "loop", hostRoot, hostMount); r.code != 0 {
		testenv.Missing(t, "cannot mount XFS here: %s", r.stderr)
	}
	defer mustRun(t, "umount", hostMount)

	res, _ := runDiskPass(t, image)

	fs := onlyFilesystem(t, res)
	assert.Equal(t, "xfs", fs.filesystem)
	assert.True(t, fs.mounted, "mounted beside the host's file system of the same UUID")
	assert.Subset(t, strings.Split(fs.options, ","), []string{"ro", "norecovery", "nouuid"})
	assert.Contains(t, res.findingPaths()["CRON_SUSPICIOUS"], "/etc/cron.d/xfs-backdoor")
}

// TestDiskForensicsCorruptFilesystem: an ext4 whose superblock checksum is
// wrong, which the kernel will not mount. The Sleuth Kit does not check
// that checksum, so the timeline, the inventory (without file hashes) and
// the artifacts come from the raw device.
func TestDiskForensicsCorruptFilesystem(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mke2fs", "losetup", "blockdev", "blkid", "fls", "mactime", "icat", "jq", "python3")
	root, staged := stageSuspectRoot(t)
	image := filepath.Join(t.TempDir(), "corrupt.img")
	buildExt4(t, root, image, 32)
	// s_last_mounted, inside the superblock that metadata_csum covers.
	f, err := os.OpenFile(image, os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteAt([]byte("corrupted"), 1024+0x88)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	res, out := runDiskPass(t, image)

	fs := onlyFilesystem(t, res)
	assert.Equal(t, "ext4", fs.filesystem)
	assert.False(t, fs.mounted, "the kernel refuses the superblock")
	assert.Equal(t, "sleuthkit-only", fs.analysis)
	assert.Greater(t, fs.entries, 10, "a timeline from the raw device")
	findings := res.findingPaths()
	assert.Contains(t, findings["CRON_SUSPICIOUS"], "/etc/cron.d/backdoor")
	assert.Contains(t, findings["AUTHORIZED_KEYS"], "/root/.ssh/authorized_keys")
	assert.Contains(t, findings["TEMP_EXECUTABLE"], "/tmp/.rootsh")
	got, err := os.ReadFile(filepath.Join(out, evidenceVolume, "disk", "artifacts", "etc/cron.d/backdoor"))
	require.NoError(t, err, "artifact copied with icat")
	assert.Equal(t, staged["etc/cron.d/backdoor"], string(got))
}
