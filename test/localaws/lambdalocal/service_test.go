package lambdalocal

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func buildTrivial(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	out, err := exec.Command("go", "build", "-o", bin, "./testdata/trivial").CombinedOutput()
	require.NoError(t, err, "build the trivial handler: %s", out)
	return bin
}

func startTrivial(t *testing.T) *Service {
	t.Helper()
	bin := buildTrivial(t)
	svc, err := Start([]Function{{
		Name: "trivial", Command: bin, Env: map[string]string{"TRIVIAL_SETTING": "from-env"}, Timeout: 2 * time.Second,
	}}, Options{Region: "eu-west-1", AccountID: "123456789012", LogDir: t.TempDir()})
	require.NoError(t, err)
	t.Cleanup(svc.Close)
	return svc
}

type trivialResult struct {
	Echo     json.RawMessage `json:"echo"`
	Env      string          `json:"env"`
	PID      int             `json:"pid"`
	Function string          `json:"function"`
}

func TestInvoke(t *testing.T) {
	svc := startTrivial(t)
	ctx := context.Background()

	first, err := svc.Invoke(ctx, svc.ARN("trivial"), []byte(`{"echo":{"n":1}}`))
	require.NoError(t, err)
	var got trivialResult
	require.NoError(t, json.Unmarshal(first, &got))
	assert.JSONEq(t, `{"n":1}`, string(got.Echo), "echoed payload")
	assert.Equal(t, "from-env", got.Env, "function environment")
	assert.Equal(t, "trivial", got.Function, "AWS_LAMBDA_FUNCTION_NAME")

	tests := []struct {
		name     string
		payload  string
		wantType string
		// wantWarm says whether the next invocation reuses the process.
		wantWarm bool
	}{
		{name: "named error", payload: `{"fail":"EVIDENCE_ATTACH_FAILED"}`, wantType: "EVIDENCE_ATTACH_FAILED", wantWarm: true},
		{name: "process exit", payload: `{"exit":3}`, wantType: ErrorTypeExit},
		{name: "timeout", payload: `{"sleepMs":5000}`, wantType: ErrorTypeTimeout},
	}
	pid := got.PID
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Invoke(ctx, "trivial", []byte(tc.payload))
			var fe *FunctionError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tc.wantType, fe.ErrorType, "error type")

			next, err := svc.Invoke(ctx, "trivial", []byte(`{}`))
			require.NoError(t, err, "the function serves again after %s", tc.name)
			var after trivialResult
			require.NoError(t, json.Unmarshal(next, &after))
			assert.Equal(t, tc.wantWarm, after.PID == pid, "same process after %s (pid before %d, after %d)", tc.name, pid, after.PID)
			pid = after.PID
		})
	}
}

func TestInvokeAPI(t *testing.T) {
	svc := startTrivial(t)
	tests := []struct {
		name          string
		function      string
		payload       string
		wantStatus    int
		wantFuncError string
		wantBody      string
	}{
		{name: "result", function: "trivial", payload: `{"echo":"x"}`, wantStatus: http.StatusOK, wantBody: `"echo":"x"`},
		{name: "function error", function: svc.ARN("trivial"), payload: `{"fail":"COMMAND_FAILED"}`, wantStatus: http.StatusOK, wantFuncError: "Unhandled", wantBody: `"errorType":"COMMAND_FAILED"`},
		{name: "unknown function", function: "nope", payload: `{}`, wantStatus: http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(svc.URL()+"/2015-03-31/functions/"+tc.function+"/invocations", "application/json", bytes.NewBufferString(tc.payload))
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, resp.StatusCode, "status; body %s", body)
			assert.Equal(t, tc.wantFuncError, resp.Header.Get("X-Amz-Function-Error"), "X-Amz-Function-Error")
			assert.Contains(t, string(body), tc.wantBody, "body")
		})
	}
}

func TestFunctionName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"intake", "intake"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:intake", "intake"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:intake:$LATEST", "intake"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			assert.Equal(t, tc.want, FunctionName(tc.in))
		})
	}
}

// TestInitDurationOnColdStartsOnly checks that the invocation that starts
// a handler process reports its init phase (start to first request for an
// invocation) and that a warm one reports none.
func TestInitDurationOnColdStartsOnly(t *testing.T) {
	svc := startTrivial(t)
	ctx := context.Background()

	_, err := svc.Invoke(ctx, "trivial", []byte(`{}`))
	require.NoError(t, err)
	_, err = svc.Invoke(ctx, "trivial", []byte(`{}`))
	require.NoError(t, err)

	invs := svc.Invocations()
	require.Len(t, invs, 2)
	assert.Positive(t, invs[0].InitDuration, "the first invocation started the process")
	assert.Less(t, invs[0].InitDuration, invs[0].Duration, "init is part of the cold invocation")
	assert.Zero(t, invs[1].InitDuration, "the second invocation was warm")
}
