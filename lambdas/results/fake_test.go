package results

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
)

// fakeObject is one object of the fake bucket.
type fakeObject struct {
	body         string
	checksum     string // stored base64 SHA-256, if any
	checksumType types.ChecksumType
	listedSize   *int64 // when the listing reports another size
	getErr       error
}

// fakeS3 serves a bucket from memory, pageSize keys per listing page, and
// records every request.
type fakeS3 struct {
	objects  map[string]fakeObject
	pageSize int
	listErr  error

	lists []*s3.ListObjectsV2Input
	gets  []*s3.GetObjectInput
}

func (f *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f.lists = append(f.lists, in)
	if f.listErr != nil {
		return nil, f.listErr
	}
	var keys []string
	for k := range f.objects {
		if strings.HasPrefix(k, aws.ToString(in.Prefix)) && k > aws.ToString(in.ContinuationToken) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := &s3.ListObjectsV2Output{}
	if f.pageSize > 0 && len(keys) > f.pageSize {
		keys = keys[:f.pageSize]
		out.IsTruncated = aws.Bool(true)
		out.NextContinuationToken = aws.String(keys[len(keys)-1])
	}
	for _, k := range keys {
		o := f.objects[k]
		size := int64(len(o.body))
		if o.listedSize != nil {
			size = *o.listedSize
		}
		out.Contents = append(out.Contents, types.Object{Key: aws.String(k), Size: aws.Int64(size)})
	}
	out.KeyCount = aws.Int32(int32(len(keys)))
	return out, nil
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.gets = append(f.gets, in)
	o, ok := f.objects[aws.ToString(in.Key)]
	if !ok {
		return nil, &types.NoSuchKey{}
	}
	if o.getErr != nil {
		return nil, o.getErr
	}
	out := &s3.GetObjectOutput{Body: io.NopCloser(strings.NewReader(o.body)), ChecksumType: o.checksumType}
	if o.checksum != "" {
		out.ChecksumSHA256 = aws.String(o.checksum)
	}
	return out, nil
}

type fakeRecords struct {
	putErr    func(a caserecords.Artifact) error
	eventErr  error
	artifacts []caserecords.Artifact
	events    []caserecords.Event
}

func (f *fakeRecords) PutArtifact(_ context.Context, a caserecords.Artifact) error {
	f.artifacts = append(f.artifacts, a)
	if f.putErr != nil {
		return f.putErr(a)
	}
	return nil
}

func (f *fakeRecords) AppendEvent(_ context.Context, e caserecords.Event) error {
	f.events = append(f.events, e)
	return f.eventErr
}

var (
	_ S3      = (*fakeS3)(nil)
	_ Records = (*fakeRecords)(nil)
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sha64(s string) string {
	sum := sha256.Sum256([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}
