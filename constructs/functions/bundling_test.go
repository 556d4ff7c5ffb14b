package functions

import (
	"debug/elf"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeModule(t *testing.T, mainSource string) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, CommandDir, string(Intake))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/stub\n\ngo 1.26\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte(mainSource), 0o644))
	return root
}

func TestTryBundleBuildsALinuxArm64Bootstrap(t *testing.T) {
	root := writeModule(t, "package main\n\nfunc main() {}\n")
	out := t.TempDir()

	ok := (&goBundler{moduleRoot: root, name: Intake}).TryBundle(&out, nil)

	require.NotNil(t, ok)
	assert.True(t, *ok)
	bin, err := elf.Open(filepath.Join(out, "bootstrap"))
	require.NoError(t, err)
	defer bin.Close()
	assert.Equal(t, elf.EM_AARCH64, bin.Machine)
}

func TestTryBundlePanicsWithTheCompilerOutput(t *testing.T) {
	root := writeModule(t, "package main\n\nfunc main() { undefinedThing() }\n")
	out := t.TempDir()

	defer func() {
		got := recover()
		require.NotNil(t, got, "TryBundle must panic when the build fails")
		assert.Contains(t, got, "building Lambda function intake")
		assert.Contains(t, got, "undefined: undefinedThing")
	}()
	(&goBundler{moduleRoot: root, name: Intake}).TryBundle(&out, nil)
}
