package forensics

import (
	"encoding/json"
	"regexp"
	"strings"
)

// scriptStatusPattern is the form of the status the forensic scripts
// report, such as SUCCEEDED or SIZE_MISMATCH (ssmdocuments.ResultStatuses).
var scriptStatusPattern = regexp.MustCompile(`^[A-Z][A-Z_]{1,63}$`)

// ScriptStatus returns the status a forensic script reported in the
// one-line summary it prints last on stdout
// ({"status":"SIZE_MISMATCH","forensicId":...,"results":...}), or "" when
// the output holds none. Only the status is read: nothing else of the
// command's output leaves it.
func ScriptStatus(stdout string) string {
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var summary struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(line), &summary); err == nil && scriptStatusPattern.MatchString(summary.Status) {
			return summary.Status
		}
	}
	return ""
}
