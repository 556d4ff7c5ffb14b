package asl_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/test/template/asl"
)

func TestDefinitionResolvesTheIntrinsicFunctions(t *testing.T) {
	template := `{"Resources": {
		"Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
		"Machine": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": {"Fn::Join": ["", [
			"{\"StartAt\":\"A\",\"States\":{\"A\":{\"Type\":\"Task\",\"Resource\":\"",
			{"Fn::GetAtt": ["Fn", "Arn"]},
			"\",\"Comment\":\"",
			{"Ref": "AWS::Partition"}, ":", {"Ref": "AWS::Region"}, ":", {"Ref": "AWS::AccountId"},
			"\",\"End\":true}}}"
		]]}}}
	}}`

	got, err := asl.Definition([]byte(template))

	require.NoError(t, err)
	assert.JSONEq(t, `{"StartAt":"A","States":{"A":{"Type":"Task",
		"Resource":"arn:aws:lambda:us-east-1:123456789012:function:Fn","Comment":"aws:us-east-1:123456789012","End":true}}}`,
		string(got))
}

func TestDefinitionRefusesTemplatesItCannotResolve(t *testing.T) {
	tests := []struct {
		name     string
		template string
		want     string
	}{
		{"not JSON", `{`, "decode template"},
		{"no state machine", `{"Resources": {}}`, "0 state machines"},
		{"two state machines", `{"Resources": {
			"A": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": "{}"}},
			"B": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {"DefinitionString": "{}"}}}}`, "2 state machines"},
		{"no definition string", `{"Resources": {"A": {"Type": "AWS::StepFunctions::StateMachine", "Properties": {}}}}`,
			"has no DefinitionString"},
		{"unsupported function", `{"Resources": {"A": {"Type": "AWS::StepFunctions::StateMachine",
			"Properties": {"DefinitionString": {"Fn::Sub": "x"}}}}}`, "unsupported intrinsic function Fn::Sub"},
		{"result not JSON", `{"Resources": {"A": {"Type": "AWS::StepFunctions::StateMachine",
			"Properties": {"DefinitionString": {"Fn::Join": ["", ["{", "x"]]}}}}}`, "is not JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := asl.Definition([]byte(tt.template))

			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}
