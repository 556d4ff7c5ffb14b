package policy

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// FuzzParse: Parse never panics, refuses with an *Error or returns a
// policy that decides without panicking, and a policy it returns encodes
// to JSON that parses to the same policy.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `null`, `[]`, `{"rules":[]}`, `{"builtinRules":false}`, `{"unknownAction":"ISOLATE"}`,
		`{"rules":[{"name":"a","typePattern":"*Backdoor:*?x","action":"ISOLATE","measures":["cordon","labels"]}]}`,
		`{"rules":[{"name":"a","typePrefix":"Recon:","action":"NONE"},{"name":"b","customAction":"X1","action":"ISOLATE"}]}`,
		`{"rules":[{"name":"a","typePrefix":"T","customAction":"X","action":"KILL"}]}`,
		`{"rules":[{"name":"a","typePattern":"[a]","action":"NONE"}]} trailing`,
		`{"Rules":[], "rules":[], "rules":[]}`,
	} {
		f.Add([]byte(seed))
	}
	findings := []*investigation.Finding{
		nil,
		{ID: "f", Types: []string{"TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS", "Recon:EC2/Portscan"}},
		{ID: "f", CustomActionARN: "arn:aws:securityhub:eu-west-1:111122223333:action/custom/X1"},
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := Parse(raw)
		if err != nil {
			var perr *Error
			require.ErrorAs(t, err, &perr)
			assert.NotEmpty(t, perr.Field)
			return
		}
		for _, fd := range findings {
			d := p.Decide(fd)
			assert.Contains(t, investigation.IsolationActions, d.Action)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(p))
		if buf.Len() > MaxBytes {
			return
		}
		again, err := Parse(buf.Bytes())
		require.NoError(t, err, "the encoding %s of a valid policy parses", buf.String())
		assert.Equal(t, p, again)
	})
}
