package lambdalocal

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConcurrentInvocationsGetTheirOwnEnvironment invokes a slow function
// three times at once: each invocation runs in a process of its own, and
// a later invocation reuses a warm one.
func TestConcurrentInvocationsGetTheirOwnEnvironment(t *testing.T) {
	svc := startTrivial(t)
	ctx := context.Background()
	const n = 3

	pids := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := svc.Invoke(ctx, "trivial", []byte(`{"sleepMs":500}`))
			if err == nil {
				var r trivialResult
				err = json.Unmarshal(out, &r)
				pids[i] = r.PID
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "invocation %d", i)
	}
	// One environment serving them in turn would have given one process.
	assert.Len(t, map[int]bool{pids[0]: true, pids[1]: true, pids[2]: true}, n, "processes of the %d invocations: %v", n, pids)
	assert.Equal(t, n, svc.Environments("trivial"), "environments started")

	out, err := svc.Invoke(ctx, "trivial", []byte(`{}`))
	require.NoError(t, err)
	var r trivialResult
	require.NoError(t, json.Unmarshal(out, &r))
	assert.Contains(t, pids, r.PID, "a later invocation runs in a warm process")
	assert.Equal(t, n, svc.Environments("trivial"), "environments after a warm invocation")
}

// TestLoseResponses: the invocation runs, the caller of the Invoke API
// gets a 500 ServiceException instead of its result, once.
func TestLoseResponses(t *testing.T) {
	svc := startTrivial(t)
	svc.LoseResponses("trivial", 1)
	post := func() (int, string) {
		resp, err := http.Post(svc.URL()+"/2015-03-31/functions/trivial/invocations", "application/json", bytes.NewBufferString(`{"echo":"x"}`))
		require.NoError(t, err)
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype")
	}

	status, errType := post()
	assert.Equal(t, http.StatusInternalServerError, status, "the lost response")
	assert.Equal(t, "ServiceException", errType, "error type of the lost response")
	require.Len(t, svc.Invocations(), 1, "the invocation ran")
	assert.Nil(t, svc.Invocations()[0].Err, "the invocation succeeded")

	status, _ = post()
	assert.Equal(t, http.StatusOK, status, "the next response")
}
