package lambdalocal

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// runtimeAPIPrefix is the path prefix of the Lambda Runtime API.
const runtimeAPIPrefix = "/2018-06-01/runtime/"

// maxResponseBytes is Lambda's limit on a synchronous invocation's response.
const maxResponseBytes = 6 << 20

// runtime serves the Runtime API of one function on its own loopback port
// and keeps one warm handler process for it, as Lambda keeps one execution
// environment per concurrent invocation. Invocations are serialised.
type runtime struct {
	fn      Function
	arn     string
	baseEnv map[string]string
	logPath string

	listener net.Listener
	server   *http.Server
	queue    chan *pending
	closing  chan struct{}

	// invokeMu serialises invocations: one execution environment.
	invokeMu sync.Mutex

	mu       sync.Mutex
	proc     *process
	inflight map[string]*pending
}

// process is one start of the handler binary.
type process struct {
	cmd    *exec.Cmd
	exited chan struct{}
	// started is when the process was started, and ready when it first
	// asked for an invocation (its init phase ended); ready is zero until
	// then.
	started, ready time.Time
	// initErr is what the process reported to /runtime/init/error; it
	// is written before exited is closed.
	initErr *FunctionError
	waitErr error
}

// pending is an invocation waiting for, or being handled by, the process.
type pending struct {
	id       string
	payload  []byte
	deadline time.Time
	done     chan outcome
}

type outcome struct {
	result []byte
	err    *FunctionError
	// initDuration is the init phase of the process this invocation
	// started (cold start); zero for a warm invocation.
	initDuration time.Duration
}

func newRuntime(fn Function, arn string, baseEnv map[string]string, logDir string) (*runtime, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the runtime API of %s: %w", fn.Name, err)
	}
	r := &runtime{
		fn:       fn,
		arn:      arn,
		baseEnv:  baseEnv,
		logPath:  filepath.Join(logDir, "lambda-"+fn.Name+".log"),
		listener: l,
		queue:    make(chan *pending),
		closing:  make(chan struct{}),
		inflight: make(map[string]*pending),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+runtimeAPIPrefix+"invocation/next", r.handleNext)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"invocation/{id}/response", r.handleResponse)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"invocation/{id}/error", r.handleError)
	mux.HandleFunc("POST "+runtimeAPIPrefix+"init/error", r.handleInitError)
	r.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = r.server.Serve(l) }()
	return r, nil
}

// invoke runs one invocation: it starts the handler process if none is
// warm, hands the payload to its next call, and waits for its response,
// its error, its exit or the function timeout.
func (r *runtime) invoke(ctx context.Context, payload []byte) (string, outcome, error) {
	r.invokeMu.Lock()
	defer r.invokeMu.Unlock()

	p, cold, err := r.ensureProcess()
	if err != nil {
		return "", outcome{}, err
	}
	id, o, err := r.dispatch(ctx, p, payload)
	if cold {
		r.mu.Lock()
		if !p.ready.IsZero() {
			o.initDuration = p.ready.Sub(p.started)
		}
		r.mu.Unlock()
	}
	return id, o, err
}

// dispatch hands one invocation to the process p and waits for its end.
func (r *runtime) dispatch(ctx context.Context, p *process, payload []byte) (string, outcome, error) {
	inv := &pending{
		id:       newRequestID(),
		payload:  payload,
		deadline: time.Now().Add(r.fn.timeout()),
		done:     make(chan outcome, 1),
	}
	r.mu.Lock()
	r.inflight[inv.id] = inv
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		delete(r.inflight, inv.id)
		r.mu.Unlock()
	}()

	timer := time.NewTimer(r.fn.timeout())
	defer timer.Stop()

	select {
	case r.queue <- inv:
	case <-p.exited:
		return inv.id, r.exitOutcome(inv.id, p), nil
	case <-timer.C:
		r.kill(p)
		return inv.id, r.timeoutOutcome(inv.id), nil
	case <-ctx.Done():
		return inv.id, outcome{}, fmt.Errorf("invoke %s: %w", r.fn.Name, ctx.Err())
	}
	select {
	case o := <-inv.done:
		return inv.id, o, nil
	case <-p.exited:
		select {
		case o := <-inv.done:
			return inv.id, o, nil
		default:
			return inv.id, r.exitOutcome(inv.id, p), nil
		}
	case <-timer.C:
		r.kill(p)
		return inv.id, r.timeoutOutcome(inv.id), nil
	case <-ctx.Done():
		r.kill(p)
		return inv.id, outcome{}, fmt.Errorf("invoke %s: %w", r.fn.Name, ctx.Err())
	}
}

func (r *runtime) timeoutOutcome(id string) outcome {
	return outcome{err: &FunctionError{
		ErrorType:    ErrorTypeTimeout,
		ErrorMessage: fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", id, r.fn.timeout().Seconds()),
	}}
}

func (r *runtime) exitOutcome(id string, p *process) outcome {
	r.mu.Lock()
	initErr := p.initErr
	r.mu.Unlock()
	if initErr != nil {
		return outcome{err: initErr}
	}
	return outcome{err: &FunctionError{
		ErrorType:    ErrorTypeExit,
		ErrorMessage: fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v (log: %s)", id, p.waitErr, r.logPath),
	}}
}

