package investigation

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Limits on a request, so that hostile input cannot grow the workflow state.
const (
	MaxRequestBytes = 64 * 1024
	MaxSnapshots    = 16
	MaxFindingTypes = 32
	MaxSnapshotGiB  = 16384
	maxS3KeyBytes   = 1024
)

var (
	forensicIDPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$`)
	accountIDPattern     = regexp.MustCompile(`^[0-9]{12}$`)
	regionPattern        = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)
	instanceIDPattern    = regexp.MustCompile(`^i-[0-9a-f]{8}([0-9a-f]{9})?$`)
	snapshotIDPattern    = regexp.MustCompile(`^snap-[0-9a-f]{8}([0-9a-f]{9})?$`)
	volumeIDPattern      = regexp.MustCompile(`^vol-[0-9a-f]{8}([0-9a-f]{9})?$`)
	sha256Pattern        = regexp.MustCompile(`^[0-9a-f]{64}$`)
	bucketPattern        = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	s3KeyPattern         = regexp.MustCompile(`^[A-Za-z0-9!_.*'()/-]+$`) // at most maxS3KeyBytes; RE2 repeats stop at 1000
	kernelReleasePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}$`)
	clusterNamePattern   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`)
	k8sNamePattern       = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$`)
	findingTextPattern   = regexp.MustCompile(`^[\x20-\x7e]{1,512}$`)
)

var severities = map[string]bool{"INFORMATIONAL": true, "LOW": true, "MEDIUM": true, "HIGH": true, "CRITICAL": true}

var memoryFormats = map[string]bool{"lime": true, "avml": true, "raw": true}

// ValidationError says which field of a request is wrong and why.
type ValidationError struct {
	// Field is the JSON path of the field, such as "disk.snapshots[1].snapshotId".
	Field string
	// Problem says what is wrong with it.
	Problem string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("invalid request: %s: %s", e.Field, e.Problem)
}

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// ParseRequest decodes and validates a request. Unknown fields, wrong types,
// trailing data and oversized input are rejected. The error is a
// *ValidationError naming the field.
func ParseRequest(raw []byte) (Request, error) {
	var req Request
	if len(raw) > MaxRequestBytes {
		return req, invalid("(request)", "is %d bytes, more than the %d allowed", len(raw), MaxRequestBytes)
	}
	if len(bytes.TrimSpace(raw)) == 0 || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return req, invalid("(request)", "is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return Request{}, decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Request{}, invalid("(request)", "has data after the JSON object")
	}
	if err := req.Validate(); err != nil {
		return Request{}, err
	}
	return req, nil
}

func decodeError(err error) *ValidationError {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "(request)"
		}
		return invalid(field, "must be a JSON %s, not %s", typeErr.Type.Kind(), typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return invalid("(request)", "is not valid JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return invalid(strings.Trim(msg, `"`), "is not a known field")
	}
	return invalid("(request)", "cannot be decoded: %v", err)
}

// Validate checks every field of a decoded request and returns the first
// problem as a *ValidationError.
func (r Request) Validate() error {
	if !forensicIDPattern.MatchString(r.ForensicID) {
		return invalid("forensicId", "must be 3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
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
	if w.Namespace != "" && !k8sNamePattern.MatchString(w.Namespace) {
		return invalid("resource.eks.namespace", "must be a Kubernetes name")
	}
	if w.PodName != "" && !k8sNamePattern.MatchString(w.PodName) {
		return invalid("resource.eks.podName", "must be a Kubernetes name")
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
	if !memoryFormats[m.Format] {
		return invalid("memory.format", "must be lime, avml or raw")
	}
	if !kernelReleasePattern.MatchString(m.KernelRelease) {
		return invalid("memory.kernelRelease", "must be a kernel release such as 6.1.0-28-cloud-amd64")
	}
	return nil
}

// SplitS3URI splits s3://bucket/key into its bucket and key, refusing keys
// with path traversal or characters outside S3's safe set.
func SplitS3URI(uri string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", errors.New("must start with s3://")
	}
	bucket, key, ok = strings.Cut(rest, "/")
	if !ok || key == "" {
		return "", "", errors.New("must name a bucket and a key")
	}
	if !bucketPattern.MatchString(bucket) || strings.Contains(bucket, "..") {
		return "", "", errors.New("must name a valid bucket")
	}
	if len(key) > maxS3KeyBytes {
		return "", "", fmt.Errorf("key must be at most %d bytes", maxS3KeyBytes)
	}
	if !s3KeyPattern.MatchString(key) {
		return "", "", errors.New("key may hold only letters, digits and !_.*'()/-")
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." || part == ".." {
			return "", "", errors.New("key must not have empty, '.' or '..' segments")
		}
	}
	return bucket, key, nil
}

func truncate(s string) string {
	const max = 32
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
