// Package isolation is the Isolate step: the isolation policy decides from
// the case's Security Hub finding whether and how to contain the
// compromised resource, and the application account's role applies the
// measures to the EC2 instance, or to the EKS pod and its node. Every
// measure is recorded on the case as applied, skipped, impossible or
// failed, with the setting it replaced.
//
// Isolation never fails the investigation: a role that cannot be assumed,
// a resource that is not found or a measure that is refused is recorded,
// and the evidence is still examined. Only a case record that cannot be
// written is an error (the workflow's Catch keeps it and goes on).
package isolation

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// StepIsolate is the step's name in the custody log.
const StepIsolate = "Isolate"

// The actions of the step's custody events.
const (
	ActionIsolated        = "isolated"
	ActionPartlyIsolated  = "partly-isolated"
	ActionNotIsolated     = "not-isolated"
	ActionIsolationFailed = "isolation-failed"
)

// recordReserve is the time kept after the measures for writing the case
// record, so that a measure whose API never answers is still recorded.
const recordReserve = 3 * time.Second

// Decider is the isolation policy (policy.Policy).
type Decider interface {
	Decide(f *investigation.Finding) investigation.IsolationDecision
}

// InstanceIsolator isolates one EC2 instance of the application account.
type InstanceIsolator interface {
	IsolateInstance(ctx context.Context, forensicID, instanceID string, measures []investigation.MeasureName) ([]investigation.Measure, error)
}

// Workload is an EKS case's workload, as the isolation sees it.
type Workload struct {
	ForensicID     string
	ClusterName    string
	NodeInstanceID string
	Namespace      string
	PodName        string
	Measures       []investigation.MeasureName
}

// WorkloadIsolation is what the isolation of an EKS workload did.
type WorkloadIsolation struct {
	Measures []investigation.Measure
	NodeName string
	// Compute is EC2, SPOT or FARGATE.
	Compute string
	// Notes are findings about the workload worth keeping, such as a pod
	// that runs on another node than the request names.
	Notes []string
}

// WorkloadIsolator isolates an EKS workload: its pod and its node.
type WorkloadIsolator interface {
	IsolateWorkload(ctx context.Context, w Workload) (WorkloadIsolation, error)
}

// Account is the application account's isolators, acting through the
// role that the isolation assumes there.
type Account struct {
	Instances InstanceIsolator
	Workloads WorkloadIsolator
}

// Accounts opens an application account: it assumes the isolation role of
// accountID, in a session named after the case, and returns isolators for
// region.
type Accounts interface {
	Open(ctx context.Context, forensicID, accountID, region string) (Account, error)
}

// Records is the part of the case store the step uses.
type Records interface {
	caserecords.Recorder
	PutIsolation(ctx context.Context, iso caserecords.Isolation) error
}

// Handler handles the Isolate step.
type Handler struct {
	policy   Decider
	accounts Accounts
	records  Records
	logger   *slog.Logger
	now      func() time.Time
}

// New returns a Handler; logger may be nil.
func New(policy Decider, accounts Accounts, records Records, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{policy: policy, accounts: accounts, records: records, logger: logger, now: time.Now}
}

// Handle decides, isolates and records, and returns the state with the
// isolation's summary.
func (h *Handler) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	req, err := investigation.ParseRequest(st.Request)
	if err != nil {
		// RecordCase let only valid requests through.
		return st, investigation.Fail(investigation.ReasonInvalidRequest, "isolate: %w", err)
	}
	iso := caserecords.Isolation{ForensicID: st.ForensicID, ForensicType: st.ForensicType, Decision: h.policy.Decide(req.Finding)}
	if iso.Decision.Action == investigation.IsolationIsolate {
		h.isolate(ctx, req.Resource, &iso)
	} else {
		iso.Status = investigation.IsolationStatusNotIsolated
	}
	iso.Time = h.now().UTC()
	// The record is written with a context of its own when the measures
	// used up the step's time.
	recordCtx, cancel := recordContext(ctx)
	defer cancel()
	if err := h.records.PutIsolation(recordCtx, iso); err != nil {
		return st, err
	}
	trail := caserecords.NewTrail(h.records, h.now, st, StepIsolate)
	if err := trail.Record(recordCtx, eventAction(iso.Status), eventResources(req.Resource, iso), eventDetail(iso)); err != nil {
		return st, err
	}
	st.Isolation = summary(iso)
	h.logger.InfoContext(ctx, "isolation recorded", "forensicId", st.ForensicID, "action", iso.Decision.Action,
		"rule", iso.Decision.Rule, "status", iso.Status, "failed", st.Isolation.Failed)
	return st, nil
}

