package localaws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
	"github.com/casefile-forensics/casefile/test/localaws/repo"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

// commandsDrainTimeout bounds how long Run waits for the forensic host's
// commands to end after the execution.
const commandsDrainTimeout = 2 * time.Minute

// Outcome is what one investigation did and left behind.
type Outcome struct {
	ForensicID    string `json:"forensicId"`
	ForensicType  string `json:"forensicType"`
	ExecutionName string `json:"executionName"`
	// Status is the execution's status: SUCCEEDED, FAILED...
	Status string `json:"status"`
	// Error and Cause say why the execution failed.
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
	// Investigation is the case table's investigation item.
	Investigation *fixture.InvestigationRecord `json:"investigation"`
	// Notifications are the messages the topic delivered during the run.
	Notifications []fixture.Notification `json:"notifications"`
	// ResultsS3URI is the case's results prefix, and Results what is there.
	ResultsS3URI string           `json:"resultsS3Uri,omitempty"`
	Results      []fixture.Object `json:"results,omitempty"`
	// Leftovers is what the case left in EC2.
	Leftovers fixture.Leftovers `json:"leftovers"`
	// ForensicInstances are every forensic instance of the case, in any
	// state, with their state.
	ForensicInstances []string `json:"forensicInstances"`
	// InstanceIDs are the IDs of ForensicInstances.
	InstanceIDs []string `json:"-"`
	// States are the states the execution entered, in order.
	States []string `json:"states"`
	// StatusChange is the event delivered to the sweep function when the
	// execution timed out or was stopped, and Sweep the sweep's result.
	StatusChange *events.CloudWatchEvent `json:"-"`
	Sweep        json.RawMessage         `json:"sweep,omitempty"`
	// Commands are the SSM commands the forensic host ran.
	Commands []forensichost.Invocation `json:"-"`
	// Execution is the full execution, with its event log.
	Execution sfnlocal.Execution `json:"-"`
}

// requestHead is the part of a request that names the case, read without
// validation (the request may be invalid on purpose).
type requestHead struct {
	ForensicID   any `json:"forensicId"`
	ForensicType any `json:"forensicType"`
}

// executionName is the name the starter would give the execution: the
// forensic ID and type, or for a request without them a name derived from
// its content.
func executionName(input json.RawMessage) (string, investigation.ForensicType) {
	var head requestHead
	_ = json.Unmarshal(input, &head)
	id, _ := head.ForensicID.(string)
	t, _ := head.ForensicType.(string)
	ft := investigation.ForensicType(t)
	if investigation.CaseID(input, "x") == id && (ft == investigation.ForensicTypeDisk || ft == investigation.ForensicTypeMemory) {
		return investigation.ExecutionName(id, ft), ft
	}
	sum := sha256.Sum256(input)
	return "invalid-" + hex.EncodeToString(sum[:6]), ft
}

// RunOptions interrupt a run as an execution timeout or StopExecution
// would, or name it otherwise. The zero value lets the execution run to
// its end under the name the starter would give it.
type RunOptions struct {
	// TimeoutSeconds, when positive, replaces the state machine's timeout.
	TimeoutSeconds int
	// AbortAt stops the execution when it enters the state of that name.
	AbortAt string
	// StateWaits replaces Options.Wait for the named Wait states, so that
	// the timeout or the stop finds the execution there.
	StateWaits map[string]time.Duration
	// ExecutionName, when set, replaces the name the starter would give
	// the execution, as a caller of StartExecution may choose another.
	ExecutionName string
}

// Run executes the state machine once with input and gathers its outcome.
func (e *Environment) Run(ctx context.Context, input json.RawMessage) (*Outcome, error) {
	return e.RunWith(ctx, input, RunOptions{})
}

// RunWith executes the state machine once with input, interrupted as opts
// say, and gathers its outcome. An execution that timed out or was stopped
// is then sent to the sweep function, as the stack's rule would send it.
func (e *Environment) RunWith(ctx context.Context, input json.RawMessage, opts RunOptions) (*Outcome, error) {
	o, err := e.execute(ctx, input, opts)
	if err != nil {
		return nil, err
	}
	drainCtx, cancel := context.WithTimeout(ctx, commandsDrainTimeout)
	defer cancel()
	if err := e.host.Wait(drainCtx); err != nil {
		return o, err
	}
	o.Commands = e.host.Commands()
	if err := e.sweepEnded(ctx, o); err != nil {
		return o, err
	}
	if o.Notifications, err = fixture.ReceiveNotifications(ctx, e.clients, e.fixture.QueueURL); err != nil {
		return o, err
	}
	if err := e.gather(ctx, o); err != nil {
		return o, err
	}
	return o, nil
}

