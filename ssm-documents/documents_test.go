package ssmdocuments

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

var documentCases = []struct {
	name    string
	file    string
	render  func() (Document, error)
	params  []string
	scripts []string
}{
	{
		name: "probe", file: ProbeFile, render: Probe,
		params:  []string{},
		scripts: []string{"common.sh", "probe.sh"},
	},
	{
		name: "disk", file: DiskFile, render: Disk,
		params:  []string{ParamExecutionTimeout, ParamForensicID, ParamKMSKeyARN, ParamResultsBucket, ParamResultsPrefix, ParamVolumeIDs},
		scripts: []string{"common.sh", "disk_triage.py", "evidence_stream.py", "disk-forensics.sh"},
	},
	{
		name: "memory", file: MemoryFile, render: Memory,
		params: []string{
			ParamDumpFormat, ParamDumpS3URI, ParamDumpSHA256, ParamDumpSizeBytes, ParamExecutionTimeout, ParamForensicID, ParamKernelRelease,
			ParamKMSKeyARN, ParamOperatingSystem, ParamResultsBucket, ParamResultsPrefix, ParamScratchVolumeID, ParamSymbolsS3URI,
		},
		scripts: []string{"common.sh", "memory-forensics.sh"},
	},
}

func TestDocumentsParseAsYAML(t *testing.T) {
	for _, tt := range documentCases {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := os.ReadFile(tt.file)
			require.NoError(t, err)
			var doc map[string]any
			require.NoError(t, yaml.Unmarshal(raw, &doc), "plain YAML parse")

			assert.Equal(t, "2.2", doc["schemaVersion"], "schemaVersion must be the string 2.2")
			params, _ := doc["parameters"].(map[string]any)
			names := make([]string, 0, len(params))
			for name, p := range params {
				names = append(names, name)
				fields, ok := p.(map[string]any)
				require.True(t, ok, "parameter %s is a mapping", name)
				assert.Equal(t, "String", fields["type"], "parameter %s type", name)
				assert.NotEmpty(t, fields["allowedPattern"], "parameter %s allowedPattern", name)
				if name == ParamExecutionTimeout {
					assert.Nil(t, fields["interpolationType"], "%s reaches timeoutSeconds only, never the shell", name)
				} else {
					assert.Equal(t, "ENV_VAR", fields["interpolationType"], "parameter %s interpolationType", name)
				}
			}
			assert.ElementsMatch(t, tt.params, names, "declared parameters")
		})
	}
}

func TestRenderedDocuments(t *testing.T) {
	for _, tt := range documentCases {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := tt.render()
			require.NoError(t, err)

			assert.Equal(t, tt.file, doc.Name)
			assert.Equal(t, SchemaVersion, doc.Content.SchemaVersion)
			assert.Equal(t, tt.params, doc.ParameterNames(), "ParameterNames is sorted and complete")
			for name, p := range doc.Content.Parameters {
				_, err := regexp.Compile(p.AllowedPattern)
				assert.NoError(t, err, "parameter %s allowedPattern compiles", name)
			}

			size, err := doc.Size()
			require.NoError(t, err)
			assert.Less(t, size, MaxContentBytes, "rendered size within SSM's limit")

			var names []string
			for _, s := range doc.Scripts {
				names = append(names, s.Name)
			}
			assert.Equal(t, tt.scripts, names, "scripts delivered")

			command := strings.Join(doc.Content.MainSteps[0].Inputs.RunCommand, "\n")
			assert.NotContains(t, command, scriptDirective, "every directive is replaced")
			for _, name := range tt.scripts {
				want, err := os.ReadFile("scripts/" + name)
				require.NoError(t, err)
				assert.Equal(t, string(want), string(embeddedScript(t, command, name)), "script %s round-trips", name)
			}
		})
	}
}

func TestRenderedDocumentsReferenceOnlyDeclaredParameters(t *testing.T) {
	ref := regexp.MustCompile(`\{\{\s*([A-Za-z0-9]+)\s*\}\}`)
	for _, tt := range documentCases {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := tt.render()
			require.NoError(t, err)
			step := doc.Content.MainSteps[0]
			command := strings.Join(step.Inputs.RunCommand, "\n")
			var shellParams []string
			for _, name := range tt.params {
				if name == step.Inputs.TimeoutSeconds.Parameter() {
					assert.NotContains(t, command, name, "%s sets the step's timeout only", name)
					continue
				}
				shellParams = append(shellParams, name)
				assert.Contains(t, command, "\"$SSM_"+name+"\"", "the script gets %s from its quoted environment variable", name)
			}
			var got []string
			for _, m := range ref.FindAllStringSubmatch(command, -1) {
				got = append(got, m[1])
			}
			assert.ElementsMatch(t, shellParams, got, "each parameter is referenced once, in its fallback line")
			assert.Equal(t, len(got), strings.Count(command, "{{"), "no other '{{' for SSM to misread")
		})
	}
}

func TestDocumentMapIsTheJSONContent(t *testing.T) {
	doc, err := Disk()
	require.NoError(t, err)
	m, err := doc.Map()
	require.NoError(t, err)
	b, err := doc.JSON()
	require.NoError(t, err)
	var want map[string]any
	require.NoError(t, json.Unmarshal(b, &want))
	assert.Equal(t, want, m)
	assert.Equal(t, "2.2", m["schemaVersion"])
	assert.Contains(t, m, "mainSteps")
}

