// Package e2e runs Casefile's investigation workflow end to end on this
// machine: the state machine synthesized from the real stack, executed by
// aws-local-stepfunctions, every task running the real handler binary
// against moto, the forensic instance's work done by the real SSM scripts.
//
// The tests skip when moto_server or the pinned Node tools (.tools) are
// missing, and fail when the forensic tools or root are. Set
// CASEFILE_E2E_WORKDIR to keep the logs (moto.log, lambda-<name>.log,
// host/...) in a folder of your choice; otherwise they are kept in a
// temporary folder only when a test fails. Set CASEFILE_E2E_TEMPLATE to a
// Casefile.template.json synthesized with localaws.SynthContext (cdk synth
// -c symbolsS3Uri=s3://casefile-evidence-local/symbols/) to skip synthesis.
package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/repo"
)

// suite is the environment every test shares: synthesizing the stack and
// building the handlers happen once.
type suite struct {
	env     *localaws.Environment
	skip    string
	failure error
	workDir string
}

// shared is set once by TestMain, before any test runs.
var shared suite

func TestMain(m *testing.M) {
	shared = setUp()
	code := m.Run()
	// workflow, imported for its state names, starts the jsii runtime.
	jsii.Close()
	if shared.env != nil {
		shared.env.Close()
	}
	if shared.workDir != "" && os.Getenv("CASEFILE_E2E_WORKDIR") == "" {
		if code == 0 {
			_ = os.RemoveAll(shared.workDir)
		} else {
			fmt.Fprintf(os.Stderr, "e2e: logs kept in %s\n", shared.workDir)
		}
	}
	os.Exit(code)
}

func setUp() suite {
	root, err := repo.Root()
	if err != nil {
		return suite{failure: err}
	}
	if err := localaws.MissingTools(root); err != nil {
		return suite{skip: "end-to-end tools are missing: " + err.Error()}
	}
	workDir := os.Getenv("CASEFILE_E2E_WORKDIR")
	if workDir == "" {
		if workDir, err = os.MkdirTemp("", "casefile-e2e-"); err != nil {
			return suite{failure: err}
		}
	} else if err := os.MkdirAll(workDir, 0o755); err != nil {
		return suite{failure: err}
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	env, err := localaws.Start(ctx, localaws.Options{
		Root: root, WorkDir: workDir, TemplatePath: os.Getenv("CASEFILE_E2E_TEMPLATE"), Logger: logger,
	})
	if err != nil {
		return suite{failure: err, workDir: workDir}
	}
	return suite{env: env, workDir: workDir}
}

// environment returns the shared environment, reset for a new test, or
// skips or fails the test when there is none.
func environment(t *testing.T) *localaws.Environment {
	t.Helper()
	if shared.skip != "" {
		testenv.Missing(t, "%s", shared.skip)
	}
	if shared.failure != nil {
		t.Fatalf("the end-to-end environment did not start: %v", shared.failure)
	}
	if err := shared.env.Reset(context.Background()); err != nil {
		t.Fatalf("reset the end-to-end environment: %v", err)
	}
	return shared.env
}
