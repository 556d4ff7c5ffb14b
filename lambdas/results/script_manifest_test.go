package results

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	ssmdocuments "github.com/casefile-forensics/casefile/ssm-documents"
)

// TestHandleAcceptsTheScriptsManifest writes a disk run's output folder,
// has the scripts' own cf_write_manifest (ssm-documents/scripts/common.sh)
// write its manifest, uploads the folder to the results prefix as cf_upload
// does, and checks that the step accepts it and takes the tools from it.
func TestHandleAcceptsTheScriptsManifest(t *testing.T) {
	for _, tool := range []string{"bash", "jq", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			testenv.Missing(t, "the scripts need %s: %v", tool, err)
		}
	}
	require.Equal(t, ssmdocuments.ManifestFileName, ManifestName, "the manifest's name is the scripts'")

	const vol = "vol-0a1b2c3d4e5f60718"
	out := t.TempDir()
	files := map[string]string{
		vol + "/p1/timeline.csv":        timeline,
		vol + "/p1/inventory.json":      inventory,
		vol + "/partition-table.json":   `{"partitiontable":{"label":"gpt"}}`,
		vol + "/p1/artifacts/etc/hosts": "127.0.0.1 localhost\n",
		"results.json":                  results,
	}
	for rel, body := range files {
		p := filepath.Join(out, filepath.FromSlash(rel))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	}
	declared := filepath.Join(t.TempDir(), "artifacts.jsonl")
	require.NoError(t, os.WriteFile(declared, []byte(
		`{"path":"`+vol+`/p1/timeline.csv","tool":"mactime","toolVersion":"4.12.1","evidence":"`+vol+`"}`+"\n"), 0o600))
	common, err := filepath.Abs("../../ssm-documents/scripts/common.sh")
	require.NoError(t, err)
	cmd := exec.Command("bash", "-c", `. "$1" && cf_write_manifest "$2" casefile-disk-forensics 1.0.0 "$3"`, "_", common, out, vol)
	cmd.Env = append(os.Environ(), "CF_ARTIFACTS="+declared)
	output, err := cmd.CombinedOutput()
	require.NoError(t, err, "cf_write_manifest: %s", output)

	objects := map[string]fakeObject{}
	require.NoError(t, filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(out, p)
		if err != nil {
			return err
		}
		body, err := os.ReadFile(p)
		objects[diskDir+filepath.ToSlash(rel)] = fakeObject{body: string(body), checksum: sha64(string(body))}
		return err
	}))
	require.Contains(t, objects, diskDir+ManifestName, "the script wrote its manifest")

	records := &fakeRecords{}
	got, err := New(&fakeS3{objects: objects, pageSize: 2}, records, testBucket).Handle(context.Background(),
		investigation.State{ForensicID: "cf-1", ForensicType: investigation.ForensicTypeDisk})

	require.NoError(t, err)
	assert.Equal(t, &investigation.Results{S3URI: "s3://" + testBucket + "/" + diskDir, ArtifactCount: len(files) + 1}, got.Results)
	tools := map[string][2]string{}
	for _, a := range records.artifacts {
		tools[a.Key] = [2]string{a.Tool, a.ToolVersion}
	}
	assert.Equal(t, map[string][2]string{
		diskDir + vol + "/p1/timeline.csv":        {"mactime", "4.12.1"},
		diskDir + vol + "/p1/inventory.json":      {"casefile-disk-forensics", "1.0.0"},
		diskDir + vol + "/partition-table.json":   {"casefile-disk-forensics", "1.0.0"},
		diskDir + vol + "/p1/artifacts/etc/hosts": {"casefile-disk-forensics", "1.0.0"},
		diskDir + "results.json":                  {"casefile-disk-forensics", "1.0.0"},
		diskDir + ManifestName:                    {},
	}, tools)
}
