// Package results is the CollectResults step: every object the forensics
// wrote under the case's results prefix, and the output of the case's SSM
// commands, becomes an artifact record with its size and SHA-256, checked
// against S3's stored checksum and, for the results, the scripts' manifest.
package results

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Step and actions of the custody events.
const (
	StepCollectResults        = "CollectResults"
	ActionResultsCollected    = "results-collected"
	ActionResultsVerifyFailed = "results-verification-failed"
)

// Records is the part of the case store that the results step uses.
type Records interface {
	PutArtifact(ctx context.Context, a caserecords.Artifact) error
	AppendEvent(ctx context.Context, e caserecords.Event) error
}

// Handler handles the CollectResults step.
type Handler struct {
	s3      S3
	records Records
	bucket  string
	now     func() time.Time
}

// New returns a Handler that collects results from bucket.
func New(client S3, records Records, bucket string) *Handler {
	return &Handler{s3: client, records: records, bucket: bucket, now: time.Now}
}

// Handle records every result object of the investigation in st and
// returns st with Results set. The objects under the results prefix are
// checked against the scripts' manifest (see Manifest for which manifest
// covers which object); the SSM command output is checked against S3's
// stored checksum only. Any error, a missing or malformed manifest, an
// object the manifest does not list, a listed object that is missing, and
// any size or hash that disagrees with S3's checksum or the manifest fails
// the step with RESULTS_COLLECTION_FAILED naming the key; the objects that
// could be read are recorded first, with the hash computed here.
func (h *Handler) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	if st.ForensicID == "" || st.ForensicType == "" {
		return st, investigation.Fail(investigation.ReasonResultsCollection, "state has no forensicId or forensicType")
	}
	now := h.now()
	prefix := investigation.ResultsPrefix(st.ForensicID, st.ForensicType)
	results, err := list(ctx, h.s3, h.bucket, prefix)
	if err != nil {
		return st, investigation.Fail(investigation.ReasonResultsCollection, "%w", err)
	}
	outputs, err := list(ctx, h.s3, h.bucket, investigation.CommandOutputPrefix(st.ForensicID))
	if err != nil {
		return st, investigation.Fail(investigation.ReasonResultsCollection, "%w", err)
	}
	outputs = commandOutputs(outputs, commandIDs(st))

	var problems []error
	var readResults, read []hashed
	for _, o := range results {
		hd, err := hash(ctx, h.s3, h.bucket, o, o.Key == prefix+ManifestName)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		readResults = append(readResults, hd)
	}
	manifest, verifyProblems := verifyResults(prefix, results, readResults)
	problems = append(problems, verifyProblems...)
	read = append(read, readResults...)
	for _, o := range outputs {
		hd, err := hash(ctx, h.s3, h.bucket, o, false)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		read = append(read, hd)
	}

	for _, hd := range read {
		a := caserecords.Artifact{
			ForensicID: st.ForensicID, ForensicType: st.ForensicType,
			Bucket: h.bucket, Key: hd.Key, SizeBytes: hd.Size, SHA256: hd.SHA256, Time: now,
		}
		if e, ok := manifest[hd.Key]; ok {
			a.Tool, a.ToolVersion, a.Evidence = e.Tool, e.ToolVersion, e.Evidence
		}
		if err := h.records.PutArtifact(ctx, a); err != nil {
			problems = append(problems, err)
		}
	}

	uri := "s3://" + h.bucket + "/" + prefix
	if len(problems) > 0 {
		err := errors.Join(problems...)
		if evErr := h.records.AppendEvent(ctx, caserecords.Event{
			ForensicID: st.ForensicID, ForensicType: st.ForensicType,
			Step: StepCollectResults, Action: ActionResultsVerifyFailed,
			Resources: map[string]string{"s3Uri": uri, "problems": strconv.Itoa(len(problems))},
			Detail:    truncate(err.Error(), 2048), Time: now,
		}); evErr != nil {
			err = errors.Join(err, evErr)
		}
		return st, investigation.Fail(investigation.ReasonResultsCollection, "%d problem(s) with the results under %s: %w", len(problems), uri, err)
	}

	if err := h.records.AppendEvent(ctx, caserecords.Event{
		ForensicID: st.ForensicID, ForensicType: st.ForensicType,
		Step: StepCollectResults, Action: ActionResultsCollected,
		Resources: map[string]string{"s3Uri": uri, "artifactCount": strconv.Itoa(len(read)), "manifestEntries": strconv.Itoa(len(manifest))},
		Detail:    fmt.Sprintf("%d artifacts recorded with SHA-256", len(read)),
		Time:      now,
	}); err != nil {
		return st, investigation.Fail(investigation.ReasonResultsCollection, "%w", err)
	}
	st.Results = &investigation.Results{S3URI: uri, ArtifactCount: len(read)}
	slog.InfoContext(ctx, "results collected", "forensicId", st.ForensicID, "forensicType", st.ForensicType,
		"s3Uri", uri, "artifactCount", len(read))
	return st, nil
}

// commandIDs returns the SSM commands of the investigation in st.
func commandIDs(st investigation.State) []string {
	var ids []string
	if st.Command != nil && st.Command.CommandID != "" {
		ids = append(ids, st.Command.CommandID)
	}
	if st.Readiness != nil && st.Readiness.ProbeCommandID != "" {
		ids = append(ids, st.Readiness.ProbeCommandID)
	}
	return ids
}

// commandOutputs keeps the output objects of the given commands (SSM writes
// them under <prefix>/<commandId>/<instanceId>/...), or all of them when no
// command is known, since the case's output prefix is shared by its
// evidence types.
func commandOutputs(objects []object, ids []string) []object {
	if len(ids) == 0 {
		return objects
	}
	var kept []object
	for _, o := range objects {
		segments := strings.Split(o.Key, "/")
		if slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(segments, id) }) {
			kept = append(kept, o)
		}
	}
	return kept
}

// truncate cuts s to max bytes for an event detail.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "..."
}
