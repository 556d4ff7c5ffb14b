package template_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/template/asl"
)

func TestEveryLambdaIsAnArm64ProvidedAL2023Function(t *testing.T) {
	fns := stacks.defaults.OfType("AWS::Lambda::Function")

	require.Len(t, fns, len(functions.Names()))
	assert.Len(t, fns, 13, "one function per handler, the isolation, the report and the sweep included")
	for id, fn := range fns {
		assert.Equal(t, "provided.al2023", fn.Properties["Runtime"], "runtime of %s", id)
		assert.Equal(t, []any{"arm64"}, fn.Properties["Architectures"], "architectures of %s", id)
		assert.Equal(t, "bootstrap", fn.Properties["Handler"], "handler of %s", id)
	}
}

func TestTheStackHoldsEveryPart(t *testing.T) {
	s := stacks.defaults
	tests := []struct {
		typ string
		min int
	}{
		{"AWS::StepFunctions::StateMachine", 1},
		{"AWS::SSM::Document", 3},
		{"AWS::SSM::Parameter", 1},
		{"AWS::S3::Bucket", 3},
		{"AWS::DynamoDB::Table", 1},
		{"AWS::SNS::Topic", 1},
		{"AWS::Events::Rule", 2},
		{"AWS::EC2::VPC", 1},
	}
	for _, tt := range tests {
		assert.GreaterOrEqual(t, len(s.OfType(tt.typ)), tt.min, "resources of type %s", tt.typ)
	}
	assert.Len(t, s.OfType("AWS::StepFunctions::StateMachine"), 1)
	assert.Len(t, s.OfType("AWS::DynamoDB::Table"), 1)
	assert.Len(t, s.OfType("AWS::SNS::Topic"), 1)
	assert.Len(t, s.OfType("AWS::Events::Rule"), 2, "the acquisition rule and the sweep rule")

	context, err := cdkJSONContext()
	require.NoError(t, err)
	s.template.HasResourceProperties(jsii.String("AWS::SSM::Parameter"), map[string]any{
		"Type": "String", "Value": context["forensicAmiId"],
	})
}

func TestAnExistingVPCIsUsedAsGiven(t *testing.T) {
	s := stacks.existingVPC

	assert.Empty(t, s.OfType("AWS::EC2::VPC"))
	s.template.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{"EventBusName": "security"})
	s.template.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), map[string]any{"Endpoint": "soc@example.com"})
	s.template.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"Environment": map[string]any{"Variables": map[string]any{
			investigation.EnvTableName:          map[string]any{"Ref": s.logicalID(s.stack.Service.Cases.Table)},
			investigation.EnvAMIParameter:       map[string]any{"Ref": s.logicalID(s.stack.Service.Host.AMIParameter)},
			investigation.EnvVPCID:              "vpc-0123456789abcdef0",
			investigation.EnvSubnetIDs:          "subnet-0123456789abcdef0,subnet-0123456789abcdef1",
			investigation.EnvInstanceType:       "m6i.large",
			investigation.EnvInstanceProfileARN: map[string]any{"Fn::GetAtt": []any{s.logicalID(s.stack.Service.Host.InstanceProfile), "Arn"}},
			investigation.EnvVolumeKMSKeyARN:    map[string]any{"Fn::GetAtt": []any{s.logicalID(s.stack.Service.Host.VolumeKey), "Arn"}},
		}},
	})
}

// definition is the resolved definition of the state machine.
type definition struct {
	StartAt string
	States  map[string]struct {
		Type  string
		Catch []struct {
			ErrorEquals []string
			ResultPath  string
			Next        string
		}
	}
}

func definitionOf(t *testing.T, s synthesized) definition {
	t.Helper()
	raw, err := asl.Definition(s.json)
	require.NoError(t, err)
	var def definition
	require.NoError(t, json.Unmarshal(raw, &def))
	return def
}

