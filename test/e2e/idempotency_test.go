package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/ec2isolation"
	"github.com/casefile-forensics/casefile/lambdas/starter"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

// Handlers whose responses TestIdempotency loses (folders of lambdas/cmd).
const (
	startHandler          = "start"
	createInstanceHandler = "createinstance"
	isolateHandler        = "isolate"
	attachEvidenceHandler = "attachevidence"
)

// idempotencyRow is one line of the idempotency report: how often the
// request or the call was delivered, and what that made.
type idempotencyRow struct {
	check      string
	deliveries int
	executions int
	instances  int
	volumes    int
	groups     int
	notes      int
	outcome    string
	left       int
	// wantVolumes is how many evidence volumes the case needs: one per
	// snapshot of a DISK case that got that far.
	wantVolumes int
}

// idempotencyReport collects the rows of TestIdempotency's subtests.
type idempotencyReport struct{ rows []idempotencyRow }

func (r *idempotencyReport) add(row idempotencyRow) { r.rows = append(r.rows, row) }

func (r *idempotencyReport) String() string {
	var b strings.Builder
	b.WriteString("Idempotency: the same request, or the same step, delivered more than once against the emulator\n")
	b.WriteString("(deliveries: events, executions or calls of the same request or step; executions: investigations that ran;\n")
	b.WriteString(" instances, volumes, groups: forensic instances, evidence volumes and case security groups created)\n\n")
	fmt.Fprintf(&b, "%-66s %10s %10s %9s %7s %6s %13s %4s  %s\n",
		"check", "deliveries", "executions", "instances", "volumes", "groups", "notifications", "left", "outcome")
	deliveries, executions, instances, volumes, left := 0, 0, 0, 0, 0
	extraExecutions, extraInstances, extraVolumes, extraGroups := 0, 0, 0, 0
	for _, row := range r.rows {
		extraExecutions += max(0, row.executions-1)
		extraInstances += max(0, row.instances-1)
		extraVolumes += max(0, row.volumes-row.wantVolumes)
		extraGroups += max(0, row.groups-1)
		fmt.Fprintf(&b, "%-66s %10d %10d %9d %7d %6d %13d %4d  %s\n",
			row.check, row.deliveries, row.executions, row.instances, row.volumes, row.groups, row.notes, row.left, row.outcome)
		deliveries += row.deliveries
		executions += row.executions
		instances += row.instances
		volumes += row.volumes
		left += row.left
	}
	fmt.Fprintf(&b, "\nsecond executions: %d, second instances: %d, second volumes: %d, second security groups: %d\n",
		extraExecutions, extraInstances, extraVolumes, extraGroups)
	fmt.Fprintf(&b, "idempotency checks: %d, deliveries: %d, executions: %d, instances: %d, volumes: %d, resources left: %d\n",
		len(r.rows), deliveries, executions, instances, volumes, left)
	return b.String()
}

// caseResources counts what the case made in EC2 since the last Reset:
// its forensic instances in any state (moto keeps terminated ones), and
// the CreateVolume and CreateSecurityGroup calls that moto carried out,
// lost responses included (moto forgets deleted volumes and groups),
// less the isolation's groups, which stay on the isolated instance.
func caseResources(t *testing.T, env *localaws.Environment, forensicID string) (instances, volumes, groups int) {
	t.Helper()
	all, err := fixture.CaseInstances(context.Background(), env.Clients(), forensicID)
	require.NoError(t, err)
	assert.Equal(t, len(all), env.Host().CarriedOut("ec2", "RunInstances"), "RunInstances calls moto carried out")
	isolation, err := fixture.IsolationGroups(context.Background(), env.Clients(), forensicID)
	require.NoError(t, err)
	return len(all), env.Host().CarriedOut("ec2", "CreateVolume"), env.Host().CarriedOut("ec2", "CreateSecurityGroup") - isolation
}

// investigationItems returns the case's investigation items as stored.
func investigationItems(t *testing.T, env *localaws.Environment, forensicID string) []map[string]any {
	t.Helper()
	items, err := fixture.ItemsWithSortPrefix[map[string]any](context.Background(), env.Clients(), forensicID, investigation.SortInvestigationPrefix)
	require.NoError(t, err)
	return items
}

