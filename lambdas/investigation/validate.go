package investigation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Limits on a request, so that hostile input cannot grow the workflow state.
const (
	MaxRequestBytes = 64 * 1024
	MaxSnapshots    = 16
	MaxFindingTypes = 32
	MaxSnapshotGiB  = 16384
)

// The patterns of the request's fields. A value that reaches an SSM
// document parameter or an S3 key must also pass that parameter's
// allowedPattern and hold no "..", which the documents' scripts refuse
// (TestParserAgreesWithTheDocuments checks both).
var (
	forensicIDPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$`)
	accountIDPattern     = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern        = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	instanceIDPattern    = regexp.MustCompile(`^i-[0-9a-f]{8}([0-9a-f]{9})?$`)
	snapshotIDPattern    = regexp.MustCompile(`^snap-[0-9a-f]{8}([0-9a-f]{9})?$`)
	volumeIDPattern      = regexp.MustCompile(`^vol-[0-9a-f]{8}([0-9a-f]{9})?$`)
	sha256Pattern        = regexp.MustCompile(`^[0-9a-f]{64}$`)
	kernelReleasePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$`)
	clusterNamePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)
	// Kubernetes names: a namespace is an RFC 1123 label, a pod name an
	// RFC 1123 subdomain (at most 253 characters, checked apart).
	k8sLabelPattern     = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	k8sSubdomainPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$`)
	findingTextPattern  = regexp.MustCompile(`^[\x20-\x7e]{1,512}$`)
	// productARNPattern is a Security Hub product ARN: AWS's own products
	// have no account, a custom integration's has its account.
	// customActionARNPattern is a Security Hub custom action ARN; its ID is
	// 1 to 20 letters or digits.
	customActionARNPattern = regexp.MustCompile(`^arn:aws(-[a-z]+)*:securityhub:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:action/custom/[A-Za-z0-9]{1,20}$`)
	productARNPattern      = regexp.MustCompile(`^arn:aws(-[a-z]+)*:securityhub:[a-z]{2}(-[a-z]+)+-[0-9]:([0-9]{12})?:product/[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127}){1,2}$`)
)

const maxK8sSubdomain = 253

var severities = map[string]bool{"INFORMATIONAL": true, "LOW": true, "MEDIUM": true, "HIGH": true, "CRITICAL": true}

// memoryFormats are the dump formats of each operating system, as the
// memory document's dumpFormat takes them.
var memoryFormats = map[string]map[string]bool{
	OSLinux:   {"lime": true, "avml": true, "raw": true},
	OSWindows: {"raw": true, "crashdump": true},
}

// ValidForensicID reports whether id is a well-formed forensic ID: 3 to 64
// letters, digits, '.', '_' and '-', starting with a letter or digit, with
// no "..".
func ValidForensicID(id string) bool {
	return forensicIDPattern.MatchString(id) && !strings.Contains(id, "..")
}

// ParseRequest decodes and validates a request. Oversized input, anything
// but one JSON object, keys that are not the exact name of a field at their
// place (encoding/json would match them without regard to case), keys given
// twice, values of the wrong kind and invalid values are refused. The error
// is a *ValidationError naming the field.
//
// A request passed as a JSON string (RequestText) is always refused, with
// the problem of the string's content when it has one: that is how the
// starter passes a request it judged invalid.
func ParseRequest(raw []byte) (Request, error) {
	text, quoted := RequestText(raw)
	req, err := parseObject(text)
	if quoted && err == nil {
		return Request{}, invalid(RequestField, "is a JSON string holding a request, not a JSON object")
	}
	return req, err
}

// RequestText returns the request as it was sent: raw itself, or, when raw
// is a JSON string (quoted is true), the string's content. The starter
// passes a request that it judged invalid as a JSON string, because Step
// Functions parses an execution's input, keeping only the last of duplicate
// keys, and would hand intake a request other than the one judged.
func RequestText(raw []byte) (text []byte, quoted bool) {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '"' {
		return raw, false
	}
	var s string
	if err := json.Unmarshal(trimmed, &s); err != nil {
		return raw, false
	}
	return []byte(s), true
}

// parseObject decodes and validates a request that is not a JSON string.
func parseObject(raw []byte) (Request, error) {
	if len(raw) > MaxRequestBytes {
		return Request{}, invalid(RequestField, "is %d bytes, more than the %d allowed", len(raw), MaxRequestBytes)
	}
	if trimmed := bytes.TrimSpace(raw); len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return Request{}, invalid(RequestField, "is empty")
	}
	if verr := checkShape(raw); verr != nil {
		return Request{}, verr
	}
	var req Request
	if err := json.Unmarshal(raw, &req); err != nil {
		// checkShape lets through only what decodes; this is a safety net.
		return Request{}, invalid(RequestField, "cannot be decoded: %v", err)
	}
	if err := req.Validate(); err != nil {
		return Request{}, err
	}
	return req, nil
}

// Validate checks every field of a decoded request and returns the first
// problem as a *ValidationError.
func (r Request) Validate() error {
	if !ValidForensicID(r.ForensicID) {
		return invalid("forensicId", "must be 3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, without '..'")
	}
	if err := r.Resource.validate(); err != nil {
		return err
	}
	if r.Finding != nil {
		if err := r.Finding.validate(); err != nil {
			return err
		}
	}
	switch r.ForensicType {
	case ForensicTypeDisk:
		if r.Disk == nil {
			return invalid("disk", "is required when forensicType is DISK")
		}
		if r.Memory != nil {
			return invalid("memory", "must be absent when forensicType is DISK")
		}
		return r.Disk.validate()
	case ForensicTypeMemory:
		if r.Memory == nil {
			return invalid("memory", "is required when forensicType is MEMORY")
		}
		if r.Disk != nil {
			return invalid("disk", "must be absent when forensicType is MEMORY")
		}
		return r.Memory.validate()
	case "":
		return invalid("forensicType", "is required (DISK or MEMORY)")
	default:
		return invalid("forensicType", "must be DISK or MEMORY, not %q", truncate(string(r.ForensicType)))
	}
}

func (r Resource) validate() error {
	if !accountIDPattern.MatchString(r.AccountID) {
		return invalid("resource.accountId", "must be 12 digits")
	}
	if !regionPattern.MatchString(r.Region) {
		return invalid("resource.region", "must be an AWS Region name such as eu-west-1")
	}
	switch {
	case r.InstanceID != "" && r.EKS != nil:
		return invalid("resource", "must name either instanceId or eks, not both")
	case r.InstanceID == "" && r.EKS == nil:
		return invalid("resource", "must name instanceId (EC2) or eks (EKS)")
	case r.EKS != nil:
		return r.EKS.validate()
	}
	if !instanceIDPattern.MatchString(r.InstanceID) {
		return invalid("resource.instanceId", "must be an EC2 instance ID such as i-0123456789abcdef0")
	}
	return nil
}

func (w EKSWorkload) validate() error {
	if !clusterNamePattern.MatchString(w.ClusterName) {
		return invalid("resource.eks.clusterName", "must be an EKS cluster name (letters, digits, '-' and '_', at most 100)")
	}
	if !instanceIDPattern.MatchString(w.NodeInstanceID) {
		return invalid("resource.eks.nodeInstanceId", "must be an EC2 instance ID such as i-0123456789abcdef0")
	}
	if w.Namespace != "" && !k8sLabelPattern.MatchString(w.Namespace) {
		return invalid("resource.eks.namespace", "must be a Kubernetes namespace name (RFC 1123 label)")
	}
	if w.PodName != "" && (len(w.PodName) > maxK8sSubdomain || !k8sSubdomainPattern.MatchString(w.PodName)) {
		return invalid("resource.eks.podName", "must be a Kubernetes pod name (RFC 1123 subdomain)")
	}
	return nil
}

func (f Finding) validate() error {
	if !findingTextPattern.MatchString(f.ID) {
		return invalid("finding.id", "must be 1 to 512 printable ASCII characters")
	}
	if len(f.Types) > MaxFindingTypes {
		return invalid("finding.types", "has %d entries, more than the %d allowed", len(f.Types), MaxFindingTypes)
	}
	for i, t := range f.Types {
		if !findingTextPattern.MatchString(t) {
			return invalid(fmt.Sprintf("finding.types[%d]", i), "must be 1 to 512 printable ASCII characters")
		}
	}
	if f.ProductName != "" && !findingTextPattern.MatchString(f.ProductName) {
		return invalid("finding.productName", "must be 1 to 512 printable ASCII characters")
	}
	if f.Severity != "" && !severities[f.Severity] {
		return invalid("finding.severity", "must be INFORMATIONAL, LOW, MEDIUM, HIGH or CRITICAL")
	}
	if f.ProductARN != "" && !productARNPattern.MatchString(f.ProductARN) {
		return invalid("finding.productArn", "must be a Security Hub product ARN such as arn:aws:securityhub:eu-west-1::product/aws/guardduty")
	}
	if f.CustomActionARN != "" && !customActionARNPattern.MatchString(f.CustomActionARN) {
		return invalid("finding.customActionArn", "must be a Security Hub custom action ARN such as arn:aws:securityhub:eu-west-1:111122223333:action/custom/CasefileIsolate (an ID of 1 to 20 letters or digits)")
	}
	return nil
}

func (d DiskEvidence) validate() error {
	if len(d.Snapshots) == 0 {
		return invalid("disk.snapshots", "must list at least one snapshot")
	}
	if len(d.Snapshots) > MaxSnapshots {
		return invalid("disk.snapshots", "has %d entries, more than the %d allowed", len(d.Snapshots), MaxSnapshots)
	}
	seen := make(map[string]bool, len(d.Snapshots))
	for i, s := range d.Snapshots {
		field := fmt.Sprintf("disk.snapshots[%d]", i)
		if !snapshotIDPattern.MatchString(s.SnapshotID) {
			return invalid(field+".snapshotId", "must be an EBS snapshot ID such as snap-0123456789abcdef0")
		}
		if seen[s.SnapshotID] {
			return invalid(field+".snapshotId", "repeats %s", s.SnapshotID)
		}
		seen[s.SnapshotID] = true
		if !volumeIDPattern.MatchString(s.SourceVolumeID) {
			return invalid(field+".sourceVolumeId", "must be an EBS volume ID such as vol-0123456789abcdef0")
		}
		if s.SizeGiB < 1 || s.SizeGiB > MaxSnapshotGiB {
			return invalid(field+".sizeGiB", "must be between 1 and %d", MaxSnapshotGiB)
		}
	}
	return nil
}

func (m MemoryEvidence) validate() error {
	if _, _, err := SplitS3URI(m.S3URI); err != nil {
		return invalid("memory.s3Uri", "%v", err)
	}
	if !sha256Pattern.MatchString(m.SHA256) {
		return invalid("memory.sha256", "must be 64 lower-case hex characters")
	}
	if m.SizeBytes <= 0 {
		return invalid("memory.sizeBytes", "must be greater than 0")
	}
	switch m.OS() {
	case OSLinux:
		if !memoryFormats[OSLinux][m.Format] {
			return invalid("memory.format", "must be lime, avml or raw for a Linux dump")
		}
		if !kernelReleasePattern.MatchString(m.KernelRelease) || strings.Contains(m.KernelRelease, "..") {
			return invalid("memory.kernelRelease", "must be a kernel release such as 6.1.0-28-cloud-amd64, without '..'")
		}
	case OSWindows:
		if !memoryFormats[OSWindows][m.Format] {
			return invalid("memory.format", "must be raw or crashdump for a Windows dump")
		}
		if m.KernelRelease != "" {
			return invalid("memory.kernelRelease", "must be empty for a Windows dump: its kernel is identified in the dump")
		}
	default:
		return invalid("memory.operatingSystem", "must be linux or windows")
	}
	return nil
}

// CheckEvidenceBucket refuses a MEMORY request whose dump is not in bucket,
// the evidence bucket, which is the only one the forensic instance can read.
// The error is a *ValidationError naming memory.s3Uri.
func (r Request) CheckEvidenceBucket(bucket string) error {
	if r.Memory == nil {
		return nil
	}
	got, _, err := SplitS3URI(r.Memory.S3URI)
	if err != nil {
		return invalid("memory.s3Uri", "%v", err)
	}
	if got != bucket {
		return invalid("memory.s3Uri", "must name an object in the evidence bucket %s, not in %s", bucket, got)
	}
	return nil
}
