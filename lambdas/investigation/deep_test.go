package investigation

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deepRequest is a DISK request whose first snapshot is 12,000 nested
// arrays: more than encoding/json decodes.
func deepRequest() string {
	return strings.Replace(diskTemplate, `"snapshots":[{`,
		`"snapshots":[`+strings.Repeat("[", 12000)+strings.Repeat("]", 12000)+`,{`, 1)
}

func TestQuoteDeepRequest(t *testing.T) {
	payload := []byte(`{"request": ` + deepRequest() + ` ,"executionName":"exec-1","error":{"Error":"x","Cause":"y"}}`)
	var st State
	require.Error(t, json.Unmarshal(payload, &st), "encoding/json refuses the payload as it is")

	out, ok := QuoteDeepRequest(payload)

	require.True(t, ok)
	require.NoError(t, json.Unmarshal(out, &st))
	assert.Equal(t, "exec-1", st.ExecutionName)
	assert.Equal(t, &StepError{Error: "x", Cause: "y"}, st.Error, "the other members are kept")
	text, quoted := RequestText(st.Request)
	assert.True(t, quoted, "the request is passed as a JSON string")
	assert.Equal(t, deepRequest(), string(text), "the request's text is kept")
	_, err := ParseRequest(st.Request)
	var verr *ValidationError
	require.True(t, errors.As(err, &verr), "want a *ValidationError, got %v", err)
	assert.Equal(t, "disk.snapshots[0]", verr.Field)
	assert.Equal(t, "invalid-exec-1", CaseID(st.Request, st.ExecutionName), "the case is recorded under its execution")
	_, err = json.Marshal(st)
	assert.NoError(t, err, "the state encodes again for the next step")
}

func TestQuoteDeepRequestLeavesOtherPayloads(t *testing.T) {
	tests := map[string]string{
		"a valid state":            `{"request":` + diskTemplate + `,"executionName":"x"}`,
		"deep, but not in request": `{"other":` + strings.Repeat("[", 12000) + strings.Repeat("]", 12000) + `,"request":{}}`,
		"not JSON":                 `{"request":`,
		"not an object":            strings.Repeat("[", 12000) + strings.Repeat("]", 12000),
		"no request":               `{"x":1,`,
	}
	for name, payload := range tests {
		t.Run(name, func(t *testing.T) {
			out, ok := QuoteDeepRequest([]byte(payload))
			assert.False(t, ok)
			assert.True(t, out == nil, "no payload is returned (%d bytes)", len(out))
		})
	}
}

func TestRequestMemberIsTheStatesKey(t *testing.T) {
	raw, err := json.Marshal(State{Request: json.RawMessage(`{}`)})
	require.NoError(t, err)
	assert.Equal(t, `{"`+requestMember+`":{}}`, string(raw))
}
