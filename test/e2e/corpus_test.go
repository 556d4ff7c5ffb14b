package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/lambdas/starter"
	"github.com/casefile-forensics/casefile/test/fixtures/requests"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
)

// runBudget is how long one rejected request may take end to end: a run
// that takes longer waited or retried somewhere it should not.
const runBudget = 20 * time.Second

// foreignBuckets are buckets of the corpus outside the evidence bucket,
// made in moto with a real copy of the dump, so that the requests naming
// them name a dump that is there.
var foreignBuckets = []string{"casefile-evidence-444455556666", "casefile-public-uploads"}

// TestBadInputCorpus runs every request of the bad-input corpus
// (test/fixtures/requests/invalid.tsv) through the synthesized state
// machine against moto: the fixture requests' IDs are replaced by the
// fixture's real snapshots, volumes, instance, account and evidence bucket,
// so that only what the request gets wrong is wrong. A request Step
// Functions could take as it is (JSON without duplicate keys) is the
// execution's input, as a direct StartExecution gives it; any other goes
// through the starter, as an EventBridge event would. Each execution must
// fail with INVALID_REQUEST naming the field, the rejection be recorded and
// notified once, and no forensic instance be launched. The counts go to
// out/reliability/bad-input.txt.
func TestBadInputCorpus(t *testing.T) {
	corpus, err := requests.Corpus()
	require.NoError(t, err)
	env := environment(t)
	f := env.Fixture()
	for _, b := range foreignBuckets {
		storeDumpCopy(t, env, b, "memory/dump.lime")
	}
	before := instanceIDs(t, env)
	start := time.Now()

	var report strings.Builder
	// run s: the whole run (the local state machine's Node process, the
	// execution, gathering the outcome); sfn s: first to last event of the
	// execution; λ s: in the Lambda handlers.
	fmt.Fprintf(&report, "%-48s %-34s %-8s %6s %6s %6s %s\n", "request", "field", "path", "run s", "sfn s", "λ s", "outcome")
	rejected, launched := 0, 0
	var inLambdas, inExecutions time.Duration
	for _, bad := range corpus {
		input, path := deliver(t, f, bad.Raw)
		outcome := "rejected naming the field"
		var took, execution, lambdas time.Duration
		ok := t.Run(bad.File, func(t *testing.T) {
			invoked, started := len(env.Invocations()), time.Now()
			out, err := env.Run(context.Background(), input)
			took = time.Since(started)
			for _, inv := range env.Invocations()[invoked:] {
				lambdas += inv.Duration + inv.InitDuration
			}
			require.NoError(t, err, "run %s (logs in %s)", bad.File, env.LogDir())
			execution = out.Execution.StopDate().Sub(out.Execution.StartDate())
			assert.Less(t, took, runBudget, "the run of %s", bad.File)
			if len(out.ForensicInstances) > 0 || slices.Contains(out.States, "CreateInstance") {
				launched++
				outcome = "LAUNCHED"
			}
			assertRefusedAtIntake(t, out, bad.Field)
		})
		if ok {
			rejected++
		} else if outcome != "LAUNCHED" {
			outcome = "FAILED"
		}
		inLambdas, inExecutions = inLambdas+lambdas, inExecutions+execution
		fmt.Fprintf(&report, "%-48s %-34s %-8s %6.2f %6.2f %6.2f %s\n", bad.File, bad.Field, path,
			took.Seconds(), execution.Seconds(), lambdas.Seconds(), outcome)
	}
	elapsed := time.Since(start)

	assert.Equal(t, before, instanceIDs(t, env), "no instance was launched by any bad request")
	for _, inv := range env.Invocations() {
		assert.NotEqual(t, string(functions.CreateInstance), inv.Function, "createinstance was invoked")
	}
	per := func(d time.Duration) time.Duration { return (d / time.Duration(len(corpus))).Round(time.Millisecond) }
	fmt.Fprintf(&report, "elapsed: %s for %d executions: %s each, of which %s from first to last event, %s in the Lambda handlers\n",
		elapsed.Round(time.Second), len(corpus), per(elapsed), per(inExecutions), per(inLambdas))
	if load, err := os.ReadFile("/proc/loadavg"); err == nil {
		fmt.Fprintf(&report, "load average (1, 5, 15 min) at the end: %s\n", strings.Join(strings.Fields(string(load))[:3], " "))
	}
	fmt.Fprintf(&report, "bad inputs tried: %d, rejected naming the field: %d, launched: %d\n", len(corpus), rejected, launched)
	writeReliability(t, "bad-input", report.String())
}

