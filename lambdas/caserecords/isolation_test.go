package caserecords

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestPutIsolationReadsBack(t *testing.T) {
	at := time.Date(2026, 12, 4, 11, 0, 0, 0, time.UTC)
	iso := Isolation{
		ForensicID: "case-1", ForensicType: investigation.ForensicTypeMemory,
		Decision: investigation.IsolationDecision{Action: investigation.IsolationIsolate, Rule: "backdoor",
			Source: investigation.RuleSourceBuiltin, Matched: "Backdoor:EC2/C&CActivity.B"},
		Status: investigation.IsolationStatusPartial,
		Measures: []investigation.Measure{
			{Name: investigation.MeasureSecurityGroups, Target: "i-0a1b2c3d4e5f60718", Status: investigation.MeasureApplied,
				Original: map[string]string{"eni-0aa": "sg-1,sg-2"}, Applied: map[string]string{"denyGroup": "sg-9"}},
			{Name: investigation.MeasureElasticIPs, Target: "i-0a1b2c3d4e5f60718", Status: investigation.MeasureFailed, Reason: "AccessDenied"},
		},
		Compute: "SPOT", NodeName: "ip-10-0-1-23.eu-west-1.compute.internal", Notes: []string{"a note"}, Time: at,
	}
	db := &fakeDB{}
	require.NoError(t, New(db, testTable).PutIsolation(context.Background(), iso))
	require.Len(t, db.puts, 1)
	put := db.puts[0]
	assert.Equal(t, testTable, aws.ToString(put.TableName))
	assert.Empty(t, aws.ToString(put.ConditionExpression), "a retry of the step replaces the item")
	assert.Equal(t, &types.AttributeValueMemberS{Value: "ISOLATION#MEMORY"}, put.Item[investigation.TableKeySort])

	var c Collection
	require.NoError(t, c.add(put.Item))
	require.Len(t, c.Isolations, 1)
	assert.Equal(t, iso, c.Isolations[0])
}

func TestPutIsolationFails(t *testing.T) {
	db := &fakeDB{putErr: func(*dynamodb.PutItemInput) error { return errors.New("throttled") }}
	err := New(db, testTable).PutIsolation(context.Background(), Isolation{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk})
	require.Error(t, err)
	assert.Equal(t, "record the isolation of case case-1 (DISK): throttled", err.Error())
}
