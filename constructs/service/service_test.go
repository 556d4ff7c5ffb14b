package service_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/forensichost"
	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/constructs/service"
	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/template/asl"
)

// stubRoot is a Go module with an empty main per function, so that these
// tests build in seconds and do not depend on the handlers.
var stubRoot string

func TestMain(m *testing.M) {
	code := func() int {
		defer jsii.Close()
		root, err := os.MkdirTemp("", "casefile-service-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(root)
		if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/stub\n\ngo 1.26\n"), 0o644); err != nil {
			panic(err)
		}
		for _, name := range functions.Names() {
			dir := filepath.Join(root, functions.CommandDir, string(name))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				panic(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
				panic(err)
			}
		}
		stubRoot = root
		return m.Run()
	}()
	os.Exit(code)
}

const amiID = "ami-0123456789abcdef0"

// build synthesizes a service with props changed by edit.
func build(t *testing.T, edit func(stack awscdk.Stack, p *service.Props)) (*service.Service, assertions.Template) {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	p := service.Props{AMIID: amiID, ModuleRoot: stubRoot}
	if edit != nil {
		edit(stack, &p)
	}
	svc := service.NewService(stack, "Casefile", p)
	return svc, assertions.Template_FromStack(stack, nil)
}

// functionEnvironments returns the environment variables of every function.
func functionEnvironments(t *testing.T, tmpl assertions.Template) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range *tmpl.FindResources(jsii.String("AWS::Lambda::Function"), nil) {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		var fn struct {
			Properties struct {
				Environment struct{ Variables map[string]any }
			}
		}
		require.NoError(t, json.Unmarshal(b, &fn))
		out = append(out, fn.Properties.Environment.Variables)
	}
	return out
}

// envWith returns the environment of the function that has the setting key.
func envWith(t *testing.T, tmpl assertions.Template, key string) map[string]any {
	t.Helper()
	for _, env := range functionEnvironments(t, tmpl) {
		if _, ok := env[key]; ok {
			return env
		}
	}
	require.Failf(t, "no function has the setting", "%s", key)
	return nil
}

func TestTheServiceHasEveryPart(t *testing.T) {
	svc, tmpl := build(t, nil)

	counts := map[string]float64{
		"AWS::Lambda::Function":            float64(len(functions.Names())),
		"AWS::StepFunctions::StateMachine": 1,
		"AWS::SSM::Document":               3,
		"AWS::SSM::Parameter":              1,
		"AWS::DynamoDB::Table":             1,
		"AWS::SNS::Topic":                  1,
		"AWS::Events::Rule":                2,
		"AWS::EC2::VPC":                    1,
	}
	for typ, want := range counts {
		tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(want))
	}
	tmpl.HasResourceProperties(jsii.String("AWS::SSM::Parameter"), map[string]any{"Value": amiID})
	assert.GreaterOrEqual(t, len(*tmpl.FindResources(jsii.String("AWS::S3::Bucket"), nil)), 3)
	for _, part := range []any{svc.Storage, svc.Cases, svc.Notifications, svc.Host, svc.Functions, svc.Workflow} {
		assert.NotNil(t, part)
	}
}

func TestTheFunctionsAreWiredToTheParts(t *testing.T) {
	svc, tmpl := build(t, nil)

	start := envWith(t, tmpl, investigation.EnvStateMachineARN)
	assert.Contains(t, mustJSON(t, start[investigation.EnvStateMachineARN]), `"Ref":"CasefileWorkflowStateMachine`)

	create := envWith(t, tmpl, investigation.EnvAMIParameter)
	assert.Contains(t, mustJSON(t, create[investigation.EnvAMIParameter]), `"Ref":"CasefileForensicHostAmiParameter`)
	assert.Contains(t, mustJSON(t, create[investigation.EnvVPCID]), `"Ref":"CasefileForensicHostNetworkVpc`)
	assert.Contains(t, mustJSON(t, create[investigation.EnvInstanceProfileARN]), "InstanceProfile")
	assert.Equal(t, forensichost.DefaultInstanceType, create[investigation.EnvInstanceType])

	start2 := envWith(t, tmpl, investigation.EnvDiskDocument)
	assert.Contains(t, mustJSON(t, start2[investigation.EnvDiskDocument]), `"Ref":"CasefileForensicHostDiskDocument`)
	assert.Contains(t, mustJSON(t, start2[investigation.EnvResultsKMSKeyARN]), "CasefileStorageResultsKey")
	evidence := svc.Storage.EvidenceBucket
	assert.Equal(t, map[string]any{"Fn::Join": []any{"", []any{
		"s3://", awscdk.Stack_Of(evidence).Resolve(evidence.BucketName()), "/symbols/",
	}}}, start2[investigation.EnvSymbolsS3URI], "the symbol tables are in the evidence bucket by default")

	// The sweep rule targets the sweep function, for this state machine.
	cdktest.Check(t, func() {
		tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
			"EventPattern": cdktest.Like(map[string]any{
				"source": []string{investigation.ExecutionEventSource},
				"detail": cdktest.Like(map[string]any{
					"stateMachineArn": []any{cdktest.Like(map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^CasefileWorkflowStateMachine"))})},
				}),
			}),
			"Targets": []any{cdktest.Like(map[string]any{
				"Arn": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^CasefileFunctionssweep")), "Arn"}},
			})},
		})
	})
}

