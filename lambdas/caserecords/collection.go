package caserecords

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Querier is the part of the DynamoDB client that ReadCollection uses.
type Querier interface {
	Query(ctx context.Context, params *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Collection is every item of one case, as read back for a report: the
// case item (nil when the request was rejected before one was made), the
// investigation items, the custody events in time order and the artifacts
// in key order.
type Collection struct {
	Case           *CaseRecord
	Investigations []InvestigationDetail
	Events         []Event
	Artifacts      []Artifact
	// Isolations are the isolation items, one per investigation that
	// reached the isolation step.
	Isolations []Isolation
}

// CaseRecord is the case item: the resource and the finding.
type CaseRecord struct {
	ForensicID    string
	ExecutionName string
	CreatedAt     time.Time
	Resource      investigation.Resource
	Finding       *investigation.Finding
}

// InvestigationDetail is an investigation item as recorded.
type InvestigationDetail struct {
	ForensicType  investigation.ForensicType
	Status        investigation.Status
	ExecutionName string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	FinishedAt    time.Time
	Snapshots     []investigation.Snapshot
	Memory        *investigation.MemoryEvidence
	Reason        investigation.Reason
	ReasonDetail  string
	InstanceID    string
	CommandID     string
	ResultsS3URI  string
	// InvalidField names the field of a rejected request.
	InvalidField string
}

// ReadCollection reads every item of the case forensicID from table with
// strongly consistent queries, page by page. Items of a kind it does not
// know are skipped.
func ReadCollection(ctx context.Context, db Querier, table, forensicID string) (Collection, error) {
	var c Collection
	pages := dynamodb.NewQueryPaginator(db, &dynamodb.QueryInput{
		TableName:                 aws.String(table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": investigation.TableKeyPartition},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": str(investigation.CasePartition(forensicID))},
		ConsistentRead:            aws.Bool(true),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return c, fmt.Errorf("read the records of case %s: %w", forensicID, err)
		}
		for _, raw := range page.Items {
			if err := c.add(raw); err != nil {
				return c, fmt.Errorf("read the records of case %s: %w", forensicID, err)
			}
		}
	}
	return c, nil
}

// add decodes one item into the collection by its sort key.
func (c *Collection) add(raw map[string]types.AttributeValue) error {
	sk := ""
	if v, ok := raw[investigation.TableKeySort].(*types.AttributeValueMemberS); ok {
		sk = v.Value
	}
	decode := func(v any) error {
		if err := unmarshalItem(raw, v); err != nil {
			return fmt.Errorf("decode item %s: %w", sk, err)
		}
		return nil
	}
	switch {
	case sk == investigation.SortCase:
		var it caseItem
		if err := decode(&it); err != nil {
			return err
		}
		c.Case = it.record()
	case strings.HasPrefix(sk, investigation.SortInvestigationPrefix):
		var it struct {
			investigationItem
			InstanceID   string `json:"instanceId,omitempty"`
			CommandID    string `json:"commandId,omitempty"`
			ResultsS3URI string `json:"resultsS3Uri,omitempty"`
		}
		if err := decode(&it); err != nil {
			return err
		}
		d := it.detail()
		d.InstanceID, d.CommandID, d.ResultsS3URI = it.InstanceID, it.CommandID, it.ResultsS3URI
		c.Investigations = append(c.Investigations, d)
	case strings.HasPrefix(sk, investigation.SortEventPrefix):
		var it eventItem
		if err := decode(&it); err != nil {
			return err
		}
		c.Events = append(c.Events, Event{
			ForensicID: it.ForensicID, ForensicType: it.ForensicType, Step: it.Step, Action: it.Action,
			Resources: it.Resources, Detail: it.Detail, Time: parseTimestamp(it.Time),
		})
	case strings.HasPrefix(sk, investigation.SortIsolationPrefix):
		var it isolationItem
		if err := decode(&it); err != nil {
			return err
		}
		c.Isolations = append(c.Isolations, it.record())
	case strings.HasPrefix(sk, investigation.SortArtifactPrefix):
		var it artifactItem
		if err := decode(&it); err != nil {
			return err
		}
		c.Artifacts = append(c.Artifacts, Artifact{
			ForensicID: it.ForensicID, ForensicType: it.ForensicType, Bucket: it.Bucket, Key: it.Key,
			SizeBytes: it.SizeBytes, SHA256: it.SHA256, Tool: it.Tool, ToolVersion: it.ToolVersion,
			Evidence: it.Evidence, Time: parseTimestamp(it.RecordedAt),
		})
	}
	return nil
}

func (it caseItem) record() *CaseRecord {
	r := &CaseRecord{
		ForensicID: it.ForensicID, ExecutionName: it.ExecutionName, CreatedAt: parseTimestamp(it.CreatedAt),
		Resource: investigation.Resource{AccountID: it.AccountID, Region: it.Region, InstanceID: it.InstanceID},
	}
	if it.EKSClusterName != "" {
		r.Resource.EKS = &investigation.EKSWorkload{
			ClusterName: it.EKSClusterName, NodeInstanceID: it.EKSNodeInstanceID,
			Namespace: it.EKSNamespace, PodName: it.EKSPodName,
		}
	}
	if it.FindingID != "" || len(it.FindingTypes) > 0 {
		r.Finding = &investigation.Finding{
			ID: it.FindingID, Types: it.FindingTypes, ProductName: it.FindingProductName, Severity: it.FindingSeverity,
		}
	}
	return r
}

func (it investigationItem) detail() InvestigationDetail {
	return InvestigationDetail{
		ForensicType: it.ForensicType, Status: it.Status, ExecutionName: it.ExecutionName,
		CreatedAt: parseTimestamp(it.CreatedAt), UpdatedAt: parseTimestamp(it.UpdatedAt),
		FinishedAt: parseTimestamp(it.FinishedAt), Snapshots: it.Snapshots, Memory: it.Memory,
		Reason: it.Reason, ReasonDetail: it.ReasonDetail, InvalidField: it.InvalidField,
	}
}

// parseTimestamp reads a time written by timestamp; anything else is the
// zero time.
func parseTimestamp(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
