// Package kubeapi stands in for an EKS cluster's Kubernetes API in the
// end-to-end tests. Server is a TLS server backed by client-go's fake
// clientset that serves, as JSON, only what the EKS isolation uses: nodes
// (get, list, patch), pods (get, list, patch), service accounts (get,
// patch) and NetworkPolicies (get, list, create). Anything else gets a
// Kubernetes Status 404 (an unknown resource) or 405 (a verb or subresource
// not served, such as an eviction or a delete). Every request must carry
// an EKS token (a pre-signed STS GetCallerIdentity URL); every request,
// refused or not, is recorded so that tests can show that nothing was
// evicted or deleted. Answers are JSON; a create's body may be JSON or
// protobuf (client-go's typed clients send protobuf); patches must be JSON
// merge patches (application/merge-patch+json, else 415), and a pod patch
// that changes its spec as the Kubernetes API does not allow in an update
// (anything but added tolerations, tolerationSeconds, images and deadlines)
// gets the API's 422 Invalid (CheckPodUpdate).
package kubeapi

import (
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"sync"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// Request is one request the server received.
type Request struct {
	Method string
	// Path is the URL path, such as /api/v1/nodes/ip-10-0-1-23.eu-west-1.compute.internal.
	Path string
	// Query is the raw URL query, such as labelSelector=app%3Dcheckout.
	Query       string
	ContentType string
	// AccessKeyID is the access key that signed the request's token, or
	// "" when it had no valid token.
	AccessKeyID string
	// Status is the HTTP status of the answer.
	Status int
}

// Server is the running Kubernetes API stand-in.
type Server struct {
	server *httptest.Server

	mu        sync.Mutex
	clientset *fake.Clientset
	requests  []Request
}

// Start serves on a loopback port over TLS, with a fake clientset holding
// objects, until Close.
func Start(objects ...runtime.Object) *Server {
	s := &Server{clientset: newClientset(objects)}
	s.server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	// Clients that drop the connection (such as a test's rest client
	// refusing the certificate) are no news.
	s.server.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.server.StartTLS()
	return s
}

// URL is the API's endpoint, https://127.0.0.1:<port>.
func (s *Server) URL() string { return s.server.URL }

// CAData is the PEM of the server's self-signed certificate, the
// certificate authority to trust.
func (s *Server) CAData() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.server.Certificate().Raw})
}

// Clientset is the fake clientset behind the API, to seed and inspect
// objects. Reset replaces it.
func (s *Server) Clientset() *fake.Clientset {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clientset
}

// Requests returns the requests received since Start or Reset, oldest
// first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Reset replaces the clientset by a new one holding objects and forgets
// the requests.
func (s *Server) Reset(objects ...runtime.Object) {
	cs := newClientset(objects)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clientset = cs
	s.requests = nil
}

// newClientset is a fake clientset holding objects that refuses the pod
// patches the Kubernetes API refuses.
func newClientset(objects []runtime.Object) *fake.Clientset {
	cs := fake.NewClientset(objects...)
	ValidatePodPatches(cs)
	return cs
}

// Close stops the server.
func (s *Server) Close() { s.server.Close() }

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}

// serve authenticates and records the request and answers it.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type")}
	sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	defer func() {
		rec.Status = sw.status
		s.record(rec)
	}()
	key, err := authenticate(r.Header.Get("Authorization"))
	if err != nil {
		writeStatus(sw, unauthorized(err))
		return
	}
	rec.AccessKeyID = key
	s.handle(sw, r)
}

// statusWriter remembers the status of the answer.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(status int) {
	s.status = status
	s.ResponseWriter.WriteHeader(status)
}
