package stacktemplate

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// StackName is the name of the Casefile stack, and so of its template file.
const StackName = "Casefile"

// TemplatePath returns where the Casefile template is in a cloud assembly.
func TemplatePath(assemblyDir string) string {
	return filepath.Join(assemblyDir, StackName+".template.json")
}

// Synthesize runs the pinned CDK CLI (cdk synth) on the app in root, with
// context values added to cdk.json's, and writes the cloud assembly to
// outDir. It returns the Casefile template's path.
func Synthesize(ctx context.Context, root, toolsDir, outDir string, context map[string]string) (string, error) {
	bin := filepath.Join(toolsDir, "node_modules", ".bin")
	cdk := filepath.Join(bin, "cdk")
	if _, err := os.Stat(cdk); err != nil {
		return "", fmt.Errorf("the CDK CLI is not installed in %s (run: cd %s && npm ci): %w", bin, toolsDir, err)
	}
	args := []string{"synth", "-q", "-o", outDir}
	keys := make([]string, 0, len(context))
	for k := range context {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "-c", k+"="+context[k])
	}
	cmd := exec.CommandContext(ctx, cdk, args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"CDK_DISABLE_VERSION_CHECK=1",
		"JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION=1",
	)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("cdk synth in %s: %w\n%s", root, err, out.String())
	}
	path := TemplatePath(outDir)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("cdk synth wrote no %s: %w", path, err)
	}
	return path, nil
}
