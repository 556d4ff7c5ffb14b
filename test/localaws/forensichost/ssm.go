package forensichost

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// serveSSM answers the SSM operations the host plays; it reports false for
// the others, which go to moto.
func (h *Host) serveSSM(w http.ResponseWriter, r *http.Request, call apiCall, body []byte) bool {
	switch call.operation {
	case "DescribeInstanceInformation":
		h.describeInstanceInformation(w, r.Context(), call, body)
	case "SendCommand":
		h.sendCommand(w, r, call, body)
	case "GetCommandInvocation":
		return h.getCommandInvocation(w, r.Context(), call, body)
	case "ListCommandInvocations":
		h.listCommandInvocations(w, call, body)
	case "ListCommands":
		h.listCommands(w, call, body)
	case "CancelCommand":
		h.cancelCommand(w, call, body)
	default:
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(http.StatusOK)
	_ = json.NewEncoder(w).Encode(v)
}

func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// managedInstances returns the running instances that carry an instance
// profile (the agent needs one to register), among ids when ids is not
// empty.
func (h *Host) managedInstances(ctx context.Context, ids []string) ([]ec2types.Instance, error) {
	in := &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
		{Name: aws.String("instance-state-name"), Values: []string{"running"}},
	}}
	if len(ids) > 0 {
		in.Filters = append(in.Filters, ec2types.Filter{Name: aws.String("instance-id"), Values: ids})
	}
	var out []ec2types.Instance
	p := ec2.NewDescribeInstancesPaginator(h.opts.EC2, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("describe instances: %w", err)
		}
		for _, r := range page.Reservations {
			for _, i := range r.Instances {
				if i.IamInstanceProfile != nil {
					out = append(out, i)
				}
			}
		}
	}
	return out, nil
}

// registered counts one more look at the instance and reports whether its
// agent has registered by now.
func (h *Host) registered(instanceID string) bool {
	checks, _ := h.timings()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks[instanceID]++
	return checks >= 0 && h.checks[instanceID] > checks
}

type describeInstanceInformationInput struct {
	InstanceInformationFilterList []struct {
		Key      string   `json:"key"`
		ValueSet []string `json:"valueSet"`
	}
	Filters []struct {
		Key    string
		Values []string
	}
}

