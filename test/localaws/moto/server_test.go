package moto

import (
	"context"
	"net/http"
	"sync"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
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

// TestServersStartedTogetherAreTheirOwn starts two servers at once, as two
// test packages do under go test ./...: each must talk to its own process.
func TestServersStartedTogetherAreTheirOwn(t *testing.T) {
	if err := Available(); err != nil {
		testenv.Missing(t, "%v", err)
	}
	ctx := context.Background()
	servers := make([]*Server, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i], errs[i] = Start(ctx, t.TempDir())
		}()
	}
	wg.Wait()
	for i, s := range servers {
		require.NoError(t, errs[i], "server %d", i)
		t.Cleanup(s.Stop)
	}
	assert.NotEqual(t, servers[0].URL, servers[1].URL, "each server has its own endpoint")

	// A queue made in one server is not in the other.
	clients := make([]*sqs.Client, len(servers))
	for i, s := range servers {
		clients[i] = sqs.New(sqs.Options{
			Region: "eu-west-1", BaseEndpoint: aws.String(s.URL),
			Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		})
	}
	_, err := clients[0].CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("only-in-the-first")})
	require.NoError(t, err)
	for i, c := range clients {
		_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("only-in-the-first")})
		assert.Equal(t, i == 0, err == nil, "server %d knows the queue (error: %v)", i, err)
	}
}
