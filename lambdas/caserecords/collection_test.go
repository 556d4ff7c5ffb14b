package caserecords

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// fakeQuerier answers each Query with the next page.
type fakeQuerier struct {
	pages [][]map[string]any
	err   error
	calls []*dynamodb.QueryInput
}

func (f *fakeQuerier) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.calls = append(f.calls, in)
	if f.err != nil {
		return nil, f.err
	}
	i := len(f.calls) - 1
	out := &dynamodb.QueryOutput{}
	for _, it := range f.pages[i] {
		item, err := attributevalue.MarshalMap(it)
		if err != nil {
			return nil, err
		}
		out.Items = append(out.Items, item)
	}
	if i+1 < len(f.pages) {
		out.LastEvaluatedKey = map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: "x"}, "sk": &types.AttributeValueMemberS{Value: "y"}}
	}
	return out, nil
}

func TestReadCollection(t *testing.T) {
	caseItem := map[string]any{"pk": "CASE#case-1", "sk": "CASE", "forensicId": "case-1", "createdAt": "2026-03-14T09:00:00.000000000Z",
		"accountId": "111122223333", "region": "eu-west-1", "instanceId": "i-0a1b2c3d4e5f60718",
		"findingId": "f-1", "findingTypes": []string{"Backdoor:EC2/C&CActivity.B"}}
	invItem := map[string]any{"pk": "CASE#case-1", "sk": "INVESTIGATION#DISK", "forensicId": "case-1", "forensicType": "DISK",
		"status": "FAILED", "reason": "COMMAND_FAILED", "instanceId": "i-0123456789abcdef0", "finishedAt": "2026-03-14T09:30:00.000000000Z"}
	eventItem := map[string]any{"pk": "CASE#case-1", "sk": "EVENT#DISK#2026-03-14T09:01:00.000000000Z#CreateInstance#instance-launched",
		"forensicId": "case-1", "forensicType": "DISK", "step": "CreateInstance", "action": "instance-launched",
		"resources": map[string]string{"instanceId": "i-0123456789abcdef0"}, "time": "2026-03-14T09:01:00.000000000Z"}
	artifactItem := map[string]any{"pk": "CASE#case-1", "sk": "ARTIFACT#cases/case-1/disk/results.json", "forensicType": "DISK",
		"key": "cases/case-1/disk/results.json", "sizeBytes": 10, "sha256": "ab", "recordedAt": "2026-03-14T09:20:00.000000000Z"}
	other := map[string]any{"pk": "CASE#case-1", "sk": "SOMETHING#ELSE"}

	tests := []struct {
		name    string
		pages   [][]map[string]any
		err     error
		want    Collection
		wantErr string
	}{
		{
			name:  "every kind of item over two pages, unknown kinds skipped",
			pages: [][]map[string]any{{artifactItem, caseItem}, {eventItem, invItem, other}},
			want: Collection{
				Case: &CaseRecord{ForensicID: "case-1", CreatedAt: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC),
					Resource: investigation.Resource{AccountID: "111122223333", Region: "eu-west-1", InstanceID: "i-0a1b2c3d4e5f60718"},
					Finding:  &investigation.Finding{ID: "f-1", Types: []string{"Backdoor:EC2/C&CActivity.B"}}},
				Investigations: []InvestigationDetail{{ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
					Reason: investigation.ReasonCommandFailed, InstanceID: "i-0123456789abcdef0",
					FinishedAt: time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)}},
				Events: []Event{{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Step: "CreateInstance",
					Action: "instance-launched", Resources: map[string]string{"instanceId": "i-0123456789abcdef0"},
					Time: time.Date(2026, 3, 14, 9, 1, 0, 0, time.UTC)}},
				Artifacts: []Artifact{{ForensicType: investigation.ForensicTypeDisk, Key: "cases/case-1/disk/results.json",
					SizeBytes: 10, SHA256: "ab", Time: time.Date(2026, 3, 14, 9, 20, 0, 0, time.UTC)}},
			},
		},
		{name: "empty case", pages: [][]map[string]any{{}}},
		{name: "query fails", err: errors.New("throttled"), wantErr: "throttled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeQuerier{pages: tt.pages, err: tt.err}
			got, err := ReadCollection(context.Background(), db, testTable, "case-1")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "read the records of case case-1")
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			require.NotEmpty(t, db.calls)
			in := db.calls[0]
			assert.Equal(t, testTable, aws.ToString(in.TableName))
			assert.True(t, aws.ToBool(in.ConsistentRead), "strongly consistent")
			assert.Equal(t, "#pk = :pk", aws.ToString(in.KeyConditionExpression))
			assert.Equal(t, &types.AttributeValueMemberS{Value: "CASE#case-1"}, in.ExpressionAttributeValues[":pk"])
			assert.Len(t, db.calls, len(tt.pages), "one query per page")
		})
	}
}
