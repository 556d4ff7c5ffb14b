package caserecords

import "github.com/casefile-forensics/casefile/lambdas/investigation"

// Attribute names used in expressions; they match the json tags below.
const (
	attrStatus         = "status"
	attrUpdatedAt      = "updatedAt"
	attrFinishedAt     = "finishedAt"
	attrReason         = "reason"
	attrReasonDetail   = "reasonDetail"
	attrCleanupError   = "cleanupError"
	attrIsolationError = "isolationError"
	attrInstanceID     = "instanceId"
	attrCommandID      = "commandId"
	attrResultsS3URI   = "resultsS3Uri"
	attrSHA256         = "sha256"
	attrExecutionName  = "executionName"
	attrInvalidField   = "invalidField"
)

// caseItem is the case item (sort key investigation.SortCase). Its
// resourceKey and createdAt attributes feed the resource index.
type caseItem struct {
	ForensicID    string `json:"forensicId"`
	ResourceKey   string `json:"resourceKey"`
	CreatedAt     string `json:"createdAt"`
	ExecutionName string `json:"executionName,omitempty"`

	AccountID         string `json:"accountId"`
	Region            string `json:"region"`
	InstanceID        string `json:"instanceId,omitempty"`
	EKSClusterName    string `json:"eksClusterName,omitempty"`
	EKSNodeInstanceID string `json:"eksNodeInstanceId,omitempty"`
	EKSNamespace      string `json:"eksNamespace,omitempty"`
	EKSPodName        string `json:"eksPodName,omitempty"`

	FindingID          string   `json:"findingId,omitempty"`
	FindingTypes       []string `json:"findingTypes,omitempty"`
	FindingProductName string   `json:"findingProductName,omitempty"`
	FindingSeverity    string   `json:"findingSeverity,omitempty"`
}

// investigationItem is the investigation item of one case and evidence type
// (sort key investigation.InvestigationSortKey).
type investigationItem struct {
	ForensicID    string                     `json:"forensicId"`
	ForensicType  investigation.ForensicType `json:"forensicType"`
	Status        investigation.Status       `json:"status"`
	ExecutionName string                     `json:"executionName,omitempty"`
	CreatedAt     string                     `json:"createdAt"`
	UpdatedAt     string                     `json:"updatedAt"`
	FinishedAt    string                     `json:"finishedAt,omitempty"`

	// The evidence, as requested.
	Snapshots []investigation.Snapshot      `json:"snapshots,omitempty"`
	Memory    *investigation.MemoryEvidence `json:"memory,omitempty"`

	Reason       investigation.Reason `json:"reason,omitempty"`
	ReasonDetail string               `json:"reasonDetail,omitempty"`
	// CleanupError says what the failure path could not release.
	CleanupError string `json:"cleanupError,omitempty"`
	// IsolationError says why the isolation step itself failed.
	IsolationError string `json:"isolationError,omitempty"`
	// InvalidField, RawRequest and RawRequestBytes describe a rejected
	// request.
	InvalidField    string `json:"invalidField,omitempty"`
	RawRequest      string `json:"rawRequest,omitempty"`
	RawRequestBytes int    `json:"rawRequestBytes,omitempty"`
}

// eventItem is a custody event.
type eventItem struct {
	ForensicID   string                     `json:"forensicId"`
	ForensicType investigation.ForensicType `json:"forensicType"`
	Step         string                     `json:"step"`
	Action       string                     `json:"action"`
	Resources    map[string]string          `json:"resources,omitempty"`
	Detail       string                     `json:"detail,omitempty"`
	Time         string                     `json:"time"`
	// RawRequest is kept on the event of a rejected request.
	RawRequest string `json:"rawRequest,omitempty"`
}

// artifactItem is one result file.
type artifactItem struct {
	ForensicID   string                     `json:"forensicId"`
	ForensicType investigation.ForensicType `json:"forensicType"`
	Bucket       string                     `json:"bucket"`
	Key          string                     `json:"key"`
	SizeBytes    int64                      `json:"sizeBytes"`
	SHA256       string                     `json:"sha256"`
	Tool         string                     `json:"tool,omitempty"`
	ToolVersion  string                     `json:"toolVersion,omitempty"`
	Evidence     string                     `json:"evidence,omitempty"`
	RecordedAt   string                     `json:"recordedAt"`
}
