package config

import (
	"bytes"
	"encoding/json"

	"github.com/casefile-forensics/casefile/lambdas/isolation/policy"
)

// isolationPolicy returns the isolation policy at key as compact JSON,
// checked with policy.Parse: a JSON object (from cdk.json) or a string
// holding one (from -c). Unset, empty and {} give "", the default policy.
func (r *reader) isolationPolicy(key string) string {
	var raw []byte
	switch v := r.get(key).(type) {
	case nil:
		return ""
	case string:
		raw = []byte(v)
	case map[string]any:
		// Encoded again as compact JSON; keep '&' (C&CActivity) and the
		// like as they are, which also keeps the value short.
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			r.fail(key, "cannot be encoded as JSON: %v", err)
			return ""
		}
		raw = buf.Bytes()
	default:
		r.fail(key, "must be a JSON object (or a string holding one), got %v (%T)", v, v)
		return ""
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, raw); err == nil {
		// Parse sees what the Lambda will; when the JSON is broken it
		// sees the text as given, and says where.
		raw = compact.Bytes()
	}
	if _, err := policy.Parse(raw); err != nil {
		r.fail(key, "%v", err)
		return ""
	}
	if s := string(bytes.TrimSpace(raw)); s != "{}" {
		return s
	}
	return ""
}
