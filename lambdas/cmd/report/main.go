// Command report is the Lambda function of the WriteReport and
// WriteFailureReport steps.
package main

import (
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/lambdamain"
	"github.com/casefile-forensics/casefile/lambdas/report"
)

func main() {
	logger, env, cfg := lambdamain.Init(investigation.EnvTableName, investigation.EnvResultsBucket)
	db := dynamodb.NewFromConfig(cfg)
	store := caserecords.New(db, env[investigation.EnvTableName])
	client := s3.NewFromConfig(cfg)
	h := report.New(db, store, client, report.Config{
		TableName:        env[investigation.EnvTableName],
		ResultsBucket:    env[investigation.EnvResultsBucket],
		VolumeKMSKeyARN:  os.Getenv(investigation.EnvVolumeKMSKeyARN),
		ResultsKMSKeyARN: os.Getenv(investigation.EnvResultsKMSKeyARN),
	})
	seconds, err := lambdamain.EnvInt(investigation.EnvReportLinkSeconds, 0)
	if err != nil {
		lambdamain.Exit(logger, err)
	}
	if seconds > 0 {
		h.WithLink(s3.NewPresignClient(client), time.Duration(seconds)*time.Second)
	}
	lambdamain.StartTask(logger, report.ErrorReportFailed, h.Handle)
}
