package e2e

import (
	"time"

	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
)

// The three kinds of fault the matrix injects into every task state.
const (
	// kindError: a call the state's handler makes is refused with an AWS
	// error that no SDK retries (as often as the state itself tries).
	kindError = "AWS error"
	// kindThrottle: a call is throttled a few times; the SDK's retryer must
	// get past it.
	kindThrottle = "throttling"
	// kindHang: the step never completes; the polling loop's bound, or
	// the handler's deadline before the function timeout, must end it.
	kindHang = "never completes"
)

// faultKinds are the kinds every task state must have rows of.
var faultKinds = []string{kindError, kindThrottle, kindHang}

// Which document a fault's SSM calls are about.
const (
	docDisk   = "disk"
	docMemory = "memory"
)

// faultRow is one run of the matrix: a fault in one task state and what
// the case must end as.
type faultRow struct {
	state string
	kind  string
	// group, when set, runs the row in one case with the other rows of
	// the group, all their faults at once: the throttling rows, which
	// must all end as a case without faults does. The rows of a group
	// expect the same end.
	group string
	// memory runs a MEMORY case; default DISK.
	memory bool
	// primary is a fault that fails the case before state, for the
	// states of the failure path; faults are the row's own.
	primary []forensichost.Fault
	faults  []forensichost.Fault
	// document limits the faults' SSM calls to the commands of the disk
	// or memory document (docDisk, docMemory).
	document string
	// prepare changes the forensic host's agent (the polling rows), as
	// setup says.
	prepare func(env *localaws.Environment)
	setup   string
	// timeouts shorten function timeouts by handler, as ResetOptions.
	timeouts map[string]time.Duration

	// The expected end: the investigation's status and reason, the
	// execution's error ("" when it succeeded), and the notifications.
	status        investigation.Status
	reason        investigation.Reason
	notifications int
	// leftBehind is set for the one row where EC2 refuses every
	// termination: the instance cannot go, and the case must say so.
	leftBehind bool
	// isolation is the isolation status the case must record (the
	// isolation item's status, and the notification's); "" means
	// ISOLATED, the fixture finding's decision. isolationError is set for
	// the rows where the step itself fails: the notification says why.
	isolation      string
	isolationError bool
	// reportFailed is set for the rows whose report cannot be written:
	// the notification says why and the custody log has report-failed.
	reportFailed bool
	// expect says what a user would expect, and why: printed in the table.
	expect string
}

// Function timeouts of the rows whose calls never answer: long enough for
// a handler's work on this machine, short enough to keep the matrix fast.
const (
	shortTimeout   = 6 * time.Second
	releaseTimeout = 15 * time.Second
)

// refused is a call refused, times times, with an error no SDK retries.
func refused(service, operation, code string, times int) forensichost.Fault {
	return forensichost.Fault{Service: service, Operation: operation, Code: code,
		Message: "refused by the fault matrix", Times: times}
}

// throttled is a call throttled twice, with the error code and HTTP
// status the service uses for it.
func throttled(service, operation string) forensichost.Fault {
	f := forensichost.Fault{Service: service, Operation: operation, Message: "Rate exceeded", Times: 2}
	switch service {
	case "ec2":
		f.Code, f.Status = "RequestLimitExceeded", 503
	case "sns":
		f.Code = "Throttling"
	case "s3":
		f.Code, f.Status = "SlowDown", 503
	default:
		f.Code = "ThrottlingException"
	}
	return f
}

// hung is a call that never answers, once.
func hung(service, operation string) forensichost.Fault {
	return forensichost.Fault{Service: service, Operation: operation, Hang: true, Times: 1}
}

// attachRefused fails a DISK case at AttachEvidence, after the instance,
// its security group and the evidence volume exist: the start of the
// failure-path rows.
var attachRefused = []forensichost.Fault{refused("ec2", "AttachVolume", "IncorrectState", 1)}

// Attempts of the states with a Retry: the first try and the retries.
const retriedAttempts = 1 + workflow.RetryMaxAttempts

