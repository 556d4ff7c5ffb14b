// Command attachevidence is the Lambda function of the AttachEvidence step.
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
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvVolumeKMSKeyARN)
	h := &host.Attacher{
		EC2:             ec2.NewFromConfig(cfg),
		Recorder:        caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName]),
		VolumeKMSKeyARN: env[investigation.EnvVolumeKMSKeyARN],
	}
	lambdamain.StartTask(logger, investigation.ReasonEvidenceAttach, h.Handle)
}
