// Package sfnlocal runs an Amazon States Language definition on this
// machine with aws-local-stepfunctions (pinned in .tools), sending every
// Lambda task to a local Lambda Invoke API and shortening Wait states and
// Retry pauses without changing the definition. A run can also be made to
// time out sooner, or be stopped as StopExecution would.
package sfnlocal

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

//go:embed driver.cjs
var driverScript []byte

// minNodeMajor is the oldest Node.js that aws-local-stepfunctions 3 runs on.
const minNodeMajor = 22

// Execution statuses, as Step Functions names them.
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Runner runs executions of state machine definitions.
type Runner struct {
	// ToolsDir is the folder whose node_modules holds
	// aws-local-stepfunctions and the pinned node binary (.tools).
	ToolsDir string
	// LambdaEndpoint is the local Lambda Invoke API that Task states call.
	LambdaEndpoint string
	// Wait replaces the duration of every Wait state.
	Wait time.Duration
	// RetryPause replaces the pause of every Retry.
	RetryPause time.Duration
	// StateMachineARN is the ARN put in the Context Object.
	StateMachineARN string
	// WorkDir receives the driver script, each execution's input and its
	// event log (execution-<name>.events.jsonl).
	WorkDir string

	// StateWaits replaces Wait for the named Wait states.
	StateWaits map[string]time.Duration
	// TimeoutSeconds, when positive, replaces the definition's overall
	// TimeoutSeconds: the execution then ends TIMED_OUT that much sooner.
	TimeoutSeconds int
	// AbortAt, when set, stops the execution as soon as it enters the
	// state of that name, as StopExecution would: it ends ABORTED.
	AbortAt string
}

// Event is one entry of an execution's event log.
type Event struct {
	Type      string          `json:"type"`
	Timestamp int64           `json:"timestamp"`
	State     *EventState     `json:"state,omitempty"`
	Input     json.RawMessage `json:"input,omitempty"`
	Output    json.RawMessage `json:"output,omitempty"`
	Error     string          `json:"Error,omitempty"`
	Cause     string          `json:"Cause,omitempty"`
}

// EventState names the state an event is about.
type EventState struct {
	Name   string          `json:"name"`
	Type   string          `json:"type"`
	Input  json.RawMessage `json:"input,omitempty"`
	Output json.RawMessage `json:"output,omitempty"`
}

// Execution is the outcome of one run.
type Execution struct {
	Name   string
	Status string
	// Input is the execution's input.
	Input json.RawMessage
	// Output is the execution's output when it succeeded.
	Output json.RawMessage
	// Error and Cause say why it failed.
	Error  string
	Cause  string
	Events []Event
}

// StartDate is when the execution started: the time of its first event.
func (e Execution) StartDate() time.Time { return e.eventTime(0) }

// StopDate is when the execution ended: the time of its last event.
func (e Execution) StopDate() time.Time { return e.eventTime(len(e.Events) - 1) }

func (e Execution) eventTime(i int) time.Time {
	if i < 0 || i >= len(e.Events) {
		return time.Time{}
	}
	return time.UnixMilli(e.Events[i].Timestamp)
}

// StatesEntered lists the states the execution entered, in order.
func (e Execution) StatesEntered() []string {
	var names []string
	for _, ev := range e.Events {
		if ev.Type == "StateEntered" && ev.State != nil {
			names = append(names, ev.State.Name)
		}
	}
	return names
}

// LastOutput returns the output of the last exit from the named state.
func (e Execution) LastOutput(state string) (json.RawMessage, bool) {
	for i := len(e.Events) - 1; i >= 0; i-- {
		ev := e.Events[i]
		if ev.Type == "StateExited" && ev.State != nil && ev.State.Name == state {
			return ev.State.Output, true
		}
	}
	return nil, false
}

// Available reports whether the pinned Node.js and aws-local-stepfunctions
// are installed in toolsDir, with a message that says how to install them.
func Available(toolsDir string) error {
	node := nodePath(toolsDir)
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return fmt.Errorf("node is not installed in %s (run: cd %s && npm ci): %w", node, toolsDir, err)
	}
	version := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	major, _, _ := strings.Cut(version, ".")
	if n, err := strconv.Atoi(major); err != nil || n < minNodeMajor {
		return fmt.Errorf("%s is Node.js %s; aws-local-stepfunctions needs %d or later", node, version, minNodeMajor)
	}
	lib := filepath.Join(toolsDir, "node_modules", "aws-local-stepfunctions", "package.json")
	if _, err := os.Stat(lib); err != nil {
		return fmt.Errorf("aws-local-stepfunctions is not installed in %s (run: cd %s && npm ci): %w", toolsDir, toolsDir, err)
	}
	return nil
}

func nodePath(toolsDir string) string {
	return filepath.Join(toolsDir, "node_modules", ".bin", "node")
}

