package investigation

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

// State is what the workflow passes from step to step. It holds IDs, counters
// and S3 URIs only, never API responses or command output, so it stays far
// below the Step Functions payload limit. Every Lambda task takes the whole
// state and returns it with its own part filled in.
type State struct {
	// Request is the request as received. Steps after intake parse it again
	// with ParseRequest; the catch path must cope with an invalid one.
	Request json.RawMessage `json:"request"`
	// ExecutionName is the Step Functions execution name, set by the
	// workflow's first state.
	ExecutionName string `json:"executionName,omitempty"`
	// ForensicID and ForensicType are set by intake from the valid request.
	ForensicID   string       `json:"forensicId,omitempty"`
	ForensicType ForensicType `json:"forensicType,omitempty"`

	// Isolation is what the isolation step decided and did, in short; the
	// measures are on the case record.
	Isolation *Isolation `json:"isolation,omitempty"`

	Instance  *Instance  `json:"instance,omitempty"`
	Readiness *Readiness `json:"readiness,omitempty"`
	Volumes   []Volume   `json:"volumes,omitempty"`
	Command   *Command   `json:"command,omitempty"`
	Results   *Results   `json:"results,omitempty"`
	Cleanup   *Cleanup   `json:"cleanup,omitempty"`
	// Report is where the case report was written, set by the report step.
	Report *Report `json:"report,omitempty"`
	// Error is what a Catch put there: the failed state's error name (a
	// Reason for Casefile's own failures) and its cause.
	Error *StepError `json:"error,omitempty"`
	// CleanupError is what the Cleanup state's Catch put there when the
	// release on the failure path failed itself.
	CleanupError *StepError `json:"cleanupError,omitempty"`
	// ReportError is what a report state's Catch put there when writing the
	// case report failed; the investigation goes on regardless.
	ReportError *StepError `json:"reportError,omitempty"`
	// IsolationError is what the isolation step's Catch put there when the
	// step itself failed; the investigation goes on regardless.
	IsolationError *StepError `json:"isolationError,omitempty"`
}

// Instance is the forensic instance a case launched.
type Instance struct {
	InstanceID       string `json:"instanceId"`
	AvailabilityZone string `json:"availabilityZone,omitempty"`
	SecurityGroupID  string `json:"securityGroupId,omitempty"`
}

// Readiness is the outcome of the latest instance check.
type Readiness struct {
	// Status is READY or PENDING.
	Status PollStatus `json:"status"`
	// Attempts counts the checks made so far.
	Attempts int `json:"attempts"`
	// ProbeCommandID is the readiness probe's SSM command, once sent.
	ProbeCommandID string `json:"probeCommandId,omitempty"`
	// Detail says what is still pending, for the custody log.
	Detail string `json:"detail,omitempty"`
}

// Volume is an evidence volume the case created from a snapshot.
type Volume struct {
	VolumeID   string `json:"volumeId"`
	SnapshotID string `json:"snapshotId"`
	// Device is the name given to AttachVolume; the documents find the
	// device by volume ID, never by this name.
	Device string `json:"device,omitempty"`
}

// Command is the forensics SSM command of the case.
type Command struct {
	CommandID    string     `json:"commandId"`
	DocumentName string     `json:"documentName"`
	Status       PollStatus `json:"status"`
	Attempts     int        `json:"attempts"`
	// SSMStatus is the last SSM status seen, such as InProgress.
	SSMStatus string `json:"ssmStatus,omitempty"`
}

// Results points at what the forensics wrote.
type Results struct {
	// S3URI is the case's results prefix, s3://bucket/cases/<id>/<type>/.
	S3URI         string `json:"s3Uri"`
	ArtifactCount int    `json:"artifactCount"`
}

// Report locates the case report, written in three forms under the case
// prefix (ReportKey).
type Report struct {
	JSONS3URI     string `json:"jsonS3Uri"`
	MarkdownS3URI string `json:"markdownS3Uri"`
	HTMLS3URI     string `json:"htmlS3Uri"`
	// HTMLLink is a pre-signed GET link to report.html, valid until
	// HTMLLinkExpiresAt (RFC 3339), when the deployment asks for one.
	HTMLLink          string `json:"htmlLink,omitempty"`
	HTMLLinkExpiresAt string `json:"htmlLinkExpiresAt,omitempty"`
}

// Cleanup records what the release step did.
type Cleanup struct {
	TerminatedInstances []string `json:"terminatedInstances,omitempty"`
	DeletedVolumes      []string `json:"deletedVolumes,omitempty"`
	DeletedGroups       []string `json:"deletedSecurityGroups,omitempty"`
}

// StepError is the error output of a Step Functions Catch.
type StepError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause,omitempty"`
}

// PollStatus is the outcome of one check in a bounded polling loop.
type PollStatus string

// The outcomes of a check. FAILED is never put in the state: a check that
// finds a final failure returns an error named by a Reason instead.
const (
	PollReady   PollStatus = "READY"
	PollPending PollStatus = "PENDING"
)

// CaseID returns the ID under which a request is recorded: its forensicId
// when that is well formed (ValidForensicID), or else "invalid-" and the
// execution name, so that even a request without a usable ID leaves a
// failed case behind. Only a top-level key spelled exactly "forensicId"
// and given once counts.
func CaseID(raw json.RawMessage, executionName string) string {
	if id, _ := RequestHead(raw); ValidForensicID(id) {
		return id
	}
	return "invalid-" + safeName(executionName)
}

// RequestHead returns the string values of the top-level keys spelled
// exactly "forensicId" and "forensicType" of a request that may be invalid
// (or passed as a JSON string, see RequestText), without validating them. A
// key that is missing, given more than once or not a string gives "", and so
// does a request that is not a JSON object.
func RequestHead(raw json.RawMessage) (forensicID, forensicType string) {
	text, _ := RequestText(raw)
	dec := json.NewDecoder(bytes.NewReader(text))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", ""
	}
	values := map[string]string{}
	counts := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", ""
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return "", ""
		}
		if key != "forensicId" && key != "forensicType" {
			continue
		}
		counts[key]++
		var s string
		if json.Unmarshal(v, &s) == nil {
			values[key] = s
		} else {
			values[key] = ""
		}
	}
	pick := func(key string) string {
		if counts[key] != 1 {
			return ""
		}
		return values[key]
	}
	return pick("forensicId"), pick("forensicType")
}

var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]`)

func safeName(s string) string {
	s = unsafeNameChars.ReplaceAllString(s, "_")
	if len(s) > 56 {
		s = s[:56]
	}
	if s == "" || strings.Trim(s, "_") == "" {
		return "unnamed"
	}
	return s
}

// ExecutionName returns the Step Functions execution name for a request:
// the forensic ID and type, so that one case and evidence type can only run
// once and a re-delivered event cannot start a second investigation.
func ExecutionName(forensicID string, forensicType ForensicType) string {
	return forensicID + "-" + strings.ToLower(string(forensicType))
}

// ParseExecutionName is the reverse of ExecutionName: the forensic ID and
// type that a name "<forensicId>-disk" or "<forensicId>-memory" stands for.
// ok is false for any other name, such as that of a request without a
// usable forensicId or forensicType.
func ParseExecutionName(name string) (forensicID string, forensicType ForensicType, ok bool) {
	for _, t := range []ForensicType{ForensicTypeDisk, ForensicTypeMemory} {
		id, found := strings.CutSuffix(name, "-"+strings.ToLower(string(t)))
		if found && ValidForensicID(id) {
			return id, t, true
		}
	}
	return "", "", false
}
