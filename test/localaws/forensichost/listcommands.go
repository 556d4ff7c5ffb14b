package forensichost

import (
	"encoding/json"
	"net/http"
	"sort"
)

// listCommandsInput is the part of a ListCommands request the host reads.
type listCommandsInput struct {
	CommandID  string `json:"CommandId"`
	InstanceID string `json:"InstanceId"`
}

// listCommands answers ListCommands for the commands the host runs. moto
// cannot: it records a command sent to some instances as sent to every
// instance of the account (an empty Targets list matches them all), so
// that with several forensic instances a lookup by instance would return
// another instance's command. Each command is listed once with the
// instances it was sent to; its status is that of its invocation when it
// went to one instance, as for every command Casefile sends.
func (h *Host) listCommands(w http.ResponseWriter, call apiCall, body []byte) {
	var in listCommandsInput
	if err := json.Unmarshal(body, &in); err != nil {
		writeAPIError(w, call, http.StatusBadRequest, "ValidationException", err.Error())
		return
	}
	h.mu.Lock()
	byID := map[string][]*command{}
	for _, c := range h.commands {
		if in.CommandID != "" && c.CommandID != in.CommandID {
			continue
		}
		byID[c.CommandID] = append(byID[c.CommandID], c)
	}
	h.mu.Unlock()

	list := []map[string]any{}
	for id, cmds := range byID {
		var instances []string
		for _, c := range cmds {
			instances = append(instances, c.InstanceID)
		}
		if in.InstanceID != "" && !contains(instances, in.InstanceID) {
			continue
		}
		sort.Strings(instances)
		inv := cmds[0].snapshot()
		list = append(list, map[string]any{
			"CommandId": id, "DocumentName": inv.DocumentName, "DocumentVersion": "1",
			"InstanceIds": instances, "Parameters": inv.Parameters,
			"Status": inv.Status, "StatusDetails": inv.StatusDetails, "RequestedDateTime": epoch(inv.Started),
			"OutputS3BucketName": inv.OutputS3Bucket, "OutputS3KeyPrefix": inv.OutputS3KeyPrefix,
			"TargetCount": len(instances),
		})
	}
	sort.Slice(list, func(i, j int) bool {
		return list[i]["RequestedDateTime"].(float64) > list[j]["RequestedDateTime"].(float64)
	})
	writeJSON(w, map[string]any{"Commands": list})
}