func (h *Host) describeInstanceInformation(w http.ResponseWriter, ctx context.Context, call apiCall, body []byte) {
	var in describeInstanceInformationInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeAPIError(w, call, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	var ids []string
	for _, f := range in.InstanceInformationFilterList {
		if strings.EqualFold(f.Key, "InstanceIds") {
			ids = append(ids, f.ValueSet...)
		}
	}
	for _, f := range in.Filters {
		if strings.EqualFold(f.Key, "InstanceIds") {
			ids = append(ids, f.Values...)
		}
	}
	instances, err := h.managedInstances(ctx, ids)
	if err != nil {
		writeAPIError(w, call, http.StatusInternalServerError, "InternalServerError", err.Error())
		return
	}
	list := []map[string]any{}
	now := time.Now()
	for _, i := range instances {
		id := aws.ToString(i.InstanceId)
		if !h.registered(id) {
			continue
		}
		list = append(list, map[string]any{
			"InstanceId": id, "PingStatus": "Online", "LastPingDateTime": epoch(now),
			"AgentVersion": "3.3.0.0", "IsLatestVersion": true, "PlatformType": "Linux",
			"PlatformName": "Amazon Linux", "PlatformVersion": "2023", "ResourceType": "EC2Instance",
			"IPAddress": aws.ToString(i.PrivateIpAddress), "ComputerName": aws.ToString(i.PrivateDnsName),
		})
	}
	writeJSON(w, map[string]any{"InstanceInformationList": list})
}

type sendCommandInput struct {
	DocumentName       string
	DocumentVersion    string
	InstanceIds        []string
	Parameters         map[string][]string
	OutputS3BucketName string
	OutputS3KeyPrefix  string
}

// sendCommand checks the parameters against the registered document and
// that the agents have registered, lets moto record the command, and runs
// it on each instance.
func (h *Host) sendCommand(w http.ResponseWriter, r *http.Request, call apiCall, body []byte) {
	var in sendCommandInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeAPIError(w, call, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	doc, ok := h.document(in.DocumentName)
	if !ok {
		writeAPIError(w, call, http.StatusBadRequest, "InvalidDocument",
			"document "+in.DocumentName+" is not one the local forensic host can run")
		return
	}
	declared, err := h.registeredParameters(r, in.DocumentName, in.DocumentVersion)
	if err == nil {
		err = checkParameters(declared, in.Parameters)
	}
	var api *apiError
	if errors.As(err, &api) {
		writeAPIError(w, call, api.status, api.code, api.message)
		return
	}
	if err != nil {
		writeAPIError(w, call, http.StatusInternalServerError, "InternalServerError", err.Error())
		return
	}
	if len(in.InstanceIds) == 0 {
		writeAPIError(w, call, http.StatusBadRequest, "ValidationException", "InstanceIds is required by the local forensic host")
		return
	}
	instances, err := h.managedInstances(r.Context(), in.InstanceIds)
	if err != nil {
		writeAPIError(w, call, http.StatusInternalServerError, "InternalServerError", err.Error())
		return
	}
	found := map[string]bool{}
	for _, i := range instances {
		found[aws.ToString(i.InstanceId)] = true
	}
	for _, id := range in.InstanceIds {
		if !found[id] || !h.registered(id) {
			writeAPIError(w, call, http.StatusBadRequest, "InvalidInstanceId",
				"Instances ["+id+"] not in a valid state for account")
			return
		}
	}

	rec := httptest.NewRecorder()
	r.Body = http.NoBody
	h.proxy.ServeHTTP(rec, requestWithBody(r, body))
	if rec.Code != http.StatusOK {
		copyResponse(w, rec)
		return
	}
	var out map[string]map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || out["Command"] == nil {
		writeAPIError(w, call, http.StatusInternalServerError, "InternalServerError", "moto's SendCommand answer has no Command")
		return
	}
	commandID, _ := out["Command"]["CommandId"].(string)
	timeout := defaultCommandTimeout
	cmd := Command{
		CommandID: commandID, DocumentName: in.DocumentName, Parameters: in.Parameters,
		OutputS3Bucket: in.OutputS3BucketName, OutputS3KeyPrefix: in.OutputS3KeyPrefix,
	}
	if s, err := strconv.Atoi(cmd.Param("executionTimeout")); err == nil && s > 0 {
		timeout = time.Duration(s) * time.Second
	}
	for _, id := range in.InstanceIds {
		cmd.InstanceID = id
		h.startCommand(cmd, doc, timeout)
	}
	// A command that was just sent is pending, not (as moto says) done.
	out["Command"]["Status"] = "Pending"
	out["Command"]["StatusDetails"] = "Pending"
	out["Command"]["CompletedCount"] = 0
	writeJSON(w, out)
}

func requestWithBody(r *http.Request, body []byte) *http.Request {
	r2 := r.Clone(r.Context())
	r2.Body = http.NoBody
	if len(body) > 0 {
		r2.Body = readCloser{bytes.NewReader(body)}
	}
	r2.ContentLength = int64(len(body))
	return r2
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (h *Host) lookup(commandID, instanceID string) (*command, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c, ok := h.commands[commandID+"/"+instanceID]
	return c, ok
}

func (h *Host) knowsCommand(commandID string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for key := range h.commands {
		if strings.HasPrefix(key, commandID+"/") {
			return true
		}
	}
	return false
}

type invocationInput struct {
	CommandID  string `json:"CommandId"`
	InstanceID string `json:"InstanceId"`
	PluginName string
	Details    bool
}

// getCommandInvocation reports a command the host runs, after waiting up
// to StatusWait for it to end; it reports false for commands it does not
// know, which go to moto.
func (h *Host) getCommandInvocation(w http.ResponseWriter, ctx context.Context, call apiCall, body []byte) bool {
	var in invocationInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeAPIError(w, call, http.StatusBadRequest, "ValidationException", err.Error())
		return true
	}
	c, ok := h.lookup(in.CommandID, in.InstanceID)
	if !ok {
		if h.knowsCommand(in.CommandID) {
			writeAPIError(w, call, http.StatusBadRequest, "InvocationDoesNotExist", "")
			return true
		}
		return false
	}
	if in.PluginName != "" && in.PluginName != c.step {
		writeAPIError(w, call, http.StatusBadRequest, "InvocationDoesNotExist", "")
		return true
	}
	// Waiting for a stalled command, which never ends, is pointless.
	if d, _ := h.document(c.DocumentName); !d.Stalled {
		h.waitFor(ctx, c)
	}
	writeJSON(w, invocationJSON(c))
	return true
}

// waitFor waits up to the status wait in force for c to end.
func (h *Host) waitFor(ctx context.Context, c *command) {
	if _, wait := h.timings(); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-c.done:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
}

func invocationJSON(c *command) map[string]any {
	inv := c.snapshot()
	out := map[string]any{
		"CommandId": inv.CommandID, "InstanceId": inv.InstanceID, "DocumentName": inv.DocumentName,
		"DocumentVersion": "1", "PluginName": c.step, "Comment": "",
		"ResponseCode": inv.ResponseCode, "Status": inv.Status, "StatusDetails": inv.StatusDetails,
		"ExecutionStartDateTime": inv.Started.UTC().Format(time.RFC3339),
		"StandardOutputContent":  inv.Stdout, "StandardErrorContent": inv.Stderr,
		"CloudWatchOutputConfig": map[string]any{"CloudWatchOutputEnabled": false},
	}
	if !inv.Ended.IsZero() {
		out["ExecutionEndDateTime"] = inv.Ended.UTC().Format(time.RFC3339)
		out["ExecutionElapsedTime"] = fmt.Sprintf("PT%.3fS", inv.Ended.Sub(inv.Started).Seconds())
	}
	if inv.OutputS3Bucket != "" {
		base := "https://s3.amazonaws.com/" + inv.OutputS3Bucket + "/" + strings.TrimSuffix(inv.OutputS3KeyPrefix, "/") +
			"/" + inv.CommandID + "/" + inv.InstanceID + "/awsrunShellScript/" + c.step + "/"
		out["StandardOutputUrl"], out["StandardErrorUrl"] = base+"stdout", base+"stderr"
	}
	return out
}

// listCommandInvocations serves the operation moto lacks, for the commands
// the host runs.
func (h *Host) listCommandInvocations(w http.ResponseWriter, call apiCall, body []byte) {
	var in invocationInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeAPIError(w, call, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	h.mu.Lock()
	var cmds []*command
	for _, c := range h.commands {
		if (in.CommandID == "" || c.CommandID == in.CommandID) && (in.InstanceID == "" || c.InstanceID == in.InstanceID) {
			cmds = append(cmds, c)
		}
	}
	h.mu.Unlock()
	list := []map[string]any{}
	for _, c := range cmds {
		inv := c.snapshot()
		entry := map[string]any{
			"CommandId": inv.CommandID, "InstanceId": inv.InstanceID, "DocumentName": inv.DocumentName,
			"Status": inv.Status, "StatusDetails": inv.StatusDetails, "RequestedDateTime": epoch(inv.Started),
		}
		if in.Details {
			entry["CommandPlugins"] = []map[string]any{{
				"Name": c.step, "Status": inv.Status, "StatusDetails": inv.StatusDetails,
				"ResponseCode": inv.ResponseCode, "Output": inv.Stdout,
			}}
		}
		list = append(list, entry)
	}
	writeJSON(w, map[string]any{"CommandInvocations": list})
}

// cancelCommand cancels the named command on the given instances (all
// when none are given).
func (h *Host) cancelCommand(w http.ResponseWriter, call apiCall, body []byte) {
	var in struct {
		CommandID   string   `json:"CommandId"`
		InstanceIDs []string `json:"InstanceIds"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeAPIError(w, call, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	if !h.knowsCommand(in.CommandID) {
		writeAPIError(w, call, http.StatusBadRequest, "InvalidCommandId", "")
		return
	}
	h.mu.Lock()
	for _, c := range h.commands {
		if c.CommandID != in.CommandID {
			continue
		}
		if len(in.InstanceIDs) == 0 || contains(in.InstanceIDs, c.InstanceID) {
			c.cancel()
		}
	}
	h.mu.Unlock()
	writeJSON(w, map[string]any{})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
