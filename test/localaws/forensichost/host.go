// Package forensichost stands in for the forensic instances' side of SSM.
// moto records SSM commands but runs nothing and reports every command as
// successful at once; it has no DescribeInstanceInformation either. Host is
// a reverse proxy in front of moto, through which the Lambda handlers talk
// to AWS: it answers the SSM agent's part (instance registration, command
// execution and status, output in S3) by running Casefile's real forensic
// scripts on this machine, forwards everything else to moto unchanged, and
// can make chosen API calls fail or lose their responses. It also plays
// EC2's part where moto falls short: a repeated RunInstances or
// CreateVolume with the same ClientToken gets the first call's answer, an
// AttachVolume of an attached volume is refused with VolumeInUse, and
// ListCommands lists only the commands sent to the instance it names. For
// EKS, DescribeCluster points at a local Kubernetes API, and the host keeps
// the Pod Identity associations moto lacks.
package forensichost

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// EC2API is the part of EC2 the host reads: which instances run, which
// volumes are attached.
type EC2API interface {
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	DescribeVolumes(ctx context.Context, in *ec2.DescribeVolumesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeVolumesOutput, error)
}

// S3API is the part of S3 the host uses for command input and output.
type S3API interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, optFns ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
}

// Options configure a Host.
type Options struct {
	// Upstream is the moto server's endpoint.
	Upstream string
	EC2      EC2API
	S3       S3API
	// SecurityHub is moto's Security Hub, over which the host answers
	// BatchUpdateFindings (see securityhub.go).
	SecurityHub SecurityHubAPI
	// Kubernetes is the clusters' Kubernetes API, to which DescribeCluster
	// answers point; nil leaves moto's answers unchanged (see eks.go).
	Kubernetes KubernetesAPI
	// Documents maps an SSM document name to what running it means here.
	Documents map[string]Document
	// AgentRegistrationChecks is how many DescribeInstanceInformation
	// calls see a new instance as not yet registered, as a real agent
	// needs a moment after launch. Zero means registered at once.
	AgentRegistrationChecks int
	// StatusWait is how long GetCommandInvocation waits for a running
	// command to end before it answers InProgress. It stands for the time
	// the workflow's Wait state would have given the command.
	StatusWait time.Duration
	Logger     *slog.Logger
}

// Host is the running stand-in.
type Host struct {
	opts     Options
	proxy    *httputil.ReverseProxy
	listener net.Listener
	server   *http.Server
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup

	mu       sync.Mutex
	commands map[string]*command // by command ID + "/" + instance ID
	checks   map[string]int      // DescribeInstanceInformation calls per instance
	faults   []*Fault
	lost     []*LostResponse
	// tokens holds moto's answer to the first call of each client token
	// (see forward).
	tokens map[string]storedResponse
	// calls counts the calls received, by service and operation.
	calls map[string]int
	// done counts the calls moto carried out, by service and operation.
	done map[string]int
	// tuning overrides the Options' timings until Reset.
	tuning Tuning
	// associations are the EKS Pod Identity associations (see eks.go).
	associations []PodIdentityAssociation
}

// Tuning overrides how the host's agent behaves, for one test. Zero
// fields keep the Options' values.
type Tuning struct {
	// NeverRegisters keeps every instance's agent from registering.
	NeverRegisters bool
	// StatusWait replaces Options.StatusWait.
	StatusWait time.Duration
}

// Tune overrides the Options' agent timings until Reset.
func (h *Host) Tune(t Tuning) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.tuning = t
}

// timings returns the registration checks (negative: never) and the status
// wait in force.
func (h *Host) timings() (registrationChecks int, statusWait time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	registrationChecks, statusWait = h.opts.AgentRegistrationChecks, h.opts.StatusWait
	if h.tuning.NeverRegisters {
		registrationChecks = -1
	}
	if h.tuning.StatusWait > 0 {
		statusWait = h.tuning.StatusWait
	}
	return registrationChecks, statusWait
}

// Start listens on a loopback port and serves until Close.
func Start(opts Options) (*Host, error) {
	upstream, err := url.Parse(opts.Upstream)
	if err != nil {
		return nil, fmt.Errorf("parse the upstream endpoint %q: %w", opts.Upstream, err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the forensic host: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Host{
		opts:     opts,
		proxy:    httputil.NewSingleHostReverseProxy(upstream),
		listener: l,
		ctx:      ctx,
		cancel:   cancel,
		commands: map[string]*command{},
		checks:   map[string]int{},
		tokens:   map[string]storedResponse{},
		calls:    map[string]int{},
		done:     map[string]int{},
	}
	h.server = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = h.server.Serve(l) }()
	return h, nil
}

// URL is the endpoint to give the handlers as AWS_ENDPOINT_URL.
func (h *Host) URL() string { return "http://" + h.listener.Addr().String() }

// Close stops the proxy, cancels running commands and waits for them.
func (h *Host) Close() {
	h.cancel()
	_ = h.server.Close()
	h.wg.Wait()
}

// SetDocuments replaces what each SSM document name means (after the
// fixture that registered them was rebuilt).
func (h *Host) SetDocuments(docs map[string]Document) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.opts.Documents = docs
}

