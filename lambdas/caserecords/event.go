package caserecords

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// EventSortKey returns the sort key of a custody event:
// EVENT#<type>#<time>#<step>#<action>, the time in UTC with a fixed
// nine-digit fraction so that a case's events sort in time order.
func EventSortKey(e Event) string {
	return strings.Join([]string{
		strings.TrimSuffix(investigation.SortEventPrefix, "#"),
		string(e.ForensicType), timestamp(e.Time), e.Step, e.Action,
	}, "#")
}

// AppendEvent adds a custody event to its case. Events are append-only:
// one with the same sort key is never overwritten (ErrDuplicateEvent). A
// zero Time is taken as now.
func (s *Store) AppendEvent(ctx context.Context, e Event) error {
	if err := s.putEvent(ctx, e, ""); err != nil {
		return fmt.Errorf("append event %s/%s to case %s: %w", e.Step, e.Action, e.ForensicID, err)
	}
	return nil
}

func (s *Store) putEvent(ctx context.Context, e Event, rawRequest string) error {
	e.Time = s.orNow(e.Time)
	sk := EventSortKey(e)
	item, err := marshalItem(investigation.CasePartition(e.ForensicID), sk, eventItem{
		ForensicID:   e.ForensicID,
		ForensicType: e.ForensicType,
		Step:         e.Step,
		Action:       e.Action,
		Resources:    e.Resources,
		Detail:       e.Detail,
		Time:         timestamp(e.Time),
		RawRequest:   rawRequest,
	})
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     item,
		ConditionExpression:      aws.String("attribute_not_exists(#sk)"),
		ExpressionAttributeNames: map[string]string{"#sk": investigation.TableKeySort},
	})
	if awserr.IsConditionalCheckFailed(err) {
		return fmt.Errorf("event %s: %w", sk, ErrDuplicateEvent)
	}
	if err != nil {
		return fmt.Errorf("put event %s: %w", sk, err)
	}
	return nil
}
