package e2e

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/notify"
	"github.com/casefile-forensics/casefile/lambdas/report"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

// faultResult is what one row's run ended as, for the printed table.
type faultResult struct {
	// index is the row's in faultMatrix; run numbers the case it ran in.
	index, run    int
	row           faultRow
	outcome       string
	notifications string
	left          []string
	hits          int
	took          time.Duration
	lost          bool
}

func TestFaultMatrix(t *testing.T) {
	env := environment(t)
	requireEveryTaskCovered(t, env.Definition(), faultMatrix)

	var results []faultResult
	for n, run := range faultRuns(t, faultMatrix) {
		first := faultMatrix[run[0]]
		name := fmt.Sprintf("%d %s %s", run[0], first.state, first.kind)
		if first.group != "" {
			name = fmt.Sprintf("%d %s", run[0], first.group)
		}
		t.Run(name, func(t *testing.T) {
			results = append(results, runFaultRows(t, n+1, run)...)
		})
	}
	writeFaultReport(t, results)
}

// faultRuns groups the rows into runs, in order: a row alone, or the rows
// of a group together. It fails when the rows of a group expect
// different ends.
func faultRuns(t *testing.T, rows []faultRow) [][]int {
	t.Helper()
	var runs [][]int
	groups := map[string]int{}
	for i, r := range rows {
		if r.group == "" {
			runs = append(runs, []int{i})
			continue
		}
		g, ok := groups[r.group]
		if !ok {
			groups[r.group] = len(runs)
			runs = append(runs, []int{i})
			continue
		}
		first := rows[runs[g][0]]
		require.True(t, first.memory == r.memory && first.status == r.status && first.reason == r.reason &&
			first.notifications == r.notifications && !r.leftBehind && r.prepare == nil && r.timeouts == nil,
			"row %d (%s %s) cannot run in group %q: it expects another end or setup than row %d", i, r.state, r.kind, r.group, runs[g][0])
		runs[g] = append(runs[g], i)
	}
	return runs
}

// requireEveryTaskCovered fails unless every Task state of the definition
// has a row of every fault kind, so that a state added later must be
// added to the matrix.
func requireEveryTaskCovered(t *testing.T, definition json.RawMessage, rows []faultRow) {
	t.Helper()
	missing, err := uncoveredTasks(definition, rows)
	require.NoError(t, err)
	assert.Empty(t, missing, "Task states and fault kinds without a fault matrix row, or rows of no Task state")
}

// uncoveredTasks lists "state: kind" for each Task state of definition and
// fault kind without a row, and "state: not a Task state" for each row of
// another state.
func uncoveredTasks(definition json.RawMessage, rows []faultRow) ([]string, error) {
	var def struct {
		States map[string]struct {
			Type string `json:"Type"`
		} `json:"States"`
	}
	if err := json.Unmarshal(definition, &def); err != nil {
		return nil, fmt.Errorf("decode the definition: %w", err)
	}
	covered := map[string]map[string]bool{}
	for _, r := range rows {
		if covered[r.state] == nil {
			covered[r.state] = map[string]bool{}
		}
		covered[r.state][r.kind] = true
	}
	var tasks, missing []string
	for name, s := range def.States {
		if s.Type == "Task" {
			tasks = append(tasks, name)
		}
	}
	if len(tasks) == 0 {
		return nil, errors.New("the definition has no Task state")
	}
	sort.Strings(tasks)
	for _, task := range tasks {
		for _, kind := range faultKinds {
			if !covered[task][kind] {
				missing = append(missing, task+": "+kind)
			}
		}
	}
	for state := range covered {
		if !slices.Contains(tasks, state) {
			missing = append(missing, state+": not a Task state")
		}
	}
	sort.Strings(missing)
	return missing, nil
}

func TestFaultMatrixCoverageNamesWhatIsMissing(t *testing.T) {
	definition := json.RawMessage(`{"States": {
		"Covered": {"Type": "Task"}, "Added": {"Type": "Task"}, "Wait": {"Type": "Wait"}}}`)
	rows := []faultRow{
		{state: "Covered", kind: kindError}, {state: "Covered", kind: kindThrottle}, {state: "Covered", kind: kindHang},
		{state: "Added", kind: kindError}, {state: "Wait", kind: kindHang},
	}
	missing, err := uncoveredTasks(definition, rows)
	require.NoError(t, err)
	assert.Equal(t, []string{"Added: " + kindHang, "Added: " + kindThrottle, "Wait: not a Task state"}, missing)
}