// startEvent is the "Evidence Acquisition Completed" event whose detail is
// req, as EventBridge delivers it to the start function.
func startEvent(t *testing.T, id string, req any) json.RawMessage {
	t.Helper()
	detail, err := json.Marshal(req)
	require.NoError(t, err)
	ev, err := json.Marshal(events.CloudWatchEvent{
		Version: "0", ID: id, DetailType: workflow.AcquisitionEventDetailType, Source: workflow.AcquisitionEventSource,
		AccountID: "123456789012", Region: localaws.DefaultRegion, Resources: []string{}, Detail: detail,
	})
	require.NoError(t, err)
	return ev
}

// TestIdempotency delivers the same request, and the same steps, more
// than once and checks that one investigation runs and that every
// resource is made once, then prints the counts to
// out/reliability/idempotency.txt.
func TestIdempotency(t *testing.T) {
	report := &idempotencyReport{}
	t.Run("event delivered three times", func(t *testing.T) { testRedeliveredEvent(t, report) })
	t.Run("request run again after it ended", func(t *testing.T) { testRequestRunAgain(t, report) })
	t.Run("request started twice together", func(t *testing.T) { testRequestStartedTogether(t, report) })
	testRetriedSteps(t, report)
	writeReliability(t, "idempotency", report.String())
}

// testRedeliveredEvent hands the real start function the same event twice
// (EventBridge delivers at least once) and the same request in a new event
// (the acquisition published again) while the investigation runs: Step
// Functions (moto, as AWS) answers a StartExecution of a running
// execution's name and input with that execution. One more delivery after
// the execution ended is refused (ExecutionAlreadyExists) and reported as a
// duplicate. One execution, one investigation.
func testRedeliveredEvent(t *testing.T, report *idempotencyReport) {
	env := environment(t)
	ctx := context.Background()
	sfnc := env.Clients().SFN
	machine, err := env.RegisterStateMachine(ctx)
	require.NoError(t, err)
	req := env.Fixture().DiskRequest("case-redelivered-0001")
	wantName := investigation.ExecutionName(req.ForensicID, req.ForensicType)
	deliver := func(eventID string) starter.Started {
		t.Helper()
		out, err := env.Invoke(ctx, startHandler, startEvent(t, eventID, req))
		require.NoError(t, err, "deliver event %s to the start function", eventID)
		var s starter.Started
		require.NoError(t, json.Unmarshal(out, &s), "the start function's result: %s", out)
		assert.Equal(t, wantName, s.ExecutionName, "execution name of event %s", eventID)
		return s
	}

	first := deliver("5b0c1e7a-0000-4000-8000-000000000001")
	require.NotEmpty(t, first.ExecutionARN, "the first delivery starts an execution")
	for _, id := range []string{"5b0c1e7a-0000-4000-8000-000000000001", "5b0c1e7a-0000-4000-8000-000000000002"} {
		again := deliver(id)
		assert.Equal(t, first.ExecutionARN, again.ExecutionARN, "event %s while the execution runs gets the running execution", id)
	}
	list, err := sfnc.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	require.Len(t, list.Executions, 1, "executions in Step Functions after 3 deliveries")
	execution, err := sfnc.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(first.ExecutionARN)})
	require.NoError(t, err)

	// Step Functions would run the one execution it holds: run it here,
	// then close it in moto, which runs nothing.
	out, err := env.RunWith(ctx, json.RawMessage(aws.ToString(execution.Input)), localaws.RunOptions{ExecutionName: aws.ToString(execution.Name)})
	require.NoError(t, err, "run execution %s (logs in %s)", wantName, env.LogDir())
	assert.Equal(t, sfnlocal.StatusSucceeded, out.Status, "execution %s: %s", out.Error, out.Cause)
	assert.Len(t, out.Notifications, 1, "notifications")
	assertNothingLeft(t, out)
	_, err = sfnc.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(first.ExecutionARN)})
	require.NoError(t, err, "close the execution in moto")

	late := deliver("5b0c1e7a-0000-4000-8000-000000000001")
	assert.True(t, late.Duplicate, "a delivery after the execution ended is a duplicate")
	assert.Empty(t, late.ExecutionARN, "a duplicate starts no execution")
	list, err = sfnc.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
	require.NoError(t, err)
	assert.Len(t, list.Executions, 1, "executions in Step Functions after 4 deliveries")
	notes, err := fixture.ReceiveNotifications(ctx, env.Clients(), env.Fixture().QueueURL)
	require.NoError(t, err)
	assert.Empty(t, notes, "notifications after the late delivery")

	instances, volumes, groups := caseResources(t, env, req.ForensicID)
	assert.Equal(t, 1, instances, "forensic instances")
	assert.Equal(t, len(req.Disk.Snapshots), volumes, "evidence volumes")
	report.add(idempotencyRow{
		check: "EventBridge event: twice, re-published, again after the end", deliveries: 4,
		executions: len(list.Executions), instances: instances, volumes: volumes, groups: groups, wantVolumes: len(req.Disk.Snapshots),
		notes: len(out.Notifications) + len(notes), outcome: out.Status, left: leftCount(out),
	})
}

