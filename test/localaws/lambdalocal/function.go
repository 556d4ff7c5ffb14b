// Package lambdalocal runs Lambda functions on this machine the way the
// Lambda service would: each function's real handler binary runs as a warm
// process that talks to a local stand-in of the Lambda Runtime API, and a
// local stand-in of the Lambda Invoke API dispatches invocations to it.
// Invocations that overlap each get a process (an execution environment)
// of their own, as Lambda scales out.
package lambdalocal

import (
	"encoding/json"
	"time"
)

// defaultTimeout is Lambda's default function timeout.
const defaultTimeout = 3 * time.Second

// Function is one Lambda function to serve.
type Function struct {
	// Name is the function name, the last part of its ARN.
	Name string
	// Command is the handler executable (the function's bootstrap).
	Command string
	// Env holds the function's environment variables, as configured on
	// the function.
	Env map[string]string
	// Timeout is the function's timeout; zero means Lambda's default, 3 s.
	Timeout time.Duration
	// MemoryMiB is the configured memory; zero means 128.
	MemoryMiB int
}

func (f Function) timeout() time.Duration {
	if f.Timeout <= 0 {
		return defaultTimeout
	}
	return f.Timeout
}

func (f Function) memory() int {
	if f.MemoryMiB <= 0 {
		return 128
	}
	return f.MemoryMiB
}

// FunctionError is the error a function returned, as the Lambda service
// reports it (the body of an invocation with X-Amz-Function-Error).
type FunctionError struct {
	ErrorType    string          `json:"errorType"`
	ErrorMessage string          `json:"errorMessage"`
	StackTrace   json.RawMessage `json:"stackTrace,omitempty"`
}

func (e *FunctionError) Error() string { return e.ErrorType + ": " + e.ErrorMessage }

// Error types the service itself reports, as the Lambda service names them.
const (
	ErrorTypeTimeout   = "Sandbox.Timedout"
	ErrorTypeExit      = "Runtime.ExitError"
	ErrorTypeBadResult = "Runtime.InvalidResponse"
)

// Invocation is the record of one invocation, for diagnostics.
type Invocation struct {
	Function  string
	RequestID string
	Payload   json.RawMessage
	// Result is the function's result when it succeeded.
	Result json.RawMessage
	// Err is the function's error when it failed.
	Err      *FunctionError
	Started  time.Time
	Duration time.Duration
	// InitDuration is, for the invocation that started the handler
	// process (a cold start), the time from the process's start to its
	// first request for an invocation: Lambda's "Init Duration". It is
	// zero for a warm invocation.
	InitDuration time.Duration
}
