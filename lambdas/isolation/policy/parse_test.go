package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestParseValid(t *testing.T) {
	no := false
	tests := []struct {
		name, raw string
		want      Policy
	}{
		{name: "empty", raw: "", want: Policy{}},
		{name: "white space", raw: " \n\t", want: Policy{}},
		{name: "empty object", raw: "{}", want: Policy{}},
		{name: "every field", raw: `{
			"rules": [
				{"name": "probes", "typePrefix": "Recon:EC2/PortProbe", "action": "ISOLATE", "measures": ["securityGroups", "elasticIps"]},
				{"name": "honeypot.cc", "typePattern": "*Backdoor:EC2?C&CActivity*", "action": "NONE"},
				{"name": "soc_contain", "customAction": "SocContain1", "action": "ISOLATE"}
			],
			"unknownAction": "ISOLATE",
			"builtinRules": false
		}`, want: Policy{
			Rules: []Rule{
				{Name: "probes", TypePrefix: "Recon:EC2/PortProbe", Action: investigation.IsolationIsolate,
					Measures: []investigation.MeasureName{investigation.MeasureSecurityGroups, investigation.MeasureElasticIPs}},
				{Name: "honeypot.cc", TypePattern: "*Backdoor:EC2?C&CActivity*", Action: investigation.IsolationNone},
				{Name: "soc_contain", CustomAction: "SocContain1", Action: investigation.IsolationIsolate},
			},
			UnknownAction: investigation.IsolationIsolate,
			BuiltinRules:  &no,
		}},
		{name: "64 rules", raw: rulesJSON(MaxRules), want: Policy{Rules: rules(MaxRules)}},
		{name: "empty lists", raw: `{"rules":[{"name":"a","typePrefix":"T","action":"ISOLATE","measures":[]}]}`,
			want: Policy{Rules: []Rule{{Name: "a", TypePrefix: "T", Action: investigation.IsolationIsolate}}}},
		{name: "no rules", raw: `{"rules":[]}`, want: Policy{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.raw))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// shortName returns the i-th of the shortest distinct rule names, so that
// more than MaxRules rules fit in MaxBytes.
func shortName(i int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	if i < len(alphabet) {
		return alphabet[i : i+1]
	}
	return alphabet[i/len(alphabet)-1:i/len(alphabet)] + alphabet[i%len(alphabet):i%len(alphabet)+1]
}

// rules returns n of the shortest rules.
func rules(n int) []Rule {
	out := make([]Rule, n)
	for i := range out {
		out[i] = Rule{Name: shortName(i), TypePrefix: "T", Action: investigation.IsolationNone}
	}
	return out
}

func rulesJSON(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"name":%q,"typePrefix":"T","action":"NONE"}`, shortName(i))
	}
	return `{"rules":[` + strings.Join(items, ",") + `]}`
}

func TestParseInvalid(t *testing.T) {
	rule := func(fields string) string {
		return `{"rules":[{"name":"a","typePrefix":"T","action":"NONE"},{` + fields + `}]}`
	}
	tests := []struct {
		name, raw, wantField, wantProblem string
	}{
		// The JSON itself.
		{"not JSON", `{"rules":`, "isolationPolicy", "ends too early"},
		{"syntax error", `{"rules":[}`, "isolationPolicy", "not valid JSON at byte"},
		{"an array", `[]`, "isolationPolicy", "must be a JSON object, not an array"},
		{"null", `null`, "isolationPolicy", "must be a JSON object, not null"},
		{"data after the object", `{} {}`, "isolationPolicy", "has data after the JSON object"},
		{"too large", `{"rules":[` + strings.Repeat(" ", MaxBytes) + `]}`, "isolationPolicy", "more than the 3072 allowed"},
		{"unknown key", `{"rule":[]}`, "isolationPolicy.rule", "is not a known field"},
		{"case variant of a key", `{"unknownaction":"NONE"}`, "isolationPolicy.unknownaction", "case-sensitive: unknownAction"},
		{"key given twice", `{"unknownAction":"NONE","unknownAction":"ISOLATE"}`, "isolationPolicy.unknownAction", "more than once"},
		{"unknown key of a rule", rule(`"name":"b","typePrefix":"T","action":"NONE","severity":"HIGH"`), "isolationPolicy.rules[1].severity", "is not a known field"},
		{"odd key of a rule", rule(`"name":"b","typePrefix":"T","action":"NONE","ty pe":1`), `isolationPolicy.rules[1]."ty pe"`, "is not a known field"},

		// Kinds.
		{"rules an object", `{"rules":{}}`, "isolationPolicy.rules", "must be a JSON array, not an object"},
		{"builtinRules a string", `{"builtinRules":"false"}`, "isolationPolicy.builtinRules", "must be true or false, not a string"},
		{"builtinRules null", `{"builtinRules":null}`, "isolationPolicy.builtinRules", "must be true or false, not null"},
		{"unknownAction a number", `{"unknownAction":1}`, "isolationPolicy.unknownAction", "must be a JSON string, not a number"},
		{"a rule a string", `{"rules":["backdoor"]}`, "isolationPolicy.rules[0]", "must be a JSON object, not a string"},
		{"measures a string", rule(`"name":"b","typePrefix":"T","action":"ISOLATE","measures":"cordon"`), "isolationPolicy.rules[1].measures", "must be a JSON array, not a string"},
		{"a measure a number", rule(`"name":"b","typePrefix":"T","action":"ISOLATE","measures":[1]`), "isolationPolicy.rules[1].measures[0]", "must be a JSON string, not a number"},

		// Values.
		{"bad unknownAction", `{"unknownAction":"isolate"}`, "isolationPolicy.unknownAction", `must be ISOLATE or NONE, not "isolate"`},
		{"65 rules (in less than 3 KiB)", rulesJSON(MaxRules + 1), "isolationPolicy.rules", "has 65 rules, more than the 64 allowed"},
		{"no name", rule(`"typePrefix":"T","action":"NONE"`), "isolationPolicy.rules[1].name", "is required"},
		{"empty name", rule(`"name":"","typePrefix":"T","action":"NONE"`), "isolationPolicy.rules[1].name", "is required"},
		{"name with a space", rule(`"name":"a b","typePrefix":"T","action":"NONE"`), "isolationPolicy.rules[1].name", `not "a b"`},
		{"name of unknown decisions", rule(`"name":"unknown-finding","typePrefix":"T","action":"NONE"`), "isolationPolicy.rules[1].name", "may not be"},
		{"duplicate name", rule(`"name":"a","typePrefix":"U","action":"NONE"`), "isolationPolicy.rules[1].name", `repeats the name of rules[0], "a"`},
		{"no matcher", rule(`"name":"b","action":"NONE"`), "isolationPolicy.rules[1]", "exactly one of typePrefix, typePattern and customAction, not 0"},
		{"empty matcher", rule(`"name":"b","typePrefix":"","action":"NONE"`), "isolationPolicy.rules[1].typePrefix", "is empty: give the matcher a value, or leave the key out"},
		{"empty pattern beside a prefix", rule(`"name":"b","typePrefix":"T","typePattern":"","action":"NONE"`), "isolationPolicy.rules[1].typePattern", "is empty"},
		{"empty prefix beside a pattern", rule(`"name":"b","typePrefix":"","typePattern":"*T*","action":"NONE"`), "isolationPolicy.rules[1].typePrefix", "is empty"},
		{"empty custom action beside a prefix", rule(`"name":"b","typePrefix":"T","customAction":"","action":"NONE"`), "isolationPolicy.rules[1].customAction", "is empty"},
		{"prefix of only spaces", rule(`"name":"b","typePrefix":"   ","action":"NONE"`), "isolationPolicy.rules[1].typePrefix", "must not be only spaces"},
		{"pattern of only spaces", rule(`"name":"b","typePattern":" ","action":"NONE"`), "isolationPolicy.rules[1].typePattern", "must not be only spaces"},
		{"two matchers", rule(`"name":"b","typePrefix":"T","customAction":"X","action":"NONE"`), "isolationPolicy.rules[1]", "not 2"},
		{"prefix with a control character", rule(`"name":"b","typePrefix":"T\u0007","action":"NONE"`), "isolationPolicy.rules[1].typePrefix", "printable ASCII"},
		{"glob with a class", rule(`"name":"b","typePattern":"Backdoor:EC2[/-]*","action":"NONE"`), "isolationPolicy.rules[1].typePattern", `holds '[' at 12`},
		{"glob with an escape", rule(`"name":"b","typePattern":"Backdoor\\*","action":"NONE"`), "isolationPolicy.rules[1].typePattern", "classes and escapes are not supported"},
		{"glob too long", rule(`"name":"b","typePattern":"` + strings.Repeat("*", 513) + `","action":"NONE"`), "isolationPolicy.rules[1].typePattern", "1 to 512 printable ASCII"},
		{"custom action with a dash", rule(`"name":"b","customAction":"Casefile-Isolate","action":"NONE"`), "isolationPolicy.rules[1].customAction", "1 to 20 letters or digits"},
		{"custom action ARN", rule(`"name":"b","customAction":"arn:aws:securityhub:eu-west-1:111122223333:action/custom/X","action":"NONE"`), "isolationPolicy.rules[1].customAction", "the last segment of its ARN"},
		{"custom action of 21", rule(`"name":"b","customAction":"` + strings.Repeat("A", 21) + `","action":"NONE"`), "isolationPolicy.rules[1].customAction", "1 to 20"},
		{"no action", rule(`"name":"b","typePrefix":"T"`), "isolationPolicy.rules[1].action", "is required (ISOLATE or NONE)"},
		{"bad action", rule(`"name":"b","typePrefix":"T","action":"KILL"`), "isolationPolicy.rules[1].action", `must be ISOLATE or NONE, not "KILL"`},
		{"unknown measure", rule(`"name":"b","typePrefix":"T","action":"ISOLATE","measures":["securityGroups","drain"]`), "isolationPolicy.rules[1].measures[1]", `not "drain"`},
		{"measure of another case", rule(`"name":"b","typePrefix":"T","action":"ISOLATE","measures":["SecurityGroups"]`), "isolationPolicy.rules[1].measures[0]", "must be one of securityGroups, instanceProfile"},
		{"measure twice", rule(`"name":"b","typePrefix":"T","action":"ISOLATE","measures":["cordon","cordon"]`), "isolationPolicy.rules[1].measures[1]", "repeats cordon"},
		{"measures of a NONE rule", rule(`"name":"b","typePrefix":"T","action":"NONE","measures":["cordon"]`), "isolationPolicy.rules[1].measures", "must be empty when action is NONE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.raw))

			var perr *Error
			require.True(t, errors.As(err, &perr), "want an *Error for %s, got %v", tt.raw, err)
			assert.Equal(t, tt.wantField, perr.Field, "field named by %q", err.Error())
			assert.Contains(t, perr.Problem, tt.wantProblem)
			assert.Equal(t, perr.Field+": "+perr.Problem, err.Error())
			assert.Equal(t, Policy{}, got, "an invalid policy decodes to nothing")
		})
	}
}

// TestParseErrorExample is the error the documentation shows.
func TestParseErrorExample(t *testing.T) {
	_, err := Parse([]byte(`{"rules":[
		{"name":"a","typePrefix":"A","action":"NONE"},
		{"name":"b","typePrefix":"B","action":"NONE"},
		{"name":"c","typePrefix":"C","action":"KILL"}]}`))
	require.Error(t, err)
	assert.Equal(t, `isolationPolicy.rules[2].action: must be ISOLATE or NONE, not "KILL"`, err.Error())
}

// TestParseBoundsQuotedValues: a hostile value does not grow the error.
func TestParseBoundsQuotedValues(t *testing.T) {
	_, err := Parse([]byte(`{"unknownAction":"` + strings.Repeat("x", 2000) + `"}`))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 200, "error %q", err)
}
