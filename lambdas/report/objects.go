package report

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// S3 is the part of the S3 client that the report step uses: it reads the
// results the forensics wrote and uploads the report.
type S3 interface {
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// objects reads result objects of one bucket, each up to a bound.
type objects struct {
	s3     S3
	bucket string
}

// read returns up to max bytes of the object at key, and whether it holds
// more.
func (o objects) read(ctx context.Context, key string, max int64) ([]byte, bool, error) {
	body, err := o.open(ctx, key)
	if err != nil {
		return nil, false, err
	}
	defer body.Close()
	content, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		return nil, false, fmt.Errorf("read s3://%s/%s: %w", o.bucket, key, err)
	}
	if int64(len(content)) > max {
		return content[:max], true, nil
	}
	return content, false, nil
}

// lines calls each for every line of the object at key, reading at most max
// bytes; complete is false when the object holds more.
func (o objects) lines(ctx context.Context, key string, max int64, each func(line []byte)) (complete bool, err error) {
	body, err := o.open(ctx, key)
	if err != nil {
		return false, err
	}
	defer body.Close()
	limited := &io.LimitedReader{R: body, N: max}
	sc := bufio.NewScanner(limited)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		each(sc.Bytes())
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		// A line longer than the buffer ends the scan: what follows is
		// not counted.
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("read s3://%s/%s: %w", o.bucket, key, err)
	}
	if limited.N > 0 {
		return true, nil
	}
	// The bound was reached: the object is complete only if nothing is left.
	n, _ := body.Read(make([]byte, 1))
	return n == 0, nil
}

func (o objects) open(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := o.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(o.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get s3://%s/%s: %w", o.bucket, key, err)
	}
	return out.Body, nil
}
