package storage

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

// S3 condition keys on the encryption an upload asks for.
const (
	condSSE      = "s3:x-amz-server-side-encryption"
	condSSEKeyID = "s3:x-amz-server-side-encryption-aws-kms-key-id"
	sseKMS       = "aws:kms"
)

// denyOtherEncryption adds to bucket's policy two statements that deny
// uploads asking for an encryption other than aws:kms, or for a KMS key other
// than key. An upload that asks for nothing gets the bucket's default, which
// is key; so clients need not repeat the bucket's settings.
func denyOtherEncryption(bucket awss3.IBucket, key awskms.IKey) {
	bucket.AddToResourcePolicy(denyPutObjectWhen(bucket, "DenyUploadsNotSSEKMS", map[string]any{
		"StringNotEquals": map[string]any{condSSE: sseKMS},
		"Null":            map[string]any{condSSE: "false"},
	}))
	bucket.AddToResourcePolicy(denyPutObjectWhen(bucket, "DenyUploadsWithOtherKMSKey", map[string]any{
		"StringNotEquals": map[string]any{condSSEKeyID: key.KeyArn()},
		"Null":            map[string]any{condSSEKeyID: "false"},
	}))
}

func denyPutObjectWhen(bucket awss3.IBucket, sid string, conditions map[string]any) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(sid),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(*bucket.ArnForObjects(jsii.String("*"))),
		Conditions: &conditions,
	})
}
