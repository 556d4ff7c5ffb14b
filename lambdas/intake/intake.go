// Package intake is the RecordCase step: it parses and validates the
// investigation request, records the case, and puts the forensic ID and
// type into the workflow state. An invalid request, one whose memory dump
// is outside the evidence bucket (the only bucket the forensic instance can
// read, in the forensic account), or one naming a snapshot that another
// account than resource.accountId owns, is recorded as a failed case and
// ends the workflow with INVALID_REQUEST, naming the field, before
// anything is launched.
package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// ActionRequestRedelivered is the event of a request whose investigation
// was already recorded.
const ActionRequestRedelivered = "request-redelivered"

// Records is the part of the case store that intake uses.
type Records interface {
	CreateCase(ctx context.Context, req investigation.Request, executionName string, now time.Time) (caserecords.Created, error)
	RecordRejected(ctx context.Context, caseID string, raw []byte, verr *investigation.ValidationError, executionName string, now time.Time) (bool, error)
	AppendEvent(ctx context.Context, e caserecords.Event) error
}

// Handler handles the RecordCase step.
type Handler struct {
	records        Records
	snapshots      Snapshots
	evidenceBucket string
	now            func() time.Time
}

// New returns a Handler that records cases in records, asks snapshots who
// owns a DISK request's snapshots, and accepts memory dumps in
// evidenceBucket only.
func New(records Records, snapshots Snapshots, evidenceBucket string) *Handler {
	return &Handler{records: records, snapshots: snapshots, evidenceBucket: evidenceBucket, now: time.Now}
}

// Handle records the request in st and returns st with ForensicID and
// ForensicType set. An invalid request fails with INVALID_REQUEST after it
// is recorded. A redelivered request leaves the recorded investigation as it
// is; one whose investigation already ended, or runs under another
// execution, fails with DUPLICATE_REQUEST, since a case and evidence type is
// investigated once (notify then publishes nothing: the investigation that
// runs or ran is the one that notifies). Only on success does st name the
// case: later steps, and notify, own the investigation record only then.
func (h *Handler) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	now := h.now()
	req, err := investigation.ParseRequest(st.Request)
	if err == nil {
		err = req.CheckEvidenceBucket(h.evidenceBucket)
	}
	if err != nil {
		return st, h.reject(ctx, st, err, now)
	}
	owners, err := snapshotOwners(ctx, h.snapshots, req)
	if err != nil {
		return st, fmt.Errorf("check the owners of %s's snapshots: %w", req.ForensicID, err)
	}
	if err := req.CheckSnapshotOwners(owners); err != nil {
		return st, h.reject(ctx, st, err, now)
	}

	created, err := h.records.CreateCase(ctx, req, st.ExecutionName, now)
	if err != nil {
		return st, err
	}
	action, detail := caserecords.ActionCaseRecorded, "case and investigation recorded as RECEIVED"
	if created.InvestigationExisted {
		action, detail = ActionRequestRedelivered, "investigation already recorded; left as it was"
		if created.ExistingStatus != "" {
			detail += " (" + string(created.ExistingStatus) + ")"
		}
		slog.InfoContext(ctx, "request redelivered", "forensicId", req.ForensicID,
			"forensicType", req.ForensicType, "status", created.ExistingStatus)
	}
	if err := h.records.AppendEvent(ctx, caserecords.Event{
		ForensicID:   req.ForensicID,
		ForensicType: req.ForensicType,
		Step:         caserecords.StepRecordCase,
		Action:       action,
		Resources:    resources(req, st.ExecutionName),
		Detail:       detail,
		Time:         now,
	}); err != nil {
		return st, err
	}
	if s := created.ExistingStatus; s == investigation.StatusSucceeded || s == investigation.StatusFailed {
		return st, investigation.Fail(investigation.ReasonDuplicateRequest,
			"forensicId: investigation %s %s already ended %s; a new investigation needs a new forensicId",
			req.ForensicID, req.ForensicType, s)
	}
	if other := created.ExistingExecution; other != "" && other != st.ExecutionName {
		return st, investigation.Fail(investigation.ReasonDuplicateRequest,
			"forensicId: investigation %s %s is already running as execution %s",
			req.ForensicID, req.ForensicType, other)
	}

	st.ForensicID, st.ForensicType = req.ForensicID, req.ForensicType
	slog.InfoContext(ctx, "case recorded", "forensicId", req.ForensicID, "forensicType", req.ForensicType,
		"resourceKey", req.Resource.Key(), "caseExisted", created.CaseExisted)
	return st, nil
}

// reject records an invalid request and returns the INVALID_REQUEST
// failure that names the field.
func (h *Handler) reject(ctx context.Context, st investigation.State, parseErr error, now time.Time) error {
	var verr *investigation.ValidationError
	if !errors.As(parseErr, &verr) {
		verr = &investigation.ValidationError{Field: investigation.RequestField, Problem: parseErr.Error()}
	}
	caseID := investigation.CaseID(st.Request, st.ExecutionName)
	sent, _ := investigation.RequestText(st.Request) // the request as sent, even when the starter quoted it
	if _, err := h.records.RecordRejected(ctx, caseID, sent, verr, st.ExecutionName, now); err != nil {
		return err
	}
	return investigation.Fail(investigation.ReasonInvalidRequest, "%s: %s", verr.Field, verr.Problem)
}

// resources names what the case is about, for the custody event.
func resources(req investigation.Request, executionName string) map[string]string {
	r := map[string]string{
		"executionName": executionName,
		"accountId":     req.Resource.AccountID,
		"region":        req.Resource.Region,
	}
	if req.Resource.InstanceID != "" {
		r["instanceId"] = req.Resource.InstanceID
	}
	if eks := req.Resource.EKS; eks != nil {
		r["eksClusterName"] = eks.ClusterName
		r["eksNodeInstanceId"] = eks.NodeInstanceID
		if eks.Namespace != "" {
			r["eksNamespace"] = eks.Namespace
		}
		if eks.PodName != "" {
			r["eksPodName"] = eks.PodName
		}
	}
	if req.Finding != nil {
		r["findingId"] = req.Finding.ID
	}
	return r
}
