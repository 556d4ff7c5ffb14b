package forensics

import (
	"encoding/json"
	"errors"
	"strings"
)

// ProbeReport is what the readiness probe prints on stdout, as one JSON
// object: {"tools":[{"name":..,"version":..,"present":true}],"ready":true}.
type ProbeReport struct {
	Tools []ProbeTool `json:"tools"`
	Ready bool        `json:"ready"`
}

// ProbeTool is one forensic tool the probe looked for.
type ProbeTool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Present bool   `json:"present"`
}

// maxToolsInMessage bounds how many tools a message names.
const maxToolsInMessage = 20

// ParseProbeReport reads the probe's report from its stdout. The report is
// the last line that holds a JSON object, so that anything the probe's shell
// printed before it does not matter.
func ParseProbeReport(stdout string) (ProbeReport, error) {
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r ProbeReport
		if err := json.Unmarshal([]byte(line), &r); err == nil {
			return r, nil
		}
	}
	return ProbeReport{}, errors.New("no JSON report in the probe's output")
}

// Missing returns the names of the tools that are not present.
func (r ProbeReport) Missing() []string {
	var out []string
	for _, t := range r.Tools {
		if !t.Present {
			out = append(out, t.Name)
		}
	}
	return out
}

// Versions lists the tools found, as "name version" separated by commas,
// for the custody log.
func (r ProbeReport) Versions() string {
	parts := make([]string, 0, len(r.Tools))
	for _, t := range r.Tools {
		if t.Present {
			parts = append(parts, strings.TrimSpace(t.Name+" "+t.Version))
		}
	}
	return strings.Join(parts, ", ")
}

// joinNames joins names for a message, at most maxToolsInMessage of them.
func joinNames(names []string) string {
	if len(names) > maxToolsInMessage {
		return strings.Join(names[:maxToolsInMessage], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}
