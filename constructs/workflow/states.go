package workflow

// State names: the contract of the investigation state machine, shared by
// the definition, its tests and the end-to-end tests. See docs/workflow.md.
const (
	StatePrepare              = "Prepare"
	StateRecordCase           = "RecordCase"
	StateIsolate              = "Isolate"
	StateCreateInstance       = "CreateInstance"
	StateCheckInstance        = "CheckInstance"
	StateInstanceReady        = "InstanceReady?"
	StateWaitForInstance      = "WaitForInstance"
	StateInstanceNotReady     = "InstanceNotReady"
	StateForensicType         = "ForensicType?"
	StateUnknownForensicType  = "UnknownForensicType"
	StateAttachEvidence       = "AttachEvidence"
	StateStartDiskForensics   = "StartDiskForensics"
	StateStartMemoryForensics = "StartMemoryForensics"
	StateWaitForCommand       = "WaitForCommand"
	StateCheckCommand         = "CheckCommand"
	StateCommandDone          = "CommandDone?"
	StateCommandNotComplete   = "CommandNotComplete"
	StateCollectResults       = "CollectResults"
	StateReleaseResources     = "ReleaseResources"
	StateWriteReport          = "WriteReport"
	StateNotifySuccess        = "NotifySuccess"
	StateSucceeded            = "Succeeded"
	StateCleanup              = "Cleanup"
	StateWriteFailureReport   = "WriteFailureReport"
	StateNotifyFailure        = "NotifyFailure"
	StateFailed               = "Failed"
)

// StateNames lists every state of the definition.
func StateNames() []string {
	return []string{
		StatePrepare, StateRecordCase, StateIsolate, StateCreateInstance, StateCheckInstance, StateInstanceReady,
		StateWaitForInstance, StateInstanceNotReady, StateForensicType, StateUnknownForensicType,
		StateAttachEvidence, StateStartDiskForensics, StateStartMemoryForensics, StateWaitForCommand,
		StateCheckCommand, StateCommandDone, StateCommandNotComplete, StateCollectResults,
		StateReleaseResources, StateWriteReport, StateNotifySuccess, StateSucceeded, StateCleanup,
		StateWriteFailureReport, StateNotifyFailure, StateFailed,
	}
}

// JSON paths into investigation.State read by the definition. A test checks
// them against the State's JSON field names.
const (
	PathRequest         = "$.request"
	PathExecutionName   = "$.executionName"
	PathForensicType    = "$.forensicType"
	PathReadinessStatus = "$.readiness.status"
	PathReadinessTries  = "$.readiness.attempts"
	PathCommandStatus   = "$.command.status"
	PathCommandTries    = "$.command.attempts"
	// PathError is where every Catch puts the error, and where the
	// bounded loops put theirs: investigation.State.Error.
	PathError      = "$.error"
	PathErrorName  = "$.error.Error"
	PathErrorCause = "$.error.Cause"
	// PathCleanupError is where Cleanup's own Catch puts its error, so that
	// the original $.error survives for NotifyFailure.
	PathCleanupError = "$.cleanupError"
	// PathReportError is where the report states' Catch puts their error:
	// a report that cannot be written does not fail the investigation.
	PathReportError = "$.reportError"
	// PathIsolationError is where the Isolate state's Catch puts its
	// error: a failed isolation does not stop the investigation.
	PathIsolationError = "$.isolationError"
	// PathNotifyError is where NotifyFailure's Catch puts its error.
	PathNotifyError = "$.notifyError"
)

// ErrorsAll is the Step Functions error name that matches every error.
const ErrorsAll = "States.ALL"
