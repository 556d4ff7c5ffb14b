// Command collectresults is the Lambda function of the CollectResults step.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
	"github.com/casefile-forensics/casefile/lambdas/results"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvResultsBucket)
	store := caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName])
	h := results.New(s3.NewFromConfig(cfg), store, env[investigation.EnvResultsBucket])
	lambdamain.StartTask(logger, investigation.ReasonResultsCollection, h.Handle)
}
