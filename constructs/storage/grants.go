package storage

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// The grants below list exact actions, never wildcards; each KMS action is
// granted on the bucket's own key.

// GrantReadEvidence lets grantee read every object in the evidence bucket
// (s3:GetObject, and kms:Decrypt on the evidence key).
func (s *Storage) GrantReadEvidence(grantee awsiam.IGrantable) {
	awss3.BucketGrants_FromBucket(s.EvidenceBucket).
		ActionsOnObjectKeys(grantee, jsii.String("*"), actions("s3:GetObject", "kms:Decrypt")...)
}

// GrantWriteResults lets grantee upload results under
// investigation.CasesPrefix in the results bucket (s3:PutObject,
// s3:AbortMultipartUpload, and kms:GenerateDataKey and kms:Decrypt on the
// results key; multipart uploads need both).
func (s *Storage) GrantWriteResults(grantee awsiam.IGrantable) {
	awss3.BucketGrants_FromBucket(s.ResultsBucket).
		ActionsOnObjectKeys(grantee, casesPattern(),
			actions("s3:PutObject", "s3:AbortMultipartUpload", "kms:GenerateDataKey", "kms:Decrypt")...)
}

// GrantReadResults lets grantee list the results bucket and read the objects
// under investigation.CasesPrefix (s3:ListBucket, s3:GetObject, and
// kms:Decrypt on the results key).
func (s *Storage) GrantReadResults(grantee awsiam.IGrantable) {
	awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee:      grantee,
		Actions:      jsii.Strings("s3:ListBucket"),
		ResourceArns: jsii.Strings(*s.ResultsBucket.BucketArn()),
	})
	awss3.BucketGrants_FromBucket(s.ResultsBucket).
		ActionsOnObjectKeys(grantee, casesPattern(), actions("s3:GetObject", "kms:Decrypt")...)
}

// GrantReadResultObjects lets grantee read the objects under
// investigation.CasesPrefix in the results bucket (s3:GetObject, and
// kms:Decrypt on the results key), without listing the bucket.
func (s *Storage) GrantReadResultObjects(grantee awsiam.IGrantable) {
	awss3.BucketGrants_FromBucket(s.ResultsBucket).
		ActionsOnObjectKeys(grantee, casesPattern(), actions("s3:GetObject", "kms:Decrypt")...)
}

// GrantWriteReport lets grantee upload the case reports,
// investigation.ReportKey of any case in each of investigation.ReportForms
// (s3:PutObject, and kms:GenerateDataKey on the results key). IAM's '*'
// also matches '/', so the pattern cases/*/report.json would also match a
// result file of that name deep in a case's results: an explicit Deny
// keeps grantee from writing under the results and command-output
// folders.
func (s *Storage) GrantWriteReport(grantee awsiam.IGrantable) {
	grants := awss3.BucketGrants_FromBucket(s.ResultsBucket)
	for _, form := range investigation.ReportForms() {
		grants.ActionsOnObjectKeys(grantee, jsii.String(investigation.ReportKey("*", form)),
			actions("s3:PutObject", "kms:GenerateDataKey")...)
	}
	var results []string
	for _, prefix := range []string{
		investigation.ResultsPrefix("*", investigation.ForensicTypeDisk),
		investigation.ResultsPrefix("*", investigation.ForensicTypeMemory),
		investigation.CommandOutputPrefix("*"),
	} {
		results = append(results, *s.ResultsBucket.ArnForObjects(jsii.String(prefix + "*")))
	}
	grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Effect:    awsiam.Effect_DENY,
		Actions:   jsii.Strings("s3:PutObject"),
		Resources: jsii.Strings(results...),
	}))
}

func casesPattern() *string { return jsii.String(investigation.CasesPrefix + "*") }

func actions(names ...string) []*string { return *jsii.Strings(names...) }
