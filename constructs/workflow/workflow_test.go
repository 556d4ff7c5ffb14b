package workflow_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/workflow"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/template/asl"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// functionARN is the ARN of the imported function called name.
func functionARN(name string) string {
	return "arn:aws:lambda:eu-west-1:111111111111:function:casefile-" + name
}

func validProps(stack awscdk.Stack) workflow.Props {
	fn := func(name string) awslambda.IFunction {
		return awslambda.Function_FromFunctionArn(stack, jsii.String(name), jsii.String(functionARN(name)))
	}
	return workflow.Props{
		Tasks: workflow.Tasks{
			Intake: fn("intake"), Isolate: fn("isolate"), CreateInstance: fn("createinstance"), CheckInstance: fn("checkinstance"),
			AttachEvidence: fn("attachevidence"), StartForensics: fn("startforensics"), CheckCommand: fn("checkcommand"),
			CollectResults: fn("collectresults"), Release: fn("release"), Report: fn("report"), Notify: fn("notify"),
		},
		Start: fn("start"),
		Sweep: fn("sweep"),
	}
}

// synthesized is a workflow's template and its resolved definition.
type synthesized struct {
	template   assertions.Template
	definition definition
}

type definition struct {
	StartAt        string
	TimeoutSeconds float64
	States         map[string]state
}

type state struct {
	Type       string
	Next       string
	End        bool
	Resource   string
	ResultPath *string
	Parameters map[string]any
	Result     map[string]any
	Seconds    float64
	Default    string
	Choices    []map[string]any
	Catch      []struct {
		ErrorEquals []string
		ResultPath  string
		Next        string
	}
	Retry []struct {
		ErrorEquals     []string
		IntervalSeconds float64
		MaxAttempts     float64
		BackoffRate     float64
	}
	ErrorPath string
	CausePath string
}

func synth(t *testing.T, edit func(stack awscdk.Stack, p *workflow.Props)) synthesized {
	t.Helper()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	props := validProps(stack)
	if edit != nil {
		edit(stack, &props)
	}
	workflow.NewWorkflow(stack, "Workflow", props)
	tmpl := assertions.Template_FromStack(stack, nil)
	raw, err := json.Marshal(*tmpl.ToJSON())
	require.NoError(t, err)
	defJSON, err := asl.Definition(raw)
	require.NoError(t, err)
	var def definition
	require.NoError(t, json.Unmarshal(defJSON, &def))
	return synthesized{template: tmpl, definition: def}
}

func TestTheDefinitionHasExactlyTheDocumentedStates(t *testing.T) {
	def := synth(t, nil).definition

	got := make([]string, 0, len(def.States))
	for name := range def.States {
		got = append(got, name)
	}
	assert.ElementsMatch(t, workflow.StateNames(), got)
	assert.Equal(t, workflow.StatePrepare, def.StartAt)
	assert.Equal(t, 6*3600.0, def.TimeoutSeconds)
}

func TestEachTaskInvokesItsFunctionWithTheWholeState(t *testing.T) {
	def := synth(t, nil).definition

	tests := map[string]struct {
		function string
		next     string
	}{
		workflow.StateRecordCase:           {"intake", workflow.StateIsolate},
		workflow.StateIsolate:              {"isolate", workflow.StateCreateInstance},
		workflow.StateCreateInstance:       {"createinstance", workflow.StateCheckInstance},
		workflow.StateCheckInstance:        {"checkinstance", workflow.StateInstanceReady},
		workflow.StateAttachEvidence:       {"attachevidence", workflow.StateStartDiskForensics},
		workflow.StateStartDiskForensics:   {"startforensics", workflow.StateWaitForCommand},
		workflow.StateStartMemoryForensics: {"startforensics", workflow.StateWaitForCommand},
		workflow.StateCheckCommand:         {"checkcommand", workflow.StateCommandDone},
		workflow.StateCollectResults:       {"collectresults", workflow.StateReleaseResources},
		workflow.StateReleaseResources:     {"release", workflow.StateWriteReport},
		workflow.StateWriteReport:          {"report", workflow.StateNotifySuccess},
		workflow.StateNotifySuccess:        {"notify", workflow.StateSucceeded},
		workflow.StateCleanup:              {"release", workflow.StateWriteFailureReport},
		workflow.StateWriteFailureReport:   {"report", workflow.StateNotifyFailure},
		workflow.StateNotifyFailure:        {"notify", workflow.StateFailed},
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			s := def.States[name]
			assert.Equal(t, "Task", s.Type)
			assert.Equal(t, functionARN(want.function), s.Resource, "PayloadResponseOnly invokes the function ARN")
			assert.Nil(t, s.Parameters, "the payload is the whole state")
			require.NotNil(t, s.ResultPath)
			assert.Equal(t, "$", *s.ResultPath, "the result replaces the state")
			assert.Equal(t, want.next, s.Next)
		})
	}
}

