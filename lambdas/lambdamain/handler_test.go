package lambdamain

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// deepState is a state whose request nests 12,000 arrays, as Step
// Functions would pass a direct StartExecution's input on.
func deepState() []byte {
	request := `{"forensicId":"cf-1","disk":{"snapshots":[` + strings.Repeat("[", 12000) + strings.Repeat("]", 12000) + `]}}`
	return []byte(`{"request":` + request + `,"executionName":"exec-1"}`)
}

// echo returns the state it got, or the request's problem.
func echo(_ context.Context, st investigation.State) (investigation.State, error) {
	if _, err := investigation.ParseRequest(st.Request); err != nil {
		return st, investigation.Fail(investigation.ReasonInvalidRequest, "%v", err)
	}
	return st, nil
}

func TestHandlerDecodesAStateWithADeepRequest(t *testing.T) {
	_, err := lambda.NewHandler(echo).Invoke(context.Background(), deepState())
	require.Error(t, err, "the SDK's handler alone cannot decode the state")

	_, err = Handler(slog.New(slog.NewTextHandler(io.Discard, nil)), echo).Invoke(context.Background(), deepState())

	require.Error(t, err)
	assert.Contains(t, err.Error(), "disk.snapshots[0]", "the handler ran and refused the request naming the field")
	assert.NotContains(t, err.Error(), "exceeded max depth")
}

func TestHandlerPassesOtherStatesAsTheyAre(t *testing.T) {
	in := investigation.State{Request: json.RawMessage(`{"forensicId":"cf-1"}`), ExecutionName: "exec-1"}
	payload, err := json.Marshal(in)
	require.NoError(t, err)
	pass := func(_ context.Context, st investigation.State) (investigation.State, error) { return st, nil }

	out, err := Handler(slog.New(slog.NewTextHandler(io.Discard, nil)), pass).Invoke(context.Background(), payload)

	require.NoError(t, err)
	assert.JSONEq(t, string(payload), string(out))
}
