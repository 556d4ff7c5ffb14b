package caserecords

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/require"
)

// fakeDB records every input and answers with the behaviour functions,
// which may be nil (success).
type fakeDB struct {
	gets    []*dynamodb.GetItemInput
	puts    []*dynamodb.PutItemInput
	updates []*dynamodb.UpdateItemInput

	// item is what GetItem finds (nil: nothing).
	item      map[string]types.AttributeValue
	getErr    error
	putErr    func(in *dynamodb.PutItemInput) error
	updateErr func(in *dynamodb.UpdateItemInput) error
}

func (f *fakeDB) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	f.gets = append(f.gets, in)
	if f.getErr != nil {
		return nil, f.getErr
	}
	return &dynamodb.GetItemOutput{Item: f.item}, nil
}

func (f *fakeDB) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	f.puts = append(f.puts, in)
	if f.putErr != nil {
		if err := f.putErr(in); err != nil {
			return nil, err
		}
	}
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeDB) UpdateItem(_ context.Context, in *dynamodb.UpdateItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	f.updates = append(f.updates, in)
	if f.updateErr != nil {
		if err := f.updateErr(in); err != nil {
			return nil, err
		}
	}
	return &dynamodb.UpdateItemOutput{}, nil
}

var _ DynamoDB = (*fakeDB)(nil)

const testTable = "casefile-cases"

var testNow = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

func newTestStore(db *fakeDB) *Store {
	s := New(db, testTable)
	s.now = func() time.Time { return testNow }
	return s
}

// plain turns an item into plain Go values for assertions.
func plain(t *testing.T, item map[string]types.AttributeValue) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, attributevalue.UnmarshalMap(item, &out))
	return out
}

// conditionFailed is DynamoDB's answer to a refused condition, with the
// item that was there.
func conditionFailed(t *testing.T, old map[string]any) error {
	t.Helper()
	err := &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	if old != nil {
		item, mErr := attributevalue.MarshalMap(old)
		require.NoError(t, mErr)
		err.Item = item
	}
	return err
}

// sortKey returns the sort key of an item or key.
func sortKey(item map[string]types.AttributeValue) string {
	if v, ok := item["sk"].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
