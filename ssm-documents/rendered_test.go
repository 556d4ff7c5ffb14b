package ssmdocuments

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/test/localaws/moto"
)

// These tests run the rendered documents' runCommand with sh, as the SSM
// agent does, so they check that the inlined scripts arrive intact and run.

func TestRenderedProbeRuns(t *testing.T) {
	requireTools(t, "sh", "base64", "gzip", "sha256sum")
	doc, err := Probe()
	require.NoError(t, err)

	r := run(t, nil, "sh", renderedCommand(t, doc))

	require.Equal(t, 0, r.code, "the probe exits 0 even when tools are missing; stderr:\n%s", r.stderr)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	require.Len(t, lines, 1, "exactly one line on stdout")
	var report struct {
		Tools []struct {
			Name    string  `json:"name"`
			Present bool    `json:"present"`
			Version *string `json:"version"`
		} `json:"tools"`
		Ready bool `json:"ready"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &report))
	names := map[string]bool{}
	allPresent := true
	// The AVML decoder's Python modules, reported under their Debian
	// package names: imported, not looked up on PATH.
	modules := map[string]string{"python3-snappy": "snappy", "python3-crc32c": "crc32c"}
	for _, tool := range report.Tools {
		names[tool.Name] = true
		allPresent = allPresent && tool.Present
		if module, ok := modules[tool.Name]; ok {
			assert.Equal(t, pythonImports(module), tool.Present, "%s present", tool.Name)
		} else {
			_, err := exec.LookPath(tool.Name)
			assert.Equal(t, err == nil, tool.Present, "%s present", tool.Name)
		}
		if !tool.Present {
			assert.Nil(t, tool.Version, "%s has no version when missing", tool.Name)
		}
	}
	for _, want := range []string{"sha256sum", "openssl", "blockdev", "lsblk", "mount", "fls", "mactime", "icat", "debugfs", "xfs_db", "ntfs-3g", "lvm", "hivexget", "jq", "aws", "python3", "vol",
		"python3-snappy", "python3-crc32c"} {
		assert.True(t, names[want], "probe checks %s", want)
	}
	assert.Equal(t, allPresent, report.Ready, "ready means every tool is present")
}

func TestRenderedDocumentsRefuseHostileParameters(t *testing.T) {
	requireTools(t, "sh", "base64", "gzip", "sha256sum", "jq")
	dir := t.TempDir()
	marker := filepath.Join(dir, "pwned")
	hostileValue := "x'; touch " + marker + "; echo '"
	tests := []struct {
		name   string
		render func() (Document, error)
		env    map[string]string
	}{
		{"disk", Disk, map[string]string{
			"SSM_forensicId": hostileValue, "SSM_volumeIds": evidenceVolume, "SSM_resultsBucket": "results-bucket",
			"SSM_resultsPrefix": "cases/x/disk/", "SSM_kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/k-1",
		}},
		{"memory", Memory, map[string]string{
			"SSM_forensicId": "case-001", "SSM_dumpS3Uri": "s3://evidence/$(touch " + marker + ")", "SSM_dumpSha256": strings.Repeat("a", 64),
			"SSM_dumpSizeBytes": "4096",
			"SSM_dumpFormat":    "lime", "SSM_operatingSystem": "linux", "SSM_kernelRelease": testRelease, "SSM_symbolsS3Uri": "s3://symbols",
			"SSM_resultsBucket": "results-bucket", "SSM_resultsPrefix": "cases/x/memory/",
			"SSM_kmsKeyArn": "arn:aws:kms:eu-west-1:123456789012:key/k-1", "SSM_scratchVolumeId": scratchVolumeID,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := tt.render()
			require.NoError(t, err)
			var env []string
			for k, v := range tt.env {
				env = append(env, k+"="+v)
			}

			r := run(t, env, "sh", renderedCommand(t, doc))

			assert.Equal(t, 2, r.code, "the script refuses the value; stderr:\n%s", r.stderr)
			assert.Contains(t, r.stderr, "usage error")
			assert.NoFileExists(t, marker, "nothing in the value ran")
		})
	}
}

// TestRenderedMemoryDocumentAgainstS3 runs the memory document in SSM mode
// against a local moto server, for a Linux and a Windows dump: the dump
// and the symbol table come from S3 onto the scratch volume (a loop device
// linked as the volume's NVMe device), and every result goes back with
// SSE-KMS and a SHA-256 checksum.
func TestRenderedMemoryDocumentAgainstS3(t *testing.T) {
	requireRoot(t)
	requireTools(t, append([]string{"sh", "aws", "moto_server", "jq", "xz", "od", "cmp", "python3"}, scratchTools...)...)
	s3 := startS3(t, "evidence-bucket", "results-bucket")
	awsEnv, awsCLI := s3.env, s3.aws
	tests := []struct {
		name, os, format, release string
		dump                      []byte
		// table writes the symbol table under dir; tableKey is its key
		// under the symbols prefix.
		table    func(t *testing.T, dir string)
		tableKey string
		plugin   string
	}{
		{
			name: "linux", os: "linux", format: "lime", release: testRelease,
			dump:  limeRange(1, 0x1000, memoryWithBanner(testBanner)),
			table: func(t *testing.T, dir string) { symbolTable(t, dir, testBanner) }, tableKey: testRelease + ".json.xz",
			plugin: "linux.pslist",
		},
		{
			name: "windows", os: "windows", format: "raw",
			dump:     windowsMemory(testKernel),
			table:    func(t *testing.T, dir string) { windowsSymbolTable(t, dir, testKernel, testKernel) },
			tableKey: "windows/" + testKernel.ID() + ".json.xz", plugin: "windows.pslist",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			dump := filepath.Join(dir, "mem.dump")
			writeFile(t, dump, string(tt.dump), 0o600)
			tt.table(t, dir)
			dumpURI := "s3://evidence-bucket/dumps/" + tt.name + "/mem.dump"
			prefix := "cases/case-" + tt.name + "/memory/"
			require.Equal(t, 0, awsCLI("s3", "cp", dump, dumpURI).code)
			require.Equal(t, 0, awsCLI("s3", "cp", filepath.Join(dir, tt.tableKey), "s3://evidence-bucket/symbols/"+tt.tableKey).code)
			bin, _ := fakeVol(t)
			scratch, links := scratchDevice(t, nil)
			kms := "arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab"
			env := append(append([]string{}, awsEnv...), "CASEFILE_DEVICE_BY_ID_DIR="+links, "SSM_scratchVolumeId="+scratchVolumeID,
				"PATH="+bin+":"+os.Getenv("PATH"), "FAKE_VOL_LOG="+filepath.Join(dir, "vol.log"),
				"SSM_forensicId=case-"+tt.name, "SSM_dumpS3Uri="+dumpURI,
				"SSM_dumpSha256="+sha256File(t, dump), "SSM_dumpSizeBytes="+strconv.Itoa(fileSize(t, dump)),
				"SSM_dumpFormat="+tt.format, "SSM_operatingSystem="+tt.os, "SSM_kernelRelease="+tt.release,
				"SSM_symbolsS3Uri=s3://evidence-bucket/symbols/", "SSM_resultsBucket=results-bucket",
				"SSM_resultsPrefix="+prefix, "SSM_kmsKeyArn="+kms)
			doc, err := Memory()
			require.NoError(t, err)

			r := run(t, env, "sh", renderedCommand(t, doc))

			require.Equal(t, 0, r.code, "stderr:\n%s", r.stderr)
			assert.Contains(t, r.lastLine(), `"results":"s3://results-bucket/`+prefix+`"`)
			manifest := filepath.Join(dir, ManifestFileName)
			got := awsCLI("s3", "cp", "s3://results-bucket/"+prefix+ManifestFileName, manifest)
			require.Equal(t, 0, got.code, got.stderr)
			checksums := wantChecksums(t, manifest)
			for _, key := range []string{ResultsFileName, ManifestFileName, "volatility/" + tt.plugin + ".json"} {
				require.Contains(t, checksums, key, "%s is in the manifest", key)
				s3.assertUploaded("results-bucket", prefix+key, kms, checksums[key])
			}
			got = awsCLI("s3", "cp", "s3://results-bucket/"+prefix+"results.json", filepath.Join(dir, "results.json"))
			require.Equal(t, 0, got.code, got.stderr)
			var res memoryResults
			readJSON(t, filepath.Join(dir, "results.json"), &res)
			assert.Equal(t, "SUCCEEDED", res.Status)
			assert.Equal(t, tt.os, res.OS)
			assert.True(t, res.Dump.HashVerified)
			assert.True(t, res.Dump.SizeVerified)
			assert.True(t, res.Banner.Match)
			assertScratchUsed(t, filepath.Join(dir, "results.json"), scratch, "blank")
		})
	}
}

// wantChecksums maps every key under a results prefix, relative to it, to
// the ChecksumSHA256 its S3 object must carry: the base64 of the SHA-256
// that the downloaded manifest (at manifestPath) gives for the file, and for
// manifest.json that of the downloaded copy itself.
func wantChecksums(t *testing.T, manifestPath string) map[string]string {
	t.Helper()
	var m Manifest
	readJSON(t, manifestPath, &m)
	encode := func(path, sum string) string {
		raw, err := hex.DecodeString(sum)
		require.NoError(t, err, "the manifest's sha256 of %s", path)
		require.Len(t, raw, 32, "the manifest's sha256 of %s", path)
		return base64.StdEncoding.EncodeToString(raw)
	}
	want := map[string]string{ManifestFileName: encode(ManifestFileName, sha256File(t, manifestPath))}
	for _, f := range m.Files {
		want[f.Path] = encode(f.Path, f.SHA256)
	}
	return want
}

// s3Emulator is a moto server with the AWS CLI's environment pointed at it.
type s3Emulator struct {
	// env holds the AWS CLI's settings for the server.
	env []string
	t   *testing.T
}

// startS3 starts moto for the test and creates the buckets in it.
func startS3(t *testing.T, buckets ...string) s3Emulator {
	t.Helper()
	endpoint := startMoto(t)
	e := s3Emulator{t: t, env: []string{
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=eu-west-1",
		"AWS_ENDPOINT_URL=" + endpoint, "AWS_EC2_METADATA_DISABLED=true",
	}}
	for _, b := range buckets {
		r := e.aws("s3api", "create-bucket", "--bucket", b, "--create-bucket-configuration", "LocationConstraint=eu-west-1")
		require.Equal(t, 0, r.code, r.stderr)
	}
	return e
}

// aws runs the AWS CLI against the server.
func (e s3Emulator) aws(args ...string) result { return run(e.t, e.env, "aws", args...) }

// assertUploaded checks that s3://bucket/key was uploaded as the scripts
// upload: with SSE-KMS under kms and a ChecksumSHA256 of wantChecksum.
func (e s3Emulator) assertUploaded(bucket, key, kms, wantChecksum string) {
	t := e.t
	t.Helper()
	head := e.aws("s3api", "head-object", "--bucket", bucket, "--key", key, "--checksum-mode", "ENABLED")
	require.Equal(t, 0, head.code, "%s uploaded: %s", key, head.stderr)
	var obj struct {
		ChecksumSHA256       string
		ServerSideEncryption string
		SSEKMSKeyID          string `json:"SSEKMSKeyId"`
	}
	require.NoError(t, json.Unmarshal([]byte(head.stdout), &obj))
	assert.Equal(t, wantChecksum, obj.ChecksumSHA256, "%s: ChecksumSHA256, the base64 of its SHA-256", key)
	assert.Equal(t, "aws:kms", obj.ServerSideEncryption, "%s encryption", key)
	assert.Equal(t, kms, obj.SSEKMSKeyID, "%s KMS key", key)
}

// startMoto runs a moto server for the test and stops it (with its whole
// process group) when the test ends.
func startMoto(t *testing.T) string {
	t.Helper()
	if err := moto.Available(); err != nil {
		testenv.Missing(t, "%v", err)
	}
	server, err := moto.Start(context.Background(), t.TempDir())
	require.NoError(t, err)
	t.Cleanup(server.Stop)
	return server.URL
}

// TestRenderedDiskDocumentFallsBackToTextInterpolation plays an SSM agent
// older than environment-variable interpolation: it substitutes the {{ }}
// references into the command text and sets no SSM_ variable. The values
// (which passed allowedPattern) must reach the script, which still
// validates them: here it refuses a '..' in the prefix.
func TestRenderedDiskDocumentFallsBackToTextInterpolation(t *testing.T) {
	requireTools(t, "sh", "base64", "gzip", "sha256sum", "jq")
	doc, err := Disk()
	require.NoError(t, err)
	values := map[string]string{
		ParamForensicID: "case-001", ParamVolumeIDs: evidenceVolume, ParamResultsBucket: "results-bucket",
		ParamResultsPrefix: "cases/../other", ParamKMSKeyARN: "arn:aws:kms:eu-west-1:123456789012:key/k-1",
	}
	lines := doc.Content.MainSteps[0].Inputs.RunCommand
	substituted := make([]string, len(lines))
	for i, line := range lines {
		for name, v := range values {
			require.Regexp(t, doc.Content.Parameters[name].AllowedPattern, v, "%s passes allowedPattern", name)
			line = strings.ReplaceAll(line, "{{ "+name+" }}", v)
		}
		substituted[i] = line
	}
	doc.Content.MainSteps[0].Inputs.RunCommand = substituted
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SSM_") {
			env = append(env, kv)
		}
	}

	cmd := exec.Command("sh", renderedCommand(t, doc))
	cmd.Env = env
	out, err := cmd.CombinedOutput()

	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 2, exit.ExitCode())
	assert.Contains(t, string(out), "--results-prefix must not contain '..'", "the substituted value reached the script")
}
