package caserecords

import (
	"context"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestAppendEvent(t *testing.T) {
	launched := Event{
		ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk,
		Step: "CreateInstance", Action: "instance-launched",
		Resources: map[string]string{"instanceId": "i-0a1b2c3d4e5f60718", "amiId": "ami-0a1b2c3d4e5f60718"},
		Detail:    "forensic instance launched",
		Time:      time.Date(2026, 3, 14, 10, 0, 5, 100_000_000, time.FixedZone("CET", 3600)),
	}
	tests := []struct {
		name     string
		event    Event
		putErr   func(t *testing.T) error
		wantSK   string
		wantTime string
		wantErr  string
		wantDup  bool
	}{
		{
			name:     "keyed by type, UTC time, step and action",
			event:    launched,
			wantSK:   "EVENT#DISK#2026-03-14T09:00:05.100000000Z#CreateInstance#instance-launched",
			wantTime: "2026-03-14T09:00:05.100000000Z",
		},
		{
			name:     "zero time is now",
			event:    Event{ForensicID: "case-1", ForensicType: investigation.ForensicTypeMemory, Step: "CheckCommand", Action: "command-pending"},
			wantSK:   "EVENT#MEMORY#2026-03-14T09:26:53.589793000Z#CheckCommand#command-pending",
			wantTime: "2026-03-14T09:26:53.589793000Z",
		},
		{
			name:    "duplicate is refused",
			event:   launched,
			putErr:  func(t *testing.T) error { return conditionFailed(t, nil) },
			wantErr: "append event CreateInstance/instance-launched to case case-1: event EVENT#DISK#2026-03-14T09:00:05.100000000Z#CreateInstance#instance-launched: event already recorded",
			wantDup: true,
		},
		{
			name:    "DynamoDB error",
			event:   launched,
			putErr:  func(*testing.T) error { return errors.New("throttled") },
			wantErr: "append event CreateInstance/instance-launched to case case-1: put event EVENT#DISK#2026-03-14T09:00:05.100000000Z#CreateInstance#instance-launched: throttled",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{}
			if tt.putErr != nil {
				db.putErr = func(*dynamodb.PutItemInput) error { return tt.putErr(t) }
			}
			err := newTestStore(db).AppendEvent(context.Background(), tt.event)

			require.Len(t, db.puts, 1)
			in := db.puts[0]
			assert.Equal(t, "attribute_not_exists(#sk)", aws.ToString(in.ConditionExpression))
			assert.Equal(t, map[string]string{"#sk": "sk"}, in.ExpressionAttributeNames)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				assert.Equal(t, tt.wantDup, errors.Is(err, ErrDuplicateEvent), "errors.Is(err, ErrDuplicateEvent)")
				return
			}
			require.NoError(t, err)
			item := plain(t, in.Item)
			assert.Equal(t, "CASE#case-1", item["pk"])
			assert.Equal(t, tt.wantSK, item["sk"])
			assert.Equal(t, tt.wantTime, item["time"])
			assert.Equal(t, tt.event.Step, item["step"])
			assert.Equal(t, tt.event.Action, item["action"])
			if tt.event.Resources != nil {
				assert.Equal(t, map[string]any{"instanceId": "i-0a1b2c3d4e5f60718", "amiId": "ami-0a1b2c3d4e5f60718"}, item["resources"])
			}
		})
	}
}

func TestEventSortKeysSortInTimeOrder(t *testing.T) {
	base := time.Date(2026, 3, 14, 9, 0, 5, 0, time.UTC)
	times := []time.Time{base, base.Add(100 * time.Millisecond), base.Add(120 * time.Millisecond), base.Add(time.Second)}
	var keys []string
	for i := len(times) - 1; i >= 0; i-- {
		keys = append(keys, EventSortKey(Event{ForensicType: investigation.ForensicTypeDisk, Step: "S", Action: "a", Time: times[i]}))
	}
	sort.Strings(keys)
	for i, k := range keys {
		want := EventSortKey(Event{ForensicType: investigation.ForensicTypeDisk, Step: "S", Action: "a", Time: times[i]})
		assert.Equal(t, want, k, "position %d", i)
	}
}
