// Package investigation holds Casefile's contract: the investigation request
// that starts a workflow, the small state passed between its steps, the case
// statuses and failure reasons, and the environment keys shared by the
// constructs and the Lambda handlers.
package investigation

import "strings"

// ForensicType names the kind of evidence an investigation analyses.
type ForensicType string

// The evidence types Casefile investigates.
const (
	ForensicTypeDisk   ForensicType = "DISK"
	ForensicTypeMemory ForensicType = "MEMORY"
)

// Request is the documented input of one investigation: one case and one
// evidence type. It is the detail of an "Evidence Acquisition Completed"
// event, or the input of a direct StartExecution. Its JSON keys are the
// json tags below, exactly and once each (ParseRequest).
type Request struct {
	// ForensicID identifies the case. 3 to 64 characters: letters, digits,
	// '.', '_' and '-', starting with a letter or digit, without "..".
	ForensicID string `json:"forensicId"`
	// ForensicType is DISK or MEMORY.
	ForensicType ForensicType `json:"forensicType"`
	// Resource is the compromised EC2 instance or EKS workload.
	Resource Resource `json:"resource"`
	// Finding is the Security Hub finding that opened the case, if any.
	Finding *Finding `json:"finding,omitempty"`
	// Disk is the disk evidence; required when ForensicType is DISK.
	Disk *DiskEvidence `json:"disk,omitempty"`
	// Memory is the memory evidence; required when ForensicType is MEMORY.
	Memory *MemoryEvidence `json:"memory,omitempty"`
}

// Resource is the compromised resource in the application account. Exactly
// one of InstanceID (an EC2 case) and EKS (an EKS case) is set.
type Resource struct {
	// AccountID is the 12-digit application account that owns the resource.
	AccountID string `json:"accountId"`
	// Region is the AWS Region of the resource, such as eu-west-1.
	Region string `json:"region"`
	// InstanceID is the compromised EC2 instance (i-...).
	InstanceID string `json:"instanceId,omitempty"`
	// EKS is the compromised EKS workload.
	EKS *EKSWorkload `json:"eks,omitempty"`
}

// EKSWorkload names a workload in an EKS cluster and the node it ran on.
type EKSWorkload struct {
	ClusterName    string `json:"clusterName"`
	NodeInstanceID string `json:"nodeInstanceId"`
	// Namespace is a Kubernetes namespace name (an RFC 1123 label).
	Namespace string `json:"namespace,omitempty"`
	// PodName is a Kubernetes pod name (an RFC 1123 subdomain).
	PodName string `json:"podName,omitempty"`
}

// Finding is the Security Hub finding (or custom action) behind a case.
type Finding struct {
	ID          string   `json:"id"`
	Types       []string `json:"types,omitempty"`
	ProductName string   `json:"productName,omitempty"`
	// Severity is a Security Hub severity label: INFORMATIONAL, LOW, MEDIUM,
	// HIGH or CRITICAL.
	Severity string `json:"severity,omitempty"`
	// ProductARN is the Security Hub ARN of the product that made the
	// finding, such as arn:aws:securityhub:eu-west-1::product/aws/guardduty.
	// With ID it identifies the finding to Security Hub: when it is given,
	// the finding is told how the case ended (see lambdas/findingupdate).
	ProductARN string `json:"productArn,omitempty"`
	// CustomActionARN is the Security Hub custom action that an analyst
	// sent the finding with, such as
	// arn:aws:securityhub:eu-west-1:111122223333:action/custom/CasefileIsolate;
	// empty when the finding came on its own. The isolation policy's
	// custom action rules match its ID (CustomActionID).
	CustomActionARN string `json:"customActionArn,omitempty"`
}

// customActionPrefix ends every custom action ARN before the action's ID.
const customActionPrefix = ":action/custom/"

// CustomActionID returns the ID of the finding's custom action, the last
// segment of CustomActionARN, such as CasefileIsolate; "" when there is
// none.
func (f Finding) CustomActionID() string {
	_, id, ok := strings.Cut(f.CustomActionARN, customActionPrefix)
	if !ok {
		return ""
	}
	return id
}

// DiskEvidence lists the EBS snapshots shared with the forensic account.
type DiskEvidence struct {
	Snapshots []Snapshot `json:"snapshots"`
}

// Snapshot is one EBS snapshot of a volume of the compromised resource.
type Snapshot struct {
	// SnapshotID is the snapshot (snap-...) that AccountID's account owns
	// and shares with the forensic account (CheckSnapshotOwners).
	SnapshotID string `json:"snapshotId"`
	// SourceVolumeID is the volume the snapshot was taken from (vol-...).
	SourceVolumeID string `json:"sourceVolumeId"`
	// SizeGiB is the snapshot's volume size in GiB (1 to 16384).
	SizeGiB int32 `json:"sizeGiB"`
}

// MemoryEvidence is a memory dump stored in S3.
type MemoryEvidence struct {
	// S3URI is the dump's location, s3://bucket/key, in the evidence bucket
	// (CheckEvidenceBucket); see SplitS3URI for the rules on the key.
	S3URI string `json:"s3Uri"`
	// SHA256 is the dump's SHA-256 as 64 lower-case hex characters.
	SHA256 string `json:"sha256"`
	// SizeBytes is the dump's size in bytes.
	SizeBytes int64 `json:"sizeBytes"`
	// OperatingSystem is linux (the default when empty) or windows. It
	// picks the Volatility plugin set and how the dump's kernel is found.
	OperatingSystem string `json:"operatingSystem,omitempty"`
	// Format is lime, avml or raw for Linux; raw or crashdump for Windows.
	Format string `json:"format"`
	// KernelRelease is, for Linux, the kernel release recorded with the
	// dump (its metadata tag), such as 6.1.0-28-cloud-amd64. It picks the
	// Volatility symbol table. No "..". Empty for Windows: the memory
	// forensics finds the kernel's debug record in the dump, and the table
	// by its PDB GUID and age.
	KernelRelease string `json:"kernelRelease,omitempty"`
}

// Operating systems of a memory dump.
const (
	OSLinux   = "linux"
	OSWindows = "windows"
)

// OS returns the dump's operating system: OperatingSystem, or linux when
// it is empty.
func (m MemoryEvidence) OS() string {
	if m.OperatingSystem == "" {
		return OSLinux
	}
	return m.OperatingSystem
}

// TargetInstanceID returns the EC2 instance of the case: the instance itself
// for an EC2 case, the node for an EKS case.
func (r Resource) TargetInstanceID() string {
	if r.EKS != nil {
		return r.EKS.NodeInstanceID
	}
	return r.InstanceID
}

// Key returns the value of the case table's resource index for the resource:
// "ec2#<account>#<region>#<instance>" or "eks#<account>#<region>#<cluster>".
func (r Resource) Key() string {
	if r.EKS != nil {
		return "eks#" + r.AccountID + "#" + r.Region + "#" + r.EKS.ClusterName
	}
	return "ec2#" + r.AccountID + "#" + r.Region + "#" + r.InstanceID
}
