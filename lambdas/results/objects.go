package results

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// S3 is the part of the S3 client that the results step uses.
type S3 interface {
	ListObjectsV2(ctx context.Context, params *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// maxManifestBytes bounds how much of a manifest is read into memory.
const maxManifestBytes = 8 << 20

// object is one listed result object.
type object struct {
	Key  string
	Size int64
}

// hashed is an object read whole, with its SHA-256.
type hashed struct {
	object
	SHA256 string
	// Content is kept for manifests only.
	Content []byte
}

// list returns every object under prefix, folder markers left out.
func list(ctx context.Context, client S3, bucket, prefix string) ([]object, error) {
	var objects []object
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket),
		Prefix: aws.String(prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list s3://%s/%s: %w", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			if strings.HasSuffix(key, "/") && aws.ToInt64(o.Size) == 0 {
				continue
			}
			objects = append(objects, object{Key: key, Size: aws.ToInt64(o.Size)})
		}
	}
	return objects, nil
}

// hash streams the object through SHA-256. It asks S3 for the stored
// checksum and compares a full-object SHA-256 with what it computed; it
// also compares the bytes read with the listed size. With keep, the content
// (up to maxManifestBytes) is returned too.
func hash(ctx context.Context, client S3, bucket string, o object, keep bool) (hashed, error) {
	out, err := client.GetObject(ctx, &s3.GetObjectInput{
		Bucket:       aws.String(bucket),
		Key:          aws.String(o.Key),
		ChecksumMode: types.ChecksumModeEnabled,
	})
	if err != nil {
		return hashed{}, fmt.Errorf("get s3://%s/%s: %w", bucket, o.Key, err)
	}
	defer out.Body.Close()

	sum := sha256.New()
	var content bytes.Buffer
	w := io.Writer(sum)
	if keep {
		w = io.MultiWriter(sum, &limitedBuffer{buf: &content, max: maxManifestBytes})
	}
	n, err := io.Copy(w, out.Body)
	if err != nil {
		return hashed{}, fmt.Errorf("read s3://%s/%s: %w", bucket, o.Key, err)
	}
	if n != o.Size {
		return hashed{}, fmt.Errorf("read s3://%s/%s: got %d bytes, listed as %d", bucket, o.Key, n, o.Size)
	}
	digest := sum.Sum(nil)
	if stored := fullObjectSHA256(out); stored != "" && stored != base64.StdEncoding.EncodeToString(digest) {
		return hashed{}, fmt.Errorf("s3://%s/%s: SHA-256 %s does not match the stored checksum %s",
			bucket, o.Key, hex.EncodeToString(digest), stored)
	}
	h := hashed{object: o, SHA256: hex.EncodeToString(digest)}
	if keep {
		h.Content = content.Bytes()
	}
	return h, nil
}

// fullObjectSHA256 returns the object's stored base64 SHA-256 when it
// covers the whole object (a multipart upload's composite checksum, marked
// COMPOSITE or with a "-<parts>" suffix, does not).
func fullObjectSHA256(out *s3.GetObjectOutput) string {
	stored := aws.ToString(out.ChecksumSHA256)
	if stored == "" || out.ChecksumType == types.ChecksumTypeComposite || strings.Contains(stored, "-") {
		return ""
	}
	return stored
}

// limitedBuffer keeps the first max bytes written and drops the rest.
type limitedBuffer struct {
	buf *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.max - l.buf.Len(); room > 0 {
		l.buf.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
