package forensichost

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	ssmdocuments "github.com/casefile-forensics/casefile/ssm-documents"
)

// TestEveryParameterReachesTheScript checks that the local runs hand the
// scripts every parameter of their document (but the disk document's
// volumeIds, which a local run takes one by one as --evidence-id, and the
// memory document's scratchVolumeId), with
// an option the script parses, so that the script's own checks run on
// each.
func TestEveryParameterReachesTheScript(t *testing.T) {
	tests := []struct {
		name   string
		render func() (ssmdocuments.Document, error)
		script string
		flags  []paramFlag
		skip   []string
	}{
		{name: "disk", render: ssmdocuments.Disk, script: DiskScript, flags: diskFlags, skip: []string{ssmdocuments.ParamVolumeIDs, ssmdocuments.ParamExecutionTimeout}},
		// The local run copies the dump into --scratch-dir, not onto the
		// scratch volume, which it only checks is attached.
		{name: "memory", render: ssmdocuments.Memory, script: MemoryScript, flags: memoryFlags,
			skip: []string{ssmdocuments.ParamExecutionTimeout, ssmdocuments.ParamScratchVolumeID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := tt.render()
			require.NoError(t, err)
			text, err := os.ReadFile(filepath.Join("..", "..", "..", "ssm-documents", "scripts", tt.script))
			require.NoError(t, err)

			var got []string
			for _, f := range tt.flags {
				got = append(got, f.param)
				assert.Contains(t, string(text), "\t"+f.flag+") need_value", "%s parses %s", tt.script, f.flag)
			}
			var want []string
			for _, name := range doc.ParameterNames() {
				if !slices.Contains(tt.skip, name) {
					want = append(want, name)
				}
			}
			assert.ElementsMatch(t, want, got, "parameters of the %s document (want) and those the local run passes (got)", tt.name)
		})
	}
}
