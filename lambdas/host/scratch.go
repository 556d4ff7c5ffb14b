package host

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// A MEMORY case's forensic instance gets a scratch volume: a second EBS
// volume, launched with it and deleted with it, onto which the memory
// document copies the dump (and decompresses an AVML one beside it), since
// the root volume is only as large as the AMI's disk.
//
// Its size is a multiple of the request's dump size, rounded up to whole
// GiB, raised to the configured minimum; a dump whose scratch volume would
// exceed the configured maximum fails the launch with DUMP_TOO_LARGE.
const (
	// ScratchPercentPlain is the scratch size of an uncompressed dump
	// (lime, raw, crashdump) in percent of the dump's size: the dump, and
	// a tenth more for ext4's journal and metadata.
	ScratchPercentPlain = 110
	// ScratchPercentAVML is the scratch size of an AVML dump in percent of
	// its (compressed) size: the dump, its decompressed form taken to be
	// at most four times as large (AVML's Snappy rarely does better on
	// memory), and the same tenth for the file system.
	ScratchPercentAVML = 550
	// MaxScratchGiB is the largest gp3 volume.
	MaxScratchGiB = 16384
)

const bytesPerGiB = 1 << 30

// scratchGiB returns the size of the scratch volume for the dump m, within
// [minGiB, maxGiB], or DUMP_TOO_LARGE.
func scratchGiB(m investigation.MemoryEvidence, minGiB, maxGiB int) (int32, error) {
	if minGiB < 1 || maxGiB > MaxScratchGiB || minGiB > maxGiB {
		return 0, investigation.Fail(investigation.ReasonInstanceLaunch,
			"scratch volume sizes misconfigured: minimum %d GiB, maximum %d GiB (want 1 ≤ minimum ≤ maximum ≤ %d; %s, %s)",
			minGiB, maxGiB, MaxScratchGiB, investigation.EnvScratchMinGiB, investigation.EnvScratchMaxGiB)
	}
	percent := int64(ScratchPercentPlain)
	if m.Format == "avml" {
		percent = ScratchPercentAVML
	}
	// Checked first, so that the product below cannot overflow.
	if m.SizeBytes > int64(maxGiB)*bytesPerGiB {
		return 0, investigation.Fail(investigation.ReasonDumpTooLarge,
			"the memory dump of %d bytes is larger than the configured maximum scratch volume of %d GiB (scratchMaxGiB, at most %d), which must hold it",
			m.SizeBytes, maxGiB, MaxScratchGiB)
	}
	need := ceilDiv(m.SizeBytes*percent, 100*bytesPerGiB)
	if need > int64(maxGiB) {
		return 0, investigation.Fail(investigation.ReasonDumpTooLarge,
			"the %s memory dump of %d bytes needs a scratch volume of %d GiB (%d%% of its size), more than the configured maximum of %d GiB (scratchMaxGiB, at most %d)",
			m.Format, m.SizeBytes, need, percent, maxGiB, MaxScratchGiB)
	}
	return int32(max(need, int64(minGiB))), nil
}

// scratchMapping is the block device mapping of the scratch volume: gp3,
// encrypted with the case volumes' key, deleted with the instance. The
// launch's volume tag specification tags it like the root volume.
func (l *Launcher) scratchMapping(gib int32) types.BlockDeviceMapping {
	return types.BlockDeviceMapping{
		DeviceName: aws.String(investigation.ScratchDeviceName),
		Ebs: &types.EbsBlockDevice{
			Encrypted:           aws.Bool(true),
			KmsKeyId:            aws.String(l.Config.VolumeKMSKeyARN),
			VolumeType:          types.VolumeTypeGp3,
			VolumeSize:          aws.Int32(gib),
			DeleteOnTermination: aws.Bool(true),
		},
	}
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }
