// Package storage defines the evidence and results buckets of Casefile, their
// KMS keys and the bucket that receives their server access logs.
package storage

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Construct IDs of the children. They are stable: changing one replaces a
// stateful resource.
const (
	idAccessLogBucket = "AccessLogBucket"
	idEvidenceKey     = "EvidenceKey"
	idEvidenceBucket  = "EvidenceBucket"
	idResultsKey      = "ResultsKey"
	idResultsBucket   = "ResultsBucket"
)

// flagAccessLogsUseBucketPolicy is the CDK feature flag that makes a bucket
// receive server access logs through its bucket policy.
const flagAccessLogsUseBucketPolicy = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"

// Storage is the evidence bucket, the results bucket, one customer-managed
// KMS key for each, and the server access log bucket.
//
// Each data bucket has its own key so that reading the results (analysts,
// the report) never implies being able to decrypt the evidence, and so that
// each key's policy and lifetime can be managed on its own. A key costs
// little next to that separation.
//
// Both data buckets are versioned, SSE-KMS with an S3 Bucket Key, TLS 1.2
// only, blocked from public access, and log their access to
// AccessLogBucket. Their policies deny uploads that ask for any encryption
// other than aws:kms, or for a KMS key other than the bucket's own (named by
// its ARN). No IAM condition key covers the checksum headers, so checksums
// are not enforced by policy; S3 itself refuses uploads without Content-MD5
// or a checksum to a bucket with Object Lock, such as the evidence bucket.
type Storage struct {
	// EvidenceBucket holds acquired evidence such as memory dumps. Object
	// Lock is on, with the default retention of Props.
	EvidenceBucket awss3.IBucket
	// EvidenceKey encrypts EvidenceBucket.
	EvidenceKey awskms.IKey
	// ResultsBucket receives the forensic results, laid out under
	// investigation.CasesPrefix.
	ResultsBucket awss3.IBucket
	// ResultsKey encrypts ResultsBucket.
	ResultsKey awskms.IKey
	// AccessLogBucket receives the server access logs of both data buckets
	// (SSE-S3, as S3 server access logging requires).
	AccessLogBucket awss3.IBucket
}

// NewStorage creates the buckets and keys under a construct named id. It
// panics if props are invalid.
func NewStorage(scope constructs.Construct, id string, props Props) *Storage {
	p := props.withDefaults()
	c := constructs.NewConstruct(scope, jsii.String(id))
	// S3 delivers the access logs under a bucket policy rather than the
	// legacy log-delivery ACL, whatever the app's feature flags say.
	c.Node().SetContext(jsii.String(flagAccessLogsUseBucketPolicy), true)

	logs := awss3.NewBucket(c, jsii.String(idAccessLogBucket), p.accessLogBucketProps())
	suppressAccessLogFindings(logs)

	evidenceKey := awskms.NewKey(c, jsii.String(idEvidenceKey), p.keyProps("Casefile evidence bucket"))
	evidence := awss3.NewBucket(c, jsii.String(idEvidenceBucket),
		p.dataBucketProps(evidenceKey, logs, accessLogPrefixEvidence, true))
	denyOtherEncryption(evidence, evidenceKey)

	resultsKey := awskms.NewKey(c, jsii.String(idResultsKey), p.keyProps("Casefile results bucket"))
	results := awss3.NewBucket(c, jsii.String(idResultsBucket),
		p.dataBucketProps(resultsKey, logs, accessLogPrefixResults, p.ResultsObjectLock))
	denyOtherEncryption(results, resultsKey)

	return &Storage{
		EvidenceBucket:  evidence,
		EvidenceKey:     evidenceKey,
		ResultsBucket:   results,
		ResultsKey:      resultsKey,
		AccessLogBucket: logs,
	}
}
