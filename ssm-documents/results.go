package ssmdocuments

// The files every forensics run writes at the top of its results prefix
// (s3://<resultsBucket>/<resultsPrefix>/, or the --output-dir of a local
// run). manifest.json is uploaded last: its presence means the upload is
// whole.
const (
	ResultsFileName  = "results.json"
	ManifestFileName = "manifest.json"
)

// Manifest is manifest.json: every result file with its SHA-256 and what
// made it.
type Manifest struct {
	Files []ManifestEntry `json:"files"`
}

// ManifestEntry is one result file.
type ManifestEntry struct {
	// Path is the file's key relative to the results prefix, such as
	// "vol-0123456789abcdef0/p1/timeline.csv".
	Path string `json:"path"`
	// SHA256 is the file's SHA-256, 64 lower-case hex characters.
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// Tool and ToolVersion name what made the file, such as fls 4.12.1 or
	// the script itself.
	Tool        string `json:"tool"`
	ToolVersion string `json:"toolVersion"`
	// Evidence is the volume ID or dump URI the file came from.
	Evidence string `json:"evidence"`
	// Source is the file's path in the evidence, for copied artifacts.
	Source string `json:"source,omitempty"`
}

// ResultStatus is the "status" of results.json: SUCCEEDED, or the name of
// the first step that failed.
type ResultStatus string

// The statuses of both scripts.
const (
	ResultSucceeded      ResultStatus = "SUCCEEDED"
	ResultRecordFailed   ResultStatus = "RESULTS_FAILED"
	ResultUploadFailed   ResultStatus = "UPLOAD_FAILED"
	ResultAnalysisFailed ResultStatus = "ANALYSIS_FAILED"
)

// The statuses of the disk-forensics script.
const (
	ResultDeviceNotFound    ResultStatus = "DEVICE_NOT_FOUND"
	ResultRootDeviceRefused ResultStatus = "ROOT_DEVICE_REFUSED"
	ResultDeviceInUse       ResultStatus = "DEVICE_IN_USE"
	ResultReadOnlyFailed    ResultStatus = "READONLY_FAILED"
	ResultHashFailed        ResultStatus = "HASH_FAILED"
)

// The statuses of the memory-forensics script.
const (
	// ResultScratchUnavailable: the scratch volume's device was not found,
	// or could not be formatted or mounted.
	ResultScratchUnavailable ResultStatus = "SCRATCH_UNAVAILABLE"
	// ResultScratchRefused: the scratch volume's device is the root disk,
	// in use, partitioned, or carries a signature other than an earlier
	// Casefile scratch file system; it was not written to.
	ResultScratchRefused ResultStatus = "SCRATCH_REFUSED"
	// ResultScratchTooSmall: the scratch space has no room for an AVML
	// dump's decompressed file (found by a pre-pass over the dump's
	// headers, or when the file system filled up while decompressing).
	ResultScratchTooSmall       ResultStatus = "SCRATCH_TOO_SMALL"
	ResultDumpCopyFailed        ResultStatus = "DUMP_COPY_FAILED"
	ResultSizeMismatch          ResultStatus = "SIZE_MISMATCH"
	ResultHashMismatch          ResultStatus = "HASH_MISMATCH"
	ResultEvidenceIncomplete    ResultStatus = "EVIDENCE_INCOMPLETE"
	ResultUnsupportedFormat     ResultStatus = "UNSUPPORTED_FORMAT"
	ResultFormatMismatch        ResultStatus = "FORMAT_MISMATCH"
	ResultSymbolsMissing        ResultStatus = "SYMBOLS_MISSING"
	ResultSymbolsInvalid        ResultStatus = "SYMBOLS_INVALID"
	ResultSymbolsMismatch       ResultStatus = "SYMBOLS_MISMATCH"
	ResultVolatilityUnavailable ResultStatus = "VOLATILITY_UNAVAILABLE"
	ResultVolatilityFailed      ResultStatus = "VOLATILITY_FAILED"
)

// ResultStatuses lists every status the scripts write, for documentation
// and tests.
var ResultStatuses = []ResultStatus{
	ResultSucceeded, ResultRecordFailed, ResultUploadFailed, ResultAnalysisFailed,
	ResultDeviceNotFound, ResultRootDeviceRefused, ResultDeviceInUse, ResultReadOnlyFailed, ResultHashFailed,
	ResultScratchUnavailable, ResultScratchRefused, ResultScratchTooSmall,
	ResultDumpCopyFailed, ResultSizeMismatch, ResultHashMismatch, ResultEvidenceIncomplete, ResultUnsupportedFormat,
	ResultFormatMismatch,
	ResultSymbolsMissing, ResultSymbolsInvalid, ResultSymbolsMismatch,
	ResultVolatilityUnavailable, ResultVolatilityFailed,
}
