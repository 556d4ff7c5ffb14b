package e2e

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
)

// isolationItem is an isolation item of the case table, as the tests read
// it.
type isolationItem struct {
	ForensicType string                          `json:"forensicType"`
	Status       string                          `json:"status"`
	Decision     investigation.IsolationDecision `json:"decision"`
	Measures     []investigation.Measure         `json:"measures"`
	Compute      string                          `json:"compute"`
	NodeName     string                          `json:"nodeName"`
	Error        string                          `json:"error"`
}

// isolationItems returns the case's isolation items, in key order.
func isolationItems(t *testing.T, env *localaws.Environment, forensicID string) []isolationItem {
	t.Helper()
	items, err := fixture.ItemsWithSortPrefix[isolationItem](context.Background(), env.Clients(), forensicID, investigation.SortIsolationPrefix)
	require.NoError(t, err)
	return items
}

// measureOf returns the measure called name on target, and whether there
// is one.
func measureOf(item isolationItem, name investigation.MeasureName, target string) (investigation.Measure, bool) {
	for _, m := range item.Measures {
		if m.Name == name && (target == "" || m.Target == target) {
			return m, true
		}
	}
	return investigation.Measure{}, false
}