// runFaultRows runs rows (one, or a group) in one case on a fresh
// environment and checks its end.
func runFaultRows(t *testing.T, runNumber int, indexes []int) []faultResult {
	row := faultMatrix[indexes[0]]
	if shared.skip != "" || shared.failure != nil {
		environment(t) // skips or fails the test
	}
	env := shared.env
	require.NoError(t, env.ResetWith(context.Background(), localaws.ResetOptions{FunctionTimeouts: row.timeouts}),
		"reset the end-to-end environment")
	f := env.Fixture()
	forensicID := fmt.Sprintf("case-fault-%04d", indexes[0])
	req := f.DiskRequest(forensicID)
	if row.memory {
		req = f.MemoryRequest(forensicID)
	}
	for _, fault := range row.primary {
		env.Host().Inject(fault)
	}
	for _, i := range indexes {
		r := faultMatrix[i]
		for _, fault := range r.faults {
			switch r.document {
			case docDisk:
				fault.Document = f.Documents.Disk.Name
			case docMemory:
				fault.Document = f.Documents.Memory.Name
			}
			env.Host().Inject(fault)
		}
	}
	if row.prepare != nil {
		row.prepare(env)
	}

	started := time.Now()
	out := run(t, env, req)
	took := time.Since(started)

	res := faultResult{run: runNumber, lost: true, took: took, left: leftovers(out), outcome: out.Status}
	if out.Investigation != nil {
		res.outcome = string(out.Investigation.Status)
		if out.Investigation.Reason != "" {
			res.outcome += " " + string(out.Investigation.Reason)
		}
		final := out.Investigation.Status == investigation.StatusSucceeded || out.Investigation.Status == investigation.StatusFailed
		res.lost = !final
	}
	res.notifications = notificationsSummary(out)
	var results []faultResult
	for _, i := range indexes {
		r := res
		r.index, r.row = i, faultMatrix[i]
		for _, fault := range r.row.faults {
			r.hits += env.Host().FaultHits(fault.Service, fault.Operation)
		}
		if r.row.prepare == nil {
			assert.Positive(t, r.hits, "the fault of row %d (%s %s) was hit", i, r.row.state, r.row.kind)
		}
		assert.Contains(t, out.States, r.row.state, "the faulted state of row %d ran", i)
		results = append(results, r)
	}

	require.NotNil(t, out.Investigation, "investigation item of %s", forensicID)
	assert.Equal(t, row.status, out.Investigation.Status, "investigation status")
	assert.Equal(t, row.reason, out.Investigation.Reason, "investigation reason")
	if row.status == investigation.StatusSucceeded {
		assert.Equal(t, sfnlocal.StatusSucceeded, out.Status, "execution status")
	} else {
		assert.Equal(t, sfnlocal.StatusFailed, out.Status, "execution status")
		assert.Equal(t, string(row.reason), out.Error, "execution error")
	}

	if assert.Len(t, out.Notifications, row.notifications, "notifications") && row.notifications == 1 {
		var msg notify.Message
		require.NoError(t, json.Unmarshal(out.Notifications[0].JSON, &msg), "the notification is JSON")
		assert.Equal(t, forensicID, msg.ForensicID, "notification forensicId")
		assert.Equal(t, row.status, msg.Status, "notification status")
		assert.Equal(t, row.reason, msg.Reason, "notification reason")
		if row.leftBehind {
			assert.Contains(t, msg.CleanupError, string(investigation.ReasonCleanupFailed), "the notification says the cleanup failed")
		} else {
			assert.Empty(t, msg.CleanupError, "notification cleanup error")
		}
		assertIsolation(t, env, out, row, msg)
		if row.reportFailed {
			assert.Nil(t, msg.Report, "no report is named")
			assert.Contains(t, msg.ReportError, string(report.ErrorReportFailed), "the notification says why there is no report")
			assert.Len(t, custodyEvents(t, env, forensicID, report.ActionReportFailed), 1, "the custody log records the failed report")
		}
	}
	if row.leftBehind {
		assert.NotEmpty(t, out.Leftovers.Instances, "the instance EC2 refused to terminate is left")
		assert.Contains(t, out.Investigation.CleanupError, string(investigation.ReasonCleanupFailed), "the record says the cleanup failed")
	} else {
		assert.Empty(t, out.Investigation.CleanupError, "the record's cleanup error")
		assertNothingLeft(t, out)
	}
	return results
}

// leftovers names what the case left in EC2.
func leftovers(out *localaws.Outcome) []string {
	var left []string
	for _, id := range out.Leftovers.Instances {
		left = append(left, fmt.Sprint(id))
	}
	for _, id := range out.Leftovers.Volumes {
		left = append(left, fmt.Sprint(id))
	}
	for _, id := range out.Leftovers.SecurityGroups {
		left = append(left, fmt.Sprint(id))
	}
	return left
}

// notificationsSummary says how many notifications went out and of what.
func notificationsSummary(out *localaws.Outcome) string {
	var parts []string
	for _, n := range out.Notifications {
		var msg notify.Message
		if json.Unmarshal(n.JSON, &msg) != nil {
			parts = append(parts, "?")
			continue
		}
		s := string(msg.Status)
		if msg.Reason != "" {
			s += " " + string(msg.Reason)
		}
		if msg.CleanupError != "" {
			s += " +cleanupError"
		}
		parts = append(parts, s)
	}
	return fmt.Sprintf("%d %s", len(out.Notifications), strings.Join(parts, ", "))
}

