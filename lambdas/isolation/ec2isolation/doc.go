// Package ec2isolation isolates one EC2 instance in its application
// account, with SDK clients built on that account's isolation role.
//
// The measures, in the order they run (they are returned in the order of
// investigation.EC2Measures):
//
//   - terminationProtection: API termination disabled. Impossible on a
//     Spot instance, which EC2 can still reclaim.
//   - autoScaling: scale-in protection, then detachment from the group
//     without decrementing its desired capacity, so that the group
//     launches a replacement and neither replaces nor terminates this
//     instance once its health checks fail.
//   - securityGroups: every network interface moved to the case's
//     allow-all group (casefile-isolation-allow-<forensicId>), which turns
//     tracked connections into untracked ones, then to its no-rule group
//     (casefile-isolation-deny-<forensicId>), which ends them. Should the
//     second step fail, the interfaces go back to their original groups.
//   - elasticIps: every Elastic IP of the interfaces disassociated.
//   - instanceProfile: the profile replaced by the deny profile (or the
//     deny profile associated when there was none).
//   - roleSessions: the original role's sessions issued up to the moment
//     the deny profile is on (to the whole second after it) denied by an
//     inline policy (rolesessions). This affects every instance and
//     service that uses the role, until their credentials are refreshed.
//
// Each measure's Original holds what an operator needs to restore it:
// the groups per interface, the profile ARN and association, the previous
// termination protection, each address's allocation, association,
// interface and private IP, and the Auto Scaling group with the previous
// protection and lifecycle state. The same record is tagged on the
// instance (casefile:original:<measure>, continued in "#2", "#3"... when
// longer than a tag value) before the measure changes anything, and
// completed once it is applied; casefile:isolated-by names the first case
// that isolated the instance. A later run (the case's other evidence type,
// a retry, another case) reads the instance's settings first: while they
// are still the isolation's, the measure is APPLIED "already isolated by
// case X" with the recorded originals; a measure that an earlier run left
// half done runs again with the originals recorded before it started; and
// a measure whose settings an operator has restored since is applied
// afresh, with the restored settings as its originals.
//
// To restore an instance: put each interface back into its original
// groups, replace the deny profile's association by the original profile
// (or disassociate it), delete the role's inline policy
// CasefileRevokeOlderSessions, set termination protection back, associate
// the addresses again, attach the instance to its group again (and remove
// its scale-in protection), then delete the casefile:original:* and
// casefile:isolated-by tags and the two isolation groups.
package ec2isolation
