package moto

import (
	"context"
	"net/http"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
)

func TestServer(t *testing.T) {
	if err := Available(); err != nil {
		testenv.Missing(t, "%v", err)
	}
	ctx := context.Background()
	s, err := Start(ctx, t.TempDir())
	require.NoError(t, err)

	require.NoError(t, s.Reset(ctx), "reset")
	require.NoError(t, s.Configure(ctx, []byte(`{"stepfunctions":{"execute_state_machine":true}}`)), "configure")
	resp, err := http.Get(s.URL + "/moto-api/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the dashboard answers")

	pid := s.cmd.Process.Pid
	s.Stop()
	assert.ErrorIs(t, syscall.Kill(-pid, 0), syscall.ESRCH, "the process group is gone after Stop")
}