// faultDescription says what a row injects.
func faultDescription(row faultRow) string {
	var parts []string
	for _, f := range row.primary {
		parts = append(parts, "after "+faultText(f))
	}
	for _, f := range row.faults {
		text := faultText(f)
		if row.document != "" {
			text += " (" + row.document + " command)"
		}
		if f.BodyContains != "" {
			text += " (body has " + f.BodyContains + ")"
		}
		parts = append(parts, text)
	}
	if row.setup != "" {
		parts = append(parts, row.setup)
	}
	return strings.Join(parts, "; ")
}

func faultText(f forensichost.Fault) string {
	what := f.Code
	if f.Hang {
		what = "hangs"
	}
	times := "always"
	if f.Times > 0 {
		times = fmt.Sprintf("x%d", f.Times)
	}
	return fmt.Sprintf("%s %s %s %s", f.Service, f.Operation, what, times)
}

// writeFaultReport prints the matrix's table and counts to the test log
// and to out/reliability/faults.txt.
func writeFaultReport(t *testing.T, results []faultResult) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "Fault matrix: a fault in every task state of the investigation workflow (test/e2e/faults_test.go)\n\n")
	header := []string{"run", "state", "fault", "injected", "outcome", "notifications", "left", "hits", "seconds", "expected"}
	rows := [][]string{header}
	lost, left, reportedLeft := 0, 0, 0
	var total time.Duration
	counted := map[int]bool{}
	sort.Slice(results, func(i, j int) bool { return results[i].index < results[j].index })
	for _, r := range results {
		leftText := "0"
		if len(r.left) > 0 {
			leftText = fmt.Sprintf("%d (%s)", len(r.left), strings.Join(r.left, " "))
		}
		rows = append(rows, []string{
			fmt.Sprint(r.run), r.row.state, r.row.kind, faultDescription(r.row), r.outcome, r.notifications, leftText,
			fmt.Sprint(r.hits), fmt.Sprintf("%.0f", r.took.Seconds()), r.row.expect,
		})
		if counted[r.run] {
			// The row shares its case with a row above.
			continue
		}
		counted[r.run] = true
		if r.lost {
			lost++
		}
		if r.row.leftBehind {
			reportedLeft += len(r.left)
		} else {
			left += len(r.left)
		}
		total += r.took
	}
	widths := make([]int, len(header))
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], len(cell))
		}
	}
	for _, row := range rows {
		for i, cell := range row {
			if i == len(row)-1 {
				b.WriteString(cell)
				continue
			}
			fmt.Fprintf(&b, "%-*s  ", widths[i], cell)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\n%d rows in %d runs (the throttling rows of a path share one case), %.0f s\n", len(results), len(counted), total.Seconds())
	if reportedLeft > 0 {
		fmt.Fprintf(&b, "left by design: %d resource(s) of the row where EC2 refuses every termination (the record, the custody log and the notification say CLEANUP_FAILED)\n", reportedLeft)
	}
	fmt.Fprintf(&b, "faults tried: %d, cases lost: %d, resources left: %d\n", len(results), lost, left)
	writeReliability(t, "faults", b.String())
	assert.Equal(t, len(faultMatrix), len(results), "every row ran")
}

// recordReserveSeconds is the time the isolation keeps for its record
// after the measures (isolation.recordReserve): a hang row's timeout adds it.
const recordReserveSeconds = 3 * time.Second

// assertIsolation checks what the case recorded and notified of its
// isolation: the row's status (ISOLATED by default, the fixture finding's
// decision), or, for a step that failed, no isolation item and the
// step's error in the notification. A case that ended before the
// isolation step has neither.
func assertIsolation(t *testing.T, env *localaws.Environment, out *localaws.Outcome, row faultRow, msg notify.Message) {
	t.Helper()
	items := isolationItems(t, env, out.ForensicID)
	switch {
	case !slices.Contains(out.States, workflow.StateIsolate):
		assert.Empty(t, items, "no isolation before the isolation step")
		assert.Nil(t, msg.Isolation, "the notification has no isolation")
	case row.isolationError:
		assert.Empty(t, items, "the isolation item could not be written")
		assert.Nil(t, msg.Isolation, "the notification has no isolation summary")
		assert.Contains(t, msg.IsolationError, string(investigation.ReasonIsolation), "the notification says the isolation step failed")
		assert.Contains(t, out.Investigation.IsolationError, string(investigation.ReasonIsolation), "the investigation item says so too")
	default:
		want := cmp.Or(row.isolation, investigation.IsolationStatusIsolated)
		if assert.Len(t, items, 1, "one isolation item") {
			assert.Equal(t, want, items[0].Status, "recorded isolation status")
		}
		if assert.NotNil(t, msg.Isolation, "the notification has the isolation") {
			assert.Equal(t, want, msg.Isolation.Status, "notified isolation status")
		}
		assert.Empty(t, msg.IsolationError, "the isolation step itself did not fail")
	}
}
