package caserecords

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// InvestigationRecord is what GetInvestigation reads of an investigation
// item: who owns it and how far it got.
type InvestigationRecord struct {
	Status investigation.Status `json:"status"`
	// ExecutionName is the Step Functions execution that recorded the item.
	ExecutionName string               `json:"executionName,omitempty"`
	Reason        investigation.Reason `json:"reason,omitempty"`
}

// Final reports whether the investigation has ended (SUCCEEDED or FAILED);
// its status can then never change again.
func (r InvestigationRecord) Final() bool { return isFinal(r.Status) }

// GetInvestigation reads the investigation item of a case and type with a
// strongly consistent read. found is false when there is none.
func (s *Store) GetInvestigation(ctx context.Context, forensicID string, t investigation.ForensicType) (rec InvestigationRecord, found bool, err error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:                aws.String(s.table),
		Key:                      itemKey(investigation.CasePartition(forensicID), investigation.InvestigationSortKey(t)),
		ConsistentRead:           aws.Bool(true),
		ProjectionExpression:     aws.String("#status, #executionName, #reason"),
		ExpressionAttributeNames: map[string]string{"#status": attrStatus, "#executionName": attrExecutionName, "#reason": attrReason},
	})
	if err != nil {
		return rec, false, fmt.Errorf("read investigation %s %s: %w", forensicID, t, err)
	}
	if len(out.Item) == 0 {
		return rec, false, nil
	}
	if err := unmarshalItem(out.Item, &rec); err != nil {
		return rec, false, fmt.Errorf("decode investigation %s %s: %w", forensicID, t, err)
	}
	return rec, true, nil
}