// execute runs one execution of the state machine to its end and returns
// its outcome with the execution filled in, nothing gathered yet.
func (e *Environment) execute(ctx context.Context, input json.RawMessage, opts RunOptions) (*Outcome, error) {
	if e.lambdas == nil {
		return nil, fmt.Errorf("localaws: Reset before Run")
	}
	name, forensicType := executionName(input)
	if opts.ExecutionName != "" {
		name = opts.ExecutionName
	}
	o := &Outcome{
		ExecutionName: name,
		ForensicID:    investigation.CaseID(input, name),
		ForensicType:  string(forensicType),
	}
	runner := e.runner(opts)
	e.opts.Logger.Info("execution started", "name", name)
	exec, err := runner.Run(ctx, e.definition, input, name)
	if err != nil {
		return nil, err
	}
	e.opts.Logger.Info("execution ended", "name", name, "status", exec.Status, "error", exec.Error)
	o.Execution, o.Status, o.Error, o.Cause, o.States = exec, exec.Status, exec.Error, exec.Cause, exec.StatesEntered()
	return o, nil
}

func (e *Environment) runner(opts RunOptions) sfnlocal.Runner {
	return sfnlocal.Runner{
		ToolsDir: repo.ToolsDir(e.opts.Root), LambdaEndpoint: e.lambdas.URL(),
		Wait: e.opts.Wait, RetryPause: e.opts.RetryPause,
		StateMachineARN: e.stateMachineARN(), WorkDir: e.opts.WorkDir,
		StateWaits: opts.StateWaits, TimeoutSeconds: opts.TimeoutSeconds, AbortAt: opts.AbortAt,
	}
}

// sweepEnded sends an execution that timed out or was stopped to the
// sweep function, as the stack's rule would.
func (e *Environment) sweepEnded(ctx context.Context, o *Outcome) error {
	exec := o.Execution
	if !slices.Contains(investigation.SweptStatuses(), exec.Status) {
		return nil
	}
	ev, err := statusChangeEvent(e.opts.Region, e.fixture.AccountID, e.stateMachineARN(), e.runner(RunOptions{}).ExecutionARN(exec.Name), exec)
	if err != nil {
		return err
	}
	o.StatusChange = &ev
	if o.Sweep, err = e.DeliverStatusChange(ctx, ev); err != nil {
		return err
	}
	return nil
}

// gather reads back the case's records, results and leftovers.
func (e *Environment) gather(ctx context.Context, o *Outcome) error {
	c, exec := e.clients, o.Execution
	records, err := fixture.Investigations(ctx, c, o.ForensicID)
	if err != nil {
		return err
	}
	for i := range records {
		if o.Investigation == nil || records[i].ForensicType == o.ForensicType {
			o.Investigation = &records[i]
		}
	}
	if o.Leftovers, err = fixture.CaseLeftovers(ctx, c, o.ForensicID); err != nil {
		return err
	}
	instances, err := fixture.CaseInstances(ctx, c, o.ForensicID)
	if err != nil {
		return err
	}
	for _, i := range instances {
		o.ForensicInstances = append(o.ForensicInstances, *i.InstanceId+" ("+string(i.State.Name)+")")
		o.InstanceIDs = append(o.InstanceIDs, *i.InstanceId)
	}
	ft := investigation.ForensicType(o.ForensicType)
	if ft == investigation.ForensicTypeDisk || ft == investigation.ForensicTypeMemory {
		prefix := investigation.ResultsPrefix(o.ForensicID, ft)
		o.ResultsS3URI = "s3://" + fixture.ResultsBucket + "/" + prefix
		var state investigation.State
		if json.Unmarshal(exec.Output, &state) == nil && state.Results != nil && state.Results.S3URI != "" {
			o.ResultsS3URI = state.Results.S3URI
		}
		if o.Results, err = fixture.ListObjects(ctx, c, fixture.ResultsBucket, prefix); err != nil {
			return err
		}
	}
	return nil
}
