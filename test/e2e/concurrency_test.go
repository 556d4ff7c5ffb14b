package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/notify"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

// concurrentCases is how many cases TestConcurrentCases starts together,
// alternately DISK and MEMORY.
const concurrentCases = 20

// TestConcurrentCases starts concurrentCases investigations at once (the
// DISK cases all of the fixture's snapshots, the MEMORY cases all of its
// dump, so that only the case keeps them apart) and checks that every one
// succeeds with its own records, results, notification and resources,
// nothing of one case found under or pointing at another, and that nothing
// is left in EC2. It prints the counts to out/reliability/concurrency.txt.
func TestConcurrentCases(t *testing.T) {
	env := environment(t)
	f := env.Fixture()
	ctx := context.Background()

	reqs := make([]investigation.Request, concurrentCases)
	runs := make([]localaws.RunRequest, concurrentCases)
	for i := range reqs {
		id := fmt.Sprintf("case-burst-%04d", i+1)
		if i%2 == 0 {
			reqs[i] = f.DiskRequest(id)
		} else {
			reqs[i] = f.MemoryRequest(id)
		}
		input, err := json.Marshal(reqs[i])
		require.NoError(t, err)
		runs[i] = localaws.RunRequest{Input: input}
	}

	started := time.Now()
	res, err := env.RunConcurrently(ctx, runs)
	elapsed := time.Since(started)
	require.NoError(t, err, "run %d cases together (logs in %s)", concurrentCases, env.LogDir())
	require.Len(t, res.Outcomes, concurrentCases, "outcomes")

	var rows []string
	succeeded, lost, crossing, left := 0, 0, 0, 0
	for i, out := range res.Outcomes {
		req := reqs[i]
		c := checkCase(t, env, req, out)
		if c.succeeded {
			succeeded++
		} else {
			lost++
		}
		crossing += len(c.crossings)
		left += c.left
		rows = append(rows, fmt.Sprintf("%-16s %-6s %-9s %9d %13d %9d %7d %8d %4d",
			req.ForensicID, req.ForensicType, out.Status, c.artifacts, len(out.Notifications),
			len(out.InstanceIDs), c.volumes, len(c.crossings), c.left))
		assert.Empty(t, c.crossings, "case %s: records, results or resources crossing to another case", req.ForensicID)
	}
	for _, n := range res.Unclaimed {
		crossing++
		t.Errorf("a notification names none of the cases: %.300s", n.Message)
	}
	global := globalLeftovers(t, env)
	left += len(global)
	assert.Empty(t, global, "forensic resources left in EC2 by any case")
	assert.Equal(t, concurrentCases, succeeded, "cases that succeeded")

	var b strings.Builder
	fmt.Fprintf(&b, "Concurrency: %d cases (%d DISK, %d MEMORY) started together against the emulator\n",
		concurrentCases, (concurrentCases+1)/2, concurrentCases/2)
	fmt.Fprintf(&b, "elapsed: %s; Lambda execution environments started: %s\n\n", elapsed.Round(time.Second), environments(env))
	fmt.Fprintf(&b, "%-16s %-6s %-9s %9s %13s %9s %7s %8s %4s\n",
		"case", "type", "status", "artifacts", "notifications", "instances", "volumes", "crossing", "left")
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	fmt.Fprintf(&b, "\ncases started together: %d, succeeded: %d, lost: %d, records crossing: %d, resources left: %d\n",
		concurrentCases, succeeded, lost, crossing, left)
	writeReliability(t, "concurrency", b.String())
}

// caseCheck is what checkCase found of one case.
type caseCheck struct {
	succeeded bool
	artifacts int
	// volumes counts the evidence volumes the case created.
	volumes int
	// crossings names every record, object, message, command or resource
	// of the case that belongs to, or points at, another case.
	crossings []string
	// left counts the case's resources still in EC2.
	left int
}

