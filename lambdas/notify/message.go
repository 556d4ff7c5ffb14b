package notify

import (
	"fmt"
	"strings"

	"github.com/casefile-forensics/casefile/lambdas/findingupdate"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// SchemaVersion is the version of Message; it changes when a field changes
// meaning or goes away.
const SchemaVersion = 1

// maxListed bounds each list of released resources in a message.
const maxListed = 50

// maxRuleBytes bounds the isolation rule's name in a message (a policy
// from config may name its rules at length).
const maxRuleBytes = 128

// maxLinkBytes bounds the report's pre-signed link in a message: one
// signed with a Lambda role's session token is about 1.5 KiB.
const maxLinkBytes = 4096

// Message is the JSON form of a notification, for machines. One is
// published per finished investigation.
type Message struct {
	SchemaVersion int                        `json:"schemaVersion"`
	ForensicID    string                     `json:"forensicId"`
	ForensicType  investigation.ForensicType `json:"forensicType"`
	Status        investigation.Status       `json:"status"`
	// Reason and Detail say why a FAILED investigation failed.
	Reason        investigation.Reason `json:"reason,omitempty"`
	Detail        string               `json:"detail,omitempty"`
	ExecutionName string               `json:"executionName,omitempty"`
	// Resource is the compromised EC2 instance or EKS workload, when the
	// request was valid.
	Resource  *investigation.Resource `json:"resource,omitempty"`
	FindingID string                  `json:"findingId,omitempty"`
	// Results is where the results are and how many artifacts were
	// recorded, when the results were collected.
	Results *investigation.Results `json:"results,omitempty"`
	// Report is where the case report is (and its pre-signed link, when
	// the deployment makes one); ReportError says why it was not written.
	Report      *investigation.Report `json:"report,omitempty"`
	ReportError string                `json:"reportError,omitempty"`
	// Isolation is what the isolation step decided and did, in short (the
	// measures are on the isolation item, Records.Isolation);
	// IsolationError says why the step itself failed. Neither is set when
	// the case never reached the step.
	Isolation      *investigation.Isolation `json:"isolation,omitempty"`
	IsolationError string                   `json:"isolationError,omitempty"`
	// Records says where the case records are.
	Records RecordKeys `json:"records"`
	// Cleanup is what the release step did; CleanupError is set when the
	// release itself failed.
	Cleanup      *investigation.Cleanup `json:"cleanup,omitempty"`
	CleanupError string                 `json:"cleanupError,omitempty"`
	// FindingUpdate is what became of the Security Hub finding's update,
	// when the case came from a finding and updates are on.
	FindingUpdate *findingupdate.Outcome `json:"findingUpdate,omitempty"`
	// Time is when the notification was made, RFC 3339 UTC.
	Time string `json:"time"`
}

// RecordKeys names the DynamoDB table and the keys of the case's items.
type RecordKeys struct {
	TableName string `json:"tableName"`
	// Case is the case item; absent for a request without a usable case.
	Case          *ItemKey `json:"case,omitempty"`
	Investigation ItemKey  `json:"investigation"`
	// Isolation is the isolation item, with the decision and every
	// measure; absent when the case never reached the isolation step.
	Isolation *ItemKey `json:"isolation,omitempty"`
	// Artifacts are the artifact items of the investigation's results, one
	// per result file: a Query on PK with SK beginning with SKPrefix;
	// absent when no results were collected. The SSM command output's
	// items, which Results.ArtifactCount counts too, are under
	// ARTIFACT#cases/<forensicId>/ssm/.
	Artifacts *KeyPrefix `json:"artifacts,omitempty"`
}

// KeyPrefix selects the items of a partition whose sort key begins with a
// prefix.
type KeyPrefix struct {
	PK       string `json:"pk"`
	SKPrefix string `json:"skPrefix"`
}

// ItemKey is the primary key of a table item.
type ItemKey struct {
	PK string `json:"pk"`
	SK string `json:"sk"`
}

// Subject returns the SNS subject: printable ASCII, at most 100
// characters.
func (m Message) Subject() string {
	s := fmt.Sprintf("Casefile %s: %s %s", m.Status, m.ForensicID, m.ForensicType)
	if m.Reason != "" {
		s += " (" + string(m.Reason) + ")"
	}
	return asciiLine(s, 100)
}

// Text returns the message for people.
func (m Message) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Casefile investigation %s (%s) %s.\n\n", m.ForensicID, m.ForensicType, m.Status)
	line := func(label, format string, args ...any) {
		if label != "" {
			label += ":"
		}
		fmt.Fprintf(&b, "%-15s"+format+"\n", append([]any{label}, args...)...)
	}
	if m.Status == investigation.StatusFailed {
		line("Reason", "%s", m.Reason)
		if m.Detail != "" {
			line("Detail", "%s", m.Detail)
		}
	}
	if m.Resource != nil {
		line("Resource", "%s", describeResource(*m.Resource))
	}
	if m.FindingID != "" {
		line("Finding", "%s", m.FindingID)
	}
	if i := m.Isolation; i != nil {
		line("Isolation", "%s", describeIsolation(*i))
	}
	if m.IsolationError != "" {
		line("Isolation", "step failed: %s", m.IsolationError)
	}
	if u := m.FindingUpdate; u != nil {
		line("Security Hub", "%s", describeFindingUpdate(*u))
	}
	if m.Results != nil {
		line("Results", "%s (%d artifacts)", m.Results.S3URI, m.Results.ArtifactCount)
	} else {
		line("Results", "none collected")
	}
	if r := m.Report; r != nil {
		line("Report", "%s", r.HTMLS3URI)
		line("", "%s, %s", r.JSONS3URI, r.MarkdownS3URI)
		if r.HTMLLink != "" {
			line("", "link, valid until %s: %s", r.HTMLLinkExpiresAt, r.HTMLLink)
		}
	}
	if m.ReportError != "" {
		line("Report", "not written: %s", m.ReportError)
	}
	line("Case records", "DynamoDB table %s", m.Records.TableName)
	if c := m.Records.Case; c != nil {
		line("", "case item: pk=%s sk=%s", c.PK, c.SK)
	}
	line("", "investigation item: pk=%s sk=%s", m.Records.Investigation.PK, m.Records.Investigation.SK)
	if i := m.Records.Isolation; i != nil {
		line("", "isolation item: pk=%s sk=%s", i.PK, i.SK)
	}
	if a := m.Records.Artifacts; a != nil {
		line("", "artifact items: pk=%s sk beginning %s", a.PK, a.SKPrefix)
	}
	line("Cleanup", "%s", describeCleanup(m.Cleanup))
	if m.CleanupError != "" {
		line("", "cleanup failed: %s", m.CleanupError)
	}
	if m.ExecutionName != "" {
		line("Execution", "%s", m.ExecutionName)
	}
	line("Time", "%s", m.Time)
	return b.String()
}