// ensureProcess returns the warm process, starting one when there is none
// or the last one exited; cold says it started one.
func (r *runtime) ensureProcess() (p *process, cold bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.proc != nil {
		select {
		case <-r.proc.exited:
		default:
			return r.proc, false, nil
		}
	}
	logFile, err := os.OpenFile(r.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, false, fmt.Errorf("open the log of %s: %w", r.fn.Name, err)
	}
	cmd := exec.Command(r.fn.Command)
	cmd.Dir = filepath.Dir(r.fn.Command)
	cmd.Env = r.environment()
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err = cmd.Start(); err != nil {
		logFile.Close()
		return nil, false, fmt.Errorf("start the handler of %s (%s): %w", r.fn.Name, r.fn.Command, err)
	}
	p = &process{cmd: cmd, exited: make(chan struct{}), started: time.Now()}
	go func() {
		err := cmd.Wait()
		logFile.Close()
		r.mu.Lock()
		p.waitErr = err
		r.mu.Unlock()
		close(p.exited)
	}()
	r.proc = p
	return p, true, nil
}

// environment is what Lambda gives a provided.al2023 function: the
// function's variables, the caller's base settings (Region, credentials,
// endpoint) and the reserved runtime variables, which win.
func (r *runtime) environment() []string {
	env := map[string]string{}
	for k, v := range r.fn.Env {
		env[k] = v
	}
	for k, v := range r.baseEnv {
		env[k] = v
	}
	dir := filepath.Dir(r.fn.Command)
	reserved := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          r.listener.Addr().String(),
		"AWS_LAMBDA_FUNCTION_NAME":        r.fn.Name,
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(r.fn.memory()),
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/" + r.fn.Name,
		"AWS_LAMBDA_LOG_STREAM_NAME":      "local/" + r.fn.Name,
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"_HANDLER":                        filepath.Base(r.fn.Command),
		"LAMBDA_TASK_ROOT":                dir,
		"LAMBDA_RUNTIME_DIR":              dir,
		"TZ":                              ":UTC",
		"PATH":                            "/usr/local/bin:/usr/bin:/bin",
	}
	for k, v := range reserved {
		env[k] = v
	}
	list := make([]string, 0, len(env))
	for k, v := range env {
		list = append(list, k+"="+v)
	}
	return list
}

// kill ends the process group of p and waits until it has exited.
func (r *runtime) kill(p *process) {
	if p.cmd.Process != nil {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
	<-p.exited
}

// close ends the handler process and the Runtime API server.
func (r *runtime) close() {
	close(r.closing)
	r.mu.Lock()
	p := r.proc
	r.mu.Unlock()
	if p != nil {
		r.kill(p)
	}
	_ = r.server.Close()
}

func (r *runtime) handleNext(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	if r.proc != nil && r.proc.ready.IsZero() {
		r.proc.ready = time.Now()
	}
	r.mu.Unlock()
	var inv *pending
	select {
	case inv = <-r.queue:
	case <-req.Context().Done():
		return
	case <-r.closing:
		http.Error(w, "runtime is shutting down", http.StatusGone)
		return
	}
	h := w.Header()
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", r.arn)
	h.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-"+strings.ReplaceAll(inv.id, "-", "")[:24]+";Sampled=0")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

func (r *runtime) deliver(w http.ResponseWriter, req *http.Request, o outcome) {
	r.mu.Lock()
	inv, ok := r.inflight[req.PathValue("id")]
	r.mu.Unlock()
	if !ok {
		http.Error(w, `{"errorType":"InvalidRequestID","errorMessage":"unknown or finished request"}`, http.StatusBadRequest)
		return
	}
	select {
	case inv.done <- o:
	default:
		http.Error(w, `{"errorType":"InvalidStateTransition","errorMessage":"response already sent"}`, http.StatusForbidden)
		return
	}
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

func (r *runtime) handleResponse(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxResponseBytes+1))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if len(body) > maxResponseBytes || !json.Valid(body) {
		r.deliver(w, req, outcome{err: &FunctionError{
			ErrorType:    ErrorTypeBadResult,
			ErrorMessage: fmt.Sprintf("the response is not JSON or exceeds %d bytes", maxResponseBytes),
		}})
		return
	}
	r.deliver(w, req, outcome{result: body})
}

func (r *runtime) handleError(w http.ResponseWriter, req *http.Request) {
	r.deliver(w, req, outcome{err: readFunctionError(req)})
}

func (r *runtime) handleInitError(w http.ResponseWriter, req *http.Request) {
	fe := readFunctionError(req)
	r.mu.Lock()
	if r.proc != nil {
		r.proc.initErr = fe
	}
	r.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
	_, _ = w.Write([]byte(`{"status":"OK"}`))
}

// readFunctionError decodes the error a runtime posts; a body that is not
// the documented JSON still becomes an error, typed from the header.
func readFunctionError(req *http.Request) *FunctionError {
	body, _ := io.ReadAll(io.LimitReader(req.Body, maxResponseBytes))
	var fe FunctionError
	if err := json.Unmarshal(body, &fe); err != nil || fe.ErrorType == "" && fe.ErrorMessage == "" {
		fe = FunctionError{ErrorMessage: string(body)}
	}
	if fe.ErrorType == "" {
		fe.ErrorType = req.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	if fe.ErrorType == "" {
		fe.ErrorType = "Unhandled"
	}
	return &fe
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	s := hex.EncodeToString(b[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}