// Run executes definition once with input, under the execution name name,
// and returns when the execution has ended. An error means the execution
// could not be run at all; a failed execution is an Execution with
// StatusFailed.
func (r Runner) Run(ctx context.Context, definition, input json.RawMessage, name string) (Execution, error) {
	exec1 := Execution{Name: name, Input: input}
	driver, err := writeDriver(r.WorkDir)
	if err != nil {
		return exec1, err
	}
	stateWaitsMs := make(map[string]int64, len(r.StateWaits))
	for state, d := range r.StateWaits {
		stateWaitsMs[state] = d.Milliseconds()
	}
	config, err := json.Marshal(map[string]any{
		"definition":     definition,
		"input":          input,
		"context":        r.contextObject(name, input),
		"lambdaEndpoint": r.LambdaEndpoint,
		"waitMs":         r.Wait.Milliseconds(),
		"stateWaitsMs":   stateWaitsMs,
		"retryMs":        r.RetryPause.Milliseconds(),
		"timeoutSeconds": r.TimeoutSeconds,
		"abortAt":        r.AbortAt,
	})
	if err != nil {
		return exec1, fmt.Errorf("encode the execution %s: %w", name, err)
	}
	configPath := filepath.Join(r.WorkDir, "execution-"+name+".json")
	if err := os.WriteFile(configPath, config, 0o644); err != nil {
		return exec1, fmt.Errorf("write the execution %s: %w", name, err)
	}

	cmd := exec.CommandContext(ctx, nodePath(r.ToolsDir), driver, configPath)
	cmd.Env = append(os.Environ(),
		"NODE_PATH="+filepath.Join(r.ToolsDir, "node_modules"),
		"PATH="+filepath.Dir(nodePath(r.ToolsDir))+string(os.PathListSeparator)+os.Getenv("PATH"),
	)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return exec1, fmt.Errorf("run the state machine %s: %w; stderr: %s", name, err, stderr.String())
	}
	// The event log stays beside the input, for whoever reads the logs.
	eventsPath := filepath.Join(r.WorkDir, "execution-"+name+".events.jsonl")
	if err := os.WriteFile(eventsPath, stdout, 0o644); err != nil {
		return exec1, fmt.Errorf("write the events of %s: %w", name, err)
	}
	return parseEvents(exec1, stdout)
}

func parseEvents(e Execution, stdout []byte) (Execution, error) {
	sc := bufio.NewScanner(bytes.NewReader(stdout))
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var ev Event
		if err := json.Unmarshal(line, &ev); err != nil {
			return e, fmt.Errorf("decode an event of %s: %w: %s", e.Name, err, line)
		}
		e.Events = append(e.Events, ev)
		switch ev.Type {
		case "ExecutionSucceeded":
			e.Status, e.Output = StatusSucceeded, ev.Output
		case "ExecutionFailed":
			e.Status, e.Error, e.Cause = StatusFailed, ev.Error, ev.Cause
		case "ExecutionTimeout":
			e.Status, e.Error = StatusTimedOut, "States.Timeout"
		case "ExecutionAborted":
			e.Status = StatusAborted
		case "DriverError":
			return e, fmt.Errorf("the state machine driver failed on %s: %s: %s", e.Name, ev.Error, ev.Cause)
		}
	}
	if err := sc.Err(); err != nil {
		return e, fmt.Errorf("read the events of %s: %w", e.Name, err)
	}
	if e.Status == "" {
		return e, errors.New("the execution " + e.Name + " ended without a final event")
	}
	return e, nil
}

// ExecutionARN returns the ARN of the execution called name.
func (r Runner) ExecutionARN(name string) string {
	return strings.Replace(r.StateMachineARN, ":stateMachine:", ":execution:", 1) + ":" + name
}

// contextObject is the Context Object Step Functions gives an execution;
// the definition reads $$.Execution.Name.
func (r Runner) contextObject(name string, input json.RawMessage) map[string]any {
	smName := r.StateMachineARN[strings.LastIndex(r.StateMachineARN, ":")+1:]
	return map[string]any{
		"Execution": map[string]any{
			"Id":        r.ExecutionARN(name),
			"Name":      name,
			"Input":     input,
			"StartTime": time.Now().UTC().Format(time.RFC3339Nano),
			"RoleArn":   "arn:aws:iam::" + accountOf(r.StateMachineARN) + ":role/" + smName + "-role",
		},
		"StateMachine": map[string]any{"Id": r.StateMachineARN, "Name": smName},
	}
}

func accountOf(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) > 4 {
		return parts[4]
	}
	return ""
}

// writeDriver writes the driver script to dir/sfn-driver.cjs through a
// temporary file and a rename, so that executions started together never
// read it half written.
func writeDriver(dir string) (string, error) {
	driver := filepath.Join(dir, "sfn-driver.cjs")
	tmp, err := os.CreateTemp(dir, "sfn-driver-*.tmp")
	if err != nil {
		return "", fmt.Errorf("write the state machine driver: %w", err)
	}
	_, werr := tmp.Write(driverScript)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write the state machine driver: %w", err)
	}
	if err := os.Rename(tmp.Name(), driver); err != nil {
		_ = os.Remove(tmp.Name())
		return "", fmt.Errorf("write the state machine driver: %w", err)
	}
	return driver, nil
}
