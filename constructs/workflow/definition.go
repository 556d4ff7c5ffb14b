package workflow

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	sfn "github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctionstasks"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// definition builds the states of docs/workflow.md and returns the first.
func definition(scope constructs.Construct, s settings) sfn.IChainable {
	failed := sfn.NewFail(scope, id(StateFailed), &sfn.FailProps{
		StateName: jsii.String(StateFailed),
		Comment:   jsii.String("The investigation failed; the case records the reason"),
		ErrorPath: jsii.String(PathErrorName),
		CausePath: jsii.String(PathErrorCause),
	})
	succeeded := sfn.NewSucceed(scope, id(StateSucceeded), &sfn.SucceedProps{StateName: jsii.String(StateSucceeded)})

	// The failure path: release everything, then say so. Each step's own
	// error is kept apart from $.error, which holds the reason.
	notifyFailure := invoke(scope, StateNotifyFailure, s.tasks.Notify)
	notifyFailure.AddRetry(retryOf(investigation.ReasonNotification))
	notifyFailure.AddCatch(failed, catchTo(PathNotifyError))
	notifyFailure.Next(failed)
	// A failed case gets a report too, with its reason under the
	// limitations; a report that cannot be written is kept at
	// $.reportError and the case goes on.
	failureReport := invoke(scope, StateWriteFailureReport, s.tasks.Report)
	failureReport.AddCatch(notifyFailure, catchTo(PathReportError))
	failureReport.Next(notifyFailure)
	cleanup := invoke(scope, StateCleanup, s.tasks.Release)
	cleanup.AddRetry(retryOf(investigation.ReasonCleanupFailed))
	cleanup.AddCatch(failureReport, catchTo(PathCleanupError))
	cleanup.Next(failureReport)

	// task builds a task state whose every error goes to Cleanup.
	task := func(name string, fn awslambda.IFunction) awsstepfunctionstasks.LambdaInvoke {
		t := invoke(scope, name, fn)
		t.AddCatch(cleanup, catchTo(PathError))
		return t
	}

	notifySuccess := task(StateNotifySuccess, s.tasks.Notify)
	notifySuccess.AddRetry(retryOf(investigation.ReasonNotification))
	notifySuccess.Next(succeeded)
	// The report follows the release, so that its custody timeline holds
	// the release too; its own error never sends the case to Cleanup.
	report := invoke(scope, StateWriteReport, s.tasks.Report)
	report.AddCatch(notifySuccess, catchTo(PathReportError))
	report.Next(notifySuccess)
	release := task(StateReleaseResources, s.tasks.Release)
	release.AddRetry(retryOf(investigation.ReasonCleanupFailed))
	release.Next(report)
	collect := task(StateCollectResults, s.tasks.CollectResults)
	collect.Next(release)

	checkCommand := task(StateCheckCommand, s.tasks.CheckCommand)
	waitForCommand := wait(scope, StateWaitForCommand, s.waitCommand)
	waitForCommand.Next(checkCommand)
	checkCommand.Next(sfn.NewChoice(scope, id(StateCommandDone), &sfn.ChoiceProps{StateName: jsii.String(StateCommandDone)}).
		When(sfn.Condition_StringEquals(jsii.String(PathCommandStatus), jsii.String(string(investigation.PollReady))), collect, nil).
		When(sfn.Condition_NumberGreaterThanEquals(jsii.String(PathCommandTries), jsii.Number(float64(s.maxCommandChecks))),
			giveUp(scope, StateCommandNotComplete, investigation.ReasonCommandNotComplete,
				fmt.Sprintf("the forensics command was not complete after %d checks", s.maxCommandChecks), cleanup), nil).
		Otherwise(waitForCommand))

	startDisk := task(StateStartDiskForensics, s.tasks.StartForensics)
	startDisk.Next(waitForCommand)
	startMemory := task(StateStartMemoryForensics, s.tasks.StartForensics)
	startMemory.Next(waitForCommand)
	attach := task(StateAttachEvidence, s.tasks.AttachEvidence)
	attach.Next(startDisk)
	forensicType := sfn.NewChoice(scope, id(StateForensicType), &sfn.ChoiceProps{StateName: jsii.String(StateForensicType)}).
		When(sfn.Condition_StringEquals(jsii.String(PathForensicType), jsii.String(string(investigation.ForensicTypeDisk))), attach, nil).
		When(sfn.Condition_StringEquals(jsii.String(PathForensicType), jsii.String(string(investigation.ForensicTypeMemory))), startMemory, nil).
		// Intake accepts only DISK and MEMORY; this keeps the Choice total.
		Otherwise(giveUp(scope, StateUnknownForensicType, investigation.ReasonInvalidRequest,
			"forensicType is neither DISK nor MEMORY", cleanup))

	checkInstance := task(StateCheckInstance, s.tasks.CheckInstance)
	waitForInstance := wait(scope, StateWaitForInstance, s.waitInstance)
	waitForInstance.Next(checkInstance)
	checkInstance.Next(sfn.NewChoice(scope, id(StateInstanceReady), &sfn.ChoiceProps{StateName: jsii.String(StateInstanceReady)}).
		When(sfn.Condition_StringEquals(jsii.String(PathReadinessStatus), jsii.String(string(investigation.PollReady))), forensicType, nil).
		When(sfn.Condition_NumberGreaterThanEquals(jsii.String(PathReadinessTries), jsii.Number(float64(s.maxInstanceChecks))),
			giveUp(scope, StateInstanceNotReady, investigation.ReasonInstanceNotReady,
				fmt.Sprintf("the forensic instance was not ready after %d checks", s.maxInstanceChecks), cleanup), nil).
		Otherwise(waitForInstance))

	createInstance := task(StateCreateInstance, s.tasks.CreateInstance)
	createInstance.Next(checkInstance)
	// Isolation comes first, once the case is recorded, so that the
	// resource is contained while the evidence is examined; its own
	// failure is kept at $.isolationError and the investigation goes on.
	isolate := invoke(scope, StateIsolate, s.tasks.Isolate)
	isolate.AddCatch(createInstance, catchTo(PathIsolationError))
	isolate.Next(createInstance)
	recordCase := task(StateRecordCase, s.tasks.Intake)
	recordCase.Next(isolate)

	prepare := sfn.NewPass(scope, id(StatePrepare), &sfn.PassProps{
		StateName: jsii.String(StatePrepare),
		Comment:   jsii.String("Wraps the request and names the execution: the input of every task"),
		Parameters: &map[string]any{
			strings.TrimPrefix(PathRequest, "$."):       sfn.JsonPath_EntirePayload(),
			strings.TrimPrefix(PathExecutionName, "$."): sfn.JsonPath_ExecutionName(),
		},
	})
	prepare.Next(recordCase)
	return prepare
}

