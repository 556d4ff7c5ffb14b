package report

// SchemaID names the version of report.json; docs/report.schema.json
// documents it.
const SchemaID = "casefile.report/v1"

// Report is report.json: what a case found and how, built from the case
// records and the forensics' results.json files. Every list that can grow
// with the evidence is capped (see the Max* constants) and says how many
// entries there are in all and where the full set is.
type Report struct {
	Schema      string       `json:"schema"`
	GeneratedAt string       `json:"generatedAt"`
	Case        CaseSummary  `json:"case"`
	Evidence    Evidence     `json:"evidence"`
	Analysis    []Run        `json:"analysis"`
	Findings    Findings     `json:"findings"`
	Artifacts   Artifacts    `json:"artifacts"`
	Timeline    Timeline     `json:"timeline"`
	Limitations []Limitation `json:"limitations"`
}

// CaseSummary says which case this is and how it ended.
type CaseSummary struct {
	ForensicID string `json:"forensicId"`
	// ForensicType is the evidence type of the execution that wrote the
	// report; Investigations lists every type the case holds.
	ForensicType   string          `json:"forensicType"`
	Status         string          `json:"status"`
	Reason         string          `json:"reason,omitempty"`
	ReasonDetail   string          `json:"reasonDetail,omitempty"`
	ExecutionName  string          `json:"executionName,omitempty"`
	CreatedAt      string          `json:"createdAt,omitempty"`
	Resource       *Resource       `json:"resource"`
	Finding        *Finding        `json:"finding"`
	Isolation      Isolation       `json:"isolation"`
	Investigations []Investigation `json:"investigations"`
	ResultsS3URI   string          `json:"resultsS3Uri,omitempty"`
}

