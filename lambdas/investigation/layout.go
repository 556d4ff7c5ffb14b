package investigation

import "strings"

// Case table layout: one item collection per case, partition key PK.
const (
	TableKeyPartition = "pk"
	TableKeySort      = "sk"
	// ResourceIndexName finds cases by resource: partition ResourceKey
	// (Resource.Key), sort CreatedAt. Only case items carry these fields.
	ResourceIndexName      = "byResource"
	TableKeyResource       = "resourceKey"
	TableKeyResourceSorted = "createdAt"
)

// CasePartition returns the partition key of a case's items.
func CasePartition(forensicID string) string { return "CASE#" + forensicID }

// Sort keys of the items of one case.
const (
	// SortCase is the case item: resource, finding, timestamps.
	SortCase = "CASE"
	// SortInvestigationPrefix + forensic type is an investigation item:
	// status, reason, instance, command, results.
	SortInvestigationPrefix = "INVESTIGATION#"
	// SortEventPrefix + type + "#" + RFC 3339 time + "#" + step is a custody
	// event (append-only).
	SortEventPrefix = "EVENT#"
	// SortArtifactPrefix + S3 key is an artifact item.
	SortArtifactPrefix = "ARTIFACT#"
	// SortIsolationPrefix + forensic type is the isolation item of that
	// investigation: the policy's decision and every measure.
	SortIsolationPrefix = "ISOLATION#"
)

// IsolationSortKey returns the sort key of the isolation item for t.
func IsolationSortKey(t ForensicType) string { return SortIsolationPrefix + string(t) }

// InvestigationSortKey returns the sort key of the investigation item for t.
func InvestigationSortKey(t ForensicType) string { return SortInvestigationPrefix + string(t) }

// Results bucket layout.
const CasesPrefix = "cases/"

// ResultsPrefix returns where an investigation's results go:
// cases/<forensicId>/disk/ or cases/<forensicId>/memory/.
func ResultsPrefix(forensicID string, t ForensicType) string {
	return CasesPrefix + forensicID + "/" + strings.ToLower(string(t)) + "/"
}

// CommandOutputPrefix returns where SSM writes a command's output for a case.
func CommandOutputPrefix(forensicID string) string {
	return CasesPrefix + forensicID + "/ssm/"
}

// The forms of the case report: report.json, report.md and report.html.
const (
	ReportJSON     = "json"
	ReportMarkdown = "md"
	ReportHTML     = "html"
)

// ReportForms are the forms every case report is written in.
func ReportForms() []string { return []string{ReportJSON, ReportMarkdown, ReportHTML} }

// ReportKey returns where the case report in the given form goes:
// cases/<forensicId>/report.<form>. The report covers every evidence type
// of the case, so each investigation's report replaces the one before.
func ReportKey(forensicID, form string) string {
	return CasesPrefix + forensicID + "/report." + form
}
