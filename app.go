// Command casefile is the CDK app of Casefile: it reads the configuration
// from the CDK context (cdk.json or -c key=value), builds the Casefile stack
// (and, when applicationAccountStack is set, the application account stack
// for a StackSet) and checks them with the cdk-nag AWS Solutions rules.
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/casefile-forensics/casefile/constructs/config"
	"github.com/casefile-forensics/casefile/constructs/deployment"
)

// Names of the stacks: the forensic account's, and the one that a StackSet
// deploys into every application account.
const (
	stackName                   = "Casefile"
	applicationAccountStackName = "CasefileApplicationAccount"
)

// moduleRoot is where the CDK CLI runs the app ("go run ." in cdk.json):
// the folder holding go.mod, from which the Lambda handlers are built.
const moduleRoot = "."

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "casefile:", err)
		os.Exit(1)
	}
}

func run() error {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	cfg, err := config.Load(func(key string) any { return app.Node().TryGetContext(jsii.String(key)) })
	if err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	deployment.NewStack(app, stackName, deployment.Props{
		Config:     cfg,
		ModuleRoot: moduleRoot,
		StackProps: &awscdk.StackProps{Env: environment()},
	})
	if cfg.Isolation.ApplicationAccountStack {
		// Environment-agnostic: one template for every account and Region.
		deployment.NewApplicationAccountStack(app, applicationAccountStackName, deployment.ApplicationAccountProps{Config: cfg})
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	app.Synth(nil)
	return nil
}

// environment is the account and Region the CDK CLI resolved, if any: with
// none, the stack stays environment-agnostic and synth works offline.
func environment() *awscdk.Environment {
	account, region := os.Getenv("CDK_DEFAULT_ACCOUNT"), os.Getenv("CDK_DEFAULT_REGION")
	if account == "" || region == "" {
		return nil
	}
	return &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}
}