// checkCase checks one case of a concurrent run: it succeeded and was
// notified once, and everything of it names it and only it.
func checkCase(t *testing.T, env *localaws.Environment, req investigation.Request, out *localaws.Outcome) caseCheck {
	t.Helper()
	ctx := context.Background()
	var c caseCheck
	cross := func(format string, args ...any) { c.crossings = append(c.crossings, fmt.Sprintf(format, args...)) }
	id := req.ForensicID
	prefix := investigation.ResultsPrefix(id, req.ForensicType)
	casePrefix := investigation.CasesPrefix + id + "/"

	// The execution's last state names the case's instance and volumes.
	var st investigation.State
	if len(out.Execution.Output) > 0 {
		require.NoError(t, json.Unmarshal(out.Execution.Output, &st), "case %s: execution output", id)
	}
	c.succeeded = out.Status == sfnlocal.StatusSucceeded && out.Investigation != nil &&
		out.Investigation.Status == investigation.StatusSucceeded && len(out.Notifications) == 1
	l := out.Leftovers
	c.left = len(l.Instances) + len(l.Volumes) + len(l.SecurityGroups)
	assertNothingLeft(t, out)
	if !c.succeeded {
		// A lost case has no results to compare: the report counts it.
		t.Errorf("case %s was lost: execution %s %s (%.300s), %d notifications", id, out.Status, out.Error, out.Cause, len(out.Notifications))
		return c
	}
	if st.ForensicID != id || st.ForensicType != req.ForensicType {
		cross("the execution's state is of case %s %s", st.ForensicID, st.ForensicType)
	}
	if out.Investigation != nil && out.Investigation.ResultsS3URI != "s3://"+fixture.ResultsBucket+"/"+prefix {
		cross("the investigation record points at results %s", out.Investigation.ResultsS3URI)
	}

	// Artifact records: under the case's prefix, naming objects that are
	// there with the recorded size and SHA-256.
	check, err := fixture.VerifyArtifacts(ctx, env.Clients(), id)
	require.NoError(t, err)
	c.artifacts = len(check.Records)
	assert.NotEmpty(t, check.Records, "case %s: artifact records", id)
	for _, m := range check.Mismatches {
		cross("artifact record %s", m)
	}
	for _, a := range check.Records {
		if a.Bucket != fixture.ResultsBucket || !strings.HasPrefix(a.Key, casePrefix) {
			cross("artifact record names s3://%s/%s", a.Bucket, a.Key)
		}
	}
	for _, o := range out.Results {
		if !strings.HasPrefix(o.Key, prefix) {
			cross("result object %s", o.Key)
		}
	}

	// The one notification names the case and its own results.
	for _, n := range out.Notifications {
		var msg notify.Message
		if err := json.Unmarshal(n.JSON, &msg); err != nil {
			cross("notification is not JSON: %.100s", n.Message)
			continue
		}
		if msg.Results == nil || msg.Results.S3URI != "s3://"+fixture.ResultsBucket+"/"+prefix {
			cross("notification points at results %+v", msg.Results)
		}
		if msg.Records.Investigation.PK != investigation.CasePartition(id) {
			cross("notification points at record %s", msg.Records.Investigation.PK)
		}
		if msg.Status != investigation.StatusSucceeded {
			cross("notification says %s %s: %s", msg.Status, msg.Reason, msg.Detail)
		}
	}

	// results.json names the case and its own evidence.
	var results struct {
		ForensicID string `json:"forensicId"`
		Devices    []struct {
			Evidence string `json:"evidence"`
		} `json:"devices"`
		Dump struct {
			Source string `json:"source"`
		} `json:"dump"`
	}
	readResults(t, env, id, req.ForensicType, &results)
	if results.ForensicID != id {
		cross("results.json is of case %s", results.ForensicID)
	}
	var volumes []string
	for _, v := range st.Volumes {
		volumes = append(volumes, v.VolumeID)
	}
	c.volumes = len(volumes)
	switch req.ForensicType {
	case investigation.ForensicTypeDisk:
		assert.Len(t, volumes, len(req.Disk.Snapshots), "case %s: one evidence volume per snapshot", id)
		var analysed []string
		for _, d := range results.Devices {
			analysed = append(analysed, d.Evidence)
		}
		if !sameSet(analysed, volumes) {
			cross("results.json analysed volumes %v; the case attached %v", analysed, volumes)
		}
	case investigation.ForensicTypeMemory:
		if results.Dump.Source != req.Memory.S3URI {
			cross("results.json analysed dump %s", results.Dump.Source)
		}
	}

	// Its one instance is tagged with it, and its release removed its own
	// instance and volumes and nothing else.
	if st.Instance == nil || len(out.InstanceIDs) != 1 || out.InstanceIDs[0] != st.Instance.InstanceID {
		cross("instances tagged with the case %v; the case launched %+v", out.InstanceIDs, st.Instance)
	}
	if cl := st.Cleanup; cl != nil {
		if st.Instance != nil && !slices.Equal(cl.TerminatedInstances, []string{st.Instance.InstanceID}) {
			cross("the release terminated %v", cl.TerminatedInstances)
		}
		for _, v := range volumes {
			if !slices.Contains(cl.DeletedVolumes, v) {
				cross("the release did not delete its volume %s (deleted %v)", v, cl.DeletedVolumes)
			}
		}
		if st.Instance != nil && !slices.Equal(cl.DeletedGroups, []string{st.Instance.SecurityGroupID}) {
			cross("the release deleted security groups %v", cl.DeletedGroups)
		}
	} else {
		cross("no release recorded")
	}
	for _, e := range custodyEvents(t, env, id, "volume-attached") {
		if st.Instance != nil && e.Resources["instanceId"] != st.Instance.InstanceID {
			cross("volume %s attached to %s", e.Resources["volumeId"], e.Resources["instanceId"])
		}
		if !slices.Contains(volumes, e.Resources["volumeId"]) {
			cross("custody log attaches volume %s", e.Resources["volumeId"])
		}
	}

	// The SSM commands sent to its instance carry its ID and prefixes.
	assert.NotEmpty(t, out.Commands, "case %s: commands on its instance", id)
	for _, cmd := range out.Commands {
		if p := cmd.Param("forensicId"); p != "" && p != id {
			cross("command %s carries forensicId %s", cmd.CommandID, p)
		}
		if p := cmd.Param("resultsPrefix"); p != "" && !strings.HasPrefix(p+"/", casePrefix) {
			cross("command %s writes results to %s", cmd.CommandID, p)
		}
		if p := cmd.OutputS3KeyPrefix; p != "" && !strings.HasPrefix(p, casePrefix) {
			cross("command %s writes its output to %s", cmd.CommandID, p)
		}
	}

	return c
}

