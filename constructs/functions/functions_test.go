package functions_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// shared is the fixture most tests read: synthesizing it builds every
// binaries, so it is built once.
var shared fixture

func TestMain(m *testing.M) {
	code := func() int {
		defer jsii.Close()
		root, err := os.MkdirTemp("", "casefile-functions-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(root)
		if err := writeStubModule(root); err != nil {
			panic(err)
		}
		shared = newFixture(root, filepath.Join(root, "cdk.out"))
		return m.Run()
	}()
	os.Exit(code)
}

// writeStubModule writes a Go module with an empty main per function, so
// that the construct tests build in seconds and do not depend on the
// handlers.
func writeStubModule(root string) error {
	files := map[string]string{"go.mod": "module example.com/stub\n\ngo 1.26\n"}
	for _, name := range functions.Names() {
		files[filepath.Join(functions.CommandDir, string(name), "main.go")] = "package main\n\nfunc main() {}\n"
	}
	for rel, content := range files {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func stubModule(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, writeStubModule(root))
	return root
}

// fixture is a stack holding the functions and the resources they act on.
type fixture struct {
	stack     awscdk.Stack
	functions *functions.Functions
	template  synthesized
}

func newFixture(moduleRoot, outdir string) fixture {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	fns := functions.NewFunctions(stack, "Functions", validProps(stack, moduleRoot))
	sm := awsstepfunctions.NewStateMachine(stack, jsii.String("Machine"), &awsstepfunctions.StateMachineProps{
		DefinitionBody: awsstepfunctions.DefinitionBody_FromChainable(awsstepfunctions.NewPass(stack, jsii.String("Pass"), nil)),
	})
	fns.ConnectStateMachine(sm)
	return fixture{stack: stack, functions: fns, template: synth(stack)}
}

// validProps returns props with every required field set, on resources in
// stack.
func validProps(stack awscdk.Stack, moduleRoot string) functions.Props {
	resultsKey := awskms.NewKey(stack, jsii.String("ResultsKey"), nil)
	return functions.Props{
		ModuleRoot: moduleRoot,
		Table: awsdynamodb.NewTableV2(stack, jsii.String("Table"), &awsdynamodb.TablePropsV2{
			PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("pk"), Type: awsdynamodb.AttributeType_STRING},
		}),
		Topic: awssns.NewTopic(stack, jsii.String("Topic"), nil),
		ResultsBucket: awss3.NewBucket(stack, jsii.String("Results"), &awss3.BucketProps{
			Encryption: awss3.BucketEncryption_KMS, EncryptionKey: resultsKey,
		}),
		EvidenceBucket: awss3.NewBucket(stack, jsii.String("Evidence"), nil),
		AMIParameter: awsssm.NewStringParameter(stack, jsii.String("AMIParameter"), &awsssm.StringParameterProps{
			StringValue: jsii.String("ami-0123456789abcdef0"),
		}),
		InstanceRole: awsiam.NewRole(stack, jsii.String("InstanceRole"), &awsiam.RoleProps{
			AssumedBy: awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		}),
		InstanceProfileARN: "arn:aws:iam::111111111111:instance-profile/forensic",
		VolumeKey:          awskms.NewKey(stack, jsii.String("VolumeKey"), nil),
		Network:            functions.Network{VPCID: "vpc-0123456789abcdef0", SubnetIDs: []string{"subnet-0123456789abcdef0"}},
		Documents:          functions.Documents{Probe: "CasefileProbe", Disk: "CasefileDisk", Memory: "CasefileMemory"},
	}
}

func TestEveryFunctionIsAnArm64ProvidedAL2023BootstrapWithTracingAndItsOwnLogGroup(t *testing.T) {
	f, tmpl := shared, shared.template

	handlers, err := os.ReadDir(filepath.Join("..", "..", functions.CommandDir))
	require.NoError(t, err)
	require.Len(t, functions.Names(), len(handlers), "every handler under lambdas/cmd")
	require.Len(t, tmpl.OfType("AWS::Lambda::Function"), len(functions.Names()))
	roles := map[string]functions.Name{}
	for _, name := range functions.Names() {
		t.Run(string(name), func(t *testing.T) {
			_, p := tmpl.function(t, f.stack, f.functions, name)
			assert.Equal(t, "provided.al2023", p["Runtime"])
			assert.Equal(t, []any{"arm64"}, p["Architectures"])
			assert.Equal(t, "bootstrap", p["Handler"])
			assert.Equal(t, map[string]any{"Mode": "Active"}, p["TracingConfig"])
			assert.Contains(t, []any{128.0, 256.0}, p["MemorySize"])
			assert.Contains(t, cdktest.Strings(cdktest.AsMap(p["LoggingConfig"])["LogGroup"])[0], `"Ref":"Functions`+string(name)+`Logs`,
				"the function logs to its own log group")

			role := cdktest.Strings(p["Role"])[0]
			other, seen := roles[role]
			assert.False(t, seen, "%s shares its role %s with %s", name, role, other)
			roles[role] = name
		})
	}
	for id, lg := range tmpl.OfType("AWS::Logs::LogGroup") {
		assert.Equal(t, 365.0, lg.Properties["RetentionInDays"], "retention of %s", id)
	}
}

func TestTimeoutsLeaveRoomForTheEC2Waiters(t *testing.T) {
	f, tmpl := shared, shared.template

	tests := map[functions.Name]float64{
		functions.Start: 30, functions.Intake: 30, functions.Isolate: 120, functions.CreateInstance: 60, functions.CheckInstance: 60,
		functions.AttachEvidence: 300, functions.StartForensics: 30, functions.CheckCommand: 30,
		functions.CollectResults: 60, functions.Release: 300, functions.Report: 120, functions.Notify: 30,
		// The sweep runs release, then notify.
		functions.Sweep: 360,
	}
	for name, want := range tests {
		_, p := tmpl.function(t, f.stack, f.functions, name)
		assert.Equal(t, want, p["Timeout"], "timeout of %s", name)
	}
}

func TestEachFunctionGetsTheSettingsItsHandlerReads(t *testing.T) {
	f, tmpl := shared, shared.template

	table := investigation.EnvTableName
	tests := map[functions.Name][]string{
		functions.Start:   {investigation.EnvStateMachineARN, investigation.EnvEvidenceBucket},
		functions.Intake:  {table, investigation.EnvEvidenceBucket},
		functions.Isolate: {table, investigation.EnvIsolationRoleName, investigation.EnvIsolationDenyProfile},
		functions.CreateInstance: {table, investigation.EnvAMIParameter, investigation.EnvInstanceProfileARN,
			investigation.EnvInstanceType, investigation.EnvVPCID, investigation.EnvSubnetIDs, investigation.EnvVolumeKMSKeyARN,
			investigation.EnvScratchMinGiB, investigation.EnvScratchMaxGiB,
			investigation.EnvLargeInstanceType, investigation.EnvLargeEvidenceGiB},
		functions.CheckInstance:  {table, investigation.EnvProbeDocument},
		functions.AttachEvidence: {table, investigation.EnvVolumeKMSKeyARN},
		functions.StartForensics: {table, investigation.EnvDiskDocument, investigation.EnvMemoryDocument,
			investigation.EnvResultsBucket, investigation.EnvCommandTimeout,
			investigation.EnvCommandSecondsPerGiB, investigation.EnvMaxCommandTimeout,
			investigation.EnvResultsKMSKeyARN},
		functions.CheckCommand:   {table},
		functions.CollectResults: {table, investigation.EnvResultsBucket},
		functions.Report: {table, investigation.EnvResultsBucket, investigation.EnvVolumeKMSKeyARN,
			investigation.EnvResultsKMSKeyARN},
		functions.Release: {table},
		functions.Notify:  {table, investigation.EnvTopicARN},
		functions.Sweep:   {table, investigation.EnvTopicARN},
	}
	for name, want := range tests {
		t.Run(string(name), func(t *testing.T) {
			_, p := tmpl.function(t, f.stack, f.functions, name)
			vars := cdktest.AsMap(cdktest.AsMap(p["Environment"])["Variables"])
			got := make([]string, 0, len(vars))
			for k := range vars {
				got = append(got, k)
			}
			assert.ElementsMatch(t, want, got)
		})
	}

	_, p := tmpl.function(t, f.stack, f.functions, functions.Isolate)
	vars := cdktest.AsMap(cdktest.AsMap(p["Environment"])["Variables"])
	assert.Equal(t, investigation.DefaultIsolationRoleName, vars[investigation.EnvIsolationRoleName], "default isolation role")
	assert.Equal(t, investigation.DefaultIsolationDenyProfile, vars[investigation.EnvIsolationDenyProfile], "default deny profile")
	_, p = tmpl.function(t, f.stack, f.functions, functions.CreateInstance)
	vars = cdktest.AsMap(cdktest.AsMap(p["Environment"])["Variables"])
	assert.Equal(t, "m6i.large", vars[investigation.EnvInstanceType])
	assert.Equal(t, "subnet-0123456789abcdef0", vars[investigation.EnvSubnetIDs])
	assert.Equal(t, "16", vars[investigation.EnvScratchMinGiB], "default scratch minimum")
	assert.Equal(t, "2048", vars[investigation.EnvScratchMaxGiB], "default scratch maximum")
	assert.Equal(t, "m6i.2xlarge", vars[investigation.EnvLargeInstanceType], "default large instance type")
	assert.Equal(t, "500", vars[investigation.EnvLargeEvidenceGiB], "default large-evidence threshold")
	_, p = tmpl.function(t, f.stack, f.functions, functions.StartForensics)
	vars = cdktest.AsMap(cdktest.AsMap(p["Environment"])["Variables"])
	assert.Equal(t, "3600", vars[investigation.EnvCommandTimeout])
	assert.Equal(t, "20", vars[investigation.EnvCommandSecondsPerGiB], "default seconds per GiB")
	assert.Equal(t, "172800", vars[investigation.EnvMaxCommandTimeout], "default cap: the documents' 48 hours")
}

// common are the actions every function has: its log group and X-Ray.
var common = []string{"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}

func TestEachRoleAllowsOnlyWhatItsHandlerCalls(t *testing.T) {
	f, tmpl := shared, shared.template

	tests := map[functions.Name][]string{
		functions.Start:  {"states:StartExecution"},
		functions.Intake: {"ec2:DescribeSnapshots"},
		// Every isolation measure is the application account role's.
		functions.Isolate: {"sts:AssumeRole"},
		functions.CreateInstance: {"ec2:AuthorizeSecurityGroupEgress", "ec2:CreateSecurityGroup", "ec2:CreateTags",
			"ec2:DeleteSecurityGroup", "ec2:DescribeImages", "ec2:DescribeInstances", "ec2:DescribeManagedPrefixLists",
			"ec2:DescribeSecurityGroups", "ec2:DescribeVpcs", "ec2:RevokeSecurityGroupEgress",
			"ec2:RunInstances", "iam:PassRole", "kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey",
			"kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo", "ssm:GetParameter"},
		functions.CheckInstance: {"ec2:DescribeInstances", "ssm:DescribeInstanceInformation",
			"ssm:GetCommandInvocation", "ssm:SendCommand"},
		functions.AttachEvidence: {"ec2:AttachVolume", "ec2:CreateTags", "ec2:CreateVolume",
			"ec2:DescribeSnapshots", "ec2:DescribeVolumes", "kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey",
			"kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncryptFrom", "kms:ReEncryptTo"},
		functions.StartForensics: {"ec2:DescribeInstances", "ssm:ListCommands", "ssm:SendCommand"},
		functions.CheckCommand:   {"ssm:GetCommandInvocation"},
		functions.CollectResults: {"kms:Decrypt", "s3:GetObject", "s3:ListBucket"},
		// Reads recorded results without listing; writes the report only.
		functions.Report: {"kms:Decrypt", "kms:GenerateDataKey", "s3:GetObject", "s3:PutObject"},
		functions.Release: {"ec2:DeleteSecurityGroup", "ec2:DeleteVolume", "ec2:DescribeInstances",
			"ec2:DescribeSecurityGroups", "ec2:DescribeVolumes", "ec2:DetachVolume", "ec2:TerminateInstances"},
		functions.Notify: {"securityhub:BatchUpdateFindings", "sns:Publish"},
		// The release and notify steps, and no more.
		functions.Sweep: {"ec2:DeleteSecurityGroup", "ec2:DeleteVolume", "ec2:DescribeInstances",
			"ec2:DescribeSecurityGroups", "ec2:DescribeVolumes", "ec2:DetachVolume", "ec2:TerminateInstances",
			"securityhub:BatchUpdateFindings", "sns:Publish"},
	}
	require.Len(t, tests, len(functions.Names()), "every role is listed")
	for name, own := range tests {
		t.Run(string(name), func(t *testing.T) {
			statements := roleStatementsOf(t, tmpl, f, name)
			var got []string
			for _, a := range cdktest.Actions(statements) {
				if !slices.Contains(common, a) && !strings.HasPrefix(a, "dynamodb:") {
					got = append(got, a)
				}
			}
			assert.ElementsMatch(t, own, got, "actions besides logs, X-Ray and the case table")
			assert.Subset(t, cdktest.Actions(statements), common)
			if name != functions.Start {
				assert.Contains(t, cdktest.Actions(statements), "dynamodb:PutItem", "case table access")
			}
		})
	}
	assert.Contains(t, cdktest.Actions(roleStatementsOf(t, tmpl, f, functions.Sweep)), "dynamodb:GetItem",
		"the sweep reads the investigation record before it acts")
}

func roleStatementsOf(t *testing.T, tmpl synthesized, f fixture, name functions.Name) []cdktest.Statement {
	t.Helper()
	role := f.functions.Role(name).Node().DefaultChild().(awscdk.CfnElement)
	return tmpl.RoleStatements(*f.stack.GetLogicalId(role))
}

func TestNoPolicyAllowsAWildcardAction(t *testing.T) {
	tmpl := shared.template

	for _, st := range tmpl.AllStatements() {
		for _, a := range st.Actions {
			assert.False(t, a == "*" || strings.HasSuffix(a, ":*"), "wildcard action %q on %s", a, st.ResourcesJSON())
		}
	}
}

func TestDestructiveEC2ActionsNeedTheManagedByTag(t *testing.T) {
	f, tmpl := shared, shared.template
	onResourceTag := map[string]any{"StringEquals": map[string]any{
		"aws:ResourceTag/" + investigation.TagManagedBy: investigation.ManagedByValue}}
	onRequestTag := map[string]any{"StringEquals": map[string]any{
		"aws:RequestTag/" + investigation.TagManagedBy: investigation.ManagedByValue}}
	imdsv2 := map[string]any{"StringEquals": map[string]any{
		"aws:RequestTag/" + investigation.TagManagedBy: investigation.ManagedByValue,
		"ec2:MetadataHttpTokens":                       "required"}}
	encrypted := map[string]any{
		"StringEquals": map[string]any{"aws:RequestTag/" + investigation.TagManagedBy: investigation.ManagedByValue},
		"Bool":         map[string]any{"ec2:Encrypted": "true"}}

	tests := []struct {
		name     string
		function functions.Name
		action   string
		// resources lists a substring of each resource the condition must
		// cover; want is the condition.
		resources []string
		want      map[string]any
	}{
		{"terminate", functions.Release, "ec2:TerminateInstances", []string{":instance/*"}, onResourceTag},
		{"detach", functions.Release, "ec2:DetachVolume", []string{":volume/*", ":instance/*"}, onResourceTag},
		{"delete volume", functions.Release, "ec2:DeleteVolume", []string{":volume/*"}, onResourceTag},
		{"delete group", functions.Release, "ec2:DeleteSecurityGroup", []string{":security-group/*"}, onResourceTag},
		{"sweep terminate", functions.Sweep, "ec2:TerminateInstances", []string{":instance/*"}, onResourceTag},
		{"sweep detach", functions.Sweep, "ec2:DetachVolume", []string{":volume/*", ":instance/*"}, onResourceTag},
		{"sweep delete volume", functions.Sweep, "ec2:DeleteVolume", []string{":volume/*"}, onResourceTag},
		{"sweep delete group", functions.Sweep, "ec2:DeleteSecurityGroup", []string{":security-group/*"}, onResourceTag},
		{"attach", functions.AttachEvidence, "ec2:AttachVolume", []string{":volume/*", ":instance/*"}, onResourceTag},
		{"create volume", functions.AttachEvidence, "ec2:CreateVolume", []string{":volume/*"}, encrypted},
		{"launch", functions.CreateInstance, "ec2:RunInstances", []string{":instance/*"}, imdsv2},
		{"launch volumes", functions.CreateInstance, "ec2:RunInstances", []string{":volume/*"}, encrypted},
		{"launch into group", functions.CreateInstance, "ec2:RunInstances", []string{":security-group/*"}, onResourceTag},
		{"create group", functions.CreateInstance, "ec2:CreateSecurityGroup", []string{":security-group/*"}, onRequestTag},
		{"egress", functions.CreateInstance, "ec2:RevokeSecurityGroupEgress", []string{":security-group/*"}, onResourceTag},
		{"delete group on failed launch", functions.CreateInstance, "ec2:DeleteSecurityGroup", []string{":security-group/*"}, onResourceTag},
		{"tag on launch", functions.CreateInstance, "ec2:CreateTags", []string{":instance/*", ":volume/*"},
			map[string]any{"StringEquals": map[string]any{"ec2:CreateAction": []any{"RunInstances", "CreateSecurityGroup"}}}},
		{"tag on create volume", functions.AttachEvidence, "ec2:CreateTags", []string{":volume/*"},
			map[string]any{"StringEquals": map[string]any{"ec2:CreateAction": "CreateVolume"}}},
		{"send probe", functions.CheckInstance, "ssm:SendCommand", []string{":instance/*"},
			map[string]any{"StringEquals": map[string]any{"ssm:resourceTag/" + investigation.TagManagedBy: investigation.ManagedByValue}}},
		{"send forensics", functions.StartForensics, "ssm:SendCommand", []string{":instance/*"},
			map[string]any{"StringEquals": map[string]any{"ssm:resourceTag/" + investigation.TagManagedBy: investigation.ManagedByValue}}},
		{"pass role", functions.CreateInstance, "iam:PassRole", []string{"InstanceRole"},
			map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ec2.amazonaws.com"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			statements := cdktest.WithAction(roleStatementsOf(t, tmpl, f, tt.function), tt.action)
			for _, want := range tt.resources {
				found := false
				for _, st := range statements {
					if strings.Contains(st.ResourcesJSON(), want) {
						found = true
						assert.Equal(t, tt.want, st.Conditions, "condition of %s on %s", tt.action, want)
					}
				}
				assert.True(t, found, "no %s statement covers %s", tt.action, want)
			}
		})
	}
}

func TestScopedResources(t *testing.T) {
	f, tmpl := shared, shared.template

	tests := []struct {
		name     string
		function functions.Name
		action   string
		// want lists a substring of each allowed resource, in order.
		want []string
	}{
		{"probe document and instances", functions.CheckInstance, "ssm:SendCommand",
			[]string{":document/CasefileProbe", ":instance/*"}},
		{"forensics documents and instances", functions.StartForensics, "ssm:SendCommand",
			[]string{":document/CasefileDisk", ":document/CasefileMemory", ":instance/*"}},
		{"AMI parameter", functions.CreateInstance, "ssm:GetParameter", []string{`:parameter/",{"Ref":"AMIParameter`}},
		{"state machine", functions.Start, "states:StartExecution", []string{`{"Ref":"Machine`}},
		{"topic", functions.Notify, "sns:Publish", []string{`{"Ref":"Topic`}},
		{"sweep topic", functions.Sweep, "sns:Publish", []string{`{"Ref":"Topic`}},
		{"this account's Security Hub", functions.Notify, "securityhub:BatchUpdateFindings", []string{`:securityhub:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":hub/default`}},
		{"sweep's Security Hub", functions.Sweep, "securityhub:BatchUpdateFindings", []string{`:securityhub:",{"Ref":"AWS::Region"},":",{"Ref":"AWS::AccountId"},":hub/default`}},
		{"case results only", functions.CollectResults, "s3:GetObject", []string{`/cases/*`}},
		{"report reads case results", functions.Report, "s3:GetObject", []string{`/cases/*`}},
		{"report writes reports only", functions.Report, "s3:PutObject", []string{`/cases/*/report.json`, `/cases/*/report.md`, `/cases/*/report.html`}},
		{"shared snapshots", functions.AttachEvidence, "ec2:CreateVolume", []string{":volume/*", "::snapshot/*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, st := range cdktest.WithAction(roleStatementsOf(t, tmpl, f, tt.function), tt.action) {
				got = append(got, st.Resources...)
			}
			require.Len(t, got, len(tt.want), "resources of %s: %v", tt.action, got)
			for i, want := range tt.want {
				assert.Contains(t, got[i], want)
			}
		})
	}
}

