package ssmdocuments

import (
	"bufio"
	"errors"
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
// SIGTERM while the device stream and the inventory read the evidence in
// the background, at several points of the run. Whenever it is stopped, it must
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

	// A whole run first: it must succeed, and its length from the hash's
	// start places the stops below at the start, a third and two thirds
	// of the hash and the analysis, wherever this machine's speed puts them.
	whole, code, _ := runDiskUntil(t, image, time.Duration(-1))
	require.Equal(t, 0, code, "an uninterrupted run succeeds")
	assertNothingLeft(t, image)

	for _, delay := range []time.Duration{0, whole / 3, whole * 2 / 3} {
		t.Run(fmt.Sprintf("stopped %v after the hash started", delay.Round(time.Millisecond)), func(t *testing.T) {
			// The measured run may have been slowed by other tests: a run
			// that ends before its signal is tried again with half the
			// delay, a few times, and must then be stopped.
			var code int
			for attempt := 1; ; attempt++ {
				ran, c, signalled := runDiskUntil(t, image, delay)
				if signalled {
					code = c
					break
				}
				require.Less(t, attempt, maxStopAttempts, "the run ended %v after its hash started, before the signal due at %v", ran, delay)
				assertNothingLeft(t, image)
				delay /= 2
			}

			assert.Equal(t, 143, code, "exit status of a run stopped by SIGTERM")
			assertNothingLeft(t, image)
			assert.Equal(t, before, sha256File(t, image), "the evidence image is unchanged")
			assert.Empty(t, orphanedReaders(t), "no evidence reader outlives its run")
		})
	}
}

// maxStopAttempts bounds the tries of one stop point whose run keeps
// ending before its signal.
const maxStopAttempts = 4

// runDiskUntil runs the disk script on image and, when stop is not
// negative, sends it SIGTERM that long after it logs that it streams the
// evidence. It returns how long the run went on after that log line, its
// exit status, and whether the signal was sent before the run ended.
func runDiskUntil(t *testing.T, image string, stop time.Duration) (time.Duration, int, bool) {
	t.Helper()
	cmd := exec.Command("bash", script(t, "disk-forensics.sh"), "--local", "--device", image,
		"--evidence-id", evidenceVolume, "--output-dir", filepath.Join(t.TempDir(), "out"))
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var hashed time.Time
	var timer *time.Timer
	lines := bufio.NewScanner(stderr)
	for lines.Scan() {
		if hashed.IsZero() && strings.Contains(lines.Text(), "streaming "+evidenceVolume) {
			hashed = time.Now()
			if stop >= 0 {
				timer = time.AfterFunc(stop, func() { _ = cmd.Process.Signal(syscall.SIGTERM) })
			}
		}
	}
	err = cmd.Wait()
	ran := time.Since(hashed)
	require.False(t, hashed.IsZero(), "the run logged its hash")
	// Stop reports true when the signal had not been sent yet.
	signalled := timer != nil && !timer.Stop()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return ran, exit.ExitCode(), signalled
	}
	require.NoError(t, err)
	return ran, 0, signalled
}

// orphanedReaders lists the disk script's background readers (the
// inventory walk and its find, the device stream) whose parent is no longer a disk script:
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
		// A reader's live parent: the disk script, or for find the walk.
		var parentMark string
		switch {
		case strings.Contains(args, "disk_triage.py walk"), strings.Contains(args, "evidence_stream.py"):
			parentMark = "disk-forensics.sh"
		case strings.HasPrefix(args, "find ") && strings.Contains(args, "/casefile-disk."):
			parentMark = "disk_triage.py"
		default:
			continue
		}
		parent, err := os.ReadFile("/proc/" + f[1] + "/cmdline")
		if err != nil || !strings.Contains(string(parent), parentMark) {
			out = append(out, line)
		}
	}
	return out
}