func describeIsolation(i investigation.Isolation) string {
	if i.Action != investigation.IsolationIsolate {
		return fmt.Sprintf("%s: not isolated (policy rule %s)", i.Status, i.Rule)
	}
	return fmt.Sprintf("%s (policy rule %s): %d measures applied, %d skipped, %d impossible, %d failed",
		i.Status, i.Rule, i.Applied, i.Skipped, i.Impossible, i.Failed)
}

func describeFindingUpdate(u findingupdate.Outcome) string {
	switch u.Status {
	case findingupdate.StatusUpdated:
		return "note added, workflow status NOTIFIED"
	case findingupdate.StatusSkipped:
		return "finding not updated: " + u.Detail
	}
	return "finding update failed: " + u.Detail
}

func describeResource(r investigation.Resource) string {
	where := fmt.Sprintf("in account %s, region %s", r.AccountID, r.Region)
	if r.EKS == nil {
		return fmt.Sprintf("EC2 instance %s %s", r.InstanceID, where)
	}
	parts := []string{"node " + r.EKS.NodeInstanceID}
	if r.EKS.Namespace != "" {
		parts = append(parts, "namespace "+r.EKS.Namespace)
	}
	if r.EKS.PodName != "" {
		parts = append(parts, "pod "+r.EKS.PodName)
	}
	return fmt.Sprintf("EKS cluster %s (%s) %s", r.EKS.ClusterName, strings.Join(parts, ", "), where)
}

func describeCleanup(c *investigation.Cleanup) string {
	if c == nil {
		return "no release recorded"
	}
	var parts []string
	add := func(what string, ids []string) {
		if len(ids) > 0 {
			parts = append(parts, what+" "+strings.Join(ids, ", "))
		}
	}
	add("terminated", c.TerminatedInstances)
	add("deleted volumes", c.DeletedVolumes)
	add("deleted security groups", c.DeletedGroups)
	if len(parts) == 0 {
		return "nothing to release"
	}
	return strings.Join(parts, "; ")
}

// boundedCleanup returns c with each list cut to maxListed entries, so that
// the message stays small whatever the state holds.
func boundedCleanup(c *investigation.Cleanup) *investigation.Cleanup {
	if c == nil {
		return nil
	}
	cut := func(ids []string) []string {
		if len(ids) <= maxListed {
			return ids
		}
		return append(ids[:maxListed:maxListed], fmt.Sprintf("... %d more", len(ids)-maxListed))
	}
	return &investigation.Cleanup{
		TerminatedInstances: cut(c.TerminatedInstances),
		DeletedVolumes:      cut(c.DeletedVolumes),
		DeletedGroups:       cut(c.DeletedGroups),
	}
}

// asciiLine replaces what is not printable ASCII with '?' and cuts s to
// max bytes.
func asciiLine(s string, max int) string {
	b := []byte(s)
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		out = append(out, c)
	}
	if len(out) > max {
		out = out[:max]
	}
	return string(out)
}