// testRequestRunAgain runs a request to its end, then runs it again under
// another execution name (a second StartExecution by the acquisition) and
// under the same name (a replay): both are refused at intake with
// DUPLICATE_REQUEST, nothing is launched or notified, and the first
// investigation's records and results are as it left them.
func testRequestRunAgain(t *testing.T, report *idempotencyReport) {
	env := environment(t)
	ctx := context.Background()
	req := env.Fixture().DiskRequest("case-rerun-0001")
	first := run(t, env, req)
	require.Equal(t, sfnlocal.StatusSucceeded, first.Status, "the first run")
	recordBefore := investigationItems(t, env, req.ForensicID)
	require.Len(t, recordBefore, 1, "investigation items")
	artifactsBefore, err := fixture.VerifyArtifacts(ctx, env.Clients(), req.ForensicID)
	require.NoError(t, err)

	input, err := json.Marshal(req)
	require.NoError(t, err)
	outs := []*localaws.Outcome{first}
	for _, name := range []string{"acquisition-rerun-0001", investigation.ExecutionName(req.ForensicID, req.ForensicType)} {
		again, err := env.RunWith(ctx, input, localaws.RunOptions{ExecutionName: name})
		require.NoError(t, err, "run the request again as %s", name)
		outs = append(outs, again)
		assertRefusedDuplicate(t, again)
		assert.Equal(t, recordBefore, investigationItems(t, env, req.ForensicID), "the first investigation's record after a run as %s", name)
		artifacts, err := fixture.VerifyArtifacts(ctx, env.Clients(), req.ForensicID)
		require.NoError(t, err)
		assert.Equal(t, artifactsBefore.Records, artifacts.Records, "artifact records after a run as %s", name)
		assert.Empty(t, artifacts.Mismatches, "artifacts whose object changed")
		assert.Equal(t, first.Results, again.Results, "results after a run as %s", name)
	}
	instances, volumes, groups := caseResources(t, env, req.ForensicID)
	assert.Equal(t, 1, instances, "forensic instances of the three runs")
	assert.Equal(t, len(req.Disk.Snapshots), volumes, "evidence volumes of the three runs")
	report.add(idempotencyRow{
		check: "request run again (another name, then the same name)", deliveries: len(outs),
		executions: investigated(outs), instances: instances, volumes: volumes, groups: groups, wantVolumes: len(req.Disk.Snapshots),
		notes: notifications(outs), outcome: outcomes(outs), left: leftCount(outs...),
	})
}

// testRequestStartedTogether starts the same request twice at once under
// two names: the conditional write of the investigation record lets one
// through; the other is refused without touching the first's instance.
func testRequestStartedTogether(t *testing.T, report *idempotencyReport) {
	env := environment(t)
	ctx := context.Background()
	req := env.Fixture().MemoryRequest("case-together-0001")
	input, err := json.Marshal(req)
	require.NoError(t, err)

	res, err := env.RunConcurrently(ctx, []localaws.RunRequest{
		{Input: input},
		{Input: input, Options: localaws.RunOptions{ExecutionName: "acquisition-direct-0001"}},
	})
	require.NoError(t, err, "run the request twice together (logs in %s)", env.LogDir())
	outs := res.Outcomes
	var winner *localaws.Outcome
	for _, o := range outs {
		if o.Status == sfnlocal.StatusSucceeded {
			require.Nil(t, winner, "only one of the two executions succeeds")
			winner = o
		} else {
			assertRefusedDuplicate(t, o)
		}
	}
	require.NotNil(t, winner, "one execution succeeds; got %s and %s", outs[0].Status, outs[1].Status)
	assert.Len(t, winner.Notifications, 1, "the investigation's notification")
	assert.Empty(t, res.Unclaimed, "notifications of neither execution")
	if assert.NotNil(t, winner.Investigation) {
		assert.Equal(t, investigation.StatusSucceeded, winner.Investigation.Status, "investigation status")
	}
	instances, volumes, groups := caseResources(t, env, req.ForensicID)
	assert.Equal(t, 1, instances, "forensic instances of the two executions")
	assertNothingLeft(t, winner)
	report.add(idempotencyRow{
		check: "request started twice together (two names)", deliveries: len(outs),
		executions: investigated(outs), instances: instances, volumes: volumes, groups: groups,
		notes: notifications(outs) + len(res.Unclaimed), outcome: outcomes(outs), left: leftCount(outs...),
	})
}

