package storage

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppressAccessLogFindings records, beside the bucket, why the access log
// bucket does not log its own access.
func suppressAccessLogFindings(logs awss3.IBucket) {
	cdknag.NagSuppressions_AddResourceSuppressions(logs, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-S1"),
		Reason: jsii.String("This is the server access log bucket of the evidence and results buckets; logging its own access would log the logging."),
	}}, jsii.Bool(false))
}
