// Command release is the Lambda function of the ReleaseResources and
// Cleanup steps.
package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/host"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
)

func main() {
	logger := lambdamain.Logger()
	env, err := lambdamain.Env(investigation.EnvTableName)
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	cfg, err := lambdamain.AWSConfig(context.Background())
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	h := &host.Releaser{
		EC2:      ec2.NewFromConfig(cfg),
		Recorder: caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName]),
	}
	lambdamain.Start(logger, h.Handle)
}
