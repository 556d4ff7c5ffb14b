package investigation

// Status is the state of one investigation (a case and an evidence type) in
// the case table. The set is closed: RECEIVED, IN_PROGRESS, SUCCEEDED,
// FAILED.
type Status string

// The investigation statuses, in the order a case moves through them.
const (
	// StatusReceived: the request was accepted and recorded.
	StatusReceived Status = "RECEIVED"
	// StatusInProgress: a forensic instance has been launched for the case.
	StatusInProgress Status = "IN_PROGRESS"
	// StatusSucceeded: the forensics ran, the results are recorded, and
	// every case resource was released.
	StatusSucceeded Status = "SUCCEEDED"
	// StatusFailed: the investigation ended early; the record holds the
	// Reason and the cleanup that was done.
	StatusFailed Status = "FAILED"
)

// Reason names why an investigation failed. Casefile's handlers return
// errors of these names, so they are also the Step Functions error names
// that the workflow's Catch records.
type Reason string

// The failure reasons.
const (
	ReasonInvalidRequest Reason = "INVALID_REQUEST"
	// ReasonDuplicateRequest: the case and evidence type is already
	// investigated, or was, under another execution (or, ended, under this
	// one); nothing was launched, recorded as the case's outcome or
	// notified.
	ReasonDuplicateRequest Reason = "DUPLICATE_REQUEST"
	// ReasonCaseRecord: RecordCase could not record the case or check its
	// snapshots' owner (the case table or EC2 refused or did not answer).
	ReasonCaseRecord       Reason = "CASE_RECORD_FAILED"
	ReasonAMIUnavailable   Reason = "AMI_UNAVAILABLE"
	ReasonInstanceLaunch   Reason = "INSTANCE_LAUNCH_FAILED"
	ReasonInstanceNotReady Reason = "INSTANCE_NOT_READY"
	ReasonToolsMissing     Reason = "TOOLS_MISSING"
	ReasonEvidenceAttach   Reason = "EVIDENCE_ATTACH_FAILED"
	// ReasonEvidenceMismatch: the evidence is not what the request says it
	// is (a snapshot that is missing, not completed, or of another volume
	// or size).
	ReasonEvidenceMismatch Reason = "EVIDENCE_MISMATCH"
	// ReasonDumpTooLarge: a memory dump needs a larger scratch volume than
	// the configured maximum allows; nothing was launched.
	ReasonDumpTooLarge       Reason = "DUMP_TOO_LARGE"
	ReasonCommandStart       Reason = "COMMAND_START_FAILED"
	ReasonCommandFailed      Reason = "COMMAND_FAILED"
	ReasonCommandNotComplete Reason = "COMMAND_NOT_COMPLETE"
	ReasonResultsCollection  Reason = "RESULTS_COLLECTION_FAILED"
	ReasonCleanupFailed      Reason = "CLEANUP_FAILED"
	// ReasonNotification: NotifySuccess could not record the outcome or
	// publish the notification, even when retried.
	ReasonNotification Reason = "NOTIFICATION_FAILED"
	// ReasonIsolation: the isolation step failed as a whole (its record
	// could not be written, or it ran out of time). It never fails the
	// case: the investigation goes on and the notification says so.
	ReasonIsolation Reason = "ISOLATION_FAILED"
	// ReasonExecutionTimedOut and ReasonExecutionAborted are recorded by
	// the sweep when the execution itself timed out or was stopped, which
	// skips the workflow's own failure path.
	ReasonExecutionTimedOut Reason = "EXECUTION_TIMED_OUT"
	ReasonExecutionAborted  Reason = "EXECUTION_ABORTED"
	// ReasonInternal covers errors that are not Casefile's own, such as a
	// Lambda timeout or a States.* error.
	ReasonInternal Reason = "INTERNAL_ERROR"
)

// Reasons lists every Reason, for documentation and tests.
var Reasons = []Reason{
	ReasonInvalidRequest, ReasonDuplicateRequest, ReasonCaseRecord, ReasonAMIUnavailable, ReasonInstanceLaunch, ReasonInstanceNotReady,
	ReasonToolsMissing, ReasonEvidenceMismatch, ReasonDumpTooLarge, ReasonEvidenceAttach, ReasonCommandStart, ReasonCommandFailed,
	ReasonCommandNotComplete, ReasonResultsCollection, ReasonCleanupFailed, ReasonNotification, ReasonIsolation,
	ReasonExecutionTimedOut, ReasonExecutionAborted, ReasonInternal,
}

// ReasonOf maps a Step Functions error name to a Reason: Casefile's own
// names map to themselves, anything else to ReasonInternal.
func ReasonOf(errorName string) Reason {
	for _, r := range Reasons {
		if string(r) == errorName {
			return r
		}
	}
	return ReasonInternal
}
