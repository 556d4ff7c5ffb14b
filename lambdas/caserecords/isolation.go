package caserecords

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Isolation is what the isolation step of one investigation decided and
// did: the policy's decision and every measure with its original setting,
// so that an operator can see and undo each one.
type Isolation struct {
	ForensicID   string
	ForensicType investigation.ForensicType
	Decision     investigation.IsolationDecision
	// Status is one of the investigation.IsolationStatus constants.
	Status   string
	Measures []investigation.Measure
	// Compute is, for an EKS case, EC2, SPOT or FARGATE: what the pod ran
	// on. NodeName is its Kubernetes node.
	Compute  string
	NodeName string
	// Notes are findings about the resource worth keeping.
	Notes []string
	// Error says why the isolation could not be made at all.
	Error string
	Time  time.Time
}

// isolationItem is the isolation item (sort key
// investigation.IsolationSortKey).
type isolationItem struct {
	ForensicID   string                          `json:"forensicId"`
	ForensicType investigation.ForensicType      `json:"forensicType"`
	Decision     investigation.IsolationDecision `json:"decision"`
	Status       string                          `json:"status"`
	Measures     []investigation.Measure         `json:"measures,omitempty"`
	Compute      string                          `json:"compute,omitempty"`
	NodeName     string                          `json:"nodeName,omitempty"`
	Notes        []string                        `json:"notes,omitempty"`
	Error        string                          `json:"error,omitempty"`
	RecordedAt   string                          `json:"recordedAt"`
}

// PutIsolation records the isolation of one investigation. A later
// attempt of the same step (a retry) replaces the item; the custody log
// keeps every attempt as events. A zero Time is taken as now.
func (s *Store) PutIsolation(ctx context.Context, iso Isolation) error {
	item, err := marshalItem(investigation.CasePartition(iso.ForensicID), investigation.IsolationSortKey(iso.ForensicType), isolationItem{
		ForensicID: iso.ForensicID, ForensicType: iso.ForensicType, Decision: iso.Decision, Status: iso.Status,
		Measures: iso.Measures, Compute: iso.Compute, NodeName: iso.NodeName, Notes: iso.Notes, Error: iso.Error,
		RecordedAt: timestamp(s.orNow(iso.Time)),
	})
	if err != nil {
		return err
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(s.table), Item: item}); err != nil {
		return fmt.Errorf("record the isolation of case %s (%s): %w", iso.ForensicID, iso.ForensicType, err)
	}
	return nil
}

func (it isolationItem) record() Isolation {
	return Isolation{
		ForensicID: it.ForensicID, ForensicType: it.ForensicType, Decision: it.Decision, Status: it.Status,
		Measures: it.Measures, Compute: it.Compute, NodeName: it.NodeName, Notes: it.Notes, Error: it.Error,
		Time: parseTimestamp(it.RecordedAt),
	}
}
