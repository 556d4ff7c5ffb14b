// Package localaws runs Casefile end to end on this machine: the state
// machine synthesized from the real stack, executed by
// aws-local-stepfunctions, every Lambda task running the project's real
// handler binary against a moto server, and the forensic instance's SSM
// work done by the real forensic scripts. The end-to-end tests and the demo
// share it.
package localaws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"time"

	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
	"github.com/casefile-forensics/casefile/test/localaws/kubeapi"
	"github.com/casefile-forensics/casefile/test/localaws/lambdalocal"
	"github.com/casefile-forensics/casefile/test/localaws/moto"
	"github.com/casefile-forensics/casefile/test/localaws/repo"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
	"github.com/casefile-forensics/casefile/test/localaws/stacktemplate"
)

// Defaults of Options.
const (
	DefaultRegion     = "eu-west-1"
	DefaultWait       = 100 * time.Millisecond
	DefaultRetryPause = 100 * time.Millisecond
	// DefaultStatusWait stands for the two minutes a real Wait state gives
	// a running command between checks.
	DefaultStatusWait = 10 * time.Second
)

// SynthContext is the CDK context the environment synthesizes the stack
// with, on top of cdk.json: a symbol table location, so that the stack
// is configured for memory forensics (the fixture stands for that bucket).
func SynthContext() map[string]string {
	return map[string]string{"symbolsS3Uri": "s3://" + fixture.EvidenceBucket + "/" + fixture.SymbolsPrefix}
}

// commandDir is where the handlers' main packages are.
const commandDir = "lambdas/cmd"

// Options configure an Environment. Zero values mean the defaults.
type Options struct {
	// Root is the module root; default: found from the working directory.
	Root string
	// WorkDir receives the binaries, the cloud assembly, the evidence and
	// every log (moto.log, lambda-<name>.log, host.log). Required.
	WorkDir string
	// TemplatePath is an already synthesized Casefile template (with
	// SynthContext); default: cdk synth into WorkDir/cdk.out.
	TemplatePath string
	// Region is the region of everything; default DefaultRegion.
	Region string
	// Wait replaces the duration of every Wait state; default DefaultWait.
	Wait time.Duration
	// RetryPause replaces the pause of every Retry; default
	// DefaultRetryPause.
	RetryPause time.Duration
	// StatusWait is how long the forensic host lets a status check wait
	// for a running command; default DefaultStatusWait.
	StatusWait time.Duration
	// AgentRegistrationChecks is how many instance checks find a new
	// forensic instance's agent not yet registered; default 1.
	AgentRegistrationChecks *int
	Logger                  *slog.Logger
}

