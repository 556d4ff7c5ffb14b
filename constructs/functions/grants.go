package functions

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Grants are the grant methods of the constructs that own the shared
// resources, such as casetable.Table.GrantRecord. A nil field falls back to
// a grant of the same exact actions built from the resource in Props.
type Grants struct {
	// Record lets a role read and write case records: dynamodb:GetItem,
	// Query, PutItem, UpdateItem and ConditionCheckItem, and the table key's
	// Decrypt, DescribeKey, Encrypt and GenerateDataKey.
	Record func(grantee awsiam.IGrantable)
	// ReadResults lets a role list the results bucket and read the objects
	// under investigation.CasesPrefix, and decrypt them.
	ReadResults func(grantee awsiam.IGrantable)
	// ReadResultObjects lets a role read the objects under
	// investigation.CasesPrefix (s3:GetObject, and kms:Decrypt), without
	// listing the bucket.
	ReadResultObjects func(grantee awsiam.IGrantable)
	// WriteReport lets a role upload the case reports,
	// cases/*/report.{json,md,html} (s3:PutObject, and
	// kms:GenerateDataKey); storage.GrantWriteReport also denies writes
	// under the results folders.
	WriteReport func(grantee awsiam.IGrantable)
	// Publish lets a role publish to the notification topic (and use its
	// key).
	Publish func(grantee awsiam.IGrantable)
}

// withDefaults fills the nil grants from the resources of p.
func (g Grants) withDefaults(p Props) Grants {
	if g.Record == nil {
		g.Record = func(grantee awsiam.IGrantable) {
			p.Table.Grant(grantee, *jsii.Strings("dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem",
				"dynamodb:UpdateItem", "dynamodb:ConditionCheckItem")...)
			if key := p.Table.EncryptionKey(); key != nil {
				key.Grant(grantee, *jsii.Strings("kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey")...)
			}
		}
	}
	if g.ReadResults == nil {
		g.ReadResults = func(grantee awsiam.IGrantable) {
			bucket := p.ResultsBucket
			awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
				Grantee: grantee, Actions: jsii.Strings("s3:ListBucket"), ResourceArns: jsii.Strings(*bucket.BucketArn()),
			})
			awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
				Grantee: grantee, Actions: jsii.Strings("s3:GetObject"),
				ResourceArns: jsii.Strings(*bucket.ArnForObjects(jsii.String(investigation.CasesPrefix + "*"))),
			})
			if key := bucket.EncryptionKey(); key != nil {
				key.Grant(grantee, jsii.String("kms:Decrypt"))
			}
		}
	}
	if g.ReadResultObjects == nil {
		g.ReadResultObjects = func(grantee awsiam.IGrantable) {
			bucket := p.ResultsBucket
			awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
				Grantee: grantee, Actions: jsii.Strings("s3:GetObject"),
				ResourceArns: jsii.Strings(*bucket.ArnForObjects(jsii.String(investigation.CasesPrefix + "*"))),
			})
			if key := bucket.EncryptionKey(); key != nil {
				key.Grant(grantee, jsii.String("kms:Decrypt"))
			}
		}
	}
	if g.WriteReport == nil {
		g.WriteReport = func(grantee awsiam.IGrantable) {
			bucket := p.ResultsBucket
			var reports []string
			for _, form := range investigation.ReportForms() {
				reports = append(reports, *bucket.ArnForObjects(jsii.String(investigation.ReportKey("*", form))))
			}
			awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
				Grantee: grantee, Actions: jsii.Strings("s3:PutObject"), ResourceArns: jsii.Strings(reports...),
			})
			if key := bucket.EncryptionKey(); key != nil {
				key.Grant(grantee, jsii.String("kms:GenerateDataKey"))
			}
		}
	}
	if g.Publish == nil {
		g.Publish = func(grantee awsiam.IGrantable) { p.Topic.GrantPublish(grantee) }
	}
	return g
}
