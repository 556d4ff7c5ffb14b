// Command checkcommand is the Lambda function of the CheckCommand step.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/forensics"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName)
	h := &forensics.CommandChecker{
		SSM:      ssm.NewFromConfig(cfg),
		Recorder: caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName]),
	}
	lambdamain.StartTask(logger, investigation.ReasonCommandFailed, h.Handle)
}
