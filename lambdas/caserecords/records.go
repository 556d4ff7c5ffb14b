// Package caserecords keeps Casefile's case records in DynamoDB: the case
// item, one investigation item per evidence type, the append-only custody
// events and the artifacts. The layout is in package investigation.
package caserecords

import (
	"time"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Event is one custody-log entry: what a step did, to which resources.
type Event struct {
	ForensicID   string
	ForensicType investigation.ForensicType
	// Step is the workflow step, such as "CreateInstance".
	Step string
	// Action says what was done, such as "instance-launched".
	Action string
	// Resources names the resources acted on, such as
	// {"instanceId": "i-...", "amiId": "ami-..."}.
	Resources map[string]string
	// Detail is a short human-readable note.
	Detail string
	Time   time.Time
}

// InvestigationUpdate changes the investigation item of one case and type.
// Empty fields are left as they are.
type InvestigationUpdate struct {
	ForensicID   string
	ForensicType investigation.ForensicType
	Status       investigation.Status
	// Reason and ReasonDetail are set when Status is FAILED.
	Reason       investigation.Reason
	ReasonDetail string
	// CleanupError is set when the failure path's release failed: what
	// is left and why.
	CleanupError string
	// IsolationError is set when the isolation step itself failed (its
	// record could not be written, or it ran out of time), so that the
	// investigation item says so when no isolation item does.
	IsolationError string
	InstanceID     string
	CommandID      string
	ResultsS3URI   string
	Time           time.Time
	// Execution, when set, limits the update to an investigation item that
	// does not exist yet or was recorded by that Step Functions execution,
	// so that an execution never changes another one's investigation.
	Execution string
}

// Artifact is one result file of an investigation.
type Artifact struct {
	ForensicID   string
	ForensicType investigation.ForensicType
	Bucket       string
	Key          string
	SizeBytes    int64
	SHA256       string
	// Tool and ToolVersion name what made the file, when the manifest says.
	Tool        string
	ToolVersion string
	// Evidence is the snapshot, volume or dump the file came from.
	Evidence string
	Time     time.Time
}
