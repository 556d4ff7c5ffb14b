package ssmdocuments

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// inventoryRecord is the part of an inventory.jsonl line the stream tests read.
type inventoryRecord struct {
	Path        string  `json:"path"`
	Inode       uint64  `json:"inode"`
	Size        int64   `json:"size"`
	SHA256      *string `json:"sha256"`
	HashSource  string  `json:"hashSource"`
	HashSkipped string  `json:"hashSkipped"`
	Error       string  `json:"error"`
}

func readInventory(t *testing.T, path string) map[string]inventoryRecord {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]inventoryRecord{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec inventoryRecord
		require.NoError(t, json.Unmarshal(sc.Bytes(), &rec), "inventory line %q", sc.Text())
		require.Empty(t, rec.Error, "inventory error record %q", sc.Text())
		out[rec.Path] = rec
	}
	require.NoError(t, sc.Err())
	return out
}

// trickyFiles fills the mounted file system at mnt with files whose blocks
// the stream must map right: empty, tiny, large, sparse, preallocated
// (unwritten extents read as zeros), two files grown in turns
// (fragmented), a hard link, a name with a newline and a tab, and, where
// the file system can, a reflinked copy (blocks shared by two files).
func trickyFiles(t *testing.T, mnt string) {
	t.Helper()
	random := func(n int) []byte {
		b := make([]byte, n)
		_, err := rand.Read(b)
		require.NoError(t, err)
		return b
	}
	write := func(rel string, b []byte) {
		p := filepath.Join(mnt, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
	write("empty", nil)
	write("etc/tiny.conf", []byte("x=1\n"))
	write("data/large.bin", random(5*mib+123))
	sparse, err := os.Create(filepath.Join(mnt, "data/sparse.bin"))
	require.NoError(t, err)
	_, err = sparse.WriteAt(random(8192), mib)
	require.NoError(t, err)
	require.NoError(t, sparse.Truncate(3*mib))
	require.NoError(t, sparse.Close())
	mustRun(t, "fallocate", "-l", "1M", filepath.Join(mnt, "data/prealloc.bin"))
	pre, err := os.OpenFile(filepath.Join(mnt, "data/prealloc.bin"), os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = pre.WriteAt(random(5000), 4096)
	require.NoError(t, err)
	require.NoError(t, pre.Close())
	a, err := os.Create(filepath.Join(mnt, "data/grown-a.log"))
	require.NoError(t, err)
	b, err := os.Create(filepath.Join(mnt, "data/grown-b.log"))
	require.NoError(t, err)
	for i := 0; i < 16; i++ {
		for _, f := range []*os.File{a, b} {
			_, err := f.Write(random(64 << 10))
			require.NoError(t, err)
			require.NoError(t, f.Sync())
		}
	}
	require.NoError(t, a.Close())
	require.NoError(t, b.Close())
	require.NoError(t, os.Link(filepath.Join(mnt, "data/large.bin"), filepath.Join(mnt, "data/large.link")))
	write("home/odd\nname\there", random(3000))
	for i := 0; i < 50; i++ {
		write(fmt.Sprintf("usr/lib/many/f%02d.so", i), random(1000*(i+1)))
	}
	// Best effort: only file systems with reflink support share blocks.
	run(t, nil, "cp", "--reflink=always", filepath.Join(mnt, "data/large.bin"), filepath.Join(mnt, "data/large.reflink"))
}

// assertInventoryMatchesMount checks every inventory record of a file
// system against the file system itself, mounted read-only: every regular
// file listed, every hash the SHA-256 of the file as the mount reads it.
// It returns how many hashes came from the device stream.
func assertInventoryMatchesMount(t *testing.T, inventory map[string]inventoryRecord, mnt string) int {
	t.Helper()
	fromDevice, files := 0, 0
	err := filepath.Walk(mnt, func(p string, info os.FileInfo, err error) error {
		if err != nil || !info.Mode().IsRegular() {
			return err
		}
		files++
		rel := "/" + strings.TrimPrefix(p, mnt+"/")
		rec, ok := inventory[rel]
		if !assert.True(t, ok, "%q is in the inventory", rel) {
			return nil
		}
		if rec.SHA256 == nil {
			assert.NotEmpty(t, rec.HashSkipped, "%q has a hash or says why not", rel)
			return nil
		}
		assert.Equal(t, sha256File(t, p), *rec.SHA256, "hash of %q (from the %s)", rel, rec.HashSource)
		if rec.HashSource == "device" {
			fromDevice++
		}
		return nil
	})
	require.NoError(t, err)
	assert.Len(t, inventory, files, "the inventory lists every regular file once")
	return fromDevice
}

// TestDiskForensicsStreamHashesFiles: the inventory's file hashes that the
// device stream computed (from the device's blocks, through the walk's
// extent maps) are the hashes of the files as the file system reads them,
// on ext4 (with and without inline data), XFS and a partitioned disk (the
// partitions' offsets added), and the evidence is left as it was.
func TestDiskForensicsStreamHashesFiles(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mke2fs", "mkfs.xfs", "sfdisk", "losetup", "blockdev", "blkid", "fls", "mactime", "icat", "jq",
		"python3", "mount", "umount", "fallocate", "find")
	tests := []struct {
		name string
		// build makes the evidence image and returns, per file system the
		// script names, how to mount it read-only for the check.
		build func(t *testing.T, image string) map[string][]string
		// wantMount are files of the plain file systems that must be
		// hashed through the mount (the stream cannot map them).
		wantMount []string
	}{
		{
			name: "ext4",
			build: func(t *testing.T, image string) map[string][]string {
				randomImage(t, image, 64)
				mustRun(t, "mke2fs", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0", "-t", "ext4", image)
				fill(t, image)
				return map[string][]string{"disk": {"-o", "ro,noload,loop", image}}
			},
		},
		{
			name: "ext4 with inline data",
			build: func(t *testing.T, image string) map[string][]string {
				randomImage(t, image, 64)
				mustRun(t, "mke2fs", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0", "-t", "ext4", "-O", "inline_data", image)
				fill(t, image)
				return map[string][]string{"disk": {"-o", "ro,noload,loop", image}}
			},
			wantMount: []string{"/etc/tiny.conf"},
		},
		{
			name: "xfs",
			build: func(t *testing.T, image string) map[string][]string {
				randomImage(t, image, 320)
				mustRun(t, "mkfs.xfs", "-q", "-K", image)
				fill(t, image)
				return map[string][]string{"disk": {"-o", "ro,norecovery,loop", image}}
			},
		},
		{
			name: "partitioned ext4 and xfs",
			build: func(t *testing.T, image string) map[string][]string {
				dir := t.TempDir()
				p1, p2 := filepath.Join(dir, "p1.fs"), filepath.Join(dir, "p2.fs")
				randomImage(t, p1, 64)
				mustRun(t, "mke2fs", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0", "-t", "ext4", p1)
				fill(t, p1)
				randomImage(t, p2, 320)
				mustRun(t, "mkfs.xfs", "-q", "-K", p2)
				fill(t, p2)
				mustRun(t, "truncate", "-s", "420M", image)
				layout := "label: gpt\nstart=2048,size=131072,type=L\nstart=135168,size=655360,type=L\n"
				r := run(t, nil, "bash", "-c", `printf '%s' "$1" | sfdisk -q "$2"`, "_", layout, image)
				require.Equal(t, 0, r.code, r.stderr)
				for i, start := range []int{2048, 135168} {
					mustRun(t, "dd", "if="+[]string{p1, p2}[i], "of="+image, "bs=512", fmt.Sprintf("seek=%d", start),
						"conv=notrunc", "status=none")
				}
				return map[string][]string{
					"p1": {"-o", fmt.Sprintf("ro,noload,loop,offset=%d", 2048*512), image},
					"p2": {"-o", fmt.Sprintf("ro,norecovery,loop,offset=%d", 135168*512), image},
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			image := filepath.Join(t.TempDir(), "evidence.img")
			mounts := tt.build(t, image)

			res, out := runDiskPass(t, image)

			require.Len(t, res.Devices, 1)
			assert.Equal(t, sha256File(t, image), res.Devices[0].SHA256, "the device hash is the image's")
			assertNothingLeft(t, image)
			for name, args := range mounts {
				inventory := readInventory(t, filepath.Join(out, evidenceVolume, name, "inventory.jsonl"))
				mnt := t.TempDir()
				mustRun(t, "mount", append(args, mnt)...)
				fromDevice := assertInventoryMatchesMount(t, inventory, mnt)
				mustRun(t, "umount", mnt)

				for _, p := range []string{"/data/large.bin", "/data/sparse.bin", "/data/prealloc.bin", "/usr/lib/many/f07.so", "/data/large.link"} {
					assert.Equal(t, "device", inventory[p].HashSource, "%s: %s hashed from the device stream", name, p)
				}
				for _, p := range tt.wantMount {
					assert.Equal(t, "mount", inventory[p].HashSource, "%s: %s hashed through the mount", name, p)
				}
				assert.Greater(t, fromDevice, len(inventory)*3/4, "%s: most files hashed from the device stream", name)
			}
		})
	}
}

// randomImage writes sizeMiB of random bytes to image: the blocks a file
// system allocates but never writes (preallocated, unwritten extents) then
// hold old data, which must read as zeros. (ext4 still zeroes its inode
// tables and journal: the Sleuth Kit takes minutes over random ones.)
func randomImage(t *testing.T, image string, sizeMiB int) {
	t.Helper()
	mustRun(t, "dd", "if=/dev/urandom", "of="+image, "bs=1M", fmt.Sprintf("count=%d", sizeMiB), "status=none")
}

// fill mounts a new file system read-write, writes trickyFiles into it and
// unmounts it.
func fill(t *testing.T, source string) {
	t.Helper()
	mnt := t.TempDir()
	mustRun(t, "mount", source, mnt)
	trickyFiles(t, mnt)
	mustRun(t, "umount", mnt)
}

// TestDiskForensicsStreamNeverToldItsPlans: when the list of plans cannot
// be written, the stream would wait for it for ever. The script must stop
// the stream, say so, and still hash every file, through the mount.
func TestDiskForensicsStreamNeverToldItsPlans(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mke2fs", "losetup", "blockdev", "blkid", "fls", "mactime", "icat", "jq", "python3", "mount", "umount", "fallocate", "find")
	image := filepath.Join(t.TempDir(), "evidence.img")
	randomImage(t, image, 64)
	mustRun(t, "mke2fs", "-q", "-F", "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0", "-t", "ext4", image)
	fill(t, image)
	before := sha256File(t, image)
	// An mv that refuses to put EXPECT in place, as on a full disk.
	bin := t.TempDir()
	realMv, err := exec.LookPath("mv")
	require.NoError(t, err)
	writeFile(t, filepath.Join(bin, "mv"), "#!/bin/sh\nfor last; do :; done\ncase $last in */EXPECT) exit 1 ;; esac\nexec "+realMv+" \"$@\"\n", 0o755)
	out := filepath.Join(t.TempDir(), "out")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script(t, "disk-forensics.sh"), "--local", "--device", image,
		"--evidence-id", evidenceVolume, "--output-dir", out)
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	stderr, runErr := cmd.CombinedOutput()

	require.NoError(t, ctx.Err(), "the run ended by itself; output:\n%s", stderr)
	var exit *exec.ExitError
	require.ErrorAs(t, runErr, &exit, "the run fails")
	assert.Equal(t, 1, exit.ExitCode())
	assert.Equal(t, before, sha256File(t, image), "the evidence image is unchanged")
	assertNothingLeft(t, image)
	assert.Empty(t, orphanedReaders(t), "no evidence reader outlives its run")

	var res diskResults
	readJSON(t, filepath.Join(out, ResultsFileName), &res)
	assert.Equal(t, "ANALYSIS_FAILED", res.Status)
	var steps []string
	for _, e := range res.Errors {
		steps = append(steps, e.Step+": "+e.Message)
	}
	assert.Contains(t, strings.Join(steps, "\n"), "which plans to wait for", "the error says what failed")
	require.Len(t, res.Devices, 1)
	assert.Empty(t, res.Devices[0].SHA256, "no device hash from a stopped stream")

	inventory := readInventory(t, filepath.Join(out, evidenceVolume, "disk", "inventory.jsonl"))
	mnt := t.TempDir()
	mustRun(t, "mount", "-o", "ro,noload,loop", image, mnt)
	fromDevice := assertInventoryMatchesMount(t, inventory, mnt)
	mustRun(t, "umount", mnt)
	assert.Zero(t, fromDevice, "no hash came from the stopped stream")
	assert.Equal(t, "mount", inventory["/data/large.bin"].HashSource, "the files were hashed through the mount")
}
