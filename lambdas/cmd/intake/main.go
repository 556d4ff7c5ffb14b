// Command intake is the Lambda function of the RecordCase step.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/intake"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvEvidenceBucket)
	store := caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName])
	lambdamain.StartTask(logger, investigation.ReasonCaseRecord, intake.New(store, ec2.NewFromConfig(cfg), env[investigation.EnvEvidenceBucket]).Handle)
}
