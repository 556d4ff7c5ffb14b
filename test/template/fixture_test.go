package template_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/casefile-forensics/casefile/constructs/config"
	"github.com/casefile-forensics/casefile/constructs/deployment"
	"github.com/casefile-forensics/casefile/internal/cdktest"
)

// repoRoot is the module root, from which the handlers are built.
const repoRoot = "../.."

// synthesized is one synthesized Casefile stack.
type synthesized struct {
	stack    *deployment.Stack
	template assertions.Template
	// json is the template as CloudFormation reads it.
	json []byte
	// Resources are the template's resources, decoded.
	cdktest.Resources
	// outdir is the cloud assembly.
	outdir string
}

// stacks are synthesized once for every test: with cdk.json's context, and
// with every optional setting (an existing VPC, a custom event bus, a
// symbols location, application accounts and a real-looking AMI).
var stacks struct {
	defaults, existingVPC synthesized
	// applicationAccount is the application account stack with every
	// isolation setting; applicationAccountDefaults with cdk.json's.
	applicationAccount, applicationAccountDefaults synthesizedApplicationAccount
}

func TestMain(m *testing.M) {
	code := func() int {
		defer jsii.Close()
		dir, err := os.MkdirTemp("", "casefile-template-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		context, err := cdkJSONContext()
		if err != nil {
			panic(err)
		}
		stacks.defaults = synth(filepath.Join(dir, "defaults"), context)
		stacks.applicationAccountDefaults = synthApplicationAccount(filepath.Join(dir, "application-account-defaults"), context, nil)
		stacks.applicationAccount = synthApplicationAccount(filepath.Join(dir, "application-account"), context, applicationAccountSettings)
		context[config.KeyVPCID] = "vpc-0123456789abcdef0"
		context[config.KeySubnetIDs] = []any{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"}
		context[config.KeyAvailabilityZones] = []any{"eu-west-1a", "eu-west-1b"}
		context[config.KeyEventBusName] = "security"
		context[config.KeySymbolsS3URI] = "s3://casefile-symbols/linux/"
		context[config.KeyNotificationEmail] = "soc@example.com"
		context[config.KeyApplicationAccountIDs] = []any{"111111111111", "222222222222"}
		context[config.KeyForensicAMIID] = "ami-0fedcba9876543210"
		context[config.KeyWaitCommandSeconds] = 60.0
		context[config.KeyMaxCommandChecks] = 100.0
		context[config.KeyCommandTimeoutSeconds] = 1800.0
		context[config.KeyCommandSecondsPerGiB] = 45.0
		context[config.KeyLargeInstanceType] = "r7i.4xlarge"
		context[config.KeyLargeEvidenceGiB] = 64.0
		stacks.existingVPC = synth(filepath.Join(dir, "existing-vpc"), context)
		return m.Run()
	}()
	os.Exit(code)
}

// cdkJSONContext returns the context of the repository's cdk.json.
func cdkJSONContext() (map[string]any, error) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "cdk.json"))
	if err != nil {
		return nil, fmt.Errorf("read cdk.json: %w", err)
	}
	var cdk struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(raw, &cdk); err != nil {
		return nil, fmt.Errorf("decode cdk.json: %w", err)
	}
	return cdk.Context, nil
}

// synth builds the stack as app.go does, with the cdk-nag checks, and
// writes the cloud assembly to outdir. The app gets the whole context, as
// the CDK CLI gives it cdk.json's: the feature flags too.
func synth(outdir string, context map[string]any) synthesized {
	cfg, err := config.Load(func(key string) any { return context[key] })
	if err != nil {
		panic(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir), Context: &context})
	stack := deployment.NewStack(app, "Casefile", deployment.Props{Config: cfg, ModuleRoot: repoRoot})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	app.Synth(nil)

	tmpl := assertions.Template_FromStack(stack.Stack, nil)
	raw, err := json.Marshal(*tmpl.ToJSON())
	if err != nil {
		panic(err)
	}
	resources, err := cdktest.ResourcesOf(tmpl)
	if err != nil {
		panic(err)
	}
	return synthesized{stack: stack, template: tmpl, json: raw, Resources: resources, outdir: outdir}
}

// logicalID returns the logical ID of c, or of its default child when c is
// a higher-level construct.
func (s synthesized) logicalID(c constructs.IConstruct) string {
	if el, ok := c.(awscdk.CfnElement); ok {
		return *s.stack.Stack.GetLogicalId(el)
	}
	return *s.stack.Stack.GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
}
