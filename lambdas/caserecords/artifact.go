package caserecords

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// ArtifactSortKey returns the sort key of the artifact item for an S3 key.
func ArtifactSortKey(s3Key string) string { return investigation.SortArtifactPrefix + s3Key }

// PutArtifact records a result file. Recording it again with the same
// SHA-256 is harmless; recording another hash for the same key is refused
// (ErrArtifactChanged), since a result must not change once recorded. A
// zero Time is taken as now.
func (s *Store) PutArtifact(ctx context.Context, a Artifact) error {
	sk := ArtifactSortKey(a.Key)
	item, err := marshalItem(investigation.CasePartition(a.ForensicID), sk, artifactItem{
		ForensicID:   a.ForensicID,
		ForensicType: a.ForensicType,
		Bucket:       a.Bucket,
		Key:          a.Key,
		SizeBytes:    a.SizeBytes,
		SHA256:       a.SHA256,
		Tool:         a.Tool,
		ToolVersion:  a.ToolVersion,
		Evidence:     a.Evidence,
		RecordedAt:   timestamp(s.orNow(a.Time)),
	})
	if err != nil {
		return fmt.Errorf("record artifact %s: %w", a.Key, err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                 aws.String(s.table),
		Item:                      item,
		ConditionExpression:       aws.String("attribute_not_exists(#sk) OR #sha256 = :sha256"),
		ExpressionAttributeNames:  map[string]string{"#sk": investigation.TableKeySort, "#sha256": attrSHA256},
		ExpressionAttributeValues: map[string]types.AttributeValue{":sha256": str(a.SHA256)},
	})
	if awserr.IsConditionalCheckFailed(err) {
		return fmt.Errorf("record artifact %s of case %s: %w", a.Key, a.ForensicID, ErrArtifactChanged)
	}
	if err != nil {
		return fmt.Errorf("record artifact %s of case %s: %w", a.Key, a.ForensicID, err)
	}
	return nil
}
