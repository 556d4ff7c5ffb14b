package main

import (
	"encoding/json"

	"github.com/casefile-forensics/casefile/lambdas/notify"
)

// missingNotificationFields returns the fields that a successful case's
// notification must carry and raw lacks: the case, the compromised
// resource, the status, where the results and the report are, the case
// table and the keys of its records, what became of the finding, and what
// the isolation decided and did.
func missingNotificationFields(raw json.RawMessage) []string {
	var m notify.Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return []string{"the JSON form"}
	}
	checks := []struct {
		field string
		ok    bool
	}{
		{"forensicId", m.ForensicID != ""},
		{"forensicType", m.ForensicType != ""},
		{"status", m.Status != ""},
		{"resource", m.Resource != nil && (m.Resource.InstanceID != "" || m.Resource.EKS != nil)},
		{"findingId", m.FindingID != ""},
		{"findingUpdate", m.FindingUpdate != nil},
		{"results.s3Uri", m.Results != nil && m.Results.S3URI != ""},
		{"report", m.Report != nil && m.Report.JSONS3URI != "" && m.Report.MarkdownS3URI != "" && m.Report.HTMLS3URI != ""},
		{"records.tableName", m.Records.TableName != ""},
		{"records.case", m.Records.Case != nil},
		{"records.investigation", m.Records.Investigation.PK != "" && m.Records.Investigation.SK != ""},
		{"records.artifacts", m.Records.Artifacts != nil},
		{"isolation", m.Isolation != nil && m.Isolation.Status != ""},
		{"records.isolation", m.Records.Isolation != nil},
	}
	var missing []string
	for _, c := range checks {
		if !c.ok {
			missing = append(missing, c.field)
		}
	}
	return missing
}
