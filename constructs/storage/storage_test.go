package storage_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/storage"
	"github.com/casefile-forensics/casefile/internal/cdktest"
)

// obj is a JSON object in a template matcher.
type obj = map[string]any

type synthesized struct {
	stack    awscdk.Stack
	storage  *storage.Storage
	template assertions.Template
}

func synth(props storage.Props) synthesized {
	stack := cdktest.NewStack()
	s := storage.NewStorage(stack, "Storage", props)
	return synthesized{stack: stack, storage: s, template: assertions.Template_FromStack(stack, nil)}
}

func (s synthesized) resolve(v any) any { return s.stack.Resolve(v) }

func TestNewStorage_BucketsUseTheirOwnKey(t *testing.T) {
	s := synth(storage.Props{})

	cdktest.Check(t, func() { s.template.ResourceCountIs(jsii.String("AWS::S3::Bucket"), jsii.Number(3)) })
	cdktest.Check(t, func() {
		s.template.ResourcePropertiesCountIs(jsii.String("AWS::KMS::Key"), obj{"EnableKeyRotation": true}, jsii.Number(2))
	})
	for name, pair := range map[string]struct{ bucketKey, key any }{
		"evidence": {s.storage.EvidenceBucket.EncryptionKey().KeyArn(), s.storage.EvidenceKey.KeyArn()},
		"results":  {s.storage.ResultsBucket.EncryptionKey().KeyArn(), s.storage.ResultsKey.KeyArn()},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, s.resolve(pair.key), s.resolve(pair.bucketKey), "bucket's key")
			cdktest.Check(t, func() {
				s.template.HasResourceProperties(jsii.String("AWS::S3::Bucket"), obj{
					"BucketEncryption": obj{"ServerSideEncryptionConfiguration": []any{obj{
						"BucketKeyEnabled": true,
						"ServerSideEncryptionByDefault": obj{
							"SSEAlgorithm":   "aws:kms",
							"KMSMasterKeyID": s.resolve(pair.key),
						},
					}}},
				})
			})
		})
	}
	assert.NotEqual(t, s.resolve(s.storage.EvidenceKey.KeyArn()), s.resolve(s.storage.ResultsKey.KeyArn()),
		"evidence and results keys must differ")
}

func TestNewStorage_AccessLogBucket(t *testing.T) {
	s := synth(storage.Props{})
	logs := s.resolve(s.storage.AccessLogBucket.BucketName())

	cdktest.Check(t, func() {
		s.template.HasResourceProperties(jsii.String("AWS::S3::Bucket"), obj{
			"BucketEncryption": obj{"ServerSideEncryptionConfiguration": []any{obj{
				"ServerSideEncryptionByDefault": obj{"SSEAlgorithm": "AES256"},
			}}},
			"LoggingConfiguration": assertions.Match_Absent(),
			"LifecycleConfiguration": obj{"Rules": cdktest.ArrayWith(cdktest.Like(obj{
				"ExpirationInDays": storage.DefaultAccessLogExpiryDays,
				"Status":           "Enabled",
			}))},
		})
	})
	cdktest.Check(t, func() {
		s.template.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), obj{
			"Bucket": logs,
			"PolicyDocument": obj{"Statement": cdktest.ArrayWith(cdktest.Like(obj{
				"Effect":    "Allow",
				"Principal": obj{"Service": "logging.s3.amazonaws.com"},
				"Action":    "s3:PutObject",
			}))},
		})
	})
	for bucket, prefix := range map[string]string{
		"evidence": "evidence/",
		"results":  "results/",
	} {
		t.Run(bucket, func(t *testing.T) {
			cdktest.Check(t, func() {
				s.template.HasResourceProperties(jsii.String("AWS::S3::Bucket"), obj{
					"LoggingConfiguration": obj{"DestinationBucketName": logs, "LogFilePrefix": prefix},
				})
			})
		})
	}
}