func TestEveryErrorGoesToCleanupAndCleanupAndReportErrorsStillNotify(t *testing.T) {
	def := synth(t, nil).definition

	for name, s := range def.States {
		if s.Type != "Task" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			require.Len(t, s.Catch, 1)
			c := s.Catch[0]
			assert.Equal(t, []string{workflow.ErrorsAll}, c.ErrorEquals)
			switch name {
			case workflow.StateCleanup:
				assert.Equal(t, workflow.PathCleanupError, c.ResultPath)
				assert.Equal(t, workflow.StateWriteFailureReport, c.Next, "a failed cleanup still gets a report")
			case workflow.StateWriteReport:
				assert.Equal(t, workflow.PathReportError, c.ResultPath)
				assert.Equal(t, workflow.StateNotifySuccess, c.Next, "a report that fails does not fail the case")
			case workflow.StateWriteFailureReport:
				assert.Equal(t, workflow.PathReportError, c.ResultPath)
				assert.Equal(t, workflow.StateNotifyFailure, c.Next)
			case workflow.StateIsolate:
				assert.Equal(t, workflow.PathIsolationError, c.ResultPath)
				assert.Equal(t, workflow.StateCreateInstance, c.Next, "a failed isolation does not stop the investigation")
			case workflow.StateNotifyFailure:
				assert.Equal(t, workflow.PathNotifyError, c.ResultPath)
				assert.Equal(t, workflow.StateFailed, c.Next)
			default:
				assert.Equal(t, workflow.PathError, c.ResultPath)
				assert.Equal(t, workflow.StateCleanup, c.Next)
			}
		})
	}
	failed := def.States[workflow.StateFailed]
	assert.Equal(t, "Fail", failed.Type)
	assert.Equal(t, workflow.PathErrorName, failed.ErrorPath)
	assert.Equal(t, workflow.PathErrorCause, failed.CausePath)
}

func TestReleaseAndNotifyRetryTheirOwnFailure(t *testing.T) {
	def := synth(t, nil).definition

	retried := map[string]investigation.Reason{
		workflow.StateReleaseResources: investigation.ReasonCleanupFailed,
		workflow.StateCleanup:          investigation.ReasonCleanupFailed,
		workflow.StateNotifySuccess:    investigation.ReasonNotification,
		workflow.StateNotifyFailure:    investigation.ReasonNotification,
	}
	for name, s := range def.States {
		if s.Type != "Task" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var own []string
			for _, r := range s.Retry {
				for _, e := range r.ErrorEquals {
					if !strings.HasPrefix(e, "Lambda.") {
						own = append(own, e)
						assert.Equal(t, float64(workflow.RetryIntervalSeconds), r.IntervalSeconds, "interval of %s", e)
						assert.Equal(t, float64(workflow.RetryMaxAttempts), r.MaxAttempts, "retries of %s", e)
						assert.Equal(t, float64(workflow.RetryBackoffRate), r.BackoffRate, "backoff of %s", e)
					}
				}
			}
			if reason, ok := retried[name]; ok {
				assert.Equal(t, []string{string(reason)}, own, "%s retries its own failure, and only that", name)
			} else {
				assert.Empty(t, own, "%s retries only the Lambda service's errors", name)
			}
		})
	}
}

func TestPrepareWrapsTheRequestAndNamesTheExecution(t *testing.T) {
	s := synth(t, nil).definition.States[workflow.StatePrepare]

	assert.Equal(t, "Pass", s.Type)
	assert.Equal(t, map[string]any{"request.$": "$", "executionName.$": "$$.Execution.Name"}, s.Parameters)
	assert.Equal(t, workflow.StateRecordCase, s.Next)
}