func TestMissingRequiredPropsPanicNamingTheField(t *testing.T) {
	tests := []struct {
		name  string
		clear func(*functions.Props)
		want  string
	}{
		{"module root", func(p *functions.Props) { p.ModuleRoot = "" }, "Props.ModuleRoot is required"},
		{"table", func(p *functions.Props) { p.Table = nil }, "Props.Table is required"},
		{"evidence bucket", func(p *functions.Props) { p.EvidenceBucket = nil }, "Props.EvidenceBucket is required"},
		{"subnets", func(p *functions.Props) { p.Network.SubnetIDs = nil }, "Props.Network.SubnetIDs is required"},
		{"memory document", func(p *functions.Props) { p.Documents.Memory = "" }, "Props.Documents.Memory is required"},
		{"report link too long", func(p *functions.Props) { p.ReportLinkSeconds = 43201 },
			"Props.ReportLinkSeconds must be 0 (no link) or 1 to 43200, got 43201"},
		{"scratch minimum zero", func(p *functions.Props) { p.ScratchMinGiB = cdktest.Ptr(0) },
			"Props.ScratchMinGiB (0) and ScratchMaxGiB (2048) must satisfy 1 ≤ minimum ≤ maximum ≤ 16384"},
		{"scratch maximum over gp3's", func(p *functions.Props) { p.ScratchMaxGiB = cdktest.Ptr(16385) },
			"Props.ScratchMinGiB (16) and ScratchMaxGiB (16385) must satisfy 1 ≤ minimum ≤ maximum ≤ 16384"},
		{"scratch minimum over maximum", func(p *functions.Props) { p.ScratchMinGiB, p.ScratchMaxGiB = cdktest.Ptr(64), cdktest.Ptr(32) },
			"Props.ScratchMinGiB (64) and ScratchMaxGiB (32) must satisfy 1 ≤ minimum ≤ maximum ≤ 16384"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			p := validProps(stack, stubModule(t))
			tt.clear(&p)
			assert.PanicsWithError(t, "functions: "+tt.want, func() { functions.NewFunctions(stack, "Functions", p) })
		})
	}
}

