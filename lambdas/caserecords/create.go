package caserecords

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Created reports what CreateCase found already recorded. A redelivered
// request finds both items and changes neither.
type Created struct {
	// CaseExisted: the case item was already there (another evidence type
	// of the case, or a redelivery).
	CaseExisted bool
	// InvestigationExisted: the investigation item was already there; it
	// was left as it was.
	InvestigationExisted bool
	// ExistingStatus and ExistingExecution are the status and execution
	// name of the investigation item that was already there, when DynamoDB
	// returned it.
	ExistingStatus    investigation.Status
	ExistingExecution string
}

// CreateCase records a valid request: the case item and the investigation
// item (RECEIVED), each written only if absent, so that a redelivered
// request never resets a running investigation. A recorded rejection
// (RecordRejected) is not an investigation, since nothing ran: the valid
// request of the same case and type takes its place, so that a corrected
// re-send is investigated. The rejection stays in the custody log.
func (s *Store) CreateCase(ctx context.Context, req investigation.Request, executionName string, now time.Time) (Created, error) {
	var created Created
	pk := investigation.CasePartition(req.ForensicID)
	at := timestamp(now)

	c := caseItem{
		ForensicID:    req.ForensicID,
		ResourceKey:   req.Resource.Key(),
		CreatedAt:     at,
		ExecutionName: executionName,
		AccountID:     req.Resource.AccountID,
		Region:        req.Resource.Region,
		InstanceID:    req.Resource.InstanceID,
	}
	if eks := req.Resource.EKS; eks != nil {
		c.EKSClusterName, c.EKSNodeInstanceID = eks.ClusterName, eks.NodeInstanceID
		c.EKSNamespace, c.EKSPodName = eks.Namespace, eks.PodName
	}
	if f := req.Finding; f != nil {
		c.FindingID, c.FindingTypes = f.ID, f.Types
		c.FindingProductName, c.FindingSeverity = f.ProductName, f.Severity
	}
	existed, _, err := s.putIfAbsent(ctx, pk, investigation.SortCase, c)
	if err != nil {
		return created, fmt.Errorf("record case %s: %w", req.ForensicID, err)
	}
	created.CaseExisted = existed

	inv := investigationItem{
		ForensicID:    req.ForensicID,
		ForensicType:  req.ForensicType,
		Status:        investigation.StatusReceived,
		ExecutionName: executionName,
		CreatedAt:     at,
		UpdatedAt:     at,
		Memory:        req.Memory,
	}
	if req.Disk != nil {
		inv.Snapshots = req.Disk.Snapshots
	}
	existed, old, err := s.putUnless(ctx, pk, investigation.InvestigationSortKey(req.ForensicType), inv, notExistsOrRejected, rejectedNames())
	if err != nil {
		return created, fmt.Errorf("record investigation %s %s: %w", req.ForensicID, req.ForensicType, err)
	}
	created.InvestigationExisted = existed
	if existed && old != nil {
		var prev investigationItem
		if err := unmarshalItem(old, &prev); err == nil {
			created.ExistingStatus, created.ExistingExecution = prev.Status, prev.ExecutionName
		}
	}
	return created, nil
}

// putIfAbsent writes v under pk/sk unless an item is already there. It
// reports whether one was, with that item when DynamoDB returns it.
func (s *Store) putIfAbsent(ctx context.Context, pk, sk string, v any) (existed bool, old map[string]types.AttributeValue, err error) {
	return s.putUnless(ctx, pk, sk, v, notExists, keyNames())
}

// putUnless writes v under pk/sk when condition (whose attribute names are
// names) holds. It reports whether it did not, with the item that was there
// when DynamoDB returns it.
func (s *Store) putUnless(ctx context.Context, pk, sk string, v any, condition string, names map[string]string) (existed bool, old map[string]types.AttributeValue, err error) {
	item, err := marshalItem(pk, sk, v)
	if err != nil {
		return false, nil, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           aws.String(s.table),
		Item:                                item,
		ConditionExpression:                 aws.String(condition),
		ExpressionAttributeNames:            names,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if awserr.IsConditionalCheckFailed(err) {
		return true, conditionFailedItem(err), nil
	}
	if err != nil {
		return false, nil, fmt.Errorf("put %s %s: %w", pk, sk, err)
	}
	return false, nil, nil
}
