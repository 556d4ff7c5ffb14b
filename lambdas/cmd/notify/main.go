// Command notify is the Lambda function of the NotifySuccess and
// NotifyFailure steps.
package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
	"github.com/casefile-forensics/casefile/lambdas/notify"
)

func main() {
	logger := lambdamain.Logger()
	env, err := lambdamain.Env(investigation.EnvTableName, investigation.EnvTopicARN)
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	cfg, err := lambdamain.AWSConfig(context.Background())
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	store := caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName])
	h := notify.New(store, sns.NewFromConfig(cfg), notify.Config{
		TopicARN:  env[investigation.EnvTopicARN],
		TableName: env[investigation.EnvTableName],
	})
	lambdamain.Start(logger, h.Handle)
}
