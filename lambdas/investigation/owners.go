package investigation

import "fmt"

// CheckSnapshotOwners checks that every snapshot of a DISK request that
// owners holds (snapshot ID to the account that owns it, as EC2 shows it)
// is owned by resource.accountId: evidence in another account than the
// request says is refused before anything is launched. A snapshot that
// owners does not hold (EC2 does not show it to the forensic account) is
// left to the AttachEvidence step, which names it with EVIDENCE_MISMATCH.
// The error is a *ValidationError naming the first such snapshot, as
// disk.snapshots[i].snapshotId.
func (r Request) CheckSnapshotOwners(owners map[string]string) error {
	if r.Disk == nil {
		return nil
	}
	for i, s := range r.Disk.Snapshots {
		owner, ok := owners[s.SnapshotID]
		if !ok || owner == r.Resource.AccountID {
			continue
		}
		return invalid(fmt.Sprintf("disk.snapshots[%d].snapshotId", i),
			"%s is owned by account %s, not by resource.accountId %s", s.SnapshotID, truncate(owner), r.Resource.AccountID)
	}
	return nil
}