func TestNewStorage_EveryBucketVersionedPrivateAndTLSOnly(t *testing.T) {
	s := synth(storage.Props{})
	all := jsii.Number(3)

	cdktest.Check(t, func() {
		s.template.ResourcePropertiesCountIs(jsii.String("AWS::S3::Bucket"),
			obj{"VersioningConfiguration": obj{"Status": "Enabled"}}, all)
	})
	cdktest.Check(t, func() {
		s.template.ResourcePropertiesCountIs(jsii.String("AWS::S3::Bucket"), obj{
			"PublicAccessBlockConfiguration": obj{
				"BlockPublicAcls":       true,
				"BlockPublicPolicy":     true,
				"IgnorePublicAcls":      true,
				"RestrictPublicBuckets": true,
			},
		}, all)
	})
	denyInsecure := cdktest.Like(obj{
		"Effect":    "Deny",
		"Action":    "s3:*",
		"Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}},
	})
	denyOldTLS := cdktest.Like(obj{
		"Effect":    "Deny",
		"Action":    "s3:*",
		"Condition": obj{"NumericLessThan": obj{"s3:TlsVersion": 1.2}},
	})
	for name, bucket := range map[string]any{
		"evidence": s.storage.EvidenceBucket.BucketName(),
		"results":  s.storage.ResultsBucket.BucketName(),
		"logs":     s.storage.AccessLogBucket.BucketName(),
	} {
		t.Run(name, func(t *testing.T) {
			cdktest.Check(t, func() {
				s.template.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), obj{
					"Bucket":         s.resolve(bucket),
					"PolicyDocument": obj{"Statement": cdktest.ArrayWith(denyInsecure, denyOldTLS)},
				})
			})
		})
	}
}

func TestNewStorage_DataBucketsDenyOtherEncryption(t *testing.T) {
	s := synth(storage.Props{})

	for name, b := range map[string]struct{ bucket, key, objects any }{
		"evidence": {s.storage.EvidenceBucket.BucketName(), s.storage.EvidenceKey.KeyArn(),
			s.storage.EvidenceBucket.ArnForObjects(jsii.String("*"))},
		"results": {s.storage.ResultsBucket.BucketName(), s.storage.ResultsKey.KeyArn(),
			s.storage.ResultsBucket.ArnForObjects(jsii.String("*"))},
	} {
		t.Run(name, func(t *testing.T) {
			cdktest.Check(t, func() {
				s.template.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), obj{
					"Bucket": s.resolve(b.bucket),
					"PolicyDocument": obj{"Statement": cdktest.ArrayWith(
						cdktest.Like(obj{
							"Effect":   "Deny",
							"Action":   "s3:PutObject",
							"Resource": s.resolve(b.objects),
							"Condition": obj{
								"StringNotEquals": obj{"s3:x-amz-server-side-encryption": "aws:kms"},
								"Null":            obj{"s3:x-amz-server-side-encryption": "false"},
							},
						}),
						cdktest.Like(obj{
							"Effect":   "Deny",
							"Action":   "s3:PutObject",
							"Resource": s.resolve(b.objects),
							"Condition": obj{
								"StringNotEquals": obj{"s3:x-amz-server-side-encryption-aws-kms-key-id": s.resolve(b.key)},
								"Null":            obj{"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"},
							},
						}),
					)},
				})
			})
		})
	}
}

func TestNewStorage_ObjectLock(t *testing.T) {
	tests := []struct {
		name        string
		props       storage.Props
		wantMode    string
		wantDays    int
		wantResults bool
	}{
		{name: "default is governance for 30 days", props: storage.Props{},
			wantMode: "GOVERNANCE", wantDays: 30},
		{name: "compliance for 90 days", props: storage.Props{ObjectLockMode: storage.ObjectLockCompliance, ObjectLockDays: cdktest.Ptr(90)},
			wantMode: "COMPLIANCE", wantDays: 90},
		{name: "results locked on request", props: storage.Props{ResultsObjectLock: true, ObjectLockDays: cdktest.Ptr(7)},
			wantMode: "GOVERNANCE", wantDays: 7, wantResults: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := synth(tt.props)
			lock := obj{
				"ObjectLockEnabled": true,
				"ObjectLockConfiguration": obj{
					"ObjectLockEnabled": "Enabled",
					"Rule":              obj{"DefaultRetention": obj{"Mode": tt.wantMode, "Days": tt.wantDays}},
				},
			}
			evidence := obj{"BucketEncryption": encryptedWith(s.resolve(s.storage.EvidenceKey.KeyArn()))}
			results := obj{"BucketEncryption": encryptedWith(s.resolve(s.storage.ResultsKey.KeyArn()))}
			for k, v := range lock {
				evidence[k] = v
				if tt.wantResults {
					results[k] = v
				} else {
					results[k] = assertions.Match_Absent()
				}
			}

			cdktest.Check(t, func() { s.template.HasResourceProperties(jsii.String("AWS::S3::Bucket"), evidence) })
			cdktest.Check(t, func() { s.template.HasResourceProperties(jsii.String("AWS::S3::Bucket"), results) })
		})
	}
}

func encryptedWith(keyARN any) assertions.Matcher {
	return cdktest.Like(obj{"ServerSideEncryptionConfiguration": cdktest.ArrayWith(cdktest.Like(obj{
		"ServerSideEncryptionByDefault": obj{"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": keyARN},
	}))})
}