func (o Options) withDefaults() (Options, error) {
	if o.WorkDir == "" {
		return o, errors.New("localaws: Options.WorkDir is required")
	}
	if o.Root == "" {
		root, err := repo.Root()
		if err != nil {
			return o, err
		}
		o.Root = root
	}
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Wait == 0 {
		o.Wait = DefaultWait
	}
	if o.RetryPause == 0 {
		o.RetryPause = DefaultRetryPause
	}
	if o.StatusWait == 0 {
		o.StatusWait = DefaultStatusWait
	}
	if o.AgentRegistrationChecks == nil {
		one := 1
		o.AgentRegistrationChecks = &one
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// Environment is moto, the forensic host and the built handlers, ready to
// run investigations.
type Environment struct {
	opts         Options
	templatePath string
	template     *stacktemplate.Template
	functions    []stacktemplate.Function
	binaries     map[string]string
	moto         *moto.Server
	clients      fixture.Clients
	host         *forensichost.Host
	scripts      forensichost.Scripts
	// kube is the EKS cluster's Kubernetes API, to which the host's
	// DescribeCluster answers point.
	kube *kubeapi.Server

	// Set by Reset.
	fixture    *fixture.Fixture
	lambdas    *lambdalocal.Service
	definition json.RawMessage
}

// MissingTools reports what must be installed before an Environment can
// start, or nil: moto_server, and Node.js 22 with aws-local-stepfunctions
// and the CDK CLI in .tools. Callers skip on it; the forensic tools and
// root are checked by Start, which fails without them.
func MissingTools(root string) error {
	var errs []error
	if err := moto.Available(); err != nil {
		errs = append(errs, err)
	}
	if err := sfnlocal.Available(repo.ToolsDir(root)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Start synthesizes the stack (unless given a template), builds every
// handler for this machine, and starts moto, the Kubernetes API stand-in
// and the forensic host. Reset must be called before the first Run.
func Start(ctx context.Context, opts Options) (*Environment, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	e := &Environment{opts: o, scripts: forensichost.Scripts{
		Dir: filepath.Join(o.Root, "ssm-documents", "scripts"), WorkDir: filepath.Join(o.WorkDir, "host"),
	}}
	if err := os.MkdirAll(e.scripts.WorkDir, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", e.scripts.WorkDir, err)
	}
	if err := e.scripts.Check(); err != nil {
		return nil, err
	}
	if err := e.loadTemplate(ctx); err != nil {
		return nil, err
	}
	if err := e.buildHandlers(ctx); err != nil {
		return nil, err
	}
	if e.moto, err = moto.Start(ctx, o.WorkDir); err != nil {
		return nil, err
	}
	if e.clients, err = fixture.NewClients(ctx, e.moto.URL, o.Region); err != nil {
		e.Close()
		return nil, err
	}
	e.scripts.EC2, e.scripts.S3 = e.clients.EC2, e.clients.S3
	e.kube = kubeapi.Start()
	e.host, err = forensichost.Start(forensichost.Options{
		Upstream: e.moto.URL, EC2: e.clients.EC2, S3: e.clients.S3, SecurityHub: e.clients.SecurityHub, Kubernetes: e.kube,
		AgentRegistrationChecks: *o.AgentRegistrationChecks, StatusWait: o.StatusWait,
		Logger: o.Logger.With("component", "forensic-host"),
	})
	if err != nil {
		e.Close()
		return nil, err
	}
	return e, nil
}

func (e *Environment) loadTemplate(ctx context.Context) error {
	path := e.opts.TemplatePath
	if path == "" {
		e.opts.Logger.Info("synthesizing the stack", "root", e.opts.Root)
		var err error
		path, err = stacktemplate.Synthesize(ctx, e.opts.Root, repo.ToolsDir(e.opts.Root), filepath.Join(e.opts.WorkDir, "cdk.out"), SynthContext())
		if err != nil {
			return err
		}
	}
	t, err := stacktemplate.Load(path)
	if err != nil {
		return err
	}
	handlers, err := handlerNames(e.opts.Root)
	if err != nil {
		return err
	}
	fns, err := t.Functions(handlers)
	if err != nil {
		return fmt.Errorf("the template %s: %w", path, err)
	}
	e.templatePath, e.template, e.functions = path, t, fns
	return nil
}

// handlerNames lists the handlers: the folders of lambdas/cmd.
func handlerNames(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, commandDir))
	if err != nil {
		return nil, fmt.Errorf("list the handlers: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// buildHandlers builds every handler for this machine (the deployed ones
// are cross-compiled for arm64 by the stack's bundling).
func (e *Environment) buildHandlers(ctx context.Context) error {
	dir := filepath.Join(e.opts.WorkDir, "handlers")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	e.opts.Logger.Info("building the handlers", "dir", dir)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "lambda.norpc", "-o", dir+string(os.PathSeparator), "./"+commandDir+"/...")
	cmd.Dir = e.opts.Root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the handlers: %w\n%s", err, out)
	}
	e.binaries = map[string]string{}
	for _, fn := range e.functions {
		path := filepath.Join(dir, fn.Handler)
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("the handler %s was not built: %w", fn.Handler, err)
		}
		e.binaries[fn.Handler] = path
	}
	return nil
}

// Close stops the handlers, the forensic host, the Kubernetes API
// stand-in and moto.
func (e *Environment) Close() {
	if e.lambdas != nil {
		e.lambdas.Close()
	}
	if e.host != nil {
		e.host.Close()
	}
	if e.kube != nil {
		e.kube.Close()
	}
	if e.moto != nil {
		e.moto.Stop()
	}
}

// TemplatePath returns the template the environment runs.
func (e *Environment) TemplatePath() string { return e.templatePath }

// Functions returns the template's functions that run Casefile's handlers.
func (e *Environment) Functions() []stacktemplate.Function {
	return append([]stacktemplate.Function(nil), e.functions...)
}

// Invocations returns the Lambda invocations made since the last Reset,
// oldest first.
func (e *Environment) Invocations() []lambdalocal.Invocation {
	if e.lambdas == nil {
		return nil
	}
	return e.lambdas.Invocations()
}

// Clients returns SDK clients of the emulator.
func (e *Environment) Clients() fixture.Clients { return e.clients }

// Fixture returns the fixture built by the last Reset.
func (e *Environment) Fixture() *fixture.Fixture { return e.fixture }

// Host returns the forensic host, to inject faults.
func (e *Environment) Host() *forensichost.Host { return e.host }

// Kubernetes returns the EKS cluster's Kubernetes API stand-in, seeded by
// Reset with the fixture's objects: its Clientset and Requests show what
// the isolation did there.
func (e *Environment) Kubernetes() *kubeapi.Server { return e.kube }

// Definition returns the resolved definition that Run executes.
func (e *Environment) Definition() json.RawMessage { return e.definition }

// LogDir is where the logs are.
func (e *Environment) LogDir() string { return e.opts.WorkDir }
