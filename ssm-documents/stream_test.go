package ssmdocuments

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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

// streamRun is one run of a planned file: where its bytes are on the
// device and in the file.
type streamRun struct{ physical, length, logical int64 }

// streamFile is a planned file: its inventory index, size and runs.
type streamFile struct {
	index int
	size  int64
	runs  []streamRun
}

// planLine is the plan line evidence_stream.py reads for f.
func (f streamFile) planLine() string {
	runs := make([]string, len(f.runs))
	for i, r := range f.runs {
		runs[i] = fmt.Sprintf("%d:%d:%d", r.physical, r.length, r.logical)
	}
	return fmt.Sprintf("%d\t%d\t%s\n", f.index, f.size, strings.Join(runs, ","))
}

// want is the SHA-256 of the file f describes on device: its runs' bytes
// at their logical offsets, zeros elsewhere.
func (f streamFile) want(device []byte) string {
	content := make([]byte, f.size)
	for _, r := range f.runs {
		copy(content[r.logical:r.logical+r.length], device[r.physical:r.physical+r.length])
	}
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// randomDevice writes size random bytes to a file and returns its path and
// bytes.
func randomDevice(t *testing.T, size int) (string, []byte) {
	t.Helper()
	b := make([]byte, size)
	_, err := rand.Read(b)
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "device.img")
	require.NoError(t, os.WriteFile(p, b, 0o600))
	return p, b
}

// streamHashes reads a plan's output: index -> sha256, index -> reason.
func streamHashes(t *testing.T, path string) (map[int]string, map[int]string) {
	t.Helper()
	text, err := os.ReadFile(path)
	require.NoError(t, err)
	hashes, reasons := map[int]string{}, map[int]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		var index int
		_, err := fmt.Sscan(f[0], &index)
		require.NoError(t, err, "index of %q", line)
		switch {
		case len(f) == 2:
			hashes[index] = f[1]
		case len(f) == 3 && f[1] == "-":
			reasons[index] = f[2]
		default:
			t.Fatalf("unexpected line %q in %s", line, path)
		}
	}
	return hashes, reasons
}

const mib = 1 << 20

