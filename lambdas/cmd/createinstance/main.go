// Command createinstance is the Lambda function of the CreateInstance step.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/host"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvAMIParameter,
		investigation.EnvInstanceType, investigation.EnvVPCID, investigation.EnvSubnetIDs,
		investigation.EnvInstanceProfileARN, investigation.EnvVolumeKMSKeyARN,
		investigation.EnvScratchMinGiB, investigation.EnvScratchMaxGiB,
		investigation.EnvLargeInstanceType, investigation.EnvLargeEvidenceGiB)
	// Required above; EnvInt only parses them.
	scratchMin, err := lambdamain.EnvInt(investigation.EnvScratchMinGiB, 0)
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	scratchMax, err := lambdamain.EnvInt(investigation.EnvScratchMaxGiB, 0)
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	largeGiB, err := lambdamain.EnvInt(investigation.EnvLargeEvidenceGiB, 0)
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	h := &host.Launcher{
		EC2:      ec2.NewFromConfig(cfg),
		SSM:      ssm.NewFromConfig(cfg),
		Recorder: caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName]),
		Config: host.LaunchConfig{
			AMIParameter:       env[investigation.EnvAMIParameter],
			InstanceType:       env[investigation.EnvInstanceType],
			VPCID:              env[investigation.EnvVPCID],
			Region:             cfg.Region,
			SubnetIDs:          host.ParseSubnetIDs(env[investigation.EnvSubnetIDs]),
			InstanceProfileARN: env[investigation.EnvInstanceProfileARN],
			VolumeKMSKeyARN:    env[investigation.EnvVolumeKMSKeyARN],
			ScratchMinGiB:      scratchMin,
			ScratchMaxGiB:      scratchMax,
			LargeInstanceType:  env[investigation.EnvLargeInstanceType],
			LargeEvidenceGiB:   int64(largeGiB),
		},
	}
	lambdamain.StartTask(logger, investigation.ReasonInstanceLaunch, h.Handle)
}
