package functions

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// arns formats the ARNs of the resources the functions act on, in the
// stack's account and Region.
type arns struct {
	stack awscdk.Stack
}

func arnsOf(scope constructs.Construct) arns { return arns{stack: awscdk.Stack_Of(scope)} }

// ec2 returns arn:...:ec2:<region>:<account>:<resource>/<name>.
func (a arns) ec2(resource, name string) string {
	return *a.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ec2"), Resource: jsii.String(resource), ResourceName: jsii.String(name),
	})
}

// ec2Public returns an EC2 ARN without an account, as images and snapshots
// have: the AMI and the shared snapshots belong to other accounts.
func (a arns) ec2Public(resource, name string) string {
	return *a.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ec2"), Account: jsii.String(""), Resource: jsii.String(resource),
		ResourceName: jsii.String(name),
	})
}

// document returns the ARN of an SSM document of this account.
func (a arns) document(name string) string {
	return *a.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("ssm"), Resource: jsii.String("document"), ResourceName: jsii.String(name),
	})
}

// kmsKeys returns the ARN pattern of every KMS key of account in the
// stack's Region.
func (a arns) kmsKeys(account string) string {
	return *a.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("kms"), Account: jsii.String(account), Resource: jsii.String("key"),
		ResourceName: jsii.String("*"),
	})
}

// securityHub returns the ARN of this account's Security Hub in the
// stack's Region, where findings are updated (with cross-Region
// aggregation, those of the linked Regions too).
func (a arns) securityHub() string {
	return *a.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("securityhub"), Resource: jsii.String("hub"), ResourceName: jsii.String("default"),
	})
}

// ec2Endpoint is the EC2 service name used in kms:ViaService conditions.
func (a arns) ec2Endpoint() string {
	return "ec2." + *a.stack.Region() + ".amazonaws.com"
}

// role returns the ARN of the IAM role name in account (or "*").
func (a arns) role(account, name string) string {
	return *a.stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("iam"), Region: jsii.String(""), Account: jsii.String(account),
		Resource: jsii.String("role"), ResourceName: jsii.String(name),
	})
}