func TestNewStorage_RemovalPolicy(t *testing.T) {
	tests := []struct {
		name   string
		policy awscdk.RemovalPolicy
		want   string
	}{
		{name: "retained by default", policy: "", want: "Retain"},
		{name: "destroyed on request", policy: awscdk.RemovalPolicy_DESTROY, want: "Delete"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := synth(storage.Props{RemovalPolicy: tt.policy})
			for _, kind := range []string{"AWS::S3::Bucket", "AWS::KMS::Key"} {
				found := *s.template.FindResources(jsii.String(kind), nil)
				require.NotEmpty(t, found, kind)
				for id, resource := range found {
					assert.Equal(t, tt.want, (*resource)["DeletionPolicy"], "DeletionPolicy of %s %s", kind, id)
				}
			}
		})
	}
}

func TestStorage_Grants(t *testing.T) {
	tests := []struct {
		name  string
		grant func(*storage.Storage, awsiam.IGrantable)
		want  func(*storage.Storage) []obj
	}{
		{
			name:  "read evidence",
			grant: (*storage.Storage).GrantReadEvidence,
			want: func(s *storage.Storage) []obj {
				return []obj{
					{"Action": "s3:GetObject", "Resource": s.EvidenceBucket.ArnForObjects(jsii.String("*"))},
					{"Action": "kms:Decrypt", "Resource": s.EvidenceKey.KeyArn()},
				}
			},
		},
		{
			name:  "write results",
			grant: (*storage.Storage).GrantWriteResults,
			want: func(s *storage.Storage) []obj {
				return []obj{
					{"Action": []any{"s3:PutObject", "s3:AbortMultipartUpload"},
						"Resource": s.ResultsBucket.ArnForObjects(jsii.String("cases/*"))},
					{"Action": []any{"kms:GenerateDataKey", "kms:Decrypt"}, "Resource": s.ResultsKey.KeyArn()},
				}
			},
		},
		{
			name:  "read results",
			grant: (*storage.Storage).GrantReadResults,
			want: func(s *storage.Storage) []obj {
				return []obj{
					{"Action": "s3:ListBucket", "Resource": s.ResultsBucket.BucketArn()},
					{"Action": "s3:GetObject", "Resource": s.ResultsBucket.ArnForObjects(jsii.String("cases/*"))},
					{"Action": "kms:Decrypt", "Resource": s.ResultsKey.KeyArn()},
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			s := storage.NewStorage(stack, "Storage", storage.Props{})
			role := cdktest.NewGrantee(stack, "Grantee")

			tt.grant(s, role)

			template := assertions.Template_FromStack(stack, nil)
			var want []any
			for _, statement := range tt.want(s) {
				statement["Effect"] = "Allow"
				statement["Resource"] = stack.Resolve(statement["Resource"])
				want = append(want, statement)
			}
			cdktest.CheckRolePolicy(t, template, stack.Resolve(role.RoleName()), want)
		})
	}
}

func TestNewStorage_InvalidPropsPanic(t *testing.T) {
	tests := []struct {
		name  string
		props storage.Props
		want  string
	}{
		{name: "unknown lock mode", props: storage.Props{ObjectLockMode: "LEGAL_HOLD"},
			want: `storage: Props.ObjectLockMode must be "GOVERNANCE" or "COMPLIANCE", got "LEGAL_HOLD"`},
		{name: "lowercase lock mode", props: storage.Props{ObjectLockMode: "governance"},
			want: `storage: Props.ObjectLockMode must be "GOVERNANCE" or "COMPLIANCE", got "governance"`},
		{name: "zero lock days", props: storage.Props{ObjectLockDays: cdktest.Ptr(0)},
			want: "storage: Props.ObjectLockDays must be between 1 and 36500, got 0"},
		{name: "lock days past the S3 limit", props: storage.Props{ObjectLockDays: cdktest.Ptr(36501)},
			want: "storage: Props.ObjectLockDays must be between 1 and 36500, got 36501"},
		{name: "negative log expiry", props: storage.Props{AccessLogExpiryDays: cdktest.Ptr(-1)},
			want: "storage: Props.AccessLogExpiryDays must be at least 1, got -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			assert.PanicsWithValue(t, tt.want, func() { storage.NewStorage(stack, "Storage", tt.props) })
		})
	}
}

func TestNewStorage_PassesAWSSolutionsChecks(t *testing.T) {
	stack := cdktest.NewStack()
	storage.NewStorage(stack, "Storage", storage.Props{})

	cdktest.AssertNoNagFindings(t, stack)
}
