package host

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// copiedSnapshotVolumeID is the volume ID EC2 gives a snapshot made by
// CopySnapshot: an arbitrary value that names no volume, so the source
// volume of a copy cannot be checked against EC2.
const copiedSnapshotVolumeID = "vol-ffffffff"

// verifySnapshots checks, before any volume is made, that every snapshot
// of the request exists, is completed, and was taken of the volume and size
// the request names. A snapshot that is missing or differs fails the case
// with EVIDENCE_MISMATCH, naming every such snapshot; an EC2 error that
// says nothing of the evidence fails it with EVIDENCE_ATTACH_FAILED. Only
// when all of them match does it record what EC2 says of each in the
// custody log, so that "snapshot-verified" means the whole evidence was.
func (a *Attacher) verifySnapshots(ctx context.Context, trail caserecords.Trail, claims []investigation.Snapshot) error {
	found, err := a.describeSnapshots(ctx, claims)
	if err != nil {
		return err
	}
	var problems []string
	for _, claim := range claims {
		snap, ok := found[claim.SnapshotID]
		if !ok {
			problems = append(problems, fmt.Sprintf("snapshot %s does not exist or is not shared with the forensic account", claim.SnapshotID))
			continue
		}
		if err := compareSnapshot(claim, snap); err != nil {
			problems = append(problems, fmt.Sprintf("snapshot %s: %v", claim.SnapshotID, err))
		}
	}
	if len(problems) > 0 {
		return investigation.Fail(investigation.ReasonEvidenceMismatch, "%s", strings.Join(problems, "; "))
	}
	for _, claim := range claims {
		if err := trail.Record(ctx, "snapshot-verified", snapshotFacts(claim, found[claim.SnapshotID]),
			"EC2 shows the snapshot completed, of the volume and size the request names"); err != nil {
			return err
		}
	}
	return nil
}

// describeSnapshots returns what EC2 shows of the claimed snapshots, by ID.
// A snapshot EC2 does not know is absent from the map.
func (a *Attacher) describeSnapshots(ctx context.Context, claims []investigation.Snapshot) (map[string]types.Snapshot, error) {
	ids := make([]string, 0, len(claims))
	for _, c := range claims {
		ids = append(ids, c.SnapshotID)
	}
	found, err := a.describe(ctx, ids)
	if snapshotMissing(err) {
		missing := a.missing(ctx, ids)
		what := "snapshot " + missing[0] + " does not exist or is"
		if len(missing) > 1 {
			what = "snapshots " + strings.Join(missing, ", ") + " do not exist or are"
		}
		return nil, investigation.Fail(investigation.ReasonEvidenceMismatch, "%s not shared with the forensic account: %w", what, err)
	}
	if err != nil {
		return nil, investigation.Fail(investigation.ReasonEvidenceAttach, "describe snapshots %v: %w", ids, err)
	}
	return found, nil
}

// describe describes the snapshots ids, by ID.
func (a *Attacher) describe(ctx context.Context, ids []string) (map[string]types.Snapshot, error) {
	found := make(map[string]types.Snapshot, len(ids))
	pages := ec2.NewDescribeSnapshotsPaginator(a.EC2, &ec2.DescribeSnapshotsInput{SnapshotIds: ids})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range page.Snapshots {
			found[aws.ToString(s.SnapshotId)] = s
		}
	}
	return found, nil
}

// missing names which of ids EC2 does not know, after a call for all of
// them failed because one is missing: one call per snapshot. When no
// single call says so, it names them all.
func (a *Attacher) missing(ctx context.Context, ids []string) []string {
	if len(ids) == 1 {
		return ids
	}
	var out []string
	for _, id := range ids {
		if _, err := a.describe(ctx, []string{id}); snapshotMissing(err) {
			out = append(out, id)
		}
	}
	if len(out) == 0 {
		return ids
	}
	return out
}

// snapshotMissing reports whether err is EC2 saying a snapshot ID names no
// snapshot the caller may see.
func snapshotMissing(err error) bool {
	return awserr.IsNotFound(err) || awserr.Code(err) == "InvalidSnapshotID.Malformed"
}

// compareSnapshot returns why snap is not the snapshot claim describes, or
// nil. The source volume of a copied snapshot cannot be checked.
func compareSnapshot(claim investigation.Snapshot, snap types.Snapshot) error {
	var diffs []string
	if snap.State != types.SnapshotStateCompleted {
		diffs = append(diffs, fmt.Sprintf("state is %q, not %q", snap.State, types.SnapshotStateCompleted))
	}
	if got := aws.ToString(snap.VolumeId); got != claim.SourceVolumeID && got != copiedSnapshotVolumeID {
		diffs = append(diffs, fmt.Sprintf("source volume is %s, the request says %s", got, claim.SourceVolumeID))
	}
	if got := aws.ToInt32(snap.VolumeSize); got != claim.SizeGiB {
		diffs = append(diffs, fmt.Sprintf("size is %d GiB, the request says %d GiB", got, claim.SizeGiB))
	}
	if len(diffs) > 0 {
		return errors.New(strings.Join(diffs, "; "))
	}
	return nil
}

// snapshotFacts are the custody event's resources: what EC2 shows of the
// snapshot.
func snapshotFacts(claim investigation.Snapshot, snap types.Snapshot) map[string]string {
	facts := map[string]string{
		"snapshotId":     claim.SnapshotID,
		"sourceVolumeId": aws.ToString(snap.VolumeId),
		"volumeSizeGiB":  strconv.Itoa(int(aws.ToInt32(snap.VolumeSize))),
		"state":          string(snap.State),
		"ownerId":        aws.ToString(snap.OwnerId),
		"encrypted":      strconv.FormatBool(aws.ToBool(snap.Encrypted)),
	}
	if snap.StartTime != nil {
		facts["startTime"] = snap.StartTime.UTC().Format(time.RFC3339)
	}
	if aws.ToString(snap.VolumeId) == copiedSnapshotVolumeID {
		// Keep the claim, marked as one EC2 cannot confirm.
		facts["sourceVolumeId"] = claim.SourceVolumeID
		facts["sourceVolumeVerified"] = "false"
	}
	return facts
}