// Stall makes the commands of the named document run until they are
// cancelled (their execution timeout, or Reset): a command that never
// completes. It lasts until the documents are set again.
func (h *Host) Stall(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d := h.opts.Documents[name]
	d.Run = func(ctx context.Context, _ Command, _, stderr io.Writer) (int, error) {
		fmt.Fprintln(stderr, "stalled by the test: this command never completes")
		<-ctx.Done()
		return -1, ctx.Err()
	}
	d.Stalled = true
	h.opts.Documents[name] = d
}

func (h *Host) document(name string) (Document, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, ok := h.opts.Documents[name]
	return d, ok
}

// Reset forgets commands, registrations, faults, lost responses, client
// tokens, call counts, tuning and Pod Identity associations (after a moto
// reset),
// cancelling the commands still running.
func (h *Host) Reset() {
	h.mu.Lock()
	cmds := h.commands
	h.commands = map[string]*command{}
	h.checks = map[string]int{}
	h.faults = nil
	h.lost = nil
	h.tokens = map[string]storedResponse{}
	h.calls = map[string]int{}
	h.done = map[string]int{}
	h.tuning = Tuning{}
	h.associations = nil
	h.mu.Unlock()
	for _, c := range cmds {
		c.cancel()
	}
}

// ServeHTTP answers the SSM agent's calls and injected faults, and
// forwards the rest to moto.
func (h *Host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	call := identify(r, body)
	h.count(call)
	if f, ok := h.takeFault(call, body); ok {
		h.opts.Logger.Info("injected fault", "service", call.service, "operation", call.operation, "code", f.Code, "hang", f.Hang)
		h.fail(w, r, call, f)
		return
	}
	if call.service == "ssm" && h.serveSSM(w, r, call, body) {
		return
	}
	if call.service == "securityhub" && h.serveSecurityHub(w, r, call, body) {
		return
	}
	if call.service == "eks" && h.serveEKS(w, r, call) {
		return
	}
	if call.service == "ec2" && call.operation == "TerminateInstances" {
		h.agentsStop(body)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	h.forward(w, r, call, body)
}

// apiCall names the AWS operation of a request.
// agentsStop cancels the commands still running on the instances a
// TerminateInstances call (query protocol: InstanceId.N) names, as their
// agents stop with them.
func (h *Host) agentsStop(body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return
	}
	terminated := map[string]bool{}
	for k, v := range form {
		if strings.HasPrefix(k, "InstanceId.") && len(v) > 0 {
			terminated[v[0]] = true
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.commands {
		if terminated[c.InstanceID] {
			c.cancel()
		}
	}
}

type apiCall struct {
	service   string // signing name, such as ec2 or ssm
	operation string // such as AttachVolume or SendCommand
	region    string // the Region of the credential scope
	json      bool   // a JSON protocol (X-Amz-Target or REST-JSON)
	query     bool   // query protocol (Action in a form body), else REST
}

// restOperations names the REST-JSON operations the host tells apart, by
// service, method and path.
var restOperations = map[string]string{
	"securityhub PATCH /findings/batchupdate": "BatchUpdateFindings",
}

// identify finds the service from the SigV4 credential scope and the
// operation from X-Amz-Target (JSON protocols) or Action (query protocol).
func identify(r *http.Request, body []byte) apiCall {
	var c apiCall
	if auth := r.Header.Get("Authorization"); auth != "" {
		if _, scope, ok := strings.Cut(auth, "Credential="); ok {
			parts := strings.Split(strings.SplitN(scope, ",", 2)[0], "/")
			if len(parts) >= 4 {
				c.region, c.service = parts[2], parts[3]
			}
		}
	}
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		c.json = true
		if _, op, ok := strings.Cut(target, "."); ok {
			c.operation = op
		}
		return c
	}
	if op, ok := restOperations[c.service+" "+r.Method+" "+r.URL.Path]; ok {
		c.operation, c.json = op, true
		return c
	}
	if c.service == "eks" {
		if op := eksOperation(r.Method, r.URL.Path); op != "" {
			c.operation, c.json = op, true
			return c
		}
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if form, err := url.ParseQuery(string(body)); err == nil {
			c.operation, c.query = form.Get("Action"), true
		}
	}
	if c.operation == "" && c.service == "s3" {
		c.operation = s3Operation(r)
	}
	return c
}
