// Command release is the Lambda function of the ReleaseResources and
// Cleanup steps.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/host"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName)
	h := &host.Releaser{
		EC2:      ec2.NewFromConfig(cfg),
		Recorder: caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName]),
	}
	lambdamain.StartTask(logger, investigation.ReasonCleanupFailed, h.Handle)
}
