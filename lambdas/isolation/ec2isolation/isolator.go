package ec2isolation

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Isolator isolates EC2 instances with clients built on the application
// account's isolation role.
type Isolator struct {
	EC2         EC2API
	IAM         IAMAPI
	AutoScaling AutoScalingAPI
	// DenyProfileName is the instance profile, in the application
	// account, whose role denies everything. If empty,
	// investigation.DefaultIsolationDenyProfile.
	DenyProfileName string
	// Now is the clock. The old role's sessions are revoked up to its
	// time once the deny profile is on the instance (rolesessions.CutOff),
	// so that none issued to the instance before the swap is spared. If
	// nil, time.Now.
	Now func() time.Time
	// Logger receives one line per measure. If nil, nothing is logged.
	Logger *slog.Logger
}

// Target is the instance to isolate and the measures the isolation
// decision asked for.
type Target struct {
	ForensicID string
	InstanceID string
	// Measures are the measures to apply; empty means every EC2 measure.
	// Names of other kinds of measure (an EKS decision's) are ignored.
	Measures []investigation.MeasureName
}

// Reasons shared by several measures.
const (
	reasonNotAsked = "not asked for by the policy"
)

// executionOrder is the order in which the measures run. It differs from
// the order of investigation.EC2Measures, in which they are returned: the
// instance is protected from termination and taken out of its Auto Scaling
// group first, so that a group whose health checks start failing once the
// network is cut cannot replace (terminate) it; its role's sessions are
// revoked once the deny profile is on, so that the instance's next
// credentials are already the deny profile's.
var executionOrder = []investigation.MeasureName{
	investigation.MeasureTerminationProtection,
	investigation.MeasureAutoScaling,
	investigation.MeasureSecurityGroups,
	investigation.MeasureElasticIPs,
	investigation.MeasureInstanceProfile,
	investigation.MeasureRoleSessions,
}

// Isolate applies the target's measures to its instance and returns one
// Measure per EC2 measure, in the order of investigation.EC2Measures. A
// measure that an API refuses is FAILED with the API's message and the
// others still run. The error is only for an isolation that cannot start:
// a target without IDs, or an instance that cannot be described, is not
// found, or is terminated or shutting down.
func (iso *Isolator) Isolate(ctx context.Context, t Target) ([]investigation.Measure, error) {
	if t.ForensicID == "" {
		return nil, fmt.Errorf("isolation target: forensicId is empty")
	}
	if t.InstanceID == "" {
		return nil, fmt.Errorf("isolation target of case %s: instanceId is empty", t.ForensicID)
	}
	inst, err := iso.describeInstance(ctx, t.InstanceID)
	if err != nil {
		return nil, err
	}
	r := &run{
		iso:     iso,
		target:  t,
		inst:    inst,
		records: readRecords(inst.tags),
	}
	done := map[investigation.MeasureName]investigation.Measure{}
	for _, name := range executionOrder {
		m := r.measure(ctx, name)
		iso.logger().InfoContext(ctx, "isolation measure", "forensicId", t.ForensicID,
			"instanceId", t.InstanceID, "measure", m.Name, "status", m.Status, "reason", m.Reason)
		done[name] = m
	}
	measures := make([]investigation.Measure, 0, len(investigation.EC2Measures))
	for _, name := range investigation.EC2Measures {
		measures = append(measures, done[name])
	}
	r.markIsolated(ctx, measures)
	return measures, nil
}

// run is one Isolate call.
type run struct {
	iso     *Isolator
	target  Target
	inst    instance
	records map[investigation.MeasureName]record
	// profileOriginal is the instance-profile measure's original
	// settings, once that measure has read them in this run.
	profileOriginal map[string]string
	// profileWasDeny says whether the instance had the deny profile
	// before this run, once the instance-profile measure has looked.
	profileWasDeny *bool
}

// measure runs one measure, unless the policy left it out. Each measure
// reads the instance's settings first and trusts an earlier run's record
// only while those settings are still the isolation's: an instance that
// an operator restored since is isolated afresh, with the restored
// settings as its originals.
func (r *run) measure(ctx context.Context, name investigation.MeasureName) investigation.Measure {
	if !r.wanted(name) {
		return investigation.Measure{Name: name, Target: r.inst.id, Status: investigation.MeasureSkipped, Reason: reasonNotAsked}
	}
	switch name {
	case investigation.MeasureSecurityGroups:
		return r.securityGroups(ctx)
	case investigation.MeasureInstanceProfile:
		return r.instanceProfile(ctx)
	case investigation.MeasureRoleSessions:
		return r.roleSessions(ctx)
	case investigation.MeasureTerminationProtection:
		return r.terminationProtection(ctx)
	case investigation.MeasureElasticIPs:
		return r.elasticIPs(ctx)
	default:
		return r.autoScaling(ctx)
	}
}

func (r *run) wanted(name investigation.MeasureName) bool {
	return len(r.target.Measures) == 0 || slices.Contains(r.target.Measures, name)
}

func (iso *Isolator) denyProfile() string {
	if iso.DenyProfileName != "" {
		return iso.DenyProfileName
	}
	return investigation.DefaultIsolationDenyProfile
}

func (iso *Isolator) now() time.Time {
	if iso.Now != nil {
		return iso.Now()
	}
	return time.Now()
}

func (iso *Isolator) logger() *slog.Logger {
	if iso.Logger != nil {
		return iso.Logger
	}
	return slog.New(slog.DiscardHandler)
}
