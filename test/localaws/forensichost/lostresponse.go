package forensichost

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// LostResponse makes calls of one operation reach moto and do their work,
// and then answers the caller with a 500 InternalError instead of moto's
// response, as when a response is lost on its way back: the SDK retries
// such a call, so the operation runs again unless it is idempotent.
type LostResponse struct {
	// Service is the SigV4 signing name, such as ec2.
	Service string
	// Operation is the API operation, such as RunInstances.
	Operation string
	// Times is how many calls lose their response; zero means every call.
	Times int
	// BodyContains, when set, limits the loss to calls whose request body
	// holds it, such as a tag value that tells one caller's calls apart.
	BodyContains string

	hits int
}

// LoseResponses adds a LostResponse; it applies until Reset or until it
// has lost Times responses.
func (h *Host) LoseResponses(l LostResponse) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lost = append(h.lost, &l)
}

// LostResponseHits returns how many responses of an operation were lost.
func (h *Host) LostResponseHits(service, operation string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, l := range h.lost {
		if l.Service == service && l.Operation == operation {
			n += l.hits
		}
	}
	return n
}

func (h *Host) takeLostResponse(c apiCall, body []byte) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, l := range h.lost {
		if l.BodyContains != "" && !bytes.Contains(body, []byte(l.BodyContains)) {
			continue
		}
		if l.Service == c.service && l.Operation == c.operation && (l.Times == 0 || l.hits < l.Times) {
			l.hits++
			return true
		}
	}
	return false
}

// idempotentOperations are the EC2 operations whose ClientToken moto
// stores but does not honour: EC2 answers a repeated call with the same
// token with the first call's result instead of running it again.
var idempotentOperations = map[string]bool{"RunInstances": true, "CreateVolume": true}

// clientToken returns the key under which a call's ClientToken is
// remembered, or "" for a call without one.
func clientToken(c apiCall, body []byte) string {
	if c.service != "ec2" || !idempotentOperations[c.operation] {
		return ""
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("ClientToken") == "" {
		return ""
	}
	return c.operation + "/" + form.Get("ClientToken")
}

// storedResponse is moto's answer to the first call with a client token.
type storedResponse struct {
	status int
	header http.Header
	body   []byte
}

// forward sends the call to moto and answers the caller. A call with a
// client token seen before gets the stored answer of the first such call
// without reaching moto, as EC2 does; a call whose response is to be lost
// gets a 500 InternalError after moto did its work.
func (h *Host) forward(w http.ResponseWriter, r *http.Request, call apiCall, body []byte) {
	if h.refuseSecondAttach(w, r.Context(), call, body) {
		return
	}
	token := clientToken(call, body)
	lose := h.takeLostResponse(call, body)
	if token == "" && !lose {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.proxy.ServeHTTP(sw, r)
		h.carriedOut(call, sw.status)
		return
	}
	h.mu.Lock()
	stored, seen := h.tokens[token]
	h.mu.Unlock()
	if token != "" && seen {
		h.opts.Logger.Info("repeated client token: first response returned", "operation", call.operation)
	} else {
		rec := httptest.NewRecorder()
		h.proxy.ServeHTTP(rec, r)
		h.carriedOut(call, rec.Code)
		stored = storedResponse{status: rec.Code, header: rec.Header().Clone(), body: rec.Body.Bytes()}
		if token != "" && rec.Code == http.StatusOK {
			h.mu.Lock()
			h.tokens[token] = stored
			h.mu.Unlock()
		}
	}
	if lose {
		h.opts.Logger.Info("response lost", "service", call.service, "operation", call.operation)
		writeAPIError(w, call, http.StatusInternalServerError, "InternalError", "the response was lost (injected by the test)")
		return
	}
	for k, v := range stored.header {
		w.Header()[k] = v
	}
	w.WriteHeader(stored.status)
	_, _ = w.Write(stored.body)
}

func (h *Host) count(c apiCall) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls[c.service+"/"+c.operation]++
}

// Calls returns how many calls of an operation the host received since
// Reset, retries included, whether they reached moto or not.
func (h *Host) Calls(service, operation string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[service+"/"+operation]
}

// carriedOut counts a call that moto answered with success.
func (h *Host) carriedOut(c apiCall, status int) {
	if status < 200 || status > 299 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.done[c.service+"/"+c.operation]++
}

// CarriedOut returns how many calls of an operation moto carried out
// (answered with success) since Reset, lost responses included: for
// RunInstances or CreateVolume, how many instances or volumes EC2 made.
// A repeated client token answered by the host is not counted.
func (h *Host) CarriedOut(service, operation string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.done[service+"/"+operation]
}

// statusWriter notes the status of a response it passes on.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(status int) {
	s.status = status
	s.ResponseWriter.WriteHeader(status)
}

// Unwrap gives http.ResponseController the writer underneath.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush lets the proxy flush streamed responses through.
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// refuseSecondAttach answers an AttachVolume of a volume that is already
// attached with EC2's VolumeInUse, which moto does not: it attaches the
// volume again. It reports whether it answered.
func (h *Host) refuseSecondAttach(w http.ResponseWriter, ctx context.Context, call apiCall, body []byte) bool {
	if call.service != "ec2" || call.operation != "AttachVolume" {
		return false
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("VolumeId") == "" {
		return false
	}
	vol := form.Get("VolumeId")
	out, err := h.opts.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{vol}})
	if err != nil {
		return false // moto answers for a volume it does not know
	}
	for _, v := range out.Volumes {
		if len(v.Attachments) > 0 {
			writeAPIError(w, call, http.StatusBadRequest, "VolumeInUse", fmt.Sprintf("%s is already attached to an instance", vol))
			return true
		}
	}
	return false
}
