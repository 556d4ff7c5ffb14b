// Command start is the Lambda function that EventBridge invokes with
// "Evidence Acquisition Completed" events; it starts the investigation
// workflow.
package main

import (
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
	"github.com/casefile-forensics/casefile/lambdas/starter"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvStateMachineARN, investigation.EnvEvidenceBucket)
	h := starter.New(sfn.NewFromConfig(cfg), env[investigation.EnvStateMachineARN], env[investigation.EnvEvidenceBucket])
	lambdamain.Start(logger, h.Handle)
}
