package forensichost

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
)

// Fault makes calls of one operation fail with an API error, as AWS would
// answer them.
type Fault struct {
	// Service is the SigV4 signing name, such as ec2 or ssm.
	Service string
	// Operation is the API operation, such as AttachVolume.
	Operation string
	// Code and Message are the error the caller receives.
	Code    string
	Message string
	// Times is how many calls fail; zero means every call.
	Times int

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

func (h *Host) takeFault(c apiCall) *Fault {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, f := range h.faults {
		if f.Service == c.service && f.Operation == c.operation && (f.Times == 0 || f.hits < f.Times) {
			f.hits++
			return f
		}
	}
	return nil
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

// writeAPIError answers with an AWS error in the protocol of the call.
func writeAPIError(w http.ResponseWriter, c apiCall, status int, code, message string) {
	if c.json {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_ = xml.NewEncoder(w).Encode(queryErrorResponse{
		Errors: []queryError{{Code: code, Message: message}}, RequestID: "00000000-0000-0000-0000-000000000000",
	})
}