func TestLoopsAreBoundedAndGiveUpWithANamedReason(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(awscdk.Stack, *workflow.Props)
		instanceMax float64
		commandMax  float64
		instanceW   float64
		commandW    float64
	}{
		{"defaults", nil, 15, 90, 120, 120},
		{"configured", func(_ awscdk.Stack, p *workflow.Props) {
			p.MaxInstanceChecks, p.MaxCommandChecks = cdktest.Ptr(3), cdktest.Ptr(4)
			p.WaitInstanceSeconds, p.WaitCommandSeconds = cdktest.Ptr(5), cdktest.Ptr(6)
		}, 3, 4, 5, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def := synth(t, tt.edit).definition

			instance := def.States[workflow.StateInstanceReady]
			assert.Equal(t, "Choice", instance.Type)
			assert.Equal(t, []map[string]any{
				{"Variable": workflow.PathReadinessStatus, "StringEquals": "READY", "Next": workflow.StateForensicType},
				{"Variable": workflow.PathReadinessTries, "NumericGreaterThanEquals": tt.instanceMax, "Next": workflow.StateInstanceNotReady},
			}, instance.Choices)
			assert.Equal(t, workflow.StateWaitForInstance, instance.Default)

			command := def.States[workflow.StateCommandDone]
			assert.Equal(t, []map[string]any{
				{"Variable": workflow.PathCommandStatus, "StringEquals": "READY", "Next": workflow.StateCollectResults},
				{"Variable": workflow.PathCommandTries, "NumericGreaterThanEquals": tt.commandMax, "Next": workflow.StateCommandNotComplete},
			}, command.Choices)
			assert.Equal(t, workflow.StateWaitForCommand, command.Default)

			assert.Equal(t, state{Type: "Wait", Seconds: tt.instanceW, Next: workflow.StateCheckInstance},
				def.States[workflow.StateWaitForInstance])
			assert.Equal(t, state{Type: "Wait", Seconds: tt.commandW, Next: workflow.StateCheckCommand},
				def.States[workflow.StateWaitForCommand])
		})
	}
}

func TestGivingUpRecordsTheReasonWhereACatchWould(t *testing.T) {
	def := synth(t, nil).definition

	tests := map[string]investigation.Reason{
		workflow.StateInstanceNotReady:    investigation.ReasonInstanceNotReady,
		workflow.StateCommandNotComplete:  investigation.ReasonCommandNotComplete,
		workflow.StateUnknownForensicType: investigation.ReasonInvalidRequest,
	}
	for name, reason := range tests {
		t.Run(name, func(t *testing.T) {
			s := def.States[name]
			assert.Equal(t, "Pass", s.Type)
			require.NotNil(t, s.ResultPath)
			assert.Equal(t, workflow.PathError, *s.ResultPath)
			assert.Equal(t, string(reason), s.Result["Error"])
			assert.NotEmpty(t, s.Result["Cause"])
			assert.Equal(t, workflow.StateCleanup, s.Next)
		})
	}
}

func TestForensicTypeChoosesDiskOrMemory(t *testing.T) {
	s := synth(t, nil).definition.States[workflow.StateForensicType]

	assert.Equal(t, []map[string]any{
		{"Variable": workflow.PathForensicType, "StringEquals": "DISK", "Next": workflow.StateAttachEvidence},
		{"Variable": workflow.PathForensicType, "StringEquals": "MEMORY", "Next": workflow.StateStartMemoryForensics},
	}, s.Choices)
	assert.Equal(t, workflow.StateUnknownForensicType, s.Default)
}

func TestTheStateMachineIsAStandardOneWithTracingAndLogsWithoutData(t *testing.T) {
	tmpl := synth(t, func(_ awscdk.Stack, p *workflow.Props) { p.Timeout = cdktest.Ptr(5 * time.Hour) }).template

	tmpl.HasResourceProperties(jsii.String("AWS::StepFunctions::StateMachine"), map[string]any{
		"StateMachineType":     "STANDARD",
		"TracingConfiguration": map[string]any{"Enabled": true},
		"LoggingConfiguration": map[string]any{"Level": "ALL", "IncludeExecutionData": false},
		"DefinitionString":     assertions.Match_SerializedJson(cdktest.Like(map[string]any{"TimeoutSeconds": 18000})),
	})
	tmpl.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{"RetentionInDays": 365})
}

func TestAcquisitionEventsStartTheStartFunction(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(awscdk.Stack, *workflow.Props)
		wantBus any
	}{
		{"default bus", nil, assertions.Match_Absent()},
		{"named bus", func(stack awscdk.Stack, p *workflow.Props) {
			p.EventBus = awsevents.EventBus_FromEventBusName(stack, jsii.String("Bus"), jsii.String("security"))
		}, "security"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := synth(t, tt.edit).template

			tmpl.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(2))
			tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
				"EventBusName": tt.wantBus,
				"EventPattern": map[string]any{
					"source":      []string{workflow.AcquisitionEventSource},
					"detail-type": []string{workflow.AcquisitionEventDetailType},
				},
				"Targets": []any{cdktest.Like(map[string]any{
					"Arn":              functionARN("start"),
					"DeadLetterConfig": cdktest.Like(map[string]any{}),
					"RetryPolicy":      cdktest.Like(map[string]any{}),
				})},
			})
		})
	}
}

