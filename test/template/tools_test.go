package template_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/test/template/asl"
)

// lookTool finds a command-line tool; the pinned npm tools are in
// .tools/node_modules/.bin, which must be on PATH (the Makefile puts it
// there).
func lookTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	require.NoError(t, err, "%s is not on PATH: add .tools/node_modules/.bin (npm ci in .tools) or install it", name)
	return path
}

func TestASLValidatorAcceptsTheDefinition(t *testing.T) {
	validator := lookTool(t, "asl-validator")
	def, err := asl.Definition(stacks.defaults.json)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "statemachine.asl.json")
	require.NoError(t, os.WriteFile(path, def, 0o644))

	out, err := exec.Command(validator, "--json-path", path).CombinedOutput()

	require.NoError(t, err, "asl-validator: %s", out)
}

func TestCFNLintAcceptsTheTemplates(t *testing.T) {
	lint := lookTool(t, "cfn-lint")
	for _, s := range []synthesized{stacks.defaults, stacks.existingVPC} {
		template := filepath.Join(s.outdir, "Casefile.template.json")
		cmd := exec.Command(lint, template)
		// The repository's .cfnlintrc.yaml applies from the module root.
		cmd.Dir = repoRoot

		out, err := cmd.CombinedOutput()

		require.NoError(t, err, "cfn-lint %s:\n%s", template, out)
	}
}
