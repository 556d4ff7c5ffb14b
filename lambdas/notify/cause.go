package notify

import (
	"encoding/json"
	"strings"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// MaxDetailBytes bounds the failure detail kept in the record and the
// message.
const MaxDetailBytes = 1024

// Detail returns the human-readable part of a caught error: the
// errorMessage of a Lambda failure, whose Cause is the JSON
// {"errorType", "errorMessage", ...}; any other Cause as it is; the error
// name when there is no Cause. It is cut to MaxDetailBytes.
func Detail(e *investigation.StepError) string {
	if e == nil {
		return ""
	}
	detail := e.Cause
	var lambdaErr struct {
		ErrorMessage *string `json:"errorMessage"`
	}
	if err := json.Unmarshal([]byte(e.Cause), &lambdaErr); err == nil && lambdaErr.ErrorMessage != nil {
		detail = *lambdaErr.ErrorMessage
	}
	if strings.TrimSpace(detail) == "" {
		detail = e.Error
	}
	return investigation.Truncate(detail, MaxDetailBytes)
}
