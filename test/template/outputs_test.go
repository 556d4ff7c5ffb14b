package template_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/deployment"
	"github.com/casefile-forensics/casefile/constructs/functions"
)

// templateFile is the template the cloud assembly of s holds, as the CDK
// CLI deploys it (key order included).
func templateFile(t *testing.T, s synthesized) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(s.outdir, *s.stack.Stack.TemplateFile()))
	require.NoError(t, err)
	return raw
}

func TestTheOutputsNameWhatOperatorsNeed(t *testing.T) {
	s := stacks.defaults
	svc := s.stack.Service
	tests := []struct {
		output string
		want   any
	}{
		{deployment.OutputStateMachineARN, svc.Workflow.StateMachine.StateMachineArn()},
		{deployment.OutputEvidenceBucket, svc.Storage.EvidenceBucket.BucketName()},
		{deployment.OutputResultsBucket, svc.Storage.ResultsBucket.BucketName()},
		{deployment.OutputCaseTable, svc.Cases.Table.TableName()},
		{deployment.OutputTopicARN, svc.Notifications.Topic.TopicArn()},
		{deployment.OutputAMIParameter, svc.Host.AMIParameter.ParameterName()},
		{deployment.OutputIsolationFunctionRoleARN, svc.Functions.Role(functions.Isolate).RoleArn()},
	}
	for _, tt := range tests {
		t.Run(tt.output, func(t *testing.T) {
			s.template.HasOutput(jsii.String(tt.output), map[string]any{"Value": s.stack.Stack.Resolve(tt.want)})
		})
	}
	assert.Len(t, *s.template.FindOutputs(jsii.String("*"), nil), len(tests), "every output is checked")
}

// TestTheOutputsAreInNameOrder reads the outputs' order in the template
// file, which JSON decoding into a map would hide.
func TestTheOutputsAreInNameOrder(t *testing.T) {
	var template struct {
		Outputs json.RawMessage
	}
	require.NoError(t, json.Unmarshal(templateFile(t, stacks.defaults), &template))
	dec := json.NewDecoder(bytes.NewReader(template.Outputs))
	_, err := dec.Token() // {
	require.NoError(t, err)
	var got []string
	for dec.More() {
		name, err := dec.Token()
		require.NoError(t, err)
		got = append(got, name.(string))
		var value json.RawMessage
		require.NoError(t, dec.Decode(&value))
	}

	require.NotEmpty(t, got)
	assert.Equal(t, slices.Sorted(slices.Values(got)), got)
}

// TestTheSameConfigurationGivesTheSameTemplate synthesizes cdk.json's
// configuration again: the template must not change by a byte, or every
// deployment would show a spurious difference.
func TestTheSameConfigurationGivesTheSameTemplate(t *testing.T) {
	context, err := cdkJSONContext()
	require.NoError(t, err)

	again := synth(filepath.Join(t.TempDir(), "again"), context)

	got, want := templateFile(t, again), templateFile(t, stacks.defaults)
	line, gotLine, wantLine := firstDifference(string(got), string(want))
	assert.True(t, bytes.Equal(got, want), "the second synth differs from the first at line %d:\n got: %s\nwant: %s",
		line, gotLine, wantLine)
}

// firstDifference returns the first line (from 1) where got and want
// differ, and that line of each; 0 when they are the same.
func firstDifference(got, want string) (line int, gotLine, wantLine string) {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		gotLine, wantLine = lineAt(g, i), lineAt(w, i)
		if gotLine != wantLine || i >= len(g) || i >= len(w) {
			return i + 1, gotLine, wantLine
		}
	}
	return 0, "", ""
}

func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of template)"
}
