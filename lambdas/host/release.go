package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Custody-log names of the release step: ReleaseResources on the success
// path, Cleanup on the failure path (the state then carries an error).
const (
	StepReleaseResources = "ReleaseResources"
	StepCleanup          = "Cleanup"
)

// Defaults of the release step's waits. Each wait is also cut short by the
// Lambda's deadline, keeping the reserve below for the steps after it, so
// that the step always gets to report what it could not remove.
var (
	defaultTerminateWait = WaitOptions{MinDelay: 5 * time.Second, MaxDelay: 15 * time.Second, Timeout: 4 * time.Minute}
	defaultDetachWait    = WaitOptions{MinDelay: 2 * time.Second, MaxDelay: 10 * time.Second, Timeout: 90 * time.Second}
	// defaultGroupWait spaces the retries of a security group deletion
	// that EC2 refuses while the terminated instance's network interface
	// is still going away (MinDelay apart, for at most Timeout).
	defaultGroupWait = WaitOptions{MinDelay: 10 * time.Second, MaxDelay: 10 * time.Second, Timeout: 90 * time.Second}
)

// Time the release keeps after each wait, before the Lambda deadline.
const (
	terminateReserve = 60 * time.Second
	detachReserve    = 30 * time.Second
	groupReserve     = 10 * time.Second
)

// ReleaseEC2 is the part of the EC2 API that Releaser calls.
type ReleaseEC2 interface {
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	TerminateInstances(ctx context.Context, in *ec2.TerminateInstancesInput, optFns ...func(*ec2.Options)) (*ec2.TerminateInstancesOutput, error)
	DescribeVolumes(ctx context.Context, in *ec2.DescribeVolumesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error)
	DetachVolume(ctx context.Context, in *ec2.DetachVolumeInput, optFns ...func(*ec2.Options)) (*ec2.DetachVolumeOutput, error)
	DeleteVolume(ctx context.Context, in *ec2.DeleteVolumeInput, optFns ...func(*ec2.Options)) (*ec2.DeleteVolumeOutput, error)
	DescribeSecurityGroups(ctx context.Context, in *ec2.DescribeSecurityGroupsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
	DeleteSecurityGroup(ctx context.Context, in *ec2.DeleteSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.DeleteSecurityGroupOutput, error)
}

// Releaser is the ReleaseResources and Cleanup step: it removes everything
// an investigation created in EC2, whether the investigation succeeded or
// not. It finds the resources by the IDs in the state and by the case tags,
// so that a state that lost an ID (a step that failed half-way) still
// leaves nothing behind.
type Releaser struct {
	EC2      ReleaseEC2
	Recorder Recorder
	// TerminateWait bounds the wait for the instance to terminate,
	// DetachWait the wait for the volumes to be free, and GroupWait the
	// retries of a security group still in use. Zero fields take defaults.
	TerminateWait, DetachWait, GroupWait WaitOptions
	// Now is the clock of the custody log; nil means time.Now.
	Now func() time.Time
}

// Handle releases st's resources and sets st.Cleanup to what it removed.
// It is best-effort and idempotent: it tries every resource, then fails
// with CLEANUP_FAILED naming whatever is left. A state without a forensic
// ID or type (an invalid request) has nothing to release.
func (r *Releaser) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	if st.ForensicID == "" || st.ForensicType == "" {
		return st, nil
	}
	step := StepReleaseResources
	if st.Error != nil {
		step = StepCleanup
	}
	run := &releaseRun{
		r:             r,
		trail:         newCustody(r.Recorder, r.Now, st, step),
		st:            st,
		terminateWait: r.TerminateWait.orDefault(defaultTerminateWait),
		detachWait:    r.DetachWait.orDefault(defaultDetachWait),
		groupWait:     r.GroupWait.orDefault(defaultGroupWait),
		done:          &investigation.Cleanup{},
	}

	found := run.find(ctx)
	run.detachVolumes(ctx, found.volumes)
	run.terminateInstances(ctx, found.instances)
	run.deleteVolumes(ctx, found.volumes)
	run.deleteGroups(ctx, found.groups)

	st.Cleanup = run.done
	return st, run.finish(ctx)
}

// releaseRun is one release: what it found, removed and could not remove.
type releaseRun struct {
	r     *Releaser
	trail caserecords.Trail
	st    investigation.State

	terminateWait, detachWait, groupWait WaitOptions

	done *investigation.Cleanup
	// leftovers names what is still there (or could not be searched for),
	// problems says why, recordErrs holds custody-log failures.
	leftovers  []string
	problems   []error
	recordErrs []error
}

// left notes a resource that could not be removed, and why.
func (run *releaseRun) left(what string, err error) {
	run.leftovers = append(run.leftovers, what)
	run.problems = append(run.problems, err)
}

// record appends a custody event; a failure is kept for the end, so that a
// custody-log outage does not stop the release.
func (run *releaseRun) record(ctx context.Context, action string, resources map[string]string, detail string) {
	if err := run.trail.Record(ctx, action, resources, detail); err != nil {
		run.recordErrs = append(run.recordErrs, err)
	}
}

// finish records the outcome and returns the step's error: CLEANUP_FAILED
// when anything is left, the custody-log failures otherwise.
func (run *releaseRun) finish(ctx context.Context) error {
	summary := fmt.Sprintf("terminated %d instance(s), deleted %d volume(s) and %d security group(s)",
		len(run.done.TerminatedInstances), len(run.done.DeletedVolumes), len(run.done.DeletedGroups))
	slog.InfoContext(ctx, "case resources released", "forensicId", run.st.ForensicID,
		"summary", summary, "leftovers", run.leftovers)
	if len(run.leftovers) > 0 {
		detail := summary + "; could not remove " + strings.Join(run.leftovers, ", ")
		run.record(ctx, "cleanup-incomplete", map[string]string{"leftovers": strings.Join(run.leftovers, ",")}, detail)
		failure := investigation.Fail(investigation.ReasonCleanupFailed, "case %s: could not remove %s: %w",
			run.st.ForensicID, strings.Join(run.leftovers, ", "), errors.Join(run.problems...))
		if len(run.recordErrs) > 0 {
			return fmt.Errorf("%w; and %w", failure, errors.Join(run.recordErrs...))
		}
		return failure
	}
	run.record(ctx, "resources-released", nil, summary)
	return errors.Join(run.recordErrs...)
}