// deliver returns the input of the execution of raw, with the fixture's
// IDs in place of the fixture requests', and how it gets there: "direct"
// or through the "starter".
func deliver(t *testing.T, f *fixture.Fixture, raw []byte) (json.RawMessage, string) {
	t.Helper()
	require.GreaterOrEqual(t, len(f.Compromised.Disks), 2, "the fixture has two evidence disks")
	d0, d1 := f.Compromised.Disks[0], f.Compromised.Disks[1]
	raw = []byte(strings.NewReplacer(
		"casefile-evidence-111122223333", fixture.EvidenceBucket,
		"snap-0a1b2c3d4e5f60718", d0.SnapshotID, "vol-0a1b2c3d4e5f60718", d0.VolumeID,
		"snap-0b2c3d4e5f6071829", d1.SnapshotID, "vol-0b2c3d4e5f6071829", d1.VolumeID,
		"i-0a1b2c3d4e5f60718", f.Compromised.InstanceID,
		"111122223333", f.AccountID,
	).Replace(string(raw)))
	// The harness encodes a direct input with encoding/json, which refuses
	// nesting deeper than 10,000 levels: such a request goes through the
	// starter here (lambdamain's tests show the handlers take it direct).
	if json.Valid(raw) && !hasDuplicateKeys(raw) {
		return raw, "direct"
	}
	_, input, err := starter.Execution(raw, fixture.EvidenceBucket)
	require.Error(t, err, "the starter judges the request invalid")
	return json.RawMessage(input), "starter"
}

// hasDuplicateKeys reports whether an object of the JSON value raw has a
// key twice, which Step Functions would drop (it keeps the last).
func hasDuplicateKeys(raw []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	type level struct {
		keys      map[string]bool // nil for an array
		expectKey bool
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil { // io.EOF after the value, or not JSON
			return false
		}
		if key, isKey := tok.(string); isKey && len(stack) > 0 && stack[len(stack)-1].keys != nil && stack[len(stack)-1].expectKey {
			top := stack[len(stack)-1]
			if top.keys[key] {
				return true
			}
			top.keys[key], top.expectKey = true, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &level{keys: map[string]bool{}, expectKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, &level{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		// A value ended: next in an object comes a key.
		if n := len(stack); n > 0 && stack[n-1].keys != nil {
			stack[n-1].expectKey = true
		}
	}
}

func TestHasDuplicateKeys(t *testing.T) {
	tests := map[string]bool{
		`{"a":1,"b":2}`:                false,
		`{"a":1,"a":2}`:                true,
		`{"a":{"b":1},"b":{"b":2}}`:    false,
		`{"a":{"b":1,"b":2}}`:          true,
		`{"a":[{"b":1},{"b":2}]}`:      false,
		`{"a":[{"b":1,"c":[],"b":2}]}`: true,
		`[1,{"x":"x","y":"x"}]`:        false,
		`{"a":"a","b":"a"}`:            false,
		`forensicId=cf-1`:              false,
	}
	for raw, want := range tests {
		assert.Equal(t, want, hasDuplicateKeys([]byte(raw)), raw)
	}
}

// instanceIDs returns every instance in moto that is not terminated.
func instanceIDs(t *testing.T, env *localaws.Environment) []string {
	t.Helper()
	var ids []string
	pages := ec2.NewDescribeInstancesPaginator(env.Clients().EC2, &ec2.DescribeInstancesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		require.NoError(t, err)
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				ids = append(ids, aws.ToString(i.InstanceId))
			}
		}
	}
	slices.Sort(ids)
	return ids
}
