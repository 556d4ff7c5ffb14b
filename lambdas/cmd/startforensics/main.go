// Command startforensics is the Lambda function of the StartDiskForensics
// and StartMemoryForensics steps.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/forensics"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvDiskDocument,
		investigation.EnvMemoryDocument, investigation.EnvResultsBucket)
	timeoutSeconds, err := lambdamain.EnvInt(investigation.EnvCommandTimeout, 0)
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	perGiB, err := lambdamain.EnvInt(investigation.EnvCommandSecondsPerGiB, 0)
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	maxSeconds, err := lambdamain.EnvInt(investigation.EnvMaxCommandTimeout, 0)
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	h := &forensics.Starter{
		SSM:      ssm.NewFromConfig(cfg),
		EC2:      ec2.NewFromConfig(cfg),
		Recorder: caserecords.New(dynamodb.NewFromConfig(cfg), env[investigation.EnvTableName]),
		Config: forensics.StartConfig{
			DiskDocument:   env[investigation.EnvDiskDocument],
			MemoryDocument: env[investigation.EnvMemoryDocument],
			ResultsBucket:  env[investigation.EnvResultsBucket],
			// Optional in the functions construct: the handler fails a
			// case that needs one of them, naming the setting.
			ResultsKMSKeyARN: os.Getenv(investigation.EnvResultsKMSKeyARN),
			SymbolsS3URI:     os.Getenv(investigation.EnvSymbolsS3URI),
			CommandTimeout:   time.Duration(timeoutSeconds) * time.Second,
			// Set by the functions construct; 0 (unset) means no scaling
			// and the documents' 48-hour cap.
			CommandSecondsPerGiB: perGiB,
			MaxCommandTimeout:    time.Duration(maxSeconds) * time.Second,
		},
	}
	lambdamain.StartTask(logger, investigation.ReasonCommandStart, h.Handle)
}
