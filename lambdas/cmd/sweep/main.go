// Command sweep is the Lambda function that EventBridge invokes when an
// investigation's execution times out or is stopped; it runs the release
// and notify steps that the workflow then skipped.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/findingupdate"
	"github.com/casefile-forensics/casefile/lambdas/host"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
	"github.com/casefile-forensics/casefile/lambdas/notify"
	"github.com/casefile-forensics/casefile/lambdas/sweep"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvTopicARN)
	store := caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName])
	releaser := &host.Releaser{EC2: ec2.NewFromConfig(cfg), Recorder: store}
	h := sweep.New(store, releaser.Handle, sns.NewFromConfig(cfg), notify.Config{
		TopicARN:  env[investigation.EnvTopicARN],
		TableName: env[investigation.EnvTableName],
		Findings:  findingupdate.New(securityhub.NewFromConfig(cfg)),
	})
	lambdamain.Start(logger, h.Handle)
}
