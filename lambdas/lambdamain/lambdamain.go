// Package lambdamain is the wiring every Casefile Lambda main shares: the
// structured logger, the AWS SDK configuration built once per cold start,
// required environment settings, and the start of the runtime loop with
// errors logged once and named for Step Functions.
package lambdamain

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// maxSDKAttempts bounds the SDK's own retries of throttling and transient
// errors; Step Functions retries the task beyond that.
const maxSDKAttempts = 5

// Logger returns the JSON logger whose lines carry the request ID.
func Logger() *slog.Logger { return lambdacontext.NewLogger() }

// AWSConfig loads the SDK configuration from the Lambda environment, with
// standard retries (throttling included) bounded at maxSDKAttempts. The
// SDK's AWS_ENDPOINT_URL settings point it at an emulator in local runs.
func AWSConfig(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRetryer(func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = maxSDKAttempts })
	}))
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS config: %w", err)
	}
	return cfg, nil
}

// Env reads the required environment settings named by keys, in order, and
// fails naming the first one that is missing.
func Env(keys ...string) (map[string]string, error) {
	values := make(map[string]string, len(keys))
	for _, k := range keys {
		v, ok := os.LookupEnv(k)
		if !ok || v == "" {
			return nil, fmt.Errorf("environment variable %s is required", k)
		}
		values[k] = v
	}
	return values, nil
}

// EnvInt reads an optional integer setting, or def when it is unset.
func EnvInt(key string, def int) (int, error) {
	v, ok := os.LookupEnv(key)
	if !ok || v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("environment variable %s: %q is not an integer", key, v)
	}
	return n, nil
}

// Exit logs a cold-start failure (missing configuration, unloadable SDK
// config) and ends the process, so that the Lambda init fails visibly.
func Exit(logger *slog.Logger, err error) {
	logger.Error("cold start failed", "error", err)
	os.Exit(1)
}

// Start runs handle as the Lambda handler. An error is logged once here,
// with the request ID, and returned to the runtime so that a
// investigation.Failure reaches Step Functions under its Reason name.
func Start[In, Out any](logger *slog.Logger, handle func(context.Context, In) (Out, error)) {
	slog.SetDefault(logger)
	lambda.Start(Handler(logger, handle))
}

// Handler returns the Lambda handler Start runs: handle, with errors logged
// and named, behind shallowRequest.
func Handler[In, Out any](logger *slog.Logger, handle func(context.Context, In) (Out, error)) lambda.Handler {
	return shallowRequest{next: lambda.NewHandler(func(ctx context.Context, in In) (Out, error) {
		out, err := handle(ctx, in)
		if err != nil {
			logger.ErrorContext(ctx, "invocation failed", "error", err)
			return out, investigation.LambdaError(err)
		}
		return out, nil
	})}
}

// shallowRequest hands next a state whose request is nested too deeply
// for encoding/json with the request as a JSON string
// (investigation.QuoteDeepRequest), so that the step can still decode its
// state, and intake refuses the request, instead of every step failing
// before it starts and the case being lost.
type shallowRequest struct{ next lambda.Handler }

func (h shallowRequest) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if quoted, ok := investigation.QuoteDeepRequest(payload); ok {
		payload = quoted
	}
	return h.next.Invoke(ctx, payload)
}

// Init does the cold-start work every main shares: the logger, the required
// environment settings named by keys, and the SDK configuration. When any is
// missing it logs why and exits, so that the function's init fails visibly.
func Init(keys ...string) (*slog.Logger, map[string]string, aws.Config) {
	logger := Logger()
	env, err := Env(keys...)
	if err != nil {
		Exit(logger, err)
	}
	cfg, err := AWSConfig(context.Background())
	if err != nil {
		Exit(logger, err)
	}
	return logger, env, cfg
}