func TestTheStateMachineHasTheDocumentedStatesAndOneCleanupPath(t *testing.T) {
	def := definitionOf(t, stacks.defaults)

	got := make([]string, 0, len(def.States))
	for name := range def.States {
		got = append(got, name)
	}
	assert.ElementsMatch(t, workflow.StateNames(), got)
	assert.Equal(t, workflow.StatePrepare, def.StartAt)
	tasks := 0
	for name, st := range def.States {
		if st.Type != "Task" {
			continue
		}
		tasks++
		require.Len(t, st.Catch, 1, "catches of %s", name)
		c := st.Catch[0]
		assert.Equal(t, []string{"States.ALL"}, c.ErrorEquals, "catch of %s", name)
		switch name {
		case workflow.StateCleanup:
			assert.Equal(t, workflow.StateWriteFailureReport, c.Next)
		case workflow.StateWriteReport:
			assert.Equal(t, workflow.StateNotifySuccess, c.Next, "a failed report does not fail the case")
			assert.Equal(t, workflow.PathReportError, c.ResultPath)
		case workflow.StateWriteFailureReport:
			assert.Equal(t, workflow.StateNotifyFailure, c.Next)
			assert.Equal(t, workflow.PathReportError, c.ResultPath)
		case workflow.StateNotifyFailure:
			assert.Equal(t, workflow.StateFailed, c.Next)
		case workflow.StateIsolate:
			assert.Equal(t, workflow.StateCreateInstance, c.Next, "a failed isolation does not stop the investigation")
			assert.Equal(t, workflow.PathIsolationError, c.ResultPath)
		default:
			assert.Equal(t, workflow.StateCleanup, c.Next, "catch of %s", name)
			assert.Equal(t, workflow.PathError, c.ResultPath, "catch of %s", name)
		}
	}
	assert.Equal(t, 15, tasks)
}

