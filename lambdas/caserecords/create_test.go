package caserecords

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func diskRequest() investigation.Request {
	return investigation.Request{
		ForensicID:   "case-2026-0001",
		ForensicType: investigation.ForensicTypeDisk,
		Resource: investigation.Resource{
			AccountID: "111122223333", Region: "eu-west-1", InstanceID: "i-0a1b2c3d4e5f60718",
		},
		Finding: &investigation.Finding{
			ID:    "arn:aws:guardduty:eu-west-1:111122223333:detector/d1/finding/f1",
			Types: []string{"TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS"},
		},
		Disk: &investigation.DiskEvidence{Snapshots: []investigation.Snapshot{
			{SnapshotID: "snap-0a1b2c3d4e5f60718", SourceVolumeID: "vol-0a1b2c3d4e5f60718", SizeGiB: 8},
		}},
	}
}

func eksMemoryRequest() investigation.Request {
	return investigation.Request{
		ForensicID:   "case-2026-0002",
		ForensicType: investigation.ForensicTypeMemory,
		Resource: investigation.Resource{
			AccountID: "111122223333", Region: "eu-west-1",
			EKS: &investigation.EKSWorkload{
				ClusterName: "prod", NodeInstanceID: "i-0fedcba9876543210", Namespace: "shop", PodName: "cart-7d9f",
			},
		},
		Memory: &investigation.MemoryEvidence{
			S3URI: "s3://evidence/dumps/node.lime", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			SizeBytes: 4096, Format: "lime", KernelRelease: "6.1.0-28-cloud-amd64",
		},
	}
}

func TestCreateCase(t *testing.T) {
	tests := []struct {
		name      string
		req       investigation.Request
		putErr    func(t *testing.T) func(*dynamodb.PutItemInput) error
		want      Created
		wantErr   string
		wantPuts  int
		wantCase  map[string]any // attributes of the case item that must match
		wantInv   map[string]any // attributes of the investigation item that must match
		wantInvSK string
	}{
		{
			name:     "new EC2 disk case",
			req:      diskRequest(),
			wantPuts: 2,
			wantCase: map[string]any{
				"pk": "CASE#case-2026-0001", "sk": "CASE", "forensicId": "case-2026-0001",
				"resourceKey": "ec2#111122223333#eu-west-1#i-0a1b2c3d4e5f60718",
				"createdAt":   "2026-03-14T09:26:53.589793000Z", "executionName": "case-2026-0001-disk",
				"accountId": "111122223333", "region": "eu-west-1", "instanceId": "i-0a1b2c3d4e5f60718",
				"findingId":    "arn:aws:guardduty:eu-west-1:111122223333:detector/d1/finding/f1",
				"findingTypes": []any{"TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS"},
			},
			wantInvSK: "INVESTIGATION#DISK",
			wantInv: map[string]any{
				"pk": "CASE#case-2026-0001", "forensicType": "DISK", "status": "RECEIVED",
				"createdAt": "2026-03-14T09:26:53.589793000Z", "updatedAt": "2026-03-14T09:26:53.589793000Z",
				"snapshots": []any{map[string]any{
					"snapshotId": "snap-0a1b2c3d4e5f60718", "sourceVolumeId": "vol-0a1b2c3d4e5f60718", "sizeGiB": float64(8),
				}},
			},
		},
		{
			name:     "new EKS memory case",
			req:      eksMemoryRequest(),
			wantPuts: 2,
			wantCase: map[string]any{
				"resourceKey":    "eks#111122223333#eu-west-1#prod",
				"eksClusterName": "prod", "eksNodeInstanceId": "i-0fedcba9876543210",
				"eksNamespace": "shop", "eksPodName": "cart-7d9f",
			},
			wantInvSK: "INVESTIGATION#MEMORY",
			wantInv: map[string]any{
				"status": "RECEIVED",
				"memory": map[string]any{
					"s3Uri": "s3://evidence/dumps/node.lime", "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
					"sizeBytes": float64(4096), "format": "lime", "kernelRelease": "6.1.0-28-cloud-amd64",
				},
			},
		},
		{
			name: "redelivered request leaves both items as they are",
			req:  diskRequest(),
			putErr: func(t *testing.T) func(*dynamodb.PutItemInput) error {
				return func(in *dynamodb.PutItemInput) error {
					return conditionFailed(t, map[string]any{"status": "IN_PROGRESS", "executionName": "case-2026-0001-disk"})
				}
			},
			wantPuts: 2,
			want: Created{CaseExisted: true, InvestigationExisted: true,
				ExistingStatus: investigation.StatusInProgress, ExistingExecution: "case-2026-0001-disk"},
		},
		{
			name: "second evidence type of a recorded case",
			req:  eksMemoryRequest(),
			putErr: func(t *testing.T) func(*dynamodb.PutItemInput) error {
				return func(in *dynamodb.PutItemInput) error {
					if sortKey(in.Item) == investigation.SortCase {
						return conditionFailed(t, nil)
					}
					return nil
				}
			},
			wantPuts: 2,
			want:     Created{CaseExisted: true},
		},
		{
			name: "DynamoDB failure stops before the investigation item",
			req:  diskRequest(),
			putErr: func(t *testing.T) func(*dynamodb.PutItemInput) error {
				return func(*dynamodb.PutItemInput) error { return errors.New("service unavailable") }
			},
			wantPuts: 1,
			wantErr:  "record case case-2026-0001: put CASE#case-2026-0001 CASE: service unavailable",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{}
			if tt.putErr != nil {
				db.putErr = tt.putErr(t)
			}
			got, err := newTestStore(db).CreateCase(context.Background(), tt.req, investigation.ExecutionName(tt.req.ForensicID, tt.req.ForensicType), testNow)

			require.Len(t, db.puts, tt.wantPuts)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			for _, in := range db.puts {
				assert.Equal(t, testTable, aws.ToString(in.TableName))
			}
			assert.Equal(t, "attribute_not_exists(#pk)", aws.ToString(db.puts[0].ConditionExpression), "the case item is created once")
			assert.Equal(t, map[string]string{"#pk": "pk"}, db.puts[0].ExpressionAttributeNames)
			assert.Equal(t, "attribute_not_exists(#pk) OR attribute_exists(#invalidField)", aws.ToString(db.puts[1].ConditionExpression),
				"the investigation item is created once, unless a rejected request holds its place")
			assert.Equal(t, map[string]string{"#pk": "pk", "#invalidField": "invalidField"}, db.puts[1].ExpressionAttributeNames)
			caseItem, invItem := plain(t, db.puts[0].Item), plain(t, db.puts[1].Item)
			assert.Equal(t, "CASE", caseItem["sk"])
			for k, want := range tt.wantCase {
				assert.Equal(t, want, caseItem[k], "case item attribute %s", k)
			}
			if tt.wantInvSK != "" {
				assert.Equal(t, tt.wantInvSK, invItem["sk"])
			}
			for k, want := range tt.wantInv {
				assert.Equal(t, want, invItem[k], "investigation item attribute %s", k)
			}
		})
	}
}
