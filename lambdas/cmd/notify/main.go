// Command notify is the Lambda function of the NotifySuccess and
// NotifyFailure steps.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/findingupdate"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
	"github.com/casefile-forensics/casefile/lambdas/notify"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvTopicARN)
	store := caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName])
	h := notify.New(store, sns.NewFromConfig(cfg), notify.Config{
		TopicARN:  env[investigation.EnvTopicARN],
		TableName: env[investigation.EnvTableName],
		Findings:  findingupdate.New(securityhub.NewFromConfig(cfg)),
	})
	lambdamain.StartTask(logger, investigation.ReasonNotification, h.Handle)
}