// assertRefusedDuplicate checks a run that intake refused as a duplicate:
// it failed with DUPLICATE_REQUEST before anything was launched, released
// nothing, and published no notification.
func assertRefusedDuplicate(t *testing.T, out *localaws.Outcome) {
	t.Helper()
	assert.Equal(t, sfnlocal.StatusFailed, out.Status, "execution %s status", out.ExecutionName)
	assert.Equal(t, string(investigation.ReasonDuplicateRequest), out.Error, "execution %s error (cause: %.300s)", out.ExecutionName, out.Cause)
	assert.NotContains(t, out.States, workflow.StateCreateInstance, "states entered by %s", out.ExecutionName)
	assert.Empty(t, out.Notifications, "notifications of %s", out.ExecutionName)
	if out, ok := out.Execution.LastOutput(workflow.StateCleanup); ok {
		var st investigation.State
		require.NoError(t, json.Unmarshal(out, &st))
		assert.Nil(t, st.Cleanup, "the refused execution releases nothing")
	}
}

// testRetriedSteps loses responses after the work was done: an EC2 call's
// (the SDK retries it) or a task's (Step Functions retries the task, so
// the handler runs twice with the same input). Each case still gets one
// instance, one volume per snapshot and one security group.
func testRetriedSteps(t *testing.T, report *idempotencyReport) {
	tests := []struct {
		name string
		// lose loses the responses and returns a description of the
		// deliveries for the report, read after the run.
		lose    func(env *localaws.Environment) func() int
		memory  bool
		want    string
		wantErr investigation.Reason
	}{
		{
			name: "RunInstances response lost once (SDK retry, same client token)",
			lose: loseEC2(forensichost.LostResponse{Service: "ec2", Operation: "RunInstances", Times: 1}),
			want: sfnlocal.StatusSucceeded,
		},
		{
			name: "RunInstances response lost on every SDK attempt",
			lose: loseEC2(forensichost.LostResponse{Service: "ec2", Operation: "RunInstances"}),
			want: sfnlocal.StatusFailed, wantErr: investigation.ReasonInstanceLaunch,
		},
		{
			name: "CreateSecurityGroup response lost once (SDK retry)",
			lose: loseEC2(forensichost.LostResponse{Service: "ec2", Operation: "CreateSecurityGroup", Times: 1,
				BodyContains: investigation.RoleCaseGroup}),
			want: sfnlocal.StatusSucceeded,
		},
		{
			name: "CreateVolume response lost once (SDK retry, same client token)",
			lose: loseEC2(forensichost.LostResponse{Service: "ec2", Operation: "CreateVolume", Times: 1}),
			want: sfnlocal.StatusSucceeded,
		},
		{
			name: "AttachVolume response lost once (SDK retry)",
			lose: loseEC2(forensichost.LostResponse{Service: "ec2", Operation: "AttachVolume", Times: 1}),
			want: sfnlocal.StatusSucceeded,
		},
		{
			name: "isolation group's CreateSecurityGroup response lost once (SDK retry)",
			lose: loseEC2(forensichost.LostResponse{Service: "ec2", Operation: "CreateSecurityGroup", Times: 1,
				BodyContains: ec2isolation.RoleIsolationGroup}),
			want: sfnlocal.StatusSucceeded,
		},
		{
			name: "Isolate task response lost (Step Functions retry)",
			lose: loseTask(isolateHandler),
			want: sfnlocal.StatusSucceeded,
		},
		{
			name: "CreateInstance task response lost (Step Functions retry)",
			lose: loseTask(createInstanceHandler),
			want: sfnlocal.StatusSucceeded,
		},
		{
			name:   "CreateInstance task response lost, MEMORY (Step Functions retry)",
			lose:   loseTask(createInstanceHandler),
			memory: true,
			want:   sfnlocal.StatusSucceeded,
		},
		{
			name: "AttachEvidence task response lost (Step Functions retry)",
			lose: loseTask(attachEvidenceHandler),
			want: sfnlocal.StatusSucceeded,
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := environment(t)
			id := fmt.Sprintf("case-retried-%04d", i+1)
			req := env.Fixture().DiskRequest(id)
			if tc.memory {
				req = env.Fixture().MemoryRequest(id)
			}
			deliveries := tc.lose(env)

			out := run(t, env, req)

			assert.Equal(t, tc.want, out.Status, "execution status (%s: %.300s)", out.Error, out.Cause)
			if tc.wantErr != "" {
				assert.Equal(t, string(tc.wantErr), out.Error, "execution error")
				if assert.NotNil(t, out.Investigation) {
					assert.Equal(t, tc.wantErr, out.Investigation.Reason, "recorded reason")
				}
			}
			n := deliveries()
			assert.Greater(t, n, 1, "the step or call was delivered more than once")
			assert.Len(t, out.Notifications, 1, "notifications")
			assertNothingLeft(t, out)
			isolationGroups, err := fixture.IsolationGroups(context.Background(), env.Clients(), id)
			require.NoError(t, err)
			assert.Equal(t, 2, isolationGroups, "the isolation made its two groups once")
			items := isolationItems(t, env, id)
			if assert.Len(t, items, 1) {
				assert.Equal(t, investigation.IsolationStatusIsolated, items[0].Status, "the isolation is whole: %+v", items[0].Measures)
			}
			instances, volumes, groups := caseResources(t, env, id)
			assert.Equal(t, 1, instances, "forensic instances")
			assert.Equal(t, 1, groups, "case security groups")
			wantVolumes := 0
			if !tc.memory && tc.want == sfnlocal.StatusSucceeded {
				wantVolumes = len(req.Disk.Snapshots)
			}
			assert.Equal(t, wantVolumes, volumes, "evidence volumes")
			report.add(idempotencyRow{
				check: tc.name, deliveries: n, executions: 1, instances: instances, volumes: volumes, groups: groups, wantVolumes: wantVolumes,
				notes: len(out.Notifications), outcome: outcomes([]*localaws.Outcome{out}), left: leftCount(out),
			})
		})
	}
}

