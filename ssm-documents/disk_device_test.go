package ssmdocuments

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
)

// rootDisk returns the block device of the disk that holds this machine's
// root file system, as the disk script's root check finds it.
func rootDisk(t *testing.T) string {
	t.Helper()
	src := strings.TrimSpace(mustRun(t, "findmnt", "-nvo", "SOURCE", "/"))
	if fi, err := os.Stat(src); err != nil || fi.Mode()&os.ModeDevice == 0 {
		testenv.Missing(t, "the root file system is on %q, not a block device: the root-disk refusal cannot be shown here", src)
	}
	for _, line := range strings.Split(mustRun(t, "lsblk", "-nrspo", "NAME,TYPE", src), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[1] == "disk" {
			return f[0]
		}
	}
	testenv.Missing(t, "no disk found under the root file system's device %s", src)
	return ""
}

// TestDiskForensicsRefusesDevicesItMustNotRead gives the disk script, as
// evidence, the disk the host runs from and a device that is mounted
// read-write. It must refuse both before reading anything: no hash, no
// read-only flag set, the mount still in place and the device unchanged.
func TestDiskForensicsRefusesDevicesItMustNotRead(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mke2fs", "losetup", "blockdev", "lsblk", "findmnt", "jq", "sha256sum")

	image := filepath.Join(t.TempDir(), "in-use.img")
	root, _ := stageSuspectRoot(t)
	buildExt4(t, root, image, 32)
	loop := strings.TrimSpace(mustRun(t, "losetup", "--find", "--show", image))
	t.Cleanup(func() { run(t, nil, "losetup", "-d", loop) })
	mnt := t.TempDir()
	mustRun(t, "mount", "-t", "ext4", loop, mnt)
	t.Cleanup(func() { run(t, nil, "umount", mnt) })

	tests := []struct {
		name       string
		device     string
		wantStatus string
	}{
		{name: "the root disk", device: rootDisk(t), wantStatus: "ROOT_DEVICE_REFUSED"},
		{name: "a mounted device", device: loop, wantStatus: "DEVICE_IN_USE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The sandbox may not let anything open the host's disk: then
			// there is no flag to compare, only the refusal.
			roBefore := run(t, nil, "blockdev", "--getro", tt.device)
			out := filepath.Join(t.TempDir(), "out")

			r := run(t, nil, "bash", script(t, "disk-forensics.sh"), "--local", "--device", tt.device,
				"--evidence-id", evidenceVolume, "--output-dir", out)

			assert.Equal(t, 1, r.code, "exit code; stderr:\n%s", r.stderr)
			var res diskResults
			readJSON(t, filepath.Join(out, ResultsFileName), &res)
			assert.Equal(t, tt.wantStatus, res.Status)
			require.NotEmpty(t, res.Errors)
			assert.Equal(t, "device", res.Errors[0].Step)
			for _, d := range res.Devices {
				assert.Empty(t, d.SHA256, "nothing of %s was hashed", tt.device)
			}
			if roBefore.code == 0 {
				assert.Equal(t, roBefore.stdout, run(t, nil, "blockdev", "--getro", tt.device).stdout,
					"the read-only flag of %s is as it was", tt.device)
			}
		})
	}
	assert.Contains(t, mustRun(t, "findmnt", "-no", "OPTIONS", "--mountpoint", mnt), "rw", "the in-use mount is untouched")
}

// TestDiskForensicsInterruptedLeavesNothing stops the disk script with
// SIGTERM while the device hash and the inventory read the evidence in the
// background, at several points of the run. Whenever it is stopped, it must
// end those readers, unmount, detach its loop devices and leave the image
// unchanged.
func TestDiskForensicsInterruptedLeavesNothing(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mke2fs", "losetup", "blockdev", "fls", "mactime", "jq", "openssl", "python3")
	root, _ := stageSuspectRoot(t)
	// Enough content that the hash and the inventory take a while.
	big := make([]byte, 1<<20)
	for i := 0; i < 96; i++ {
		big[0] = byte(i)
		writeFile(t, filepath.Join(root, "var/lib/data", fmt.Sprintf("blob-%03d.bin", i)), string(big), 0o644)
	}
	image := filepath.Join(t.TempDir(), "evidence.img")
	buildExt4(t, root, image, 160)
	before := sha256File(t, image)

	// The delays after the run logs that it hashes: at the start of the
	// hash and inventory, in the middle, and near the end of the run.
	for _, delay := range []time.Duration{0, 300 * time.Millisecond, 1500 * time.Millisecond} {
		t.Run(fmt.Sprintf("%v after the hash started", delay), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cmd := exec.Command("bash", script(t, "disk-forensics.sh"), "--local", "--device", image,
				"--evidence-id", evidenceVolume, "--output-dir", out)
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			require.NoError(t, cmd.Start())
			lines := bufio.NewScanner(stderr)
			var timer *time.Timer
			for lines.Scan() {
				if timer == nil && strings.Contains(lines.Text(), "hashing "+evidenceVolume) {
					timer = time.AfterFunc(delay, func() { _ = cmd.Process.Signal(syscall.SIGTERM) })
				}
			}
			err = cmd.Wait()
			require.NotNil(t, timer, "the run logged its hash")
			if timer.Stop() {
				t.Skipf("the run ended within %v of starting its hash", delay)
			}
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit, "the run was stopped")
			assert.Equal(t, 143, exit.ExitCode(), "exit status of a run stopped by SIGTERM")
			assertNothingLeft(t, image)
			assert.Equal(t, before, sha256File(t, image), "the evidence image is unchanged")
			assert.Empty(t, orphanedReaders(t), "no evidence reader outlives its run")
		})
	}
}

// orphanedReaders lists the disk script's background readers (the
// inventory walk, the device hash) whose parent is no longer a disk script:
// those a stopped run left behind. Readers of runs still going (other tests
// beside this one) have a live disk script as their parent.
func orphanedReaders(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(mustRun(t, "ps", "-eo", "pid=,ppid=,args="), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		args := strings.Join(f[2:], " ")
		if !strings.Contains(args, "disk_triage.py walk") && !strings.HasPrefix(args, "openssl dgst -sha256") {
			continue
		}
		parent, err := os.ReadFile("/proc/" + f[1] + "/cmdline")
		if err != nil || !strings.Contains(string(parent), "disk-forensics.sh") {
			out = append(out, line)
		}
	}
	return out
}