// isolate applies the decision's measures to the resource and fills in
// iso's status, measures and error.
func (h *Handler) isolate(ctx context.Context, res investigation.Resource, iso *caserecords.Isolation) {
	measureCtx, cancel := measureContext(ctx)
	defer cancel()
	acct, err := h.accounts.Open(measureCtx, iso.ForensicID, res.AccountID, res.Region)
	if err != nil {
		iso.Status, iso.Error = investigation.IsolationStatusFailed, investigation.Truncate(err.Error(), maxError)
		return
	}
	if eks := res.EKS; eks != nil {
		var w WorkloadIsolation
		w, err = acct.Workloads.IsolateWorkload(measureCtx, Workload{
			ForensicID: iso.ForensicID, ClusterName: eks.ClusterName, NodeInstanceID: eks.NodeInstanceID,
			Namespace: eks.Namespace, PodName: eks.PodName, Measures: iso.Decision.Measures,
		})
		iso.Measures, iso.NodeName, iso.Compute, iso.Notes = w.Measures, w.NodeName, w.Compute, w.Notes
	} else {
		iso.Measures, err = acct.Instances.IsolateInstance(measureCtx, iso.ForensicID, res.InstanceID, iso.Decision.Measures)
	}
	iso.Status = statusOf(iso.Measures, err)
	if err != nil {
		iso.Error = investigation.Truncate(err.Error(), maxError)
	}
}

// maxError bounds the error kept on the record.
const maxError = 1024

// statusOf is the isolation's status from its measures and the error that
// stopped it, if any.
func statusOf(measures []investigation.Measure, err error) string {
	if err != nil {
		if len(measures) > 0 {
			return investigation.IsolationStatusPartial
		}
		return investigation.IsolationStatusFailed
	}
	applied := false
	for _, m := range measures {
		switch m.Status {
		case investigation.MeasureFailed, investigation.MeasureImpossible:
			return investigation.IsolationStatusPartial
		case investigation.MeasureApplied:
			applied = true
		}
	}
	if !applied {
		// Nothing was contained: every measure was skipped.
		return investigation.IsolationStatusPartial
	}
	return investigation.IsolationStatusIsolated
}

// measureContext leaves recordReserve of ctx's time for the record.
func measureContext(ctx context.Context) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-recordReserve))
}

// recordContext is ctx, or, when ctx has already ended, a context of
// recordReserve of its own.
func recordContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if ctx.Err() == nil {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(context.WithoutCancel(ctx), recordReserve)
}

func summary(iso caserecords.Isolation) *investigation.Isolation {
	s := &investigation.Isolation{Action: iso.Decision.Action, Rule: iso.Decision.Rule, Status: iso.Status}
	for _, m := range iso.Measures {
		switch m.Status {
		case investigation.MeasureApplied:
			s.Applied++
		case investigation.MeasureSkipped:
			s.Skipped++
		case investigation.MeasureImpossible:
			s.Impossible++
		case investigation.MeasureFailed:
			s.Failed++
		}
	}
	return s
}

func eventAction(status string) string {
	switch status {
	case investigation.IsolationStatusIsolated:
		return ActionIsolated
	case investigation.IsolationStatusPartial:
		return ActionPartlyIsolated
	case investigation.IsolationStatusNotIsolated:
		return ActionNotIsolated
	default:
		return ActionIsolationFailed
	}
}

func eventResources(res investigation.Resource, iso caserecords.Isolation) map[string]string {
	r := map[string]string{"rule": iso.Decision.Rule, "ruleSource": iso.Decision.Source}
	if eks := res.EKS; eks != nil {
		r["eksCluster"], r["nodeInstanceId"] = eks.ClusterName, eks.NodeInstanceID
		if eks.PodName != "" {
			r["pod"] = eks.Namespace + "/" + eks.PodName
		}
		if iso.NodeName != "" {
			r["node"] = iso.NodeName
		}
	} else {
		r["instanceId"] = res.InstanceID
	}
	return r
}

func eventDetail(iso caserecords.Isolation) string {
	s := summary(iso)
	d := fmt.Sprintf("%s by rule %s (%s)", iso.Decision.Action, iso.Decision.Rule, iso.Decision.Source)
	if iso.Decision.Matched != "" {
		d += " matching " + iso.Decision.Matched
	}
	if iso.Decision.Action == investigation.IsolationIsolate {
		d += fmt.Sprintf(": %d applied, %d skipped, %d impossible, %d failed", s.Applied, s.Skipped, s.Impossible, s.Failed)
	}
	if iso.Error != "" {
		d += "; " + iso.Error
	}
	for _, n := range iso.Notes {
		d += "; " + n
	}
	return investigation.Truncate(d, maxError)
}
