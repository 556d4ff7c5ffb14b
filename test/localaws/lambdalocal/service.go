package lambdalocal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configure a Service.
type Options struct {
	// Region and AccountID make up the functions' ARNs.
	Region    string
	AccountID string
	// BaseEnv is added to every function's environment: Region,
	// credentials, AWS_ENDPOINT_URL and the like.
	BaseEnv map[string]string
	// LogDir receives one log file per function (lambda-<name>.log).
	LogDir string
}

// Service serves a set of functions through a local Lambda Invoke API.
type Service struct {
	opts     Options
	pools    map[string]*pool
	listener net.Listener
	server   *http.Server

	mu      sync.Mutex
	history []Invocation
	// lost counts, per function, the invocations still to run whose
	// response the Invoke API then loses (LoseResponses).
	lost map[string]int
}

// Start starts a Runtime API per function and the Invoke API; handler
// processes start on their first invocation and stay warm until Close.
// Concurrent invocations of a function each get an execution environment
// of their own (a Runtime API and a process), as Lambda scales out.
func Start(functions []Function, opts Options) (*Service, error) {
	s := &Service{opts: opts, pools: make(map[string]*pool, len(functions)), lost: map[string]int{}}
	for _, fn := range functions {
		if _, dup := s.pools[fn.Name]; dup {
			s.Close()
			return nil, fmt.Errorf("function %s is listed twice", fn.Name)
		}
		p, err := newPool(fn, s.ARN(fn.Name), opts.BaseEnv, opts.LogDir)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.pools[fn.Name] = p
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("listen for the Lambda Invoke API: %w", err)
	}
	s.listener = l
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2015-03-31/functions/{function}/invocations", s.handleInvoke)
	s.server = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.server.Serve(l) }()
	return s, nil
}

// URL is the endpoint of the Lambda Invoke API stand-in.
func (s *Service) URL() string { return "http://" + s.listener.Addr().String() }

// ARN returns the ARN under which the function named name is served.
func (s *Service) ARN(name string) string { return FunctionARN(s.opts.Region, s.opts.AccountID, name) }

// FunctionARN returns the ARN of the function named name.
func FunctionARN(region, accountID, name string) string {
	return "arn:aws:lambda:" + region + ":" + accountID + ":function:" + name
}

// Invoke runs one synchronous invocation of the function named by name (or
// by its ARN). A function error is returned as *FunctionError; any other
// error means the invocation could not be made.
func (s *Service) Invoke(ctx context.Context, name string, payload []byte) (json.RawMessage, error) {
	fnName := FunctionName(name)
	p, ok := s.pools[fnName]
	if !ok {
		return nil, fmt.Errorf("invoke %s: %w", name, ErrNoSuchFunction)
	}
	if len(payload) == 0 {
		payload = []byte("{}")
	}
	started := time.Now()
	id, o, err := p.invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	s.record(Invocation{
		Function: fnName, RequestID: id, Payload: payload, Result: o.result, Err: o.err,
		Started: started, Duration: time.Since(started), InitDuration: o.initDuration,
	})
	if o.err != nil {
		return nil, o.err
	}
	return o.result, nil
}

// ErrNoSuchFunction is returned for an invocation of an unknown function.
var ErrNoSuchFunction = errors.New("function not found")

// FunctionName returns the function name in a function ARN (with or
// without a version or alias), or name itself when it is not an ARN.
func FunctionName(nameOrARN string) string {
	if !strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	parts := strings.Split(nameOrARN, ":")
	if len(parts) >= 7 && parts[5] == "function" {
		return parts[6]
	}
	return nameOrARN
}

func (s *Service) record(inv Invocation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history = append(s.history, inv)
}

// Invocations returns the invocations made so far, oldest first.
func (s *Service) Invocations() []Invocation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Invocation(nil), s.history...)
}

// LogPath returns the log file of the function named name.
func (s *Service) LogPath(name string) string {
	if p, ok := s.pools[name]; ok {
		return p.logPath()
	}
	return ""
}

// handleInvoke serves POST /2015-03-31/functions/{function}/invocations as
// the Lambda service does for RequestResponse invocations: 200 with the
// result, or 200 with X-Amz-Function-Error: Unhandled and the error body.
func (s *Service) handleInvoke(w http.ResponseWriter, req *http.Request) {
	payload, err := io.ReadAll(io.LimitReader(req.Body, maxResponseBytes+1))
	if err != nil {
		writeServiceError(w, http.StatusBadRequest, "InvalidRequestContentException", err.Error())
		return
	}
	if len(payload) > maxResponseBytes {
		writeServiceError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "request payload too large")
		return
	}
	if t := req.Header.Get("X-Amz-Invocation-Type"); t != "" && t != "RequestResponse" {
		writeServiceError(w, http.StatusBadRequest, "InvalidParameterValueException", "only RequestResponse invocations are served locally")
		return
	}
	result, err := s.Invoke(req.Context(), req.PathValue("function"), payload)
	var fe *FunctionError
	switch {
	case s.takeLostResponse(FunctionName(req.PathValue("function"))):
		writeServiceError(w, http.StatusInternalServerError, "ServiceException", "the response of the invocation was lost (injected by the test)")
	case errors.As(err, &fe):
		body, _ := json.Marshal(fe)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	case errors.Is(err, ErrNoSuchFunction):
		writeServiceError(w, http.StatusNotFound, "ResourceNotFoundException", err.Error())
	case err != nil:
		writeServiceError(w, http.StatusInternalServerError, "ServiceException", err.Error())
	default:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amz-Executed-Version", "$LATEST")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(result)
	}
}

func writeServiceError(w http.ResponseWriter, status int, errType, message string) {
	body, _ := json.Marshal(map[string]string{"Type": "User", "message": message})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", errType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Close ends every handler process and both APIs.
func (s *Service) Close() {
	if s.server != nil {
		_ = s.server.Close()
	}
	for _, p := range s.pools {
		p.close()
	}
}