func TestSenderAccountsMayPutOnlyAcquisitionEventsOnTheBus(t *testing.T) {
	senders := []string{"111111111111", "222222222222"}
	tests := []struct {
		name    string
		edit    func(awscdk.Stack, *workflow.Props)
		wantBus string
	}{
		{"default bus", func(_ awscdk.Stack, p *workflow.Props) { p.SenderAccountIDs = senders }, "default"},
		{"named bus", func(stack awscdk.Stack, p *workflow.Props) {
			p.EventBus = awsevents.EventBus_FromEventBusName(stack, jsii.String("Bus"), jsii.String("security"))
			p.SenderAccountIDs = senders
		}, "security"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := synth(t, tt.edit).template
			busARN := map[string]any{"Fn::Join": []any{"", []any{
				"arn:", map[string]any{"Ref": "AWS::Partition"}, ":events:", map[string]any{"Ref": "AWS::Region"}, ":",
				map[string]any{"Ref": "AWS::AccountId"}, ":event-bus/" + tt.wantBus,
			}}}

			tmpl.ResourceCountIs(jsii.String("AWS::Events::EventBusPolicy"), jsii.Number(len(senders)))
			for _, account := range senders {
				cdktest.Check(t, func() {
					tmpl.HasResourceProperties(jsii.String("AWS::Events::EventBusPolicy"), map[string]any{
						"EventBusName": tt.wantBus,
						"StatementId":  "CasefileAcquisitionFrom" + account,
						"Statement": map[string]any{
							"Sid":    "CasefileAcquisitionFrom" + account,
							"Effect": "Allow",
							"Principal": map[string]any{"AWS": map[string]any{"Fn::Join": []any{"", []any{
								"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::" + account + ":root",
							}}}},
							"Action":   "events:PutEvents",
							"Resource": busARN,
							"Condition": map[string]any{
								"ForAllValues:StringEquals": map[string]any{"events:source": []any{workflow.AcquisitionEventSource}},
								"StringEquals":              map[string]any{"events:detail-type": workflow.AcquisitionEventDetailType},
							},
						},
						"Action":    assertions.Match_Absent(),
						"Principal": assertions.Match_Absent(),
					})
				})
			}
		})
	}
}

func TestWithoutSenderAccountsTheBusPolicyIsLeftAlone(t *testing.T) {
	tmpl := synth(t, nil).template

	tmpl.ResourceCountIs(jsii.String("AWS::Events::EventBusPolicy"), jsii.Number(0))
}

func TestTimedOutAndStoppedExecutionsGoToTheSweepFunction(t *testing.T) {
	tests := []struct {
		name string
		edit func(awscdk.Stack, *workflow.Props)
	}{
		{"default bus", nil},
		// Step Functions sends its events to the default bus only.
		{"acquisition events on a named bus", func(stack awscdk.Stack, p *workflow.Props) {
			p.EventBus = awsevents.EventBus_FromEventBusName(stack, jsii.String("Bus"), jsii.String("security"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := synth(t, tt.edit).template
			resources, err := cdktest.ResourcesOf(tmpl)
			require.NoError(t, err)
			machines := resources.OfType("AWS::StepFunctions::StateMachine")
			require.Len(t, machines, 1)
			var machine string
			for id := range machines {
				machine = id
			}
			var dlq string
			for id := range resources.OfType("AWS::SQS::Queue") {
				if strings.HasPrefix(id, "WorkflowSweepDeadLetters") {
					dlq = id
				}
			}
			require.NotEmpty(t, dlq, "the sweep rule's dead-letter queue")

			cdktest.Check(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
					"EventBusName": assertions.Match_Absent(),
					"State":        "ENABLED",
					"EventPattern": map[string]any{
						"source":      []string{investigation.ExecutionEventSource},
						"detail-type": []string{investigation.ExecutionEventDetailType},
						"detail": map[string]any{
							"stateMachineArn": []any{map[string]any{"Ref": machine}},
							"status":          []string{"TIMED_OUT", "ABORTED"},
						},
					},
					"Targets": []any{cdktest.Like(map[string]any{
						"Arn":              functionARN("sweep"),
						"DeadLetterConfig": map[string]any{"Arn": map[string]any{"Fn::GetAtt": []any{dlq, "Arn"}}},
						"RetryPolicy":      map[string]any{"MaximumRetryAttempts": 8, "MaximumEventAgeInSeconds": 86400},
					})},
				})
			})
			cdktest.Check(t, func() {
				tmpl.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]any{
					"SqsManagedSseEnabled": true, "MessageRetentionPeriod": 14 * 24 * 3600,
				})
			})
		})
	}
}

