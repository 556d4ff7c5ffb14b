package caserecords

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestGetInvestigation(t *testing.T) {
	item := func(t *testing.T, fields map[string]any) map[string]types.AttributeValue {
		t.Helper()
		m, err := attributevalue.MarshalMap(fields)
		require.NoError(t, err)
		return m
	}
	tests := []struct {
		name      string
		item      map[string]any
		getErr    error
		want      InvestigationRecord
		wantFound bool
		wantFinal bool
		wantErr   string
	}{
		{
			name:      "running",
			item:      map[string]any{"status": "IN_PROGRESS", "executionName": "case-1-disk"},
			want:      InvestigationRecord{Status: investigation.StatusInProgress, ExecutionName: "case-1-disk"},
			wantFound: true,
		},
		{
			name:      "failed",
			item:      map[string]any{"status": "FAILED", "executionName": "case-1-disk", "reason": "COMMAND_FAILED"},
			want:      InvestigationRecord{Status: investigation.StatusFailed, ExecutionName: "case-1-disk", Reason: investigation.ReasonCommandFailed},
			wantFound: true, wantFinal: true,
		},
		{
			name:      "succeeded",
			item:      map[string]any{"status": "SUCCEEDED", "executionName": "case-1-disk"},
			want:      InvestigationRecord{Status: investigation.StatusSucceeded, ExecutionName: "case-1-disk"},
			wantFound: true, wantFinal: true,
		},
		{name: "not recorded"},
		{name: "read fails", getErr: errors.New("throttled"), wantErr: "read investigation case-1 DISK: throttled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{getErr: tt.getErr}
			if tt.item != nil {
				db.item = item(t, tt.item)
			}
			got, found, err := newTestStore(db).GetInvestigation(t.Context(), "case-1", investigation.ForensicTypeDisk)
			if tt.wantErr != "" {
				require.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantFound, found, "found")
			assert.Equal(t, tt.want, got, "record")
			assert.Equal(t, tt.wantFinal, got.Final(), "final")

			require.Len(t, db.gets, 1)
			in := db.gets[0]
			assert.Equal(t, testTable, aws.ToString(in.TableName), "table")
			assert.Equal(t, "CASE#case-1", in.Key["pk"].(*types.AttributeValueMemberS).Value, "partition key")
			assert.Equal(t, "INVESTIGATION#DISK", sortKey(in.Key), "sort key")
			assert.True(t, aws.ToBool(in.ConsistentRead), "consistent read")
		})
	}
}