// The stream hashes the device and, from the same reads, every planned
// file: runs that cross chunk boundaries, holes, files sharing blocks,
// empty files, plans that come after the stream had to wait for them, and
// plans it refuses.
func TestEvidenceStream(t *testing.T) {
	requireTools(t, "python3")
	// Not a multiple of the chunk or of a sector: the last read is short.
	devicePath, device := randomDevice(t, 9*mib+4321)
	size := int64(len(device))
	files := []streamFile{
		{index: 0, size: 0},
		{index: 1, size: 1, runs: []streamRun{{5, 1, 0}}},
		{index: 2, size: 3 * mib, runs: []streamRun{{mib - 4096, 3 * mib, 0}}},                           // crosses three chunk boundaries
		{index: 3, size: 200000, runs: []streamRun{{2*mib + 100, 4096, 0}, {6 * mib, 8192, 100000}}},     // holes before, between and after
		{index: 4, size: 4096, runs: []streamRun{{2*mib + 100, 4096, 0}}},                                // shares file 3's first run
		{index: 5, size: 2*mib + 4321, runs: []streamRun{{7 * mib, mib, 0}, {8 * mib, mib + 4321, mib}}}, // ends at the device's last byte
		{index: 7, size: 20000}, // all hole
	}
	var plan strings.Builder
	for _, f := range files {
		plan.WriteString(f.planLine())
	}
	deviceSum := sha256.Sum256(device)

	tests := []struct {
		name string
		// before is written before the stream starts, after while it runs.
		before, after map[string]string
		// wantPlans are the plans whose files must all be hashed.
		wantPlans []string
		// wantReasons are plan -> index -> part of the reason.
		wantReasons map[string]map[int]string
		// wantErrors are plans refused whole.
		wantErrors []string
	}{
		{
			name:      "plan and EXPECT before the stream",
			before:    map[string]string{"root.plan": plan.String(), "EXPECT": "root\n"},
			wantPlans: []string{"root"},
		},
		{
			name:      "plan after the stream waited with its buffer full",
			before:    map[string]string{},
			after:     map[string]string{"root.plan": plan.String(), "EXPECT": "root\n"},
			wantPlans: []string{"root"},
		},
		{
			name:      "EXPECT first, plans later",
			before:    map[string]string{"EXPECT": "root\nsecond\n"},
			after:     map[string]string{"root.plan": plan.String(), "second.plan": files[2].planLine()},
			wantPlans: []string{"root", "second"},
		},
		{
			name:      "no plan expected: the device hash alone",
			before:    map[string]string{"EXPECT": "\n"},
			wantPlans: nil,
		},
		{
			name:      "a walk that failed",
			before:    map[string]string{"EXPECT": "root\nbroken\n"},
			after:     map[string]string{"root.plan": plan.String(), "broken.failed": ""},
			wantPlans: []string{"root"},
		},
		{
			name: "runs that do not fit are refused line by line",
			before: map[string]string{"EXPECT": "root\n", "root.plan": plan.String() +
				"8\t100\t" + fmt.Sprint(size-10) + ":20:0\n" + // past the device
				"9\t100\t0:50:60\n" + // past the file
				"10\t100\t50:10:0,40:10:10\n" + // backwards on the device
				"11\t100\t0:10:50,20:10:40\n"}, // backwards in the file
			wantPlans: []string{"root"},
			wantReasons: map[string]map[int]string{"root": {
				8: "past the device", 9: "past the file", 10: "out of order", 11: "out of order",
			}},
		},
		{
			name:       "an unreadable plan is refused whole",
			before:     map[string]string{"EXPECT": "root\n", "root.plan": "not a plan\n"},
			wantErrors: []string{"root"},
		},
		{
			name:       "a plan that is not ASCII is refused whole, the other plans kept",
			before:     map[string]string{"EXPECT": "root\nbad\n", "root.plan": plan.String(), "bad.plan": "0\t1\t5:1:0\xff\n"},
			wantPlans:  []string{"root"},
			wantErrors: []string{"bad"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plans := t.TempDir()
			for name, text := range tt.before {
				require.NoError(t, os.WriteFile(filepath.Join(plans, name), []byte(text), 0o600))
			}
			// 1 MiB reads and four buffers: the stream must wait for late plans.
			cmd := exec.Command("python3", script(t, "evidence_stream.py"), devicePath, "--plans", plans,
				"--chunk-mib", "1", "--buffer-mib", "4")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			if tt.after != nil {
				time.Sleep(300 * time.Millisecond)
				for name, text := range tt.after {
					tmp := filepath.Join(plans, "."+name)
					require.NoError(t, os.WriteFile(tmp, []byte(text), 0o600))
					require.NoError(t, os.Rename(tmp, filepath.Join(plans, name)))
				}
			}
			require.NoError(t, cmd.Wait(), "stderr:\n%s", stderr.String())

			out := strings.Fields(stdout.String())
			require.Len(t, out, 2, "the device hash and the end of the stream")
			assert.Equal(t, hex.EncodeToString(deviceSum[:]), out[0], "device hash")
			ended, err := time.Parse(time.RFC3339, out[1])
			if assert.NoError(t, err, "end of the stream") {
				assert.WithinDuration(t, time.Now(), ended, time.Minute)
			}
			for _, name := range tt.wantPlans {
				hashes, reasons := streamHashes(t, filepath.Join(plans, name+".plan.sha256"))
				for _, f := range files {
					if name == "second" && f.index != files[2].index {
						continue
					}
					assert.Equal(t, f.want(device), hashes[f.index], "plan %s, file %d", name, f.index)
				}
				for index, part := range tt.wantReasons[name] {
					assert.Contains(t, reasons[index], part, "plan %s, line of file %d", name, index)
					assert.NotContains(t, hashes, index, "plan %s, file %d has no hash", name, index)
				}
				if tt.wantReasons[name] == nil {
					assert.Empty(t, reasons, "plan %s: no refused line", name)
				}
			}
			for _, name := range tt.wantErrors {
				text, err := os.ReadFile(filepath.Join(plans, name+".plan.error"))
				require.NoError(t, err, "plan %s refused", name)
				assert.Contains(t, string(text), "unusable plan")
				assert.NoFileExists(t, filepath.Join(plans, name+".plan.sha256"))
			}
		})
	}
}

// A device that cannot be read fails the stream with a message, and no
// plan gets hashes.
func TestEvidenceStreamUnreadableDevice(t *testing.T) {
	requireTools(t, "python3")
	plans := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(plans, "EXPECT"), []byte("\n"), 0o600))
	r := run(t, nil, "python3", script(t, "evidence_stream.py"), filepath.Join(t.TempDir(), "absent.img"), "--plans", plans)
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "cannot open")
	assert.Empty(t, r.stdout)

	for _, args := range [][]string{{"--chunk-mib", "0"}, {"--chunk-mib", "257"}, {"--buffer-mib", "-1"}, {}} {
		all := append([]string{script(t, "evidence_stream.py"), "/dev/null"}, args...)
		if len(args) > 0 {
			all = append(all, "--plans", plans)
		}
		r := run(t, nil, "python3", all...)
		assert.Equal(t, 2, r.code, "usage error for %v: %s", args, r.stderr)
	}
}

