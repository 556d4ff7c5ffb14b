package intake

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Snapshots is the part of EC2 that intake uses: who owns each snapshot of
// a DISK request.
type Snapshots interface {
	DescribeSnapshots(ctx context.Context, in *ec2.DescribeSnapshotsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error)
}

// snapshotOwners returns the owning account of each snapshot of req that
// EC2 shows the forensic account, by snapshot ID; none for a MEMORY
// request. EC2 refuses a call naming a snapshot it does not show
// (InvalidSnapshot.NotFound), so then each is described alone and the
// missing ones are left out, for AttachEvidence to name.
func snapshotOwners(ctx context.Context, ec2c Snapshots, req investigation.Request) (map[string]string, error) {
	if req.Disk == nil {
		return nil, nil
	}
	ids := make([]string, 0, len(req.Disk.Snapshots))
	for _, s := range req.Disk.Snapshots {
		ids = append(ids, s.SnapshotID)
	}
	owners := make(map[string]string, len(ids))
	err := describeOwners(ctx, ec2c, ids, owners)
	if !snapshotMissing(err) {
		return owners, err
	}
	for _, id := range ids {
		if err := describeOwners(ctx, ec2c, []string{id}, owners); err != nil && !snapshotMissing(err) {
			return nil, err
		}
	}
	return owners, nil
}

// describeOwners adds the owner of each snapshot ids names to owners.
func describeOwners(ctx context.Context, ec2c Snapshots, ids []string, owners map[string]string) error {
	pages := ec2.NewDescribeSnapshotsPaginator(ec2c, &ec2.DescribeSnapshotsInput{SnapshotIds: ids})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("describe snapshots %v: %w", ids, err)
		}
		for _, s := range page.Snapshots {
			owners[aws.ToString(s.SnapshotId)] = aws.ToString(s.OwnerId)
		}
	}
	return nil
}

// snapshotMissing reports whether err is EC2 saying a snapshot ID names no
// snapshot the caller may see.
func snapshotMissing(err error) bool {
	return err != nil && (awserr.IsNotFound(err) || awserr.Code(err) == "InvalidSnapshotID.Malformed")
}
