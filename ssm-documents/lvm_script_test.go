package ssmdocuments

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDiskForensicsLocalLVM puts an LVM physical volume on the evidence:
// the script lists it read-only and activates the volume group only when
// that is safe, recording why not otherwise.
func TestDiskForensicsLocalLVM(t *testing.T) {
	requireRoot(t)
	requireTools(t, "lvm", "losetup", "blockdev", "sfdisk", "blkid", "fls", "mactime", "jq", "python3")
	image := filepath.Join(t.TempDir(), "lvm.img")
	mustRun(t, "truncate", "-s", "64M", image)
	vg := fmt.Sprintf("casefiletest%d", time.Now().UnixNano()%1000000)
	dev := strings.TrimSpace(mustRun(t, "losetup", "--find", "--show", image))
	config := "devices { use_devicesfile = 0 } backup { backup = 0 archive = 0 }"
	pv := run(t, nil, "lvm", "pvcreate", "-q", "--config", config, dev)
	vgc := run(t, nil, "lvm", "vgcreate", "-q", "--config", config, vg, dev)
	mustRun(t, "losetup", "-d", dev)
	require.Equal(t, 0, pv.code, "pvcreate: %s", pv.stderr)
	require.Equal(t, 0, vgc.code, "vgcreate: %s", vgc.stderr)
	before := sha256File(t, image)
	out := filepath.Join(t.TempDir(), "out")

	r := run(t, nil, "bash", script(t, "disk-forensics.sh"), "--local", "--device", image,
		"--evidence-id", evidenceVolume, "--output-dir", out)

	require.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
	assert.Equal(t, before, sha256File(t, image), "the evidence image is unchanged")
	assertNothingLeft(t, image)
	var res struct {
		Devices []struct {
			Partitions []struct {
				Filesystem string `json:"filesystem"`
				Analysis   string `json:"analysis"`
			} `json:"partitions"`
		} `json:"devices"`
		Notes []struct {
			Step    string `json:"step"`
			Message string `json:"message"`
		} `json:"notes"`
	}
	readJSON(t, filepath.Join(out, ResultsFileName), &res)
	require.Len(t, res.Devices, 1)
	require.NotEmpty(t, res.Devices[0].Partitions)
	assert.Equal(t, "LVM2_member", res.Devices[0].Partitions[0].Filesystem)
	assert.Equal(t, "lvm-physical-volume", res.Devices[0].Partitions[0].Analysis)
	report, err := os.ReadFile(filepath.Join(out, evidenceVolume, "lvm.json"))
	require.NoError(t, err)
	assert.Contains(t, string(report), `"vg_name":"`+vg+`"`, "the volume group is listed")
	var lvmNotes []string
	for _, n := range res.Notes {
		if n.Step == "lvm" {
			lvmNotes = append(lvmNotes, n.Message)
		}
	}
	if _, err := os.Stat("/dev/mapper/control"); err != nil {
		require.NotEmpty(t, lvmNotes, "the skipped activation is recorded")
		assert.Contains(t, lvmNotes[0], "device-mapper is not available")
	}
	assertManifest(t, out)
}
