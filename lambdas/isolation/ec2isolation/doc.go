// Package ec2isolation isolates one EC2 instance in its application
// account: the two-step security-group swap, the deny-all instance
// profile, the revocation of the old role's sessions, termination
// protection, the Elastic IPs disassociated and the instance taken out of
// its Auto Scaling group. Every measure is recorded with the settings it
// replaced, on the case and, as tags, on the instance itself, so that a
// second run (the case's other evidence type, a retry, another case) finds
// the instance already isolated and the original settings still known.
package ec2isolation
