package caserecords

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// DynamoDB is the part of the DynamoDB client that the store uses.
type DynamoDB interface {
	GetItem(ctx context.Context, params *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, params *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, params *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// Store reads and writes the case records of one table. Every write that
// could undo an earlier one is conditional: case and investigation items are
// created only once, final statuses never change, events are never
// overwritten and an artifact's hash never changes.
type Store struct {
	db    DynamoDB
	table string
	now   func() time.Time
}

// New returns a Store over the table named table.
func New(db DynamoDB, table string) *Store {
	return &Store{db: db, table: table, now: time.Now}
}

// Errors that callers may want to tell apart with errors.Is.
var (
	// ErrAlreadyFinal: the investigation is already SUCCEEDED or FAILED
	// and its status cannot change any more.
	ErrAlreadyFinal = errors.New("investigation status is already final")
	// ErrDuplicateEvent: an event with the same sort key (type, time to
	// the nanosecond, step and action) is already recorded.
	ErrDuplicateEvent = errors.New("event already recorded")
	// ErrArtifactChanged: the artifact is already recorded with another
	// SHA-256.
	ErrArtifactChanged = errors.New("artifact already recorded with another SHA-256")
)

// timeLayout is RFC 3339 with a fixed nine-digit fraction, so that the
// strings sort in time order (time.RFC3339Nano drops trailing zeros).
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

// timestamp formats t in UTC for a table attribute or key.
func timestamp(t time.Time) string { return t.UTC().Format(timeLayout) }

// orNow returns t, or the store's clock when t is zero.
func (s *Store) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return s.now()
	}
	return t
}

// itemKey returns the primary key of an item.
func itemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		investigation.TableKeyPartition: &types.AttributeValueMemberS{Value: pk},
		investigation.TableKeySort:      &types.AttributeValueMemberS{Value: sk},
	}
}

// marshalItem marshals v (attribute names from its json tags, so that they
// match the request's lowerCamelCase names) and adds the primary key.
func marshalItem(pk, sk string, v any) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMapWithOptions(v, func(o *attributevalue.EncoderOptions) { o.TagKey = "json" })
	if err != nil {
		return nil, fmt.Errorf("marshal item %s %s: %w", pk, sk, err)
	}
	for k, v := range itemKey(pk, sk) {
		item[k] = v
	}
	return item, nil
}

// unmarshalItem is the reverse of marshalItem (the key is ignored).
func unmarshalItem(item map[string]types.AttributeValue, v any) error {
	return attributevalue.UnmarshalMapWithOptions(item, v, func(o *attributevalue.DecoderOptions) { o.TagKey = "json" })
}

// notExists is the condition that creates an item only once.
const notExists = "attribute_not_exists(#pk)"

// keyNames are the expression attribute names of notExists.
func keyNames() map[string]string {
	return map[string]string{"#pk": investigation.TableKeyPartition}
}

// notExistsOrRejected is the condition that creates an investigation item
// only once, unless the item there records a rejected request (only those
// have an invalidField).
const notExistsOrRejected = "attribute_not_exists(#pk) OR attribute_exists(#invalidField)"

// rejectedNames are the expression attribute names of notExistsOrRejected.
func rejectedNames() map[string]string {
	return map[string]string{"#pk": investigation.TableKeyPartition, "#invalidField": attrInvalidField}
}
