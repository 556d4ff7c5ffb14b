package policy

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// readmeSection returns the README's "Isolation policy" section.
func readmeSection(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	require.NoError(t, err)
	_, section, ok := strings.Cut(string(raw), "\n## Isolation policy\n")
	require.True(t, ok, "README.md has an Isolation policy section")
	section, _, _ = strings.Cut(section, "\n## ")
	return section
}

// TestReadmeListsTheBuiltinRules keeps the README's table of built-in
// rules true: one row per rule, with its action and matcher.
func TestReadmeListsTheBuiltinRules(t *testing.T) {
	section := readmeSection(t)
	for _, r := range Builtin() {
		matcher := fmt.Sprintf("`%s`", r.TypePattern)
		switch {
		case r.TypePrefix != "":
			matcher = fmt.Sprintf("prefix `%s`", r.TypePrefix)
		case r.CustomAction != "":
			matcher = fmt.Sprintf("custom action `%s`", r.CustomAction)
		}
		row := fmt.Sprintf("| `%s` | %s | %s |", r.Name, r.Action, matcher)
		assert.Contains(t, section, row, "the README's row of built-in rule %s", r.Name)
	}
	assert.Equal(t, len(Builtin()), strings.Count(section, "\n| `"), "rows of the built-in table")
}

// TestReadmeExample parses the README's example override and checks that
// it does what the README says.
func TestReadmeExample(t *testing.T) {
	section := readmeSection(t)
	_, block, ok := strings.Cut(section, "```json\n")
	require.True(t, ok, "the section has a JSON example")
	block, _, _ = strings.Cut(block, "```")
	var example map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte("{"+block+"}"), &example), "the example is a cdk.json context entry")

	p, err := Parse(example["isolationPolicy"])
	require.NoError(t, err)

	tests := []struct {
		typ        string
		wantAction investigation.IsolationAction
		wantRule   string
	}{
		{"TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS", investigation.IsolationIsolate, "lab-cc-dns"},
		{"TTPs/Command and Control/Backdoor:EC2-C&CActivity.B", investigation.IsolationNone, "lab-cc"},
		{"TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort", investigation.IsolationIsolate, "probes"},
		{"UnauthorizedAccess:EC2/SSHBruteForce", investigation.IsolationIsolate, UnknownRule},
		{"Policy:Kubernetes/AdminAccessToDefaultServiceAccount", investigation.IsolationNone, "policy"},
	}
	for _, tt := range tests {
		d := p.Decide(&investigation.Finding{ID: "f-1", Types: []string{tt.typ}})
		assert.Equal(t, tt.wantAction, d.Action, "action for %s", tt.typ)
		assert.Equal(t, tt.wantRule, d.Rule, "rule for %s", tt.typ)
	}
	d := p.Decide(&investigation.Finding{ID: "f-1", Types: []string{"TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort"}})
	assert.Equal(t, []investigation.MeasureName{investigation.MeasureSecurityGroups, investigation.MeasureElasticIPs}, d.Measures)
}
