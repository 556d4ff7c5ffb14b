package forensichost

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
)

// TestVolatilityStandInChecksItsArguments runs the embedded vol stand-in
// with the arguments the memory script gives Volatility and with each of
// them wrong: a wrong call must fail, so that a case whose script calls
// Volatility badly cannot succeed in the demo or the end-to-end tests.
func TestVolatilityStandInChecksItsArguments(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		testenv.Missing(t, "jq is not installed: %v", err)
	}
	dir := t.TempDir()
	vol := filepath.Join(dir, "vol")
	require.NoError(t, os.WriteFile(vol, volStandIn, 0o755))
	symbols := filepath.Join(dir, "symbols")
	require.NoError(t, os.MkdirAll(filepath.Join(symbols, "linux"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(symbols, "linux", "6.1.0-test.json.xz"), []byte("table"), 0o644))
	twoTables := filepath.Join(dir, "two-tables")
	require.NoError(t, os.MkdirAll(twoTables, 0o755))
	for _, name := range []string{"a.json.xz", "b.json.xz"} {
		require.NoError(t, os.WriteFile(filepath.Join(twoTables, name), []byte("table"), 0o644))
	}
	dump := filepath.Join(dir, "memory.lime")
	require.NoError(t, os.WriteFile(dump, []byte("EMiL dump bytes"), 0o400))
	empty := filepath.Join(dir, "empty.lime")
	require.NoError(t, os.WriteFile(empty, nil, 0o400))

	good := func(replace map[string]string, drop ...string) []string {
		args := map[string]string{"-q": "", "-r": "json", "-s": symbols, "-f": dump, "--offline": "", "--cache-path": dir}
		for k, v := range replace {
			args[k] = v
		}
		for _, d := range drop {
			delete(args, d)
		}
		var out []string
		for _, k := range []string{"-q", "-r", "-s", "-f", "--offline", "--cache-path"} {
			v, ok := args[k]
			if !ok {
				continue
			}
			out = append(out, k)
			if v != "" {
				out = append(out, v)
			}
		}
		return out
	}

	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{name: "the memory script's call", args: append(good(nil), "linux.pslist"), wantCode: 0},
		{name: "a Windows plugin", args: append(good(nil), "windows.netscan"), wantCode: 0},
		{name: "no plugin", args: good(nil), wantCode: 2, wantStderr: "unknown plugin ''"},
		{name: "unknown plugin", args: append(good(nil), "linux.evil"), wantCode: 2, wantStderr: "unknown plugin"},
		{name: "two plugins", args: append(good(nil), "linux.pslist", "linux.bash"), wantCode: 2, wantStderr: "one plugin per run"},
		{name: "not quiet", args: append(good(nil, "-q"), "linux.pslist"), wantCode: 2, wantStderr: "-q is missing"},
		{name: "text renderer", args: append(good(map[string]string{"-r": "quick"}), "linux.pslist"), wantCode: 2, wantStderr: "-r must be json"},
		{name: "online", args: append(good(nil, "--offline"), "linux.pslist"), wantCode: 2, wantStderr: "--offline is missing"},
		{name: "no cache folder", args: append(good(nil, "--cache-path"), "linux.pslist"), wantCode: 2, wantStderr: "--cache-path is missing"},
		{name: "no symbol folder", args: append(good(nil, "-s"), "linux.pslist"), wantCode: 2, wantStderr: "-s must name a symbol folder"},
		{name: "two symbol tables", args: append(good(map[string]string{"-s": twoTables}), "linux.pslist"), wantCode: 2, wantStderr: "holds 2"},
		{name: "missing dump", args: append(good(map[string]string{"-f": filepath.Join(dir, "absent")}), "linux.pslist"), wantCode: 2, wantStderr: "-f must name"},
		{name: "empty dump", args: append(good(map[string]string{"-f": empty}), "linux.pslist"), wantCode: 2, wantStderr: "-f must name"},
		{name: "unknown option", args: append(good(nil), "--remote", "linux.pslist"), wantCode: 2, wantStderr: "unknown option --remote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command("bash", append([]string{vol}, tt.args...)...)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if err != nil {
				require.ErrorAs(t, err, &exit)
				code = exit.ExitCode()
			}
			require.Equal(t, tt.wantCode, code, "exit code; stderr: %s", stderr.String())
			if tt.wantCode != 0 {
				assert.Contains(t, stderr.String(), tt.wantStderr)
				assert.Empty(t, stdout.String(), "a refused call prints no result")
				return
			}
			var rows []map[string]any
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &rows), "stdout: %s", stdout.String())
			require.Len(t, rows, 1)
			assert.Equal(t, true, rows[0]["standIn"])
			assert.Equal(t, tt.args[len(tt.args)-1], rows[0]["plugin"])
			assert.Equal(t, float64(len("EMiL dump bytes")), rows[0]["dumpBytes"])
			assert.Equal(t, "linux/6.1.0-test.json.xz", rows[0]["symbolTable"])
		})
	}
}
