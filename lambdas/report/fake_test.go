package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// fakeDB answers Query with the items of one partition, sorted by sort
// key, pageSize at a time.
type fakeDB struct {
	items    []map[string]types.AttributeValue
	pageSize int
	queryErr error
	queries  []*dynamodb.QueryInput
}

func (f *fakeDB) Query(_ context.Context, in *dynamodb.QueryInput, _ ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	f.queries = append(f.queries, in)
	if f.queryErr != nil {
		return nil, f.queryErr
	}
	pk := in.ExpressionAttributeValues[":pk"].(*types.AttributeValueMemberS).Value
	var matching []map[string]types.AttributeValue
	for _, it := range f.items {
		if it["pk"].(*types.AttributeValueMemberS).Value == pk {
			matching = append(matching, it)
		}
	}
	sort.Slice(matching, func(i, j int) bool { return sk(matching[i]) < sk(matching[j]) })
	start := 0
	if in.ExclusiveStartKey != nil {
		for i, it := range matching {
			if sk(it) == sk(in.ExclusiveStartKey) {
				start = i + 1
			}
		}
	}
	size := f.pageSize
	if size == 0 {
		size = len(matching)
	}
	end := min(start+size, len(matching))
	out := &dynamodb.QueryOutput{Items: matching[start:end]}
	if end < len(matching) {
		out.LastEvaluatedKey = map[string]types.AttributeValue{"pk": matching[end-1]["pk"], "sk": matching[end-1]["sk"]}
	}
	return out, nil
}

func sk(it map[string]types.AttributeValue) string {
	return it["sk"].(*types.AttributeValueMemberS).Value
}

// add adds an item given as plain values (which always marshal).
func (f *fakeDB) add(forensicID, sortKey string, attrs map[string]any) {
	item, err := attributevalue.MarshalMap(attrs)
	if err != nil {
		panic(fmt.Sprintf("fake item %s: %v", sortKey, err))
	}
	item["pk"] = &types.AttributeValueMemberS{Value: investigation.CasePartition(forensicID)}
	item["sk"] = &types.AttributeValueMemberS{Value: sortKey}
	f.items = append(f.items, item)
}

// addEvent adds a custody event.
func (f *fakeDB) addEvent(e caserecords.Event) {
	f.add(e.ForensicID, caserecords.EventSortKey(e), map[string]any{
		"forensicId": e.ForensicID, "forensicType": string(e.ForensicType), "step": e.Step, "action": e.Action,
		"resources": e.Resources, "detail": e.Detail, "time": e.Time.UTC().Format("2006-01-02T15:04:05.000000000Z07:00"),
	})
}

// addArtifact adds an artifact item.
func (f *fakeDB) addArtifact(a caserecords.Artifact) {
	f.add(a.ForensicID, caserecords.ArtifactSortKey(a.Key), map[string]any{
		"forensicId": a.ForensicID, "forensicType": string(a.ForensicType), "bucket": a.Bucket, "key": a.Key,
		"sizeBytes": a.SizeBytes, "sha256": a.SHA256, "tool": a.Tool, "toolVersion": a.ToolVersion, "evidence": a.Evidence,
		"recordedAt": "2026-03-14T09:30:00.000000000Z",
	})
}

// fakeS3 serves objects from memory and records uploads.
type fakeS3 struct {
	objects map[string][]byte
	getErr  map[string]error
	putErr  map[string]error
	puts    []*s3.PutObjectInput
	bodies  map[string][]byte
	// beforePut, when set, runs before each upload (to end its context).
	beforePut func()
}

func newFakeS3() *fakeS3 {
	return &fakeS3{objects: map[string][]byte{}, getErr: map[string]error{}, putErr: map[string]error{}, bodies: map[string][]byte{}}
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	key := aws.ToString(in.Key)
	if err := f.getErr[key]; err != nil {
		return nil, err
	}
	content, ok := f.objects[key]
	if !ok {
		return nil, &s3types.NoSuchKey{Message: aws.String("The specified key does not exist.")}
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(content)), ContentLength: aws.Int64(int64(len(content)))}, nil
}

func (f *fakeS3) PutObject(ctx context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if f.beforePut != nil {
		f.beforePut()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.puts = append(f.puts, in)
	key := aws.ToString(in.Key)
	if err := f.putErr[key]; err != nil {
		return nil, err
	}
	body, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	f.bodies[key] = body
	return &s3.PutObjectOutput{VersionId: aws.String("v1")}, nil
}

// put stores an object and returns the artifact the collect step would
// record for it.
func (f *fakeS3) put(forensicID string, t investigation.ForensicType, key string, content []byte) caserecords.Artifact {
	f.objects[key] = content
	sum := sha256.Sum256(content)
	return caserecords.Artifact{
		ForensicID: forensicID, ForensicType: t, Bucket: testBucket, Key: key,
		SizeBytes: int64(len(content)), SHA256: hex.EncodeToString(sum[:]),
	}
}

// fakeRecords records the custody events.
type fakeRecords struct {
	events    []caserecords.Event
	appendErr error
}

func (f *fakeRecords) AppendEvent(ctx context.Context, e caserecords.Event) error {
	if err := ctx.Err(); err != nil {
		// As the SDK would: a call on an ended context is not made.
		return err
	}
	f.events = append(f.events, e)
	return f.appendErr
}

var (
	_ caserecords.Querier = (*fakeDB)(nil)
	_ S3                  = (*fakeS3)(nil)
	_ Records             = (*fakeRecords)(nil)
)

const (
	testBucket = "casefile-results"
	testTable  = "casefile-cases"
)

var testNow = time.Date(2026, 3, 14, 9, 40, 0, 0, time.UTC)

var errDenied = errors.New("AccessDenied: not allowed")

func newTestHandler(db *fakeDB, records *fakeRecords, client *fakeS3) *Handler {
	h := New(db, records, client, Config{
		TableName: testTable, ResultsBucket: testBucket,
		VolumeKMSKeyARN: "arn:aws:kms:eu-west-1:444455556666:key/volume",
	})
	h.now = func() time.Time { return testNow }
	return h
}