// globalLeftovers lists every Casefile instance still alive, every volume
// and every security group tagged with any case, whatever the case.
func globalLeftovers(t *testing.T, env *localaws.Environment) []string {
	t.Helper()
	ctx := context.Background()
	c := env.Clients()
	tagged := ec2types.Filter{Name: aws.String("tag-key"), Values: []string{investigation.TagForensicID}}
	var left []string
	insts, err := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		tagged, {Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"}},
	}})
	require.NoError(t, err)
	for _, r := range insts.Reservations {
		for _, i := range r.Instances {
			left = append(left, "instance "+aws.ToString(i.InstanceId))
		}
	}
	vols, err := c.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{tagged}})
	require.NoError(t, err)
	for _, v := range vols.Volumes {
		left = append(left, "volume "+aws.ToString(v.VolumeId))
	}
	groups, err := c.EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{tagged}})
	require.NoError(t, err)
	for _, g := range groups.SecurityGroups {
		if fixture.IsolationGroup(g) {
			continue // it stays on the isolated instance
		}
		left = append(left, "security group "+aws.ToString(g.GroupId))
	}
	return left
}

// environments says how many Lambda execution environments each handler
// started, for the report.
func environments(env *localaws.Environment) string {
	var parts []string
	for _, fn := range env.Functions() {
		if n := env.LambdaEnvironments(fn.Handler); n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", fn.Handler, n))
		}
	}
	return strings.Join(parts, ", ")
}

// sameSet reports whether a and b hold the same strings, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
