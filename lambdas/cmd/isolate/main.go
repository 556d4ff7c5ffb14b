// Command isolate is the Lambda function of the Isolate step.
package main

import (
	"os"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/policy"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvIsolationRoleName, investigation.EnvIsolationDenyProfile)
	// The synthesis checked the policy; a bad one here stops the
	// function before it takes an event.
	pol, err := policy.Parse([]byte(os.Getenv(investigation.EnvIsolationPolicy)))
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	store := caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName])
	accounts := isolation.RoleAccounts{
		Config: cfg, RoleName: env[investigation.EnvIsolationRoleName],
		DenyProfile: env[investigation.EnvIsolationDenyProfile], Logger: logger,
	}
	h := isolation.New(pol, accounts, store, logger)
	lambdamain.StartTask(logger, investigation.ReasonIsolation, h.Handle)
}
