// Command checkinstance is the Lambda function of the CheckInstance step.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/forensics"
	"github.com/casefile-forensics/casefile/lambdas/host"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvProbeDocument)
	h := &host.Checker{
		EC2: ec2.NewFromConfig(cfg),
		Probe: &forensics.Prober{
			SSM:      ssm.NewFromConfig(cfg),
			Document: env[investigation.EnvProbeDocument],
			Recorder: caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName]),
		},
	}
	lambdamain.StartTask(logger, investigation.ReasonInstanceNotReady, h.Handle)
}
