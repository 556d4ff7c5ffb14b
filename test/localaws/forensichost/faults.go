package forensichost

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
)

// Fault makes calls of one operation fail with an API error, as AWS would
// answer them.
type Fault struct {
	// Service is the SigV4 signing name, such as ec2 or ssm.
	Service string
	// Operation is the API operation, such as AttachVolume.
	Operation string
	// Document, when set, limits the fault to SSM calls that send, read
	// or cancel a command of that document.
	Document string
	// BodyContains, when set, limits the fault to calls whose request
	// body contains it.
	BodyContains string
	// Code and Message are the error the caller receives.
	Code    string
	Message string
	// Times is how many calls fail; zero means every call.
	Times int
	// Status is the HTTP status of the error; zero means 400.
	Status int
	// Hang holds the call without answering until the caller gives up
	// (its context ends, its process is killed) or the host closes: a
	// call that never completes. Code and Message are then unused.
	Hang bool

	hits int
}

// Inject adds a fault; it applies until Reset or until it has failed Times
// calls.
func (h *Host) Inject(f Fault) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.faults = append(h.faults, &f)
}

// FaultHits returns how many calls the faults of an operation failed.
func (h *Host) FaultHits(service, operation string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, f := range h.faults {
		if f.Service == service && f.Operation == operation {
			n += f.hits
		}
	}
	return n
}

// documentOf returns the document of the SSM command a request body
// names: its DocumentName, or the document of the command its CommandId
// names, when the host runs it. h.mu is held.
func (h *Host) documentOf(body []byte) string {
	var in struct {
		DocumentName string
		CommandID    string `json:"CommandId"`
	}
	if json.Unmarshal(body, &in) != nil {
		return ""
	}
	if in.DocumentName != "" {
		return in.DocumentName
	}
	for key, c := range h.commands {
		if strings.HasPrefix(key, in.CommandID+"/") {
			return c.DocumentName
		}
	}
	return ""
}

// takeFault counts a hit of the first fault that applies to c and returns
// a copy of it.
func (h *Host) takeFault(c apiCall, body []byte) (Fault, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.faults {
		if f.Service != c.service || f.Operation != c.operation || (f.Times != 0 && f.hits >= f.Times) {
			continue
		}
		if f.BodyContains != "" && !bytes.Contains(body, []byte(f.BodyContains)) {
			continue
		}
		if f.Document != "" && h.documentOf(body) != f.Document {
			continue
		}
		f.hits++
		return *f, true
	}
	return Fault{}, false
}

type queryErrorResponse struct {
	XMLName   xml.Name     `xml:"Response"`
	Errors    []queryError `xml:"Errors>Error"`
	RequestID string       `xml:"RequestID"`
}

type queryError struct {
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// wrappedErrorResponse is the error body of the query protocol (SNS, STS,
// IAM): the error wrapped in ErrorResponse.
type wrappedErrorResponse struct {
	XMLName   xml.Name     `xml:"ErrorResponse"`
	Error     wrappedError `xml:"Error"`
	RequestID string       `xml:"RequestId"`
}

type wrappedError struct {
	Type    string `xml:"Type"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// restErrorResponse is the error body of the REST-XML protocol (S3).
type restErrorResponse struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

const noRequestID = "00000000-0000-0000-0000-000000000000"

// fail answers c as the fault f says: an API error, or no answer at all
// until the caller gives up.
func (h *Host) fail(w http.ResponseWriter, r *http.Request, c apiCall, f Fault) {
	if f.Hang {
		select {
		case <-r.Context().Done():
		case <-h.ctx.Done():
		}
		return
	}
	status := f.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	writeAPIError(w, c, status, f.Code, f.Message)
}

// writeAPIError answers with an AWS error in the protocol of the call: JSON
// (X-Amz-Target), EC2's query errors, the other query services' wrapped
// errors, or REST-XML (S3).
func writeAPIError(w http.ResponseWriter, c apiCall, status int, code, message string) {
	var body any
	switch {
	case c.json:
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
		return
	case c.service == "ec2":
		body = queryErrorResponse{Errors: []queryError{{Code: code, Message: message}}, RequestID: noRequestID}
	case c.query:
		body = wrappedErrorResponse{Error: wrappedError{Type: "Sender", Code: code, Message: message}, RequestID: noRequestID}
	default:
		body = restErrorResponse{Code: code, Message: message, RequestID: noRequestID}
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_ = xml.NewEncoder(w).Encode(body)
}

// s3Operation names the S3 REST operations the handlers call, from the
// method and the query; "" for any other.
func s3Operation(r *http.Request) string {
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodGet && q.Get("list-type") == "2":
		return "ListObjectsV2"
	case r.Method == http.MethodGet && q.Has("versions"):
		return "ListObjectVersions"
	case r.Method == http.MethodGet:
		return "GetObject"
	case r.Method == http.MethodHead:
		return "HeadObject"
	case r.Method == http.MethodPut:
		return "PutObject"
	case r.Method == http.MethodDelete:
		return "DeleteObject"
	}
	return ""
}
