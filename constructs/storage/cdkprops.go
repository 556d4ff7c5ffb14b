package storage

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

// This file is the one place where Props become jsii values.

func (p Props) keyProps(description string) *awskms.KeyProps {
	return &awskms.KeyProps{
		Description:       jsii.String(description),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     p.RemovalPolicy,
	}
}

// accessLogBucketProps: S3 server access logging writes only to buckets
// encrypted with SSE-S3, so this bucket cannot use a customer-managed key.
func (p Props) accessLogBucketProps() *awss3.BucketProps {
	return &awss3.BucketProps{
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		Versioned:         jsii.Bool(true),
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(minimumTLSVersion),
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("ExpireAccessLogs"),
			Expiration:                          awscdk.Duration_Days(jsii.Number(*p.AccessLogExpiryDays)),
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(noncurrentLogExpiryDays)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(incompleteUploadExpiryDays)),
		}},
		RemovalPolicy: p.RemovalPolicy,
	}
}

// dataBucketProps describes the evidence and results buckets. Nothing expires
// there: evidence and results are kept until someone decides otherwise.
func (p Props) dataBucketProps(key awskms.IKey, logs awss3.IBucket, logPrefix string, objectLock bool) *awss3.BucketProps {
	props := &awss3.BucketProps{
		Encryption:             awss3.BucketEncryption_KMS,
		EncryptionKey:          key,
		BucketKeyEnabled:       jsii.Bool(true),
		Versioned:              jsii.Bool(true),
		EnforceSSL:             jsii.Bool(true),
		MinimumTLSVersion:      jsii.Number(minimumTLSVersion),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		ServerAccessLogsBucket: logs,
		ServerAccessLogsPrefix: jsii.String(logPrefix),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("AbortIncompleteUploads"),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(incompleteUploadExpiryDays)),
		}},
		RemovalPolicy: p.RemovalPolicy,
	}
	if objectLock {
		props.ObjectLockEnabled = jsii.Bool(true)
		props.ObjectLockDefaultRetention = p.objectLockRetention()
	}
	return props
}

func (p Props) objectLockRetention() awss3.ObjectLockRetention {
	days := awscdk.Duration_Days(jsii.Number(*p.ObjectLockDays))
	if p.ObjectLockMode == ObjectLockCompliance {
		return awss3.ObjectLockRetention_Compliance(days)
	}
	return awss3.ObjectLockRetention_Governance(days)
}
