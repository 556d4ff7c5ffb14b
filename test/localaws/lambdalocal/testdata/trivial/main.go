// Command trivial is a Lambda handler for the lambdalocal tests: it echoes,
// fails with a named error, sleeps or exits, as its payload says.
package main

import (
	"context"
	"encoding/json"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
)

type request struct {
	Echo    json.RawMessage `json:"echo,omitempty"`
	Fail    string          `json:"fail,omitempty"`
	SleepMS int             `json:"sleepMs,omitempty"`
	Exit    int             `json:"exit,omitempty"`
}

type response struct {
	Echo     json.RawMessage `json:"echo,omitempty"`
	Env      string          `json:"env"`
	PID      int             `json:"pid"`
	Function string          `json:"function"`
}

func handle(_ context.Context, req request) (response, error) {
	if req.SleepMS > 0 {
		time.Sleep(time.Duration(req.SleepMS) * time.Millisecond)
	}
	if req.Exit != 0 {
		os.Exit(req.Exit)
	}
	if req.Fail != "" {
		return response{}, messages.InvokeResponse_Error{Type: req.Fail, Message: "failed as asked"}
	}
	return response{Echo: req.Echo, Env: os.Getenv("TRIVIAL_SETTING"), PID: os.Getpid(), Function: os.Getenv("AWS_LAMBDA_FUNCTION_NAME")}, nil
}

func main() { lambda.Start(handle) }