// Resource is the compromised EC2 instance or EKS workload.
type Resource struct {
	// Kind is EC2 or EKS.
	Kind       string `json:"kind"`
	AccountID  string `json:"accountId"`
	Region     string `json:"region"`
	InstanceID string `json:"instanceId,omitempty"`
	Cluster    string `json:"cluster,omitempty"`
	Node       string `json:"nodeInstanceId,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Pod        string `json:"pod,omitempty"`
}

// Finding is the Security Hub finding behind the case.
type Finding struct {
	ID          string   `json:"id"`
	Types       []string `json:"types"`
	ProductName string   `json:"productName,omitempty"`
	Severity    string   `json:"severity,omitempty"`
}

// Isolation says whether and how the compromised resource was isolated,
// from the isolation item of the report's investigation.
type Isolation struct {
	// Decision is the isolation's status: ISOLATED, PARTIAL, NOT_ISOLATED
	// or FAILED (investigation.IsolationStatus*), or NOT_EVALUATED when
	// the investigation never reached the isolation step.
	Decision string `json:"decision"`
	// Action, Rule, RuleSource and Matched are the policy's decision: the
	// action, the rule that made it, where the rule came from and the
	// finding type or custom action it matched.
	Action     string `json:"action,omitempty"`
	Rule       string `json:"rule,omitempty"`
	RuleSource string `json:"ruleSource,omitempty"`
	Matched    string `json:"matched,omitempty"`
	// Compute and Node are, for an EKS case, what the pod ran on (EC2,
	// SPOT or FARGATE) and its Kubernetes node.
	Compute  string    `json:"compute,omitempty"`
	Node     string    `json:"node,omitempty"`
	Detail   string    `json:"detail"`
	Measures []Measure `json:"measures"`
}

// IsolationNotEvaluated is the decision of an investigation without an
// isolation item.
const IsolationNotEvaluated = "NOT_EVALUATED"

// Measure is one isolation measure and what became of it, with the
// settings it replaced (for a restore) and what it set.
type Measure struct {
	Name     string            `json:"name"`
	Target   string            `json:"target"`
	Result   string            `json:"result"`
	Detail   string            `json:"detail,omitempty"`
	Original map[string]string `json:"original,omitempty"`
	Applied  map[string]string `json:"applied,omitempty"`
}

// Investigation is one evidence type of the case as recorded.
type Investigation struct {
	ForensicType string `json:"forensicType"`
	Status       string `json:"status"`
	Reason       string `json:"reason,omitempty"`
	ReasonDetail string `json:"reasonDetail,omitempty"`
	CreatedAt    string `json:"createdAt,omitempty"`
	FinishedAt   string `json:"finishedAt,omitempty"`
	InstanceID   string `json:"forensicInstanceId,omitempty"`
	CommandID    string `json:"commandId,omitempty"`
	ResultsS3URI string `json:"resultsS3Uri,omitempty"`
}

// Evidence is what was analysed.
type Evidence struct {
	Snapshots []SnapshotEvidence `json:"snapshots"`
	Memory    *MemoryEvidence    `json:"memory"`
	KMSKeys   []KMSKey           `json:"kmsKeys"`
}

// SnapshotEvidence is one EBS snapshot and the case volume made from it.
type SnapshotEvidence struct {
	SnapshotID     string `json:"snapshotId"`
	SourceVolumeID string `json:"sourceVolumeId"`
	SizeGiB        int32  `json:"sizeGiB"`
	// Encrypted is what EC2 said of the snapshot, when it was checked.
	Encrypted *bool `json:"encrypted"`
	// VolumeID is the case's evidence volume, once created.
	VolumeID string `json:"volumeId,omitempty"`
	// DeviceSHA256 and DeviceSizeBytes are the disk forensics' hash of the
	// whole volume, when it ran.
	DeviceSHA256    string `json:"deviceSha256,omitempty"`
	DeviceSizeBytes int64  `json:"deviceSizeBytes,omitempty"`
}

// MemoryEvidence is the memory dump.
type MemoryEvidence struct {
	S3URI          string `json:"s3Uri"`
	DeclaredSHA256 string `json:"declaredSha256"`
	SizeBytes      int64  `json:"sizeBytes"`
	Format         string `json:"format"`
	KernelRelease  string `json:"kernelRelease,omitempty"`
	OS             string `json:"operatingSystem"`
	// MeasuredSHA256 and HashVerified are the memory forensics' own hash of
	// the copy they analysed, when they ran.
	MeasuredSHA256 string `json:"measuredSha256,omitempty"`
	HashVerified   *bool  `json:"hashVerified"`
	DetectedFormat string `json:"detectedFormat,omitempty"`
}

// KMSKey is a key that protects the case's evidence or results.
type KMSKey struct {
	ARN string `json:"arn"`
	Use string `json:"use"`
}

// Run is one forensics run: what ran, with which tools.
type Run struct {
	ForensicType  string       `json:"forensicType"`
	ResultsKey    string       `json:"resultsKey"`
	Status        string       `json:"status"`
	Script        string       `json:"script,omitempty"`
	ScriptVersion string       `json:"scriptVersion,omitempty"`
	StartedAt     string       `json:"startedAt,omitempty"`
	EndedAt       string       `json:"endedAt,omitempty"`
	Tools         []Tool       `json:"tools"`
	SymbolTable   *SymbolTable `json:"symbolTable"`
	Partitions    []Partition  `json:"partitions"`
	Plugins       []Plugin     `json:"plugins"`
}

// Tool is a tool and the version the run reported.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// StandIn marks a local stand-in that reports no real findings (the
	// demo's vol, version 0.0.0).
	StandIn bool `json:"standIn"`
}

// SymbolTable is the Volatility symbol table of a memory run.
type SymbolTable struct {
	File        string `json:"file"`
	SHA256      string `json:"sha256"`
	Source      string `json:"source,omitempty"`
	BannerMatch *bool  `json:"bannerMatch"`
}

// Partition is one file system of a disk run.
type Partition struct {
	Evidence   string `json:"evidence"`
	Name       string `json:"name"`
	FileSystem string `json:"filesystem,omitempty"`
	Analysis   string `json:"analysis,omitempty"`
	Timeline   string `json:"timelineSource,omitempty"`
	Files      int64  `json:"inventoryFiles"`
}

// Plugin is one Volatility plugin of a memory run.
type Plugin struct {
	Name      string `json:"name"`
	Status    string `json:"status"`
	Rows      int64  `json:"rows"`
	OutputKey string `json:"outputKey,omitempty"`
}

// Findings are the key findings of the disk and memory results.
type Findings struct {
	// Disk are the disk script's findings (persistence, SUID files, SSH
	// keys, shell history, recent executables...).
	Disk              DiskFindings `json:"disk"`
	SUIDFiles         FileSet      `json:"suidFiles"`
	RecentExecutables FileSet      `json:"recentExecutables"`
	TempExecutables   FileSet      `json:"tempExecutables"`
	ShellHistory      []Excerpt    `json:"shellHistory"`
	// Processes, Connections, and BashCommands are rows of the memory
	// plugins (linux.pslist / windows.pslist, linux.sockstat /
	// windows.netscan, linux.bash / windows.cmdline), Malfind those of
	// malfind.
	Processes    RowSet `json:"processes"`
	Connections  RowSet `json:"connections"`
	BashCommands RowSet `json:"commands"`
	Malfind      RowSet `json:"malfind"`
}

// DiskFindings are the disk findings, at most MaxFindings of them.
type DiskFindings struct {
	Total int           `json:"total"`
	Items []DiskFinding `json:"items"`
}

// DiskFinding is one finding of the disk script.
type DiskFinding struct {
	ID        string   `json:"id"`
	Severity  string   `json:"severity"`
	Detail    string   `json:"detail"`
	Evidence  string   `json:"evidence,omitempty"`
	Partition string   `json:"partition,omitempty"`
	Path      string   `json:"path,omitempty"`
	Samples   []string `json:"samples"`
}

// FileSet is a capped list of files read from the disk script's JSON lines
// files.
type FileSet struct {
	// Total counts every entry of the files read; Complete is false when a
	// file was too large to count whole.
	Total    int         `json:"total"`
	Complete bool        `json:"complete"`
	Items    []FileEntry `json:"items"`
	// Sources are the S3 keys of the full lists.
	Sources []string `json:"sources"`
}

// FileEntry is one file found on the evidence.
type FileEntry struct {
	Evidence  string `json:"evidence"`
	Partition string `json:"partition"`
	Path      string `json:"path"`
	Mode      string `json:"mode,omitempty"`
	Size      int64  `json:"size"`
	MTime     string `json:"mtime,omitempty"`
	UID       *int64 `json:"uid"`
}

// Excerpt is the first lines of a copied text artifact, such as a shell
// history.
type Excerpt struct {
	Key       string   `json:"key"`
	Path      string   `json:"path"`
	Evidence  string   `json:"evidence"`
	Lines     []string `json:"lines"`
	Truncated bool     `json:"truncated"`
}

// RowSet is a capped excerpt of a Volatility plugin's rows.
type RowSet struct {
	Plugin   string              `json:"plugin,omitempty"`
	Source   string              `json:"source,omitempty"`
	Total    int                 `json:"total"`
	Complete bool                `json:"complete"`
	Rows     []map[string]string `json:"rows"`
}

// Artifacts lists the recorded artifacts with their SHA-256, at most
// MaxArtifacts of them; the case table's ARTIFACT# items and each run's
// manifest.json hold them all.
type Artifacts struct {
	Total      int        `json:"total"`
	TotalBytes int64      `json:"totalBytes"`
	Items      []Artifact `json:"items"`
}

// Artifact is one result file.
type Artifact struct {
	Key          string `json:"key"`
	SHA256       string `json:"sha256"`
	SizeBytes    int64  `json:"sizeBytes"`
	ForensicType string `json:"forensicType"`
	Tool         string `json:"tool,omitempty"`
	ToolVersion  string `json:"toolVersion,omitempty"`
	Evidence     string `json:"evidence,omitempty"`
}

// Timeline is the custody log, in time order, at most MaxEvents events.
type Timeline struct {
	Total  int     `json:"total"`
	Events []Event `json:"events"`
}

// Event is one custody event.
type Event struct {
	Time         string            `json:"time"`
	ForensicType string            `json:"forensicType"`
	Step         string            `json:"step"`
	Action       string            `json:"action"`
	Resources    map[string]string `json:"resources"`
	Detail       string            `json:"detail,omitempty"`
}

// Limitation is something the case could not analyse, and why.
type Limitation struct {
	// Code is one of the Limit* constants.
	Code         string `json:"code"`
	ForensicType string `json:"forensicType,omitempty"`
	Detail       string `json:"detail"`
}

// The codes of limitations.
const (
	LimitCaseFailed          = "CASE_FAILED"
	LimitCleanupFailed       = "CLEANUP_FAILED"
	LimitResultsMissing      = "RESULTS_MISSING"
	LimitResultsUnreadable   = "RESULTS_UNREADABLE"
	LimitAnalysisIncomplete  = "ANALYSIS_INCOMPLETE"
	LimitAnalysisError       = "ANALYSIS_ERROR"
	LimitAnalysisNote        = "ANALYSIS_NOTE"
	LimitPartitionSkipped    = "PARTITION_NOT_ANALYSED"
	LimitPluginFailed        = "PLUGIN_FAILED"
	LimitStandInTool         = "STAND_IN_TOOL"
	LimitIsolation           = "ISOLATION_NOT_EVALUATED"
	LimitIsolationIncomplete = "ISOLATION_INCOMPLETE"
	LimitTruncated           = "TRUNCATED"
	LimitExcerptUnreadable   = "EXCERPT_UNREADABLE"
)

// LimitationCodes lists every code, for the schema and tests.
var LimitationCodes = []string{
	LimitCaseFailed, LimitCleanupFailed, LimitResultsMissing, LimitResultsUnreadable, LimitAnalysisIncomplete,
	LimitAnalysisError, LimitAnalysisNote, LimitPartitionSkipped, LimitPluginFailed, LimitStandInTool,
	LimitIsolation, LimitIsolationIncomplete, LimitTruncated, LimitExcerptUnreadable,
}

// The caps that keep a report small whatever the case holds.
const (
	MaxFindings      = 200
	MaxSamples       = 5
	MaxSampleBytes   = 200
	MaxFileEntries   = 50
	MaxExcerpts      = 10
	MaxExcerptLines  = 30
	MaxRows          = 50
	MaxRowColumns    = 8
	MaxCellBytes     = 120
	MaxArtifacts     = 1000
	MaxEvents        = 500
	MaxDetailBytes   = 1000
	MaxLimitations   = 100
	MaxReadBytes     = 8 << 20
	MaxResultsBytes  = 8 << 20
	MaxExcerptRead   = 64 << 10
	MaxResourceBytes = 300
)
