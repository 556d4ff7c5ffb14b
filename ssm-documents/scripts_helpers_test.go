package ssmdocuments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
)

// debianPackages are the packages the script tests need; README.md lists
// them too.
const debianPackages = "shellcheck openssl sleuthkit e2fsprogs xfsprogs ntfs-3g dosfstools lvm2 libhivex-bin jq xz-utils fdisk python3-snappy python3-crc32c"

// requireRoot skips (or, under make test, fails) a test that attaches loop devices and mounts.
func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		testenv.Missing(t, "needs root (loop devices, blockdev, mount)")
	}
}

// requireTools skips (or, under make test, fails) a test when a tool it needs is not installed.
func requireTools(t *testing.T, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		testenv.Missing(t, "missing %s (apt-get install -y %s)", strings.Join(missing, ", "), debianPackages)
	}
}

// result is what a command did.
type result struct {
	stdout, stderr string
	code           int
}

// lastLine is the command's last line of stdout: the scripts' summary.
func (r result) lastLine() string {
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	return lines[len(lines)-1]
}

// run runs a command with extra environment variables and returns what it
// did; it fails the test only when the command cannot start.
func run(t *testing.T, env []string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		require.NoError(t, err, "starting %s", name)
	}
	return r
}

// mustRun runs a command that prepares a test and fails the test when it
// does not exit 0.
func mustRun(t *testing.T, name string, args ...string) string {
	t.Helper()
	r := run(t, nil, name, args...)
	require.Equal(t, 0, r.code, "%s %s failed: %s", name, strings.Join(args, " "), r.stderr)
	return r.stdout
}

// script returns the absolute path of a script in scripts/.
func script(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("scripts", name))
	require.NoError(t, err)
	return p
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	h := sha256.New()
	_, err = io.Copy(h, f)
	require.NoError(t, err)
	return hex.EncodeToString(h.Sum(nil))
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), "decoding %s", path)
}

func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), mode))
	require.NoError(t, os.Chmod(path, mode))
}

// assertManifest checks manifest.json against the output folder: every
// file but the manifest is listed once, with its true SHA-256 and size.
func assertManifest(t *testing.T, outDir string) Manifest {
	t.Helper()
	var m Manifest
	readJSON(t, filepath.Join(outDir, ManifestFileName), &m)
	listed := map[string]bool{}
	for _, f := range m.Files {
		assert.False(t, listed[f.Path], "%s listed once", f.Path)
		listed[f.Path] = true
		full := filepath.Join(outDir, f.Path)
		if !assert.FileExists(t, full) {
			continue
		}
		st, err := os.Stat(full)
		require.NoError(t, err)
		assert.Equal(t, st.Size(), f.Size, "size of %s", f.Path)
		assert.Equal(t, sha256File(t, full), f.SHA256, "sha256 of %s", f.Path)
		assert.NotEmpty(t, f.Tool, "tool of %s", f.Path)
	}
	err := filepath.Walk(outDir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, err := filepath.Rel(outDir, p)
		if err != nil {
			return err
		}
		if rel != ManifestFileName {
			assert.True(t, listed[rel], "%s is in the manifest", rel)
		}
		return nil
	})
	require.NoError(t, err)
	return m
}

// manifestEntry returns the entry for path.
func manifestEntry(m Manifest, path string) (ManifestEntry, bool) {
	for _, f := range m.Files {
		if f.Path == path {
			return f, true
		}
	}
	return ManifestEntry{}, false
}

// renderedCommand writes a rendered document's runCommand to a file, as the
// SSM agent does, and returns its path.
func renderedCommand(t *testing.T, doc Document) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "_script.sh")
	writeFile(t, p, strings.Join(doc.Content.MainSteps[0].Inputs.RunCommand, "\n")+"\n", 0o700)
	return p
}

func TestShellcheck(t *testing.T) {
	requireTools(t, "shellcheck")
	scripts, err := filepath.Glob("scripts/*.sh")
	require.NoError(t, err)
	require.NotEmpty(t, scripts)
	for _, s := range scripts {
		t.Run(filepath.Base(s), func(t *testing.T) {
			r := run(t, nil, "shellcheck", "-x", "-P", "SCRIPTDIR", s)
			assert.Equal(t, 0, r.code, "shellcheck %s:\n%s", s, r.stdout)
		})
	}
}

func TestPythonHelpersCompile(t *testing.T) {
	requireTools(t, "python3")
	for _, name := range []string{"disk_triage.py", "evidence_stream.py"} {
		r := run(t, nil, "python3", "-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())", script(t, name))
		assert.Equal(t, 0, r.code, "%s: %s", name, r.stderr)
	}
}

// statusPattern finds the statuses a script sets: "fail NAME ..." and
// "status=NAME".
var statusPattern = regexp.MustCompile(`(?:\bfail |\bstatus=)([A-Z][A-Z_]+)\b`)

func TestScriptsWriteOnlyDeclaredStatuses(t *testing.T) {
	known := map[string]bool{}
	for _, s := range ResultStatuses {
		known[string(s)] = true
	}
	for _, name := range []string{"disk-forensics.sh", "memory-forensics.sh"} {
		text, err := os.ReadFile(filepath.Join("scripts", name))
		require.NoError(t, err)
		found := 0
		for _, line := range strings.Split(string(text), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, m := range statusPattern.FindAllStringSubmatch(line, -1) {
				found++
				assert.True(t, known[m[1]], "%s writes status %s, which ResultStatuses lacks", name, m[1])
			}
		}
		assert.Greater(t, found, 5, "%s sets statuses", name)
	}
}

// TestScriptsRunFromTheirOwnFolder runs each script as "bash NAME" from
// inside scripts/, where its path has no slash: it must still find
// common.sh beside it.
func TestScriptsRunFromTheirOwnFolder(t *testing.T) {
	requireTools(t, "jq")
	tests := []struct {
		script   string
		args     string
		wantCode int
		wantErr  string
	}{
		{script: "probe.sh", wantCode: 0},
		{script: "disk-forensics.sh", args: "--local", wantCode: 2, wantErr: "usage error: --device is required"},
		{script: "memory-forensics.sh", args: "--local", wantCode: 2, wantErr: "usage error: --dump is required"},
	}
	dir, err := filepath.Abs("scripts")
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			r := run(t, nil, "bash", "-c", `cd "$1" && bash `+tt.script+" "+tt.args, "bash", dir)

			assert.Equal(t, tt.wantCode, r.code, "exit code; stderr:\n%s", r.stderr)
			assert.NotContains(t, r.stderr, "No such file", "common.sh found")
			assert.Contains(t, r.stderr, tt.wantErr)
			if tt.script == "probe.sh" {
				assert.True(t, strings.HasPrefix(r.lastLine(), `{"tools":`), "the probe's report: %s", r.stdout)
			}
		})
	}
}
