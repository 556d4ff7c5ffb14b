package investigation

import (
	"bytes"
	"encoding/json"
	"errors"
)

// requestMember is the JSON key of State.Request.
const requestMember = "request"

// QuoteDeepRequest returns payload, a State as JSON, with its request
// replaced by the request's text as a JSON string, when payload is JSON
// that encoding/json refuses because the request is nested deeper than it
// decodes (10,000 levels); ok is false for any other payload. Step
// Functions passes such a request on as it was given, so without this no
// step could decode its state, and the case would be neither recorded nor
// notified. A request passed as a JSON string is always refused, naming
// its content's first problem (ParseRequest), and no valid request nests
// so deep, so the case fails with INVALID_REQUEST as any bad request does.
func QuoteDeepRequest(payload []byte) (out []byte, ok bool) {
	if json.Valid(payload) {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		key, _ := tok.(string)
		afterKey := int(dec.InputOffset())
		// Token has no depth limit: it reads one delimiter at a time.
		if err := skipValue(dec); err != nil {
			return nil, false
		}
		end := int(dec.InputOffset())
		if key != requestMember {
			continue
		}
		colon := afterKey + bytes.IndexByte(payload[afterKey:end], ':')
		quoted, err := json.Marshal(string(bytes.TrimSpace(payload[colon+1 : end])))
		if err != nil {
			return nil, false
		}
		out = append(append(append([]byte{}, payload[:colon+1]...), quoted...), payload[end:]...)
		if !json.Valid(out) {
			return nil, false
		}
		return out, true
	}
	return nil, false
}

// skipValue reads the value that starts at the decoder's next token.
func skipValue(dec *json.Decoder) error {
	for depth := 0; ; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth < 0 {
			return errors.New("unbalanced value")
		}
		if depth == 0 {
			return nil
		}
	}
}