func TestInvalidPropsPanicNamingTheField(t *testing.T) {
	tests := []struct {
		name string
		edit func(*workflow.Props)
		want string
	}{
		{"no notify", func(p *workflow.Props) { p.Tasks.Notify = nil }, "workflow: Props.Tasks.Notify is required"},
		{"no report", func(p *workflow.Props) { p.Tasks.Report = nil }, "workflow: Props.Tasks.Report is required"},
		{"no isolate", func(p *workflow.Props) { p.Tasks.Isolate = nil }, "workflow: Props.Tasks.Isolate is required"},
		{"no start", func(p *workflow.Props) { p.Start = nil }, "workflow: Props.Start is required"},
		{"no sweep", func(p *workflow.Props) { p.Sweep = nil }, "workflow: Props.Sweep is required"},
		{"zero checks", func(p *workflow.Props) { p.MaxCommandChecks = cdktest.Ptr(0) }, "workflow: Props.MaxCommandChecks must be at least 1, not 0"},
		{"negative wait", func(p *workflow.Props) { p.WaitInstanceSeconds = cdktest.Ptr(-1) }, "workflow: Props.WaitInstanceSeconds must be at least 1, not -1"},
		{"short timeout", func(p *workflow.Props) { p.Timeout = cdktest.Ptr(time.Second) }, "workflow: Props.Timeout must be whole seconds and at least a minute, not 1s"},
		{"timeout within the loops", func(p *workflow.Props) { p.Timeout = cdktest.Ptr(3 * time.Hour) },
			"workflow: Props.Timeout is 3h0m0s, less than the polling loops may take plus 30m0s for the tasks (4h0m0s)"},
		{"sender not an account", func(p *workflow.Props) { p.SenderAccountIDs = []string{"111111111111", "1234"} },
			`workflow: Props.SenderAccountIDs[1] must be a 12-digit account ID, not "1234"`},
		{"sender twice", func(p *workflow.Props) { p.SenderAccountIDs = []string{"111111111111", "111111111111"} },
			"workflow: Props.SenderAccountIDs lists 111111111111 twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			p := validProps(stack)
			tt.edit(&p)
			assert.PanicsWithError(t, tt.want, func() { workflow.NewWorkflow(stack, "Workflow", p) })
		})
	}
}

func TestPathsNameFieldsOfTheInvestigationState(t *testing.T) {
	full := investigation.State{
		Request:       json.RawMessage(`{}`),
		ExecutionName: "x", ForensicType: investigation.ForensicTypeDisk,
		Readiness:    &investigation.Readiness{Status: investigation.PollReady, Attempts: 1},
		Command:      &investigation.Command{Status: investigation.PollReady, Attempts: 1},
		Error:        &investigation.StepError{Error: "E", Cause: "C"},
		CleanupError: &investigation.StepError{Error: "E"}, ReportError: &investigation.StepError{Error: "E"},
		IsolationError: &investigation.StepError{Error: "E"},
	}
	b, err := json.Marshal(full)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))

	paths := []string{
		workflow.PathRequest, workflow.PathExecutionName, workflow.PathForensicType,
		workflow.PathReadinessStatus, workflow.PathReadinessTries, workflow.PathCommandStatus,
		workflow.PathCommandTries, workflow.PathError, workflow.PathErrorName, workflow.PathErrorCause,
		workflow.PathCleanupError, workflow.PathReportError, workflow.PathIsolationError,
	}
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			var v any = doc
			for _, field := range strings.Split(strings.TrimPrefix(path, "$."), ".") {
				m, ok := v.(map[string]any)
				require.True(t, ok, "%s: %v is not an object", path, v)
				v, ok = m[field]
				require.True(t, ok, "%s: no field %q in %v", path, field, m)
			}
		})
	}
}

func TestCDKNagFindsNothingUnexplained(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	props := validProps(stack)
	props.SenderAccountIDs = []string{"111111111111"}
	workflow.NewWorkflow(stack, "Workflow", props)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)

	errs, warnings := cdktest.NagMessages(stack, "*")
	for _, finding := range slices.Concat(errs, warnings) {
		assert.Fail(t, "cdk-nag finding", finding)
	}
}