func TestGrantsOfTheOwningConstructsReplaceTheDefaults(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	p := validProps(stack, stubModule(t))
	granted := map[string][]string{}
	record := func(grant string) func(awsiam.IGrantable) {
		return func(g awsiam.IGrantable) {
			granted[grant] = append(granted[grant], *g.(awsiam.IRole).Node().Id())
		}
	}
	p.Grants = functions.Grants{Record: record("record"), ReadResults: record("read"), Publish: record("publish"),
		ReadResultObjects: record("readObjects"), WriteReport: record("writeReport")}

	functions.NewFunctions(stack, "Functions", p)

	assert.ElementsMatch(t, []string{"intakeRole", "isolateRole", "createinstanceRole", "checkinstanceRole", "attachevidenceRole",
		"startforensicsRole", "checkcommandRole", "collectresultsRole", "releaseRole", "reportRole", "notifyRole", "sweepRole"}, granted["record"])
	assert.Equal(t, []string{"collectresultsRole"}, granted["read"])
	assert.Equal(t, []string{"reportRole"}, granted["readObjects"])
	assert.Equal(t, []string{"reportRole"}, granted["writeReport"])
	assert.Equal(t, []string{"notifyRole", "sweepRole"}, granted["publish"])
}

func TestCDKNagFindsNothingUnexplained(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	functions.NewFunctions(stack, "Functions", validProps(stack, stubModule(t)))
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)

	errs, _ := cdktest.NagMessages(stack, "*/Functions/*")
	for _, finding := range errs {
		assert.Fail(t, "cdk-nag finding", finding)
	}
}
