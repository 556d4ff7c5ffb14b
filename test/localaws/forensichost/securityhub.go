package forensichost

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
)

// SecurityHubAPI is the part of moto's Security Hub the host uses to stand
// in for BatchUpdateFindings, which moto 5.2 does not implement: it reads
// each finding and imports it again with the note and workflow status
// applied, which moto stores over the old one. moto's GetFindings ignores
// its filters and answers every finding, so the host picks the finding
// out of the answer itself.
type SecurityHubAPI interface {
	GetFindings(ctx context.Context, in *securityhub.GetFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.GetFindingsOutput, error)
	BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
}

// batchUpdateFindings is the part of BatchUpdateFindings' request the
// stand-in applies; the other fields are refused.
type batchUpdateFindings struct {
	FindingIdentifiers []findingIdentifier `json:"FindingIdentifiers"`
	Note               *struct {
		Text      string `json:"Text"`
		UpdatedBy string `json:"UpdatedBy"`
	} `json:"Note"`
	Workflow *struct {
		Status string `json:"Status"`
	} `json:"Workflow"`
}

type findingIdentifier struct {
	ID         string `json:"Id"`
	ProductARN string `json:"ProductArn"`
}

type unprocessedFinding struct {
	FindingIdentifier findingIdentifier `json:"FindingIdentifier"`
	ErrorCode         string            `json:"ErrorCode"`
	ErrorMessage      string            `json:"ErrorMessage"`
}

// serveSecurityHub answers BatchUpdateFindings; it reports false for the
// other operations, which go to moto.
func (h *Host) serveSecurityHub(w http.ResponseWriter, r *http.Request, call apiCall, body []byte) bool {
	if call.operation != "BatchUpdateFindings" {
		return false
	}
	if h.opts.SecurityHub == nil {
		writeAPIError(w, call, http.StatusInternalServerError, "InternalException", "the forensic host has no Security Hub client")
		return true
	}
	var req batchUpdateFindings
	if err := json.Unmarshal(body, &req); err != nil || len(req.FindingIdentifiers) == 0 || (req.Note == nil && req.Workflow == nil) {
		writeAPIError(w, call, http.StatusBadRequest, "InvalidInputException", "FindingIdentifiers and a Note or Workflow are required")
		return true
	}
	inRegion := func(o *securityhub.Options) { o.Region = call.region }
	processed, unprocessed := []findingIdentifier{}, []unprocessedFinding{}
	for _, id := range req.FindingIdentifiers {
		if err := h.applyFindingUpdate(r.Context(), id, req, inRegion); err != nil {
			unprocessed = append(unprocessed, unprocessedFinding{FindingIdentifier: id, ErrorCode: "FindingNotFound", ErrorMessage: err.Error()})
			continue
		}
		processed = append(processed, id)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(map[string]any{"ProcessedFindings": processed, "UnprocessedFindings": unprocessed})
	return true
}

// applyFindingUpdate stores the finding id with the request's note and
// workflow status.
func (h *Host) applyFindingUpdate(ctx context.Context, id findingIdentifier, req batchUpdateFindings, inRegion func(*securityhub.Options)) error {
	out, err := h.opts.SecurityHub.GetFindings(ctx, &securityhub.GetFindingsInput{Filters: &shtypes.AwsSecurityFindingFilters{
		Id:         []shtypes.StringFilter{{Comparison: shtypes.StringFilterComparisonEquals, Value: aws.String(id.ID)}},
		ProductArn: []shtypes.StringFilter{{Comparison: shtypes.StringFilterComparisonEquals, Value: aws.String(id.ProductARN)}},
	}}, inRegion)
	if err != nil {
		return fmt.Errorf("get finding %s: %w", id.ID, err)
	}
	f, ok := findFinding(out.Findings, id)
	if !ok {
		return fmt.Errorf("finding %s of %s not found", id.ID, id.ProductARN)
	}
	now := aws.String(time.Now().UTC().Format(time.RFC3339))
	if req.Note != nil {
		f.Note = &shtypes.Note{Text: aws.String(req.Note.Text), UpdatedBy: aws.String(req.Note.UpdatedBy), UpdatedAt: now}
	}
	if req.Workflow != nil {
		f.Workflow = &shtypes.Workflow{Status: shtypes.WorkflowStatus(req.Workflow.Status)}
	}
	f.UpdatedAt = now
	imported, err := h.opts.SecurityHub.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: []shtypes.AwsSecurityFinding{f}}, inRegion)
	if err != nil {
		return fmt.Errorf("store finding %s: %w", id.ID, err)
	}
	if aws.ToInt32(imported.FailedCount) > 0 {
		return fmt.Errorf("store finding %s: %s", id.ID, aws.ToString(imported.FailedFindings[0].ErrorMessage))
	}
	return nil
}

// findFinding picks the finding id out of findings.
func findFinding(findings []shtypes.AwsSecurityFinding, id findingIdentifier) (shtypes.AwsSecurityFinding, bool) {
	for _, f := range findings {
		if aws.ToString(f.Id) == id.ID && aws.ToString(f.ProductArn) == id.ProductARN {
			return f, true
		}
	}
	return shtypes.AwsSecurityFinding{}, false
}