// faultMatrix is every fault, state by state. Each state of the
// definition's Task states needs a row of every kind (TestFaultMatrix
// fails otherwise).
var faultMatrix = []faultRow{
	// RecordCase: intake writes the case items.
	{state: workflow.StateRecordCase, kind: kindError,
		faults: []forensichost.Fault{refused("dynamodb", "PutItem", "AccessDeniedException", 1)},
		status: investigation.StatusFailed, reason: investigation.ReasonCaseRecord, notifications: 1,
		expect: "the case is not recorded; NotifyFailure records it FAILED"},
	{state: workflow.StateRecordCase, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("dynamodb", "PutItem")},
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateRecordCase, kind: kindHang,
		faults:   []forensichost.Fault{hung("dynamodb", "PutItem")},
		timeouts: map[string]time.Duration{"intake": shortTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonCaseRecord, notifications: 1,
		expect: "the handler's deadline ends the call before the function timeout"},

	// Isolate: the application account's role, then the measures. An
	// isolation that fails never stops the investigation.
	{state: workflow.StateIsolate, kind: kindError,
		faults: []forensichost.Fault{refused("sts", "AssumeRole", "AccessDenied", 1)},
		status: investigation.StatusSucceeded, notifications: 1, isolation: investigation.IsolationStatusFailed,
		expect: "the role cannot be assumed: isolation FAILED is recorded and notified, the case succeeds"},
	{state: workflow.StateIsolate, kind: kindError,
		faults: []forensichost.Fault{func() forensichost.Fault {
			f := refused("dynamodb", "PutItem", "AccessDeniedException", 1)
			f.BodyContains = investigation.SortIsolationPrefix
			return f
		}()},
		status: investigation.StatusSucceeded, notifications: 1, isolationError: true,
		expect: "the isolation cannot be recorded: the step fails, its Catch goes on, the notification says why"},
	{state: workflow.StateIsolate, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("ec2", "ModifyNetworkInterfaceAttribute")},
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateIsolate, kind: kindHang,
		faults:   []forensichost.Fault{hung("ec2", "ModifyNetworkInterfaceAttribute")},
		timeouts: map[string]time.Duration{"isolate": shortTimeout + recordReserveSeconds},
		status:   investigation.StatusSucceeded, notifications: 1, isolation: investigation.IsolationStatusPartial,
		expect: "the security-group swap never answers: the deadline ends it, the rest is recorded PARTIAL"},

	// CreateInstance: the security group is made before the launch.
	{state: workflow.StateCreateInstance, kind: kindError,
		faults: []forensichost.Fault{refused("ec2", "RunInstances", "UnauthorizedOperation", 1)},
		status: investigation.StatusFailed, reason: investigation.ReasonInstanceLaunch, notifications: 1,
		expect: "Cleanup deletes the security group, found by tag"},
	{state: workflow.StateCreateInstance, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("ec2", "RunInstances")},
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateCreateInstance, kind: kindHang,
		faults:   []forensichost.Fault{hung("ec2", "RunInstances")},
		timeouts: map[string]time.Duration{"createinstance": shortTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonInstanceLaunch, notifications: 1,
		expect: "the handler's deadline ends the launch; nothing was launched"},

	// CheckInstance: the agent's registration, then the readiness probe.
	{state: workflow.StateCheckInstance, kind: kindError,
		faults: []forensichost.Fault{refused("ssm", "DescribeInstanceInformation", "AccessDeniedException", 1)},
		status: investigation.StatusFailed, reason: investigation.ReasonInstanceNotReady, notifications: 1,
		expect: "the instance cannot be confirmed ready"},
	{state: workflow.StateCheckInstance, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("ssm", "DescribeInstanceInformation")},
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateCheckInstance, kind: kindHang,
		prepare: func(env *localaws.Environment) { env.Host().Tune(forensichost.Tuning{NeverRegisters: true}) },
		setup:   "the agent never registers",
		status:  investigation.StatusFailed, reason: investigation.ReasonInstanceNotReady, notifications: 1,
		expect: "the agent never registers: the loop's bound ends it"},

	// AttachEvidence: volumes from the snapshots, attached.
	{state: workflow.StateAttachEvidence, kind: kindError,
		faults: attachRefused,
		status: investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "Cleanup deletes the unattached volume"},
	{state: workflow.StateAttachEvidence, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("ec2", "CreateVolume")},
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateAttachEvidence, kind: kindHang,
		faults:   []forensichost.Fault{hung("ec2", "AttachVolume")},
		timeouts: map[string]time.Duration{"attachevidence": shortTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "the handler's deadline ends the attachment"},

	// StartDiskForensics and StartMemoryForensics: the forensics command.
	{state: workflow.StateStartDiskForensics, kind: kindError,
		faults: []forensichost.Fault{refused("ssm", "SendCommand", "InvalidDocument", 1)}, document: docDisk,
		status: investigation.StatusFailed, reason: investigation.ReasonCommandStart, notifications: 1,
		expect: "Cleanup detaches and deletes the evidence volume"},
	{state: workflow.StateStartDiskForensics, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("ssm", "SendCommand")}, document: docDisk,
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateStartDiskForensics, kind: kindHang,
		faults: []forensichost.Fault{hung("ssm", "SendCommand")}, document: docDisk,
		timeouts: map[string]time.Duration{"startforensics": shortTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonCommandStart, notifications: 1,
		expect: "the handler's deadline ends the call"},
	{state: workflow.StateStartMemoryForensics, kind: kindError, memory: true,
		faults: []forensichost.Fault{refused("ssm", "SendCommand", "AccessDeniedException", 1)}, document: docMemory,
		status: investigation.StatusFailed, reason: investigation.ReasonCommandStart, notifications: 1,
		expect: "Cleanup terminates the instance with its scratch volume"},
	{state: workflow.StateStartMemoryForensics, kind: kindThrottle, memory: true,
		faults: []forensichost.Fault{throttled("ssm", "SendCommand")}, document: docMemory,
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateStartMemoryForensics, kind: kindHang, memory: true,
		faults: []forensichost.Fault{hung("ssm", "SendCommand")}, document: docMemory,
		timeouts: map[string]time.Duration{"startforensics": shortTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonCommandStart, notifications: 1,
		expect: "the handler's deadline ends the call"},

	// CheckCommand: the forensics command's status.
	{state: workflow.StateCheckCommand, kind: kindError,
		faults: []forensichost.Fault{refused("ssm", "GetCommandInvocation", "AccessDeniedException", 1)}, document: docDisk,
		status: investigation.StatusFailed, reason: investigation.ReasonCommandFailed, notifications: 1,
		expect: "the command cannot be followed; Cleanup terminates the instance, which ends it"},
	{state: workflow.StateCheckCommand, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("ssm", "GetCommandInvocation")}, document: docDisk,
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateCheckCommand, kind: kindHang,
		// Each check of a stalled command answers InProgress at once.
		prepare: func(env *localaws.Environment) { env.Host().Stall(env.Fixture().Documents.Disk.Name) },
		setup:   "the disk command never ends",
		status:  investigation.StatusFailed, reason: investigation.ReasonCommandNotComplete, notifications: 1,
		expect: "the command never ends: the loop's bound ends it"},

	// CollectResults: the objects under the case's prefix.
	{state: workflow.StateCollectResults, kind: kindError,
		faults: []forensichost.Fault{refused("s3", "ListObjectsV2", "AccessDenied", 1)},
		status: investigation.StatusFailed, reason: investigation.ReasonResultsCollection, notifications: 1,
		expect: "the results stay in S3 unrecorded; the case says so"},
	{state: workflow.StateCollectResults, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("s3", "ListObjectsV2")},
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateCollectResults, kind: kindHang,
		faults:   []forensichost.Fault{hung("s3", "ListObjectsV2")},
		timeouts: map[string]time.Duration{"collectresults": shortTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonResultsCollection, notifications: 1,
		expect: "the handler's deadline ends the listing"},

	// ReleaseResources: terminate, delete volumes and the group.
	{state: workflow.StateReleaseResources, kind: kindError,
		faults: []forensichost.Fault{refused("ec2", "TerminateInstances", "UnauthorizedOperation", retriedAttempts)},
		status: investigation.StatusFailed, reason: investigation.ReasonCleanupFailed, notifications: 1,
		expect: "refused on each try of the state: Cleanup terminates it"},
	{state: workflow.StateReleaseResources, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("ec2", "TerminateInstances")},
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateReleaseResources, kind: kindHang,
		faults:   []forensichost.Fault{hung("ec2", "TerminateInstances")},
		timeouts: map[string]time.Duration{"release": releaseTimeout},
		status:   investigation.StatusSucceeded, notifications: 1,
		expect: "the handler's deadline ends the call; the state's retry releases"},

	// WriteReport: the case's records and results read, the three report
	// files put. A report that cannot be written never fails the case.
	{state: workflow.StateWriteReport, kind: kindError, reportFailed: true,
		faults: []forensichost.Fault{refused("s3", "PutObject", "AccessDenied", 1)},
		status: investigation.StatusSucceeded, notifications: 1,
		expect: "no report: recorded report-failed, the case succeeds and the notification says why"},
	{state: workflow.StateWriteReport, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("s3", "PutObject")},
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateWriteReport, kind: kindHang, reportFailed: true,
		faults:   []forensichost.Fault{hung("s3", "PutObject")},
		timeouts: map[string]time.Duration{"report": releaseTimeout},
		status:   investigation.StatusSucceeded, notifications: 1,
		expect: "the handler's deadline ends the upload; the case succeeds without a report"},

	// NotifySuccess: the record, then the message.
	{state: workflow.StateNotifySuccess, kind: kindError,
		faults: []forensichost.Fault{func() forensichost.Fault {
			f := refused("dynamodb", "UpdateItem", "AccessDeniedException", retriedAttempts)
			f.BodyContains = `"S":"` + string(investigation.StatusSucceeded) + `"`
			return f
		}()},
		status: investigation.StatusFailed, reason: investigation.ReasonNotification, notifications: 1,
		expect: "SUCCEEDED cannot be recorded on any try: NotifyFailure records and notifies FAILED"},
	{state: workflow.StateNotifySuccess, kind: kindThrottle, group: "throttled disk case",
		faults: []forensichost.Fault{throttled("sns", "Publish")},
		status: investigation.StatusSucceeded, notifications: 1, expect: "retried by the SDK"},
	{state: workflow.StateNotifySuccess, kind: kindHang,
		faults:   []forensichost.Fault{hung("sns", "Publish")},
		timeouts: map[string]time.Duration{"notify": shortTimeout},
		status:   investigation.StatusSucceeded, notifications: 1,
		expect: "the handler's deadline ends the call; the state's retry publishes"},

	{state: workflow.StateNotifySuccess, kind: kindHang,
		faults: []forensichost.Fault{func() forensichost.Fault {
			f := hung("securityhub", "BatchUpdateFindings")
			f.Times = 0
			return f
		}()},
		status: investigation.StatusSucceeded, notifications: 1,
		expect: "Security Hub never answers: the update's own bound leaves the publish its time"},

	// Cleanup: the failure path's release, after AttachEvidence failed.
	{state: workflow.StateCleanup, kind: kindError, primary: attachRefused,
		faults: []forensichost.Fault{refused("ec2", "TerminateInstances", "UnauthorizedOperation", retriedAttempts-1)},
		status: investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "refused on the first tries: the state's last retry releases"},
	{state: workflow.StateCleanup, kind: kindError, primary: attachRefused,
		faults:   []forensichost.Fault{refused("ec2", "TerminateInstances", "UnauthorizedOperation", 0)},
		timeouts: map[string]time.Duration{"release": releaseTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		leftBehind: true,
		expect:     "refused always: the instance stays; recorded cleanup-incomplete and notified with CLEANUP_FAILED"},
	{state: workflow.StateCleanup, kind: kindThrottle, group: "throttled failure path", primary: attachRefused,
		faults: []forensichost.Fault{throttled("ec2", "TerminateInstances")},
		status: investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "retried by the SDK"},
	{state: workflow.StateCleanup, kind: kindHang, primary: attachRefused,
		faults:   []forensichost.Fault{hung("ec2", "TerminateInstances")},
		timeouts: map[string]time.Duration{"release": releaseTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "the handler's deadline ends the call; the state's retry releases"},

	// WriteFailureReport: the failed case's report.
	{state: workflow.StateWriteFailureReport, kind: kindError, reportFailed: true, primary: attachRefused,
		faults: []forensichost.Fault{refused("s3", "PutObject", "AccessDenied", 1)},
		status: investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "no report: recorded report-failed; the failure is still recorded and notified"},
	{state: workflow.StateWriteFailureReport, kind: kindThrottle, group: "throttled failure path", primary: attachRefused,
		faults: []forensichost.Fault{throttled("s3", "PutObject")},
		status: investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "retried by the SDK"},
	{state: workflow.StateWriteFailureReport, kind: kindHang, reportFailed: true, primary: attachRefused,
		faults:   []forensichost.Fault{hung("s3", "PutObject")},
		timeouts: map[string]time.Duration{"report": releaseTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "the handler's deadline ends the upload; the failure is still recorded and notified"},

	// NotifyFailure: the failure's record and message.
	{state: workflow.StateNotifyFailure, kind: kindError, primary: attachRefused,
		faults: []forensichost.Fault{refused("sns", "Publish", "AuthorizationError", retriedAttempts-1)},
		status: investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "refused on the first tries: the state's last retry publishes"},
	{state: workflow.StateNotifyFailure, kind: kindThrottle, group: "throttled failure path", primary: attachRefused,
		faults: []forensichost.Fault{throttled("sns", "Publish")},
		status: investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "retried by the SDK"},
	{state: workflow.StateNotifyFailure, kind: kindHang, primary: attachRefused,
		faults:   []forensichost.Fault{hung("sns", "Publish")},
		timeouts: map[string]time.Duration{"notify": shortTimeout},
		status:   investigation.StatusFailed, reason: investigation.ReasonEvidenceAttach, notifications: 1,
		expect: "the handler's deadline ends the call; the state's retry publishes"},
}