func TestRenderRefusesBadDocuments(t *testing.T) {
	tests := []struct {
		name    string
		content Content
		wantErr string
	}{
		{
			name:    "old schema",
			content: Content{SchemaVersion: "1.2", MainSteps: []Step{shellStep()}},
			wantErr: "schemaVersion",
		},
		{
			name:    "no steps",
			content: Content{SchemaVersion: SchemaVersion},
			wantErr: "no mainSteps",
		},
		{
			name:    "other action",
			content: Content{SchemaVersion: SchemaVersion, MainSteps: []Step{{Action: "aws:runPowerShellScript", Name: "x", Inputs: StepInputs{RunCommand: []string{"x"}}}}},
			wantErr: "not aws:runShellScript",
		},
		{
			name:    "parameter without pattern",
			content: withParam(Parameter{Type: "String", InterpolationType: "ENV_VAR"}),
			wantErr: "anchored",
		},
		{
			name:    "unanchored pattern",
			content: withParam(Parameter{Type: "String", InterpolationType: "ENV_VAR", AllowedPattern: "[a-z]+"}),
			wantErr: "anchored",
		},
		{
			name:    "text interpolation",
			content: withParam(Parameter{Type: "String", AllowedPattern: "^[a-z]+$"}),
			wantErr: "ENV_VAR",
		},
		{
			name:    "not a string",
			content: withParam(Parameter{Type: "StringList", InterpolationType: "ENV_VAR", AllowedPattern: "^[a-z]+$"}),
			wantErr: "not String",
		},
		{
			name:    "timeout names no parameter",
			content: withTimeout("{{ y }}", "true", "^[0-9]{2,5}$"),
			wantErr: "timeoutSeconds names no parameter",
		},
		{
			name:    "timeout neither seconds nor a reference",
			content: withTimeout("one hour", "true", "^[0-9]{2,5}$"),
			wantErr: "neither seconds nor a {{ parameter }}",
		},
		{
			name:    "timeout parameter reaches the shell",
			content: withTimeout("{{ x }}", "sleep '{{ x }}'", "^[0-9]{2,5}$"),
			wantErr: "parameter x sets a timeout and must not reach the shell",
		},
		{
			name:    "timeout parameter read from the environment",
			content: withTimeout("{{ x }}", `sleep "$SSM_x"`, "^[0-9]{2,5}$"),
			wantErr: "must not reach the shell",
		},
		{
			name:    "timeout parameter admits more than digits",
			content: withTimeout("{{ x }}", "true", "^[0-9a-z]{2,5}$"),
			wantErr: "allowedPattern must admit digits only",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.content.validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestParseContentRefusesUnknownFields(t *testing.T) {
	_, err := parseContent([]byte("schemaVersion: \"2.2\"\nmainStep: []\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "mainStep")
}

func TestInlineScriptsRefusesBadNames(t *testing.T) {
	for _, name := range []string{"../documents.go", "missing.sh", "a b"} {
		t.Run(name, func(t *testing.T) {
			_, _, err := inlineScripts([]string{scriptDirective + name})
			assert.Error(t, err)
		})
	}
}

func shellStep() Step {
	return Step{Action: "aws:runShellScript", Name: "s", Inputs: StepInputs{RunCommand: []string{"true"}}}
}

// withTimeout is a document whose step runs command with the timeout
// given, and whose parameter x (without ENV_VAR) has the pattern given.
func withTimeout(timeout Timeout, command, pattern string) Content {
	step := Step{Action: "aws:runShellScript", Name: "s", Inputs: StepInputs{TimeoutSeconds: timeout, RunCommand: []string{command}}}
	return Content{SchemaVersion: SchemaVersion, MainSteps: []Step{step}, Parameters: map[string]Parameter{"x": {Type: "String", AllowedPattern: pattern}}}
}

func TestTimeoutJSON(t *testing.T) {
	tests := []struct {
		name    string
		timeout Timeout
		want    string
	}{
		{"seconds are a number", "600", `{"timeoutSeconds":600,"runCommand":null}`},
		{"a reference is a string", "{{ executionTimeout }}", `{"timeoutSeconds":"{{ executionTimeout }}","runCommand":null}`},
		{"unset is left out", "", `{"runCommand":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(StepInputs{TimeoutSeconds: tt.timeout})
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(got))
		})
	}
	assert.NoError(t, withTimeout("{{ x }}", "true", "^[0-9]{2,5}$").validate(), "a timeout parameter that stays out of the shell")
}

func withParam(p Parameter) Content {
	return Content{SchemaVersion: SchemaVersion, MainSteps: []Step{shellStep()}, Parameters: map[string]Parameter{"x": p}}
}

// embeddedScript extracts and unpacks the script that a rendered command
// writes to "$CASEFILE_DIR/<name>".
func embeddedScript(t *testing.T, command, name string) []byte {
	t.Helper()
	start := "base64 -d <<'" + heredocEnd + "' | gzip -dc > \"$CASEFILE_DIR/" + name + "\"\n"
	i := strings.Index(command, start)
	require.GreaterOrEqual(t, i, 0, "command writes %s", name)
	rest := command[i+len(start):]
	j := strings.Index(rest, "\n"+heredocEnd+"\n")
	require.GreaterOrEqual(t, j, 0, "here-document of %s ends", name)
	packed, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(rest[:j], "\n", ""))
	require.NoError(t, err)
	zr, err := gzip.NewReader(bytes.NewReader(packed))
	require.NoError(t, err)
	text, err := io.ReadAll(zr)
	require.NoError(t, err)
	return text
}
