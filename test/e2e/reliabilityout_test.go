package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/test/localaws/repo"
)

// reliabilityDir is where the reliability tests print their figures,
// under the repository root: make test prints every file there.
const reliabilityDir = "out/reliability"

// writeReliability logs report and writes it to out/reliability/<name>.txt,
// replacing the last run's file.
func writeReliability(t *testing.T, name, report string) {
	t.Helper()
	t.Log("\n" + report)
	root, err := repo.Root()
	require.NoError(t, err)
	dir := filepath.Join(root, reliabilityDir)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name+".txt"), []byte(report), 0o644))
}
