package caserecords

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// ForensicTypeUnknown keys the investigation item of a rejected request
// whose forensicType is neither DISK nor MEMORY.
const ForensicTypeUnknown investigation.ForensicType = "UNKNOWN"

// MaxRawRequestBytes bounds how much of a rejected request is kept.
const MaxRawRequestBytes = 4 * 1024

// Event names of a rejected request.
const (
	StepRecordCase        = "RecordCase"
	ActionCaseRecorded    = "case-recorded"
	ActionRequestRejected = "request-rejected"
)

// RejectedType returns the evidence type under which a rejected request is
// recorded: its forensicType (the top-level key spelled exactly so, given
// once) when that is DISK or MEMORY, else ForensicTypeUnknown. With
// investigation.CaseID it gives the key of the rejected request's
// investigation item.
func RejectedType(raw []byte) investigation.ForensicType {
	switch _, t := investigation.RequestHead(raw); investigation.ForensicType(t) {
	case investigation.ForensicTypeDisk, investigation.ForensicTypeMemory:
		return investigation.ForensicType(t)
	}
	return ForensicTypeUnknown
}

// RecordRejected records a request that failed validation under caseID
// (investigation.CaseID) and RejectedType: an investigation item FAILED with
// INVALID_REQUEST, the field and the problem, and a custody event; both keep
// the first MaxRawRequestBytes of the request. An investigation item that is
// already there is left as it was (existed is true) and only the event
// records the rejection.
func (s *Store) RecordRejected(ctx context.Context, caseID string, raw []byte, verr *investigation.ValidationError, executionName string, now time.Time) (existed bool, err error) {
	if verr == nil {
		return false, errors.New("record rejected request: no validation error given")
	}
	t := RejectedType(raw)
	pk := investigation.CasePartition(caseID)
	at := timestamp(now)
	kept := truncateUTF8(string(raw), MaxRawRequestBytes)
	detail := verr.Field + ": " + verr.Problem

	inv := investigationItem{
		ForensicID:      caseID,
		ForensicType:    t,
		Status:          investigation.StatusFailed,
		ExecutionName:   executionName,
		CreatedAt:       at,
		UpdatedAt:       at,
		FinishedAt:      at,
		Reason:          investigation.ReasonInvalidRequest,
		ReasonDetail:    detail,
		InvalidField:    verr.Field,
		RawRequest:      kept,
		RawRequestBytes: len(raw),
	}
	existed, _, err = s.putIfAbsent(ctx, pk, investigation.InvestigationSortKey(t), inv)
	if err != nil {
		return false, fmt.Errorf("record rejected request %s: %w", caseID, err)
	}
	ev := Event{
		ForensicID:   caseID,
		ForensicType: t,
		Step:         StepRecordCase,
		Action:       ActionRequestRejected,
		Resources:    map[string]string{"executionName": executionName, "invalidField": verr.Field},
		Detail:       detail,
		Time:         now,
	}
	if err := s.putEvent(ctx, ev, kept); err != nil {
		return existed, fmt.Errorf("record rejected request %s: %w", caseID, err)
	}
	return existed, nil
}

// truncateUTF8 returns s as valid UTF-8, cut to at most max bytes on a
// character boundary.
func truncateUTF8(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