func TestAnExistingNetworkReplacesTheVPC(t *testing.T) {
	_, tmpl := build(t, func(_ awscdk.Stack, p *service.Props) {
		p.ExistingNetwork = &forensichost.ExistingNetwork{
			VpcID:             "vpc-0123456789abcdef0",
			SubnetIDs:         []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
			AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"},
		}
	})

	tmpl.ResourceCountIs(jsii.String("AWS::EC2::VPC"), jsii.Number(0))
	create := envWith(t, tmpl, investigation.EnvVPCID)
	assert.Equal(t, "vpc-0123456789abcdef0", create[investigation.EnvVPCID])
	assert.Equal(t, "subnet-0123456789abcdef0,subnet-0123456789abcdef1", create[investigation.EnvSubnetIDs])
}

func TestOptionalSettingsReachTheirParts(t *testing.T) {
	_, tmpl := build(t, func(stack awscdk.Stack, p *service.Props) {
		p.SymbolsS3URI = "s3://symbols-bucket/linux/"
		p.NotificationEmail = "soc@example.com"
		p.EventBus = awsevents.EventBus_FromEventBusName(stack, jsii.String("Bus"), jsii.String("security"))
		p.ApplicationAccountIDs = []string{"111111111111"}
		p.WaitCommandSeconds = cdktest.Ptr(30)
		p.CommandTimeoutSeconds = cdktest.Ptr(900)
		p.ScratchMinGiB, p.ScratchMaxGiB = cdktest.Ptr(32), cdktest.Ptr(512)
		p.RemovalPolicy = awscdk.RemovalPolicy_DESTROY
	})

	start := envWith(t, tmpl, investigation.EnvSymbolsS3URI)
	assert.Equal(t, "s3://symbols-bucket/linux/", start[investigation.EnvSymbolsS3URI])
	assert.Equal(t, "900", start[investigation.EnvCommandTimeout])
	create := envWith(t, tmpl, investigation.EnvScratchMaxGiB)
	assert.Equal(t, "32", create[investigation.EnvScratchMinGiB])
	assert.Equal(t, "512", create[investigation.EnvScratchMaxGiB])
	tmpl.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{
		"Protocol": "email", "Endpoint": "soc@example.com",
	})
	tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{"EventBusName": "security"})
	tmpl.HasResourceProperties(jsii.String("AWS::Events::EventBusPolicy"), map[string]any{
		"EventBusName": "security", "StatementId": "CasefileAcquisitionFrom111111111111",
	})
	raw, err := json.Marshal(*tmpl.ToJSON())
	require.NoError(t, err)
	def, err := asl.Definition(raw)
	require.NoError(t, err)
	var machine struct {
		States map[string]map[string]any
	}
	require.NoError(t, json.Unmarshal(def, &machine))
	assert.Equal(t, 30.0, machine.States[workflow.StateWaitForCommand]["Seconds"])
	for typ := range map[string]bool{"AWS::S3::Bucket": true, "AWS::DynamoDB::Table": true, "AWS::Logs::LogGroup": true, "AWS::KMS::Key": true} {
		for id, r := range *tmpl.FindResources(jsii.String(typ), nil) {
			assert.Equal(t, "Delete", (*r)["DeletionPolicy"], "DeletionPolicy of %s", id)
		}
	}
}

func TestInvalidPropsPanicNamingTheField(t *testing.T) {
	tests := []struct {
		name string
		edit func(*service.Props)
		want string
	}{
		{"no AMI", func(p *service.Props) { p.AMIID = "" }, "service: Props.AMIID is required"},
		{"no module root", func(p *service.Props) { p.ModuleRoot = "" }, "service: Props.ModuleRoot is required"},
		{"symbols without trailing slash", func(p *service.Props) { p.SymbolsS3URI = "s3://symbols-bucket/linux" },
			`service: Props.SymbolsS3URI must be s3://bucket/ or s3://bucket/prefix/, got "s3://symbols-bucket/linux"`},
		{"symbols prefix with a quote", func(p *service.Props) { p.SymbolsS3URI = "s3://symbols-bucket/it's/" },
			`service: Props.SymbolsS3URI must be s3://bucket/ or s3://bucket/prefix/, got "s3://symbols-bucket/it's/"`},
		{"symbols prefix with an empty segment", func(p *service.Props) { p.SymbolsS3URI = "s3://symbols-bucket/a//" },
			`service: Props.SymbolsS3URI must be s3://bucket/ or s3://bucket/prefix/, got "s3://symbols-bucket/a//"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			p := service.Props{AMIID: amiID, ModuleRoot: stubRoot}
			tt.edit(&p)
			assert.PanicsWithError(t, tt.want, func() { service.NewService(stack, "Casefile", p) })
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return strings.ReplaceAll(string(b), " ", "")
}
