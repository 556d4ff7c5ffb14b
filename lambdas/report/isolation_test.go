package report

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws/repo"
)

func TestReportShowsTheIsolation(t *testing.T) {
	partial := map[string]any{
		"forensicId": unitCase, "forensicType": "DISK", "status": investigation.IsolationStatusPartial,
		"decision": map[string]any{"action": "ISOLATE", "rule": "kubernetes-privilege-escalation", "source": "builtin",
			"matched": "PrivilegeEscalation:Kubernetes/PrivilegedContainer"},
		"compute": "SPOT", "nodeName": "ip-10-0-1-23.eu-west-1.compute.internal", "recordedAt": "2026-03-14T09:00:30.000000000Z",
		"measures": []map[string]any{
			{"name": "cordon", "target": "ip-10-0-1-23.eu-west-1.compute.internal", "status": "APPLIED",
				"original": map[string]string{"unschedulable": "false"}},
			{"name": "securityGroups", "target": "i-0fedcba9876543210", "status": "APPLIED",
				"original": map[string]string{"eni-0aa": "sg-0111,sg-0222"}, "applied": map[string]string{"denyGroup": "sg-0999"}},
			{"name": "terminationProtection", "target": "i-0fedcba9876543210", "status": "IMPOSSIBLE", "reason": "a Spot instance cannot be protected from termination"},
			{"name": "elasticIps", "target": "i-0fedcba9876543210", "status": "FAILED", "reason": "UnauthorizedOperation"},
		},
	}
	tests := []struct {
		name         string
		item         map[string]any
		stateError   *investigation.StepError
		wantDecision string
		wantLimit    string
		wantMarkdown []string
	}{
		{
			name: "partly isolated EKS workload", item: partial, wantDecision: investigation.IsolationStatusPartial,
			wantLimit: LimitIsolationIncomplete,
			wantMarkdown: []string{"PARTIAL", "kubernetes-privilege-escalation", "PrivilegeEscalation:Kubernetes/PrivilegedContainer",
				"| elasticIps | `i-0fedcba9876543210` | FAILED | UnauthorizedOperation |", "eni-0aa=sg-0111,sg-0222", "denyGroup=sg-0999"},
		},
		{
			name: "not isolated by policy",
			item: map[string]any{"forensicId": unitCase, "forensicType": "DISK", "status": investigation.IsolationStatusNotIsolated,
				"decision": map[string]any{"action": "NONE", "rule": "reconnaissance", "source": "builtin"}, "recordedAt": "2026-03-14T09:00:30.000000000Z"},
			wantDecision: investigation.IsolationStatusNotIsolated,
			wantMarkdown: []string{"NOT_ISOLATED", "rule reconnaissance (builtin) decided not to isolate"},
		},
		{
			name:         "the step failed",
			stateError:   &investigation.StepError{Error: "ISOLATION_FAILED", Cause: "record the isolation: throttled"},
			wantDecision: IsolationNotEvaluated, wantLimit: LimitIsolation,
			wantMarkdown: []string{"the isolation step failed with ISOLATION_FAILED: record the isolation: throttled"},
		},
	}
	schema := compileSchema(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, client := unitCaseRecords(t, true)
			if tc.item != nil {
				db.add(unitCase, investigation.IsolationSortKey(investigation.ForensicTypeDisk), tc.item)
			}
			r, err := newTestHandler(db, &fakeRecords{}, client).Build(context.Background(),
				investigation.State{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk, IsolationError: tc.stateError})
			require.NoError(t, err)
			assert.Equal(t, tc.wantDecision, r.Case.Isolation.Decision)
			codes := limitationCodes(r)
			for _, code := range []string{LimitIsolation, LimitIsolationIncomplete} {
				if code == tc.wantLimit {
					assert.Contains(t, codes, code)
				} else {
					assert.NotContains(t, codes, code)
				}
			}
			js, err := JSON(r)
			require.NoError(t, err)
			doc, err := unmarshalJSON(js)
			require.NoError(t, err)
			require.NoError(t, schema.Validate(doc), "the report follows docs/report.schema.json")
			// Markdown escapes '_'; the checks read it unescaped.
			md := strings.ReplaceAll(string(Markdown(r)), `\_`, "_")
			for _, want := range tc.wantMarkdown {
				assert.True(t, strings.Contains(md, want), "report.md holds %q", want)
			}
			html, err := HTML(r)
			require.NoError(t, err)
			assert.True(t, strings.Contains(string(html), `<span class="tag">`+tc.wantDecision+`</span>`), "report.html shows the decision %s", tc.wantDecision)
			for _, m := range r.Case.Isolation.Measures {
				assert.True(t, strings.Contains(string(html), "<td>"+m.Name+"</td>"), "report.html lists the measure %s", m.Name)
			}
		})
	}
}

// TestSchemaNamesEveryMeasure: the schema's measure names are the
// isolation's, so that a report with any measure validates.
func TestSchemaNamesEveryMeasure(t *testing.T) {
	root, err := repo.Root()
	require.NoError(t, err)
	raw, err := os.ReadFile(filepath.Join(root, "docs", "report.schema.json"))
	require.NoError(t, err)
	var schema struct {
		Defs struct {
			Isolation struct {
				Properties struct {
					Measures struct {
						Items struct {
							Properties struct {
								Name struct {
									Enum []string `json:"enum"`
								} `json:"name"`
							} `json:"properties"`
						} `json:"items"`
					} `json:"measures"`
				} `json:"properties"`
			} `json:"isolation"`
		} `json:"$defs"`
	}
	require.NoError(t, json.Unmarshal(raw, &schema))

	var want []string
	for _, m := range slices.Concat(investigation.EC2Measures, investigation.EKSMeasures) {
		want = append(want, string(m))
	}
	assert.Equal(t, want, schema.Defs.Isolation.Properties.Measures.Items.Properties.Name.Enum,
		"$defs.isolation measures' names in docs/report.schema.json, in the order of EC2Measures then EKSMeasures")
}