// invoke is a task state that passes the whole state to fn and replaces the
// state with fn's result.
func invoke(scope constructs.Construct, name string, fn awslambda.IFunction) awsstepfunctionstasks.LambdaInvoke {
	return awsstepfunctionstasks.NewLambdaInvoke(scope, id(name), &awsstepfunctionstasks.LambdaInvokeProps{
		StateName:           jsii.String(name),
		LambdaFunction:      fn,
		PayloadResponseOnly: jsii.Bool(true),
		ResultPath:          jsii.String("$"),
	})
}

// Retries of the release and notify states, which are idempotent: a
// release finds what is left by tag, and notify keeps a final record.
const (
	RetryIntervalSeconds = 5
	RetryMaxAttempts     = 2
	RetryBackoffRate     = 3
)

// retryOf retries a state that failed with reason, RetryMaxAttempts times,
// RetryIntervalSeconds and then RetryBackoffRate times longer apart.
func retryOf(reason investigation.Reason) *sfn.RetryProps {
	return &sfn.RetryProps{
		Errors:      jsii.Strings(string(reason)),
		Interval:    awscdk.Duration_Seconds(jsii.Number(RetryIntervalSeconds)),
		MaxAttempts: jsii.Number(RetryMaxAttempts),
		BackoffRate: jsii.Number(RetryBackoffRate),
	}
}

// catchTo catches every error and puts it at resultPath.
func catchTo(resultPath string) *sfn.CatchProps {
	return &sfn.CatchProps{Errors: jsii.Strings(ErrorsAll), ResultPath: jsii.String(resultPath)}
}

// wait pauses for seconds.
func wait(scope constructs.Construct, name string, seconds int) sfn.Wait {
	return sfn.NewWait(scope, id(name), &sfn.WaitProps{
		StateName: jsii.String(name),
		Time:      sfn.WaitTime_Duration(awscdk.Duration_Seconds(jsii.Number(float64(seconds)))),
	})
}

// giveUp puts a named error at $.error, as a Catch would, and goes to next.
func giveUp(scope constructs.Construct, name string, reason investigation.Reason, cause string, next sfn.IChainable) sfn.Pass {
	p := sfn.NewPass(scope, id(name), &sfn.PassProps{
		StateName:  jsii.String(name),
		Result:     sfn.Result_FromObject(stepError(reason, cause)),
		ResultPath: jsii.String(PathError),
	})
	p.Next(next)
	return p
}

// stepError is the investigation.StepError for reason, as the map a Pass
// state's Result takes.
func stepError(reason investigation.Reason, cause string) *map[string]any {
	b, err := json.Marshal(investigation.StepError{Error: string(reason), Cause: cause})
	if err != nil {
		panic(fmt.Sprintf("workflow: encode step error: %v", err))
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(fmt.Sprintf("workflow: decode step error: %v", err))
	}
	return &m
}

// id is the construct ID of a state: its name without the '?' of choices.
func id(stateName string) *string { return jsii.String(strings.TrimSuffix(stateName, "?")) }