// loseEC2 loses the responses of an EC2 call after moto did the work; the
// deliveries are the calls the forensic host received.
func loseEC2(l forensichost.LostResponse) func(env *localaws.Environment) func() int {
	return func(env *localaws.Environment) func() int {
		env.Host().LoseResponses(l)
		return func() int { return env.Host().Calls(l.Service, l.Operation) }
	}
}

// loseTask loses the response of the handler's first invocation by the
// state machine; the deliveries are the handler's invocations.
func loseTask(handler string) func(env *localaws.Environment) func() int {
	return func(env *localaws.Environment) func() int {
		env.LoseLambdaResponses(handler, 1)
		return func() int {
			n := 0
			for _, inv := range env.Invocations() {
				if inv.Function == handler {
					n++
				}
			}
			return n
		}
	}
}

// investigated counts the executions that got past intake.
func investigated(outs []*localaws.Outcome) int {
	n := 0
	for _, o := range outs {
		for _, s := range o.States {
			if s == workflow.StateCreateInstance {
				n++
				break
			}
		}
	}
	return n
}

func notifications(outs []*localaws.Outcome) int {
	n := 0
	for _, o := range outs {
		n += len(o.Notifications)
	}
	return n
}

// outcomes lists each execution's status and error.
func outcomes(outs []*localaws.Outcome) string {
	var parts []string
	for _, o := range outs {
		s := o.Status
		if o.Error != "" {
			s += " " + o.Error
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}

func leftCount(outs ...*localaws.Outcome) int {
	n := 0
	for _, o := range outs {
		n += len(o.Leftovers.Instances) + len(o.Leftovers.Volumes) + len(o.Leftovers.SecurityGroups)
	}
	return n
}