// common are the actions of every function: its log group and X-Ray.
func common() []string {
	return []string{"logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}
}

// caseRecords are the actions of casetable's GrantRecord.
func caseRecords() []string {
	return []string{"dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query",
		"dynamodb:UpdateItem", "kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"}
}

func TestEachRoleAllowsExactlyWhatItsHandlerCalls(t *testing.T) {
	volumeKey := []string{"kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext",
		"kms:ReEncryptFrom", "kms:ReEncryptTo"}
	tests := map[functions.Name][]string{
		functions.Start:  {"states:StartExecution"},
		functions.Intake: slices.Concat(caseRecords(), []string{"ec2:DescribeSnapshots"}),
		// Every measure is the application account's role's to allow.
		functions.Isolate: slices.Concat(caseRecords(), []string{"sts:AssumeRole"}),
		functions.CreateInstance: slices.Concat(caseRecords(), volumeKey, []string{"ec2:AuthorizeSecurityGroupEgress",
			"ec2:CreateSecurityGroup", "ec2:CreateTags", "ec2:DeleteSecurityGroup", "ec2:DescribeImages",
			"ec2:DescribeInstances", "ec2:DescribeManagedPrefixLists", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs",
			"ec2:RevokeSecurityGroupEgress", "ec2:RunInstances", "iam:PassRole", "ssm:GetParameter"}),
		functions.CheckInstance: slices.Concat(caseRecords(), []string{"ec2:DescribeInstances",
			"ssm:DescribeInstanceInformation", "ssm:GetCommandInvocation", "ssm:SendCommand"}),
		functions.AttachEvidence: slices.Concat(caseRecords(), volumeKey, []string{"ec2:AttachVolume", "ec2:CreateTags",
			"ec2:CreateVolume", "ec2:DescribeSnapshots", "ec2:DescribeVolumes"}),
		functions.StartForensics: slices.Concat(caseRecords(), []string{"ec2:DescribeInstances", "ssm:ListCommands", "ssm:SendCommand"}),
		functions.CheckCommand:   slices.Concat(caseRecords(), []string{"ssm:GetCommandInvocation"}),
		functions.CollectResults: slices.Concat(caseRecords(), []string{"s3:GetObject", "s3:ListBucket"}),
		functions.Release: slices.Concat(caseRecords(), []string{"ec2:DeleteSecurityGroup", "ec2:DeleteVolume",
			"ec2:DescribeInstances", "ec2:DescribeSecurityGroups", "ec2:DescribeVolumes", "ec2:DetachVolume",
			"ec2:TerminateInstances"}),
		functions.Report: slices.Concat(caseRecords(), []string{"s3:GetObject", "s3:PutObject"}),
		functions.Notify: slices.Concat(caseRecords(), []string{"securityhub:BatchUpdateFindings", "sns:Publish"}),
	}
	// The sweep runs the release and notify steps: their permissions, and
	// no others.
	tests[functions.Sweep] = slices.Concat(tests[functions.Release], tests[functions.Notify])
	require.Len(t, tests, len(functions.Names()), "every role is listed")
	s := stacks.defaults
	for name, own := range tests {
		t.Run(string(name), func(t *testing.T) {
			want := slices.Concat(common(), own)
			slices.Sort(want)
			want = slices.Compact(want)

			got := cdktest.Actions(s.RoleStatements(s.logicalID(s.stack.Service.Functions.Role(name))))

			assert.Equal(t, want, got)
		})
	}
}

func TestSendCommandReachesOnlyCasefileDocumentsAndInstances(t *testing.T) {
	s := stacks.defaults
	host := s.stack.Service.Host
	for _, name := range []functions.Name{functions.CheckInstance, functions.StartForensics} {
		t.Run(string(name), func(t *testing.T) {
			statements := cdktest.WithAction(s.RoleStatements(s.logicalID(s.stack.Service.Functions.Role(name))), "ssm:SendCommand")
			require.NotEmpty(t, statements)
			for _, st := range statements {
				for _, r := range st.Resources {
					switch {
					case strings.Contains(r, ":instance/*"):
						assert.Equal(t, map[string]any{"StringEquals": map[string]any{
							"ssm:resourceTag/" + investigation.TagManagedBy: investigation.ManagedByValue,
						}}, st.Conditions, "SendCommand on instances")
					case strings.Contains(r, ":document/"):
						documents := []string{s.logicalID(host.ProbeDocument), s.logicalID(host.DiskDocument),
							s.logicalID(host.MemoryDocument)}
						assert.True(t, slices.ContainsFunc(documents, func(id string) bool {
							return strings.Contains(r, `{"Ref":"`+id+`"}`)
						}), "SendCommand on a document that is not Casefile's: %s", r)
					default:
						assert.Fail(t, "SendCommand on an unexpected resource", r)
					}
				}
			}
		})
	}
}

func TestDestructiveEC2ActionsRequireTheManagedByTag(t *testing.T) {
	s := stacks.defaults
	onTag := map[string]any{"StringEquals": map[string]any{
		"aws:ResourceTag/" + investigation.TagManagedBy: investigation.ManagedByValue}}
	tests := []struct {
		function functions.Name
		action   string
	}{
		{functions.Release, "ec2:TerminateInstances"},
		{functions.Release, "ec2:DetachVolume"},
		{functions.Release, "ec2:DeleteVolume"},
		{functions.Release, "ec2:DeleteSecurityGroup"},
		{functions.Sweep, "ec2:TerminateInstances"},
		{functions.Sweep, "ec2:DetachVolume"},
		{functions.Sweep, "ec2:DeleteVolume"},
		{functions.Sweep, "ec2:DeleteSecurityGroup"},
		{functions.CreateInstance, "ec2:DeleteSecurityGroup"},
		{functions.AttachEvidence, "ec2:AttachVolume"},
	}
	for _, tt := range tests {
		t.Run(string(tt.function)+" "+tt.action, func(t *testing.T) {
			statements := cdktest.WithAction(s.RoleStatements(s.logicalID(s.stack.Service.Functions.Role(tt.function))), tt.action)
			require.NotEmpty(t, statements)
			for _, st := range statements {
				assert.Equal(t, onTag, st.Conditions)
			}
		})
	}
}

// TestTimedOutAndStoppedExecutionsAreSwept checks the rule that sends the
// status change of an execution that timed out or was stopped (Step
// Functions then skips Cleanup) to the sweep function: on the default bus,
// where Step Functions sends its events, even when acquisition events use
// another bus.
func TestTimedOutAndStoppedExecutionsAreSwept(t *testing.T) {
	for name, s := range map[string]synthesized{"defaults": stacks.defaults, "custom event bus": stacks.existingVPC} {
		t.Run(name, func(t *testing.T) {
			svc := s.stack.Service
			machine := s.logicalID(svc.Workflow.StateMachine)
			sweep := s.logicalID(svc.Functions.Function(functions.Sweep))
			rule := s.logicalID(svc.Workflow.SweepRule)
			cdktest.Check(t, func() {
				s.template.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
					"EventBusName": assertions.Match_Absent(),
					"EventPattern": map[string]any{
						"source":      []string{investigation.ExecutionEventSource},
						"detail-type": []string{investigation.ExecutionEventDetailType},
						"detail": map[string]any{
							"stateMachineArn": []any{map[string]any{"Ref": machine}},
							"status":          []string{investigation.ExecutionTimedOut, investigation.ExecutionAborted},
						},
					},
					"Targets": []any{cdktest.Like(map[string]any{
						"Arn": map[string]any{"Fn::GetAtt": []any{sweep, "Arn"}},
						"DeadLetterConfig": map[string]any{"Arn": map[string]any{
							"Fn::GetAtt": []any{s.logicalID(svc.Workflow.SweepDeadLetterQueue), "Arn"}}},
						"RetryPolicy": map[string]any{"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 86400},
					})},
				})
			})
			cdktest.Check(t, func() {
				s.template.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
					"Action":       "lambda:InvokeFunction",
					"Principal":    "events.amazonaws.com",
					"FunctionName": map[string]any{"Fn::GetAtt": []any{sweep, "Arn"}},
					"SourceArn":    map[string]any{"Fn::GetAtt": []any{rule, "Arn"}},
				})
			})
		})
	}
}
