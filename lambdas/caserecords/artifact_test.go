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

func TestPutArtifact(t *testing.T) {
	timeline := Artifact{
		ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk,
		Bucket: "results", Key: "cases/case-1/disk/vol-0a1b2c3d4e5f60718/timeline.csv",
		SizeBytes: 1234, SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		Tool: "fls", ToolVersion: "4.12.1", Evidence: "snap-0a1b2c3d4e5f60718", Time: testNow,
	}
	tests := []struct {
		name        string
		putErr      func(t *testing.T) error
		wantErr     string
		wantChanged bool
	}{
		{name: "recorded"},
		{
			name:        "another hash for the same key is refused",
			putErr:      func(t *testing.T) error { return conditionFailed(t, nil) },
			wantErr:     "record artifact cases/case-1/disk/vol-0a1b2c3d4e5f60718/timeline.csv of case case-1: artifact already recorded with another SHA-256",
			wantChanged: true,
		},
		{
			name:    "DynamoDB error",
			putErr:  func(*testing.T) error { return errors.New("denied") },
			wantErr: "record artifact cases/case-1/disk/vol-0a1b2c3d4e5f60718/timeline.csv of case case-1: denied",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{}
			if tt.putErr != nil {
				db.putErr = func(*dynamodb.PutItemInput) error { return tt.putErr(t) }
			}
			err := newTestStore(db).PutArtifact(context.Background(), timeline)

			require.Len(t, db.puts, 1)
			in := db.puts[0]
			assert.Equal(t, "attribute_not_exists(#sk) OR #sha256 = :sha256", aws.ToString(in.ConditionExpression))
			assert.Equal(t, map[string]string{"#sk": "sk", "#sha256": "sha256"}, in.ExpressionAttributeNames)
			assert.Equal(t, map[string]any{":sha256": timeline.SHA256}, plain(t, in.ExpressionAttributeValues))
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				assert.Equal(t, tt.wantChanged, errors.Is(err, ErrArtifactChanged))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, map[string]any{
				"pk": "CASE#case-1", "sk": "ARTIFACT#cases/case-1/disk/vol-0a1b2c3d4e5f60718/timeline.csv",
				"forensicId": "case-1", "forensicType": "DISK", "bucket": "results",
				"key": timeline.Key, "sizeBytes": float64(1234), "sha256": timeline.SHA256,
				"tool": "fls", "toolVersion": "4.12.1", "evidence": "snap-0a1b2c3d4e5f60718",
				"recordedAt": "2026-03-14T09:26:53.589793000Z",
			}, plain(t, in.Item))
		})
	}
}
