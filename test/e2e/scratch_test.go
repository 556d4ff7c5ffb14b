package e2e

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

var volumeIDPattern = regexp.MustCompile(`^vol-[0-9a-f]{8}([0-9a-f]{9})?$`)

// TestMemoryScratchVolume runs a MEMORY case: the launch gives its
// instance a scratch volume of the configured minimum (the fixture's dump
// is small), the start of the forensics hands that volume's ID to the
// memory document and records it, and the release leaves nothing of it.
func TestMemoryScratchVolume(t *testing.T) {
	env := environment(t)
	req := env.Fixture().MemoryRequest("case-scratch-0001")

	out := run(t, env, req)

	require.Equal(t, sfnlocal.StatusSucceeded, out.Status, "execution status (error %s: %.400s)", out.Error, out.Cause)
	launched := custodyEvents(t, env, req.ForensicID, "instance-launched")
	require.Len(t, launched, 1, "the launch's custody event")
	assert.Equal(t, investigation.ScratchDeviceName, launched[0].Resources["scratchDeviceName"])
	assert.Equal(t, "16", launched[0].Resources["scratchVolumeGiB"], "cdk.json's scratchMinGiB: the dump is small")
	sent := custodyEvents(t, env, req.ForensicID, "command-sent")
	require.Len(t, sent, 1, "the forensics command's custody event")
	scratch := sent[0].Resources["scratchVolumeId"]
	assert.Regexp(t, volumeIDPattern, scratch, "the scratch volume handed to the memory document")

	vols, err := env.Clients().EC2.DescribeVolumes(context.Background(), &ec2.DescribeVolumesInput{VolumeIds: []string{scratch}})
	if err == nil {
		for _, v := range vols.Volumes {
			assert.Contains(t, []string{"deleting", "deleted"}, string(v.State), "scratch volume %s after the release", aws.ToString(v.VolumeId))
		}
	}
	assertNothingLeft(t, out)
}

// TestMemoryDumpTooLargeForTheScratchVolume declares a dump whose scratch
// volume would exceed cdk.json's scratchMaxGiB (2048 GiB): the launch fails
// with DUMP_TOO_LARGE before it creates anything.
func TestMemoryDumpTooLargeForTheScratchVolume(t *testing.T) {
	env := environment(t)
	req := env.Fixture().MemoryRequest("case-scratch-0002")
	req.Memory.SizeBytes = 1900 << 30

	out := run(t, env, req)

	assertEvidenceCaseFailed(t, out, req.ForensicID, investigation.ReasonDumpTooLarge,
		[]string{"needs a scratch volume of 2090 GiB", "more than the configured maximum of 2048 GiB (scratchMaxGiB"})
	assert.NotContains(t, out.States, workflow.StateStartMemoryForensics, "states entered")
	assert.Empty(t, out.ForensicInstances, "forensic instances launched")
	assert.Empty(t, custodyEvents(t, env, req.ForensicID, "security-group-created"), "nothing was created")
}
