package workflow

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
)

// Defaults used when the corresponding Props field is left unset.
const (
	DefaultWaitInstanceSeconds = 120
	DefaultWaitCommandSeconds  = 120
	DefaultMaxInstanceChecks   = 15
	DefaultMaxCommandChecks    = 90
	DefaultTimeout             = 6 * time.Hour
	DefaultLogRetention        = awslogs.RetentionDays_ONE_YEAR
	// TaskAllowance is the time the task states may take on top of the
	// polling loops; Timeout must cover both, so that the bounded loops, and
	// not the timeout, end a slow case (a timed-out execution skips Cleanup
	// and is left to the sweep).
	TaskAllowance = 30 * time.Minute
)

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// The acquisition event that starts an investigation: its detail is an
// investigation.Request.
const (
	AcquisitionEventSource     = "casefile.acquisition"
	AcquisitionEventDetailType = "Evidence Acquisition Completed"
)

// Tasks are the Lambda functions behind the workflow's task states.
type Tasks struct {
	Intake, Isolate, CreateInstance, CheckInstance, AttachEvidence, StartForensics,
	CheckCommand, CollectResults, Release, Report, Notify awslambda.IFunction
}

// Props configures the investigation workflow. Tasks, Start and Sweep are
// required; every other field has the default its doc names.
type Props struct {
	// Tasks run the task states. Required.
	Tasks Tasks
	// Start receives the acquisition events. Required.
	Start awslambda.IFunction
	// Sweep receives the status change of every execution that timed out
	// or was stopped, which skips the failure path. Required.
	Sweep awslambda.IFunction

	// EventBus carries the acquisition events. Default: the account's
	// default event bus.
	EventBus awsevents.IEventBus
	// SenderAccountIDs are the other accounts (12 digits each) that may put
	// acquisition events on EventBus: the bus's resource policy gets one
	// statement per account, allowing events:PutEvents of events with the
	// acquisition source and detail type only. Default: none; the bus's
	// policy is left as it is.
	SenderAccountIDs []string
	// WaitInstanceSeconds is the pause between instance checks. Default
	// DefaultWaitInstanceSeconds.
	WaitInstanceSeconds *int
	// WaitCommandSeconds is the pause between command checks. Default
	// DefaultWaitCommandSeconds.
	WaitCommandSeconds *int
	// MaxInstanceChecks bounds the instance checks before the case fails
	// with INSTANCE_NOT_READY. Default DefaultMaxInstanceChecks.
	MaxInstanceChecks *int
	// MaxCommandChecks bounds the command checks before the case fails with
	// COMMAND_NOT_COMPLETE. Default DefaultMaxCommandChecks.
	MaxCommandChecks *int
	// Timeout bounds a whole execution. Default DefaultTimeout.
	Timeout *time.Duration
	// LogRetention is how long the execution logs are kept. Default
	// DefaultLogRetention.
	LogRetention awslogs.RetentionDays
	// LogRemovalPolicy says what happens to the log group when the stack is
	// deleted. Default: retain.
	LogRemovalPolicy awscdk.RemovalPolicy
}

// settings are the Props with defaults filled in, in the form the
// definition uses.
type settings struct {
	tasks             Tasks
	start             awslambda.IFunction
	sweep             awslambda.IFunction
	eventBus          awsevents.IEventBus
	senderAccountIDs  []string
	waitInstance      int
	waitCommand       int
	maxInstanceChecks int
	maxCommandChecks  int
	timeout           time.Duration
	logRetention      awslogs.RetentionDays
	logRemovalPolicy  awscdk.RemovalPolicy
}

// resolve checks p and fills in the defaults.
func (p Props) resolve() (settings, error) {
	required := []struct {
		name  string
		value awslambda.IFunction
	}{
		{"Tasks.Intake", p.Tasks.Intake}, {"Tasks.Isolate", p.Tasks.Isolate}, {"Tasks.CreateInstance", p.Tasks.CreateInstance},
		{"Tasks.CheckInstance", p.Tasks.CheckInstance}, {"Tasks.AttachEvidence", p.Tasks.AttachEvidence},
		{"Tasks.StartForensics", p.Tasks.StartForensics}, {"Tasks.CheckCommand", p.Tasks.CheckCommand},
		{"Tasks.CollectResults", p.Tasks.CollectResults}, {"Tasks.Release", p.Tasks.Release},
		{"Tasks.Report", p.Tasks.Report}, {"Tasks.Notify", p.Tasks.Notify}, {"Start", p.Start}, {"Sweep", p.Sweep},
	}
	for _, r := range required {
		if r.value == nil {
			return settings{}, fmt.Errorf("workflow: Props.%s is required", r.name)
		}
	}
	s := settings{
		tasks:             p.Tasks,
		start:             p.Start,
		sweep:             p.Sweep,
		eventBus:          p.EventBus,
		senderAccountIDs:  p.SenderAccountIDs,
		waitInstance:      valueOr(p.WaitInstanceSeconds, DefaultWaitInstanceSeconds),
		waitCommand:       valueOr(p.WaitCommandSeconds, DefaultWaitCommandSeconds),
		maxInstanceChecks: valueOr(p.MaxInstanceChecks, DefaultMaxInstanceChecks),
		maxCommandChecks:  valueOr(p.MaxCommandChecks, DefaultMaxCommandChecks),
		timeout:           valueOr(p.Timeout, DefaultTimeout),
		logRetention:      p.LogRetention,
		logRemovalPolicy:  p.LogRemovalPolicy,
	}
	positive := []struct {
		name  string
		value int
	}{
		{"WaitInstanceSeconds", s.waitInstance}, {"WaitCommandSeconds", s.waitCommand},
		{"MaxInstanceChecks", s.maxInstanceChecks}, {"MaxCommandChecks", s.maxCommandChecks},
	}
	for _, v := range positive {
		if v.value < 1 {
			return settings{}, fmt.Errorf("workflow: Props.%s must be at least 1, not %d", v.name, v.value)
		}
	}
	for i, account := range s.senderAccountIDs {
		if !accountIDPattern.MatchString(account) {
			return settings{}, fmt.Errorf("workflow: Props.SenderAccountIDs[%d] must be a 12-digit account ID, not %q", i, account)
		}
		if slices.Index(s.senderAccountIDs, account) != i {
			return settings{}, fmt.Errorf("workflow: Props.SenderAccountIDs lists %s twice", account)
		}
	}
	if s.timeout < time.Minute || s.timeout%time.Second != 0 {
		return settings{}, fmt.Errorf("workflow: Props.Timeout must be whole seconds and at least a minute, not %s", s.timeout)
	}
	if need := s.longestPolling() + TaskAllowance; s.timeout < need {
		return settings{}, fmt.Errorf("workflow: Props.Timeout is %s, less than the polling loops may take plus %s for the tasks (%s)",
			s.timeout, TaskAllowance, need)
	}
	if s.logRetention == "" {
		s.logRetention = DefaultLogRetention
	}
	if s.logRemovalPolicy == "" {
		s.logRemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	return s, nil
}

// longestPolling is how long the two polling loops may wait in all.
func (s settings) longestPolling() time.Duration {
	return time.Duration(s.waitInstance*s.maxInstanceChecks+s.waitCommand*s.maxCommandChecks) * time.Second
}

func valueOr[T any](p *T, def T) T {
	if p == nil {
		return def
	}
	return *p
}