// merge-hashes puts the stream's hashes into the inventory without
// touching other lines, and says why a planned file has none.
func TestMergeHashes(t *testing.T) {
	requireTools(t, "python3")
	digest := strings.Repeat("ab", 32)
	inventory := strings.Join([]string{
		`{"gid": 0, "hashSource": "device", "inode": 12, "mode": "100644", "path": "/a", "sha256": null, "size": 3, "uid": 0}`,
		`{"gid": 0, "hashSource": "mount", "inode": 13, "mode": "100644", "path": "/b", "sha256": "` + strings.Repeat("cd", 32) + `", "size": 3, "uid": 0}`,
		`{"gid": 0, "hashSource": "device", "inode": 14, "mode": "100644", "path": "/c \"sha256\": null", "sha256": null, "size": 3, "uid": 0}`,
		`{"gid": 0, "hashSource": "device", "inode": 15, "mode": "100644", "path": "/d", "sha256": null, "size": 3, "uid": 0}`,
		`{"gid": 0, "hashSource": "device", "inode": 16, "mode": "100644", "path": "/e", "sha256": null, "size": 3, "uid": 0}`,
		`{"gid": 0, "hashSkipped": "larger than 1 bytes", "inode": 17, "mode": "100644", "path": "/f", "sha256": null, "size": 3, "uid": 0}`,
	}, "\n") + "\n"
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.jsonl")
	hashes := filepath.Join(dir, "root.plan.sha256")
	require.NoError(t, os.WriteFile(inv, []byte(inventory), 0o600))
	require.NoError(t, os.WriteFile(hashes, []byte("0\t"+digest+"\n2\t"+digest+"\n3\t-\truns out of order\n"), 0o600))

	r := run(t, nil, "python3", script(t, "disk_triage.py"), "merge-hashes", inv, "--hashes", hashes, "--missing-reason", "the device stream failed")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "0", strings.TrimSpace(r.stdout), "no file hashed through a mount")

	merged, err := os.ReadFile(inv)
	require.NoError(t, err)
	var got []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(merged)), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), "line %q", line)
		got = append(got, rec)
	}
	require.Len(t, got, 6)
	assert.Equal(t, digest, got[0]["sha256"], "/a gets its hash")
	assert.Equal(t, strings.Repeat("cd", 32), got[1]["sha256"], "/b, hashed through the mount, is kept")
	assert.Equal(t, digest, got[2]["sha256"], "/c, whose path holds the key's text, gets its hash")
	assert.Equal(t, "/c \"sha256\": null", got[2]["path"], "and keeps its path")
	assert.Nil(t, got[3]["sha256"])
	assert.Equal(t, "runs out of order", got[3]["hashSkipped"], "/d: the stream's reason")
	assert.NotContains(t, got[3], "hashSource")
	assert.Equal(t, "the device stream failed", got[4]["hashSkipped"], "/e: no line, the missing reason")
	assert.Equal(t, "larger than 1 bytes", got[5]["hashSkipped"], "/f is untouched")
}

// With the mount, merge-hashes hashes through it a file the stream gave no
// hash, and says how many.
func TestMergeHashesFallsBackToTheMount(t *testing.T) {
	requireTools(t, "python3")
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "etc/passwd"), "root:x:0:0::/root:/bin/sh\n", 0o644)
	dir := t.TempDir()
	inv := filepath.Join(dir, "inventory.jsonl")
	require.NoError(t, os.WriteFile(inv, []byte(
		`{"gid": 0, "hashSource": "device", "inode": 12, "mode": "100644", "path": "/etc/passwd", "sha256": null, "size": 26, "uid": 0}`+"\n"+
			`{"gid": 0, "hashSource": "device", "inode": 13, "mode": "100644", "path": "/etc/gone", "sha256": null, "size": 3, "uid": 0}`+"\n"), 0o600))

	r := run(t, nil, "python3", script(t, "disk_triage.py"), "merge-hashes", inv, "--missing-reason", "the device stream failed",
		"--root", root)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "1", strings.TrimSpace(r.stdout), "one file hashed through the mount")

	merged, err := os.ReadFile(inv)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(merged)), "\n")
	require.Len(t, lines, 2)
	var passwd, gone map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &passwd))
	require.NoError(t, json.Unmarshal([]byte(lines[1]), &gone))
	assert.Equal(t, sha256File(t, filepath.Join(root, "etc/passwd")), passwd["sha256"])
	assert.Equal(t, "mount", passwd["hashSource"])
	assert.Nil(t, gone["sha256"], "a file the mount cannot read has no hash")
	assert.Contains(t, gone["hashSkipped"], "unreadable")
}

// A find that dies, or fails without saying why, cuts the file list short:
// the walk must fail rather than write an inventory that looks whole.
func TestWalkRefusesACutFileList(t *testing.T) {
	requireTools(t, "python3", "find")
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a"), "a", 0o644)
	realFind, err := exec.LookPath("find")
	require.NoError(t, err)
	tests := []struct {
		name string
		// find is the stand-in's script; $REAL is the real find.
		find string
	}{
		{name: "killed by a signal", find: `"$REAL" "$@"; kill -9 $$`},
		{name: "a record cut short", find: `printf '12\t1\t644\t0\t0\t1.0\t1.0\tcut'`},
		{name: "fails without a complaint", find: `"$REAL" "$@"; exit 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := t.TempDir()
			writeFile(t, filepath.Join(bin, "find"), "#!/bin/sh\nREAL="+realFind+"\n"+tt.find+"\n", 0o755)
			r := run(t, []string{"PATH=" + bin + ":" + os.Getenv("PATH")}, "python3", script(t, "disk_triage.py"), "walk", root)
			assert.NotEqual(t, 0, r.code, "the walk fails")
			assert.Contains(t, r.stderr, "find ended early")
			assert.Empty(t, r.stdout, "no inventory")
		})
	}
	r := run(t, nil, "python3", script(t, "disk_triage.py"), "walk", root)
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"path": "/a"`, "the real find lists the file")
}
