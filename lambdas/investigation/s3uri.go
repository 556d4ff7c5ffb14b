package investigation

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// MaxS3KeyBytes bounds the key of an S3 URI in a request: the limit of the
// memory document's dumpS3Uri parameter (S3 itself allows 1024).
const MaxS3KeyBytes = 1000

var (
	// bucketPattern is S3's form of a general purpose bucket name, and that
	// of the documents' bucket parameters; validBucketName adds S3's other
	// rules.
	bucketPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	ipLikePattern = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$`)
	// s3KeyPattern is the key character class of the memory document's
	// dumpS3Uri parameter: S3's safe characters without the apostrophe.
	s3KeyPattern = regexp.MustCompile(`^[A-Za-z0-9!_.*()/-]+$`)
)

// Prefixes and suffixes that S3 reserves: no bucket has them.
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// SplitS3URI splits s3://bucket/key into its bucket and key. The bucket
// must follow S3's naming rules; the key must be at most MaxS3KeyBytes of
// letters, digits and !_.*()/-, hold no "..", and have no empty or "."
// segment, so that the URI passes the memory document and its script.
func SplitS3URI(uri string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok {
		return "", "", errors.New("must start with s3://")
	}
	bucket, key, ok = strings.Cut(rest, "/")
	if !ok || key == "" {
		return "", "", errors.New("must name a bucket and a key")
	}
	if !validBucketName(bucket) {
		return "", "", errors.New("must name a valid S3 bucket")
	}
	if len(key) > MaxS3KeyBytes {
		return "", "", fmt.Errorf("key must be at most %d bytes", MaxS3KeyBytes)
	}
	if !s3KeyPattern.MatchString(key) {
		return "", "", errors.New("key may hold only letters, digits and !_.*()/-")
	}
	if strings.Contains(key, "..") {
		return "", "", errors.New("key must not contain '..'")
	}
	for _, part := range strings.Split(key, "/") {
		if part == "" || part == "." {
			return "", "", errors.New("key must not have empty or '.' segments")
		}
	}
	return bucket, key, nil
}

// validBucketName reports whether name follows S3's rules for general
// purpose bucket names: 3 to 63 lower-case letters, digits, '.' and '-',
// starting and ending with a letter or digit, no "..", not an IP address,
// none of the reserved prefixes and suffixes.
func validBucketName(name string) bool {
	if !bucketPattern.MatchString(name) || strings.Contains(name, "..") || ipLikePattern.MatchString(name) {
		return false
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return false
		}
	}
	return true
}
