package cdktest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/cdktest"
)

func policy(statements ...any) map[string]any {
	return map[string]any{"Statement": statements}
}

// template has a role with an inline policy and a separate one, a second
// role with a separate policy, and a managed policy.
var template = cdktest.Resources{
	"Role": {Type: "AWS::IAM::Role", Properties: map[string]any{"Policies": []any{
		map[string]any{"PolicyName": "inline", "PolicyDocument": policy(
			map[string]any{"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "*"},
		)},
	}}},
	"RolePolicy": {Type: "AWS::IAM::Policy", Properties: map[string]any{
		"Roles": []any{map[string]any{"Ref": "Role"}},
		"PolicyDocument": policy(
			map[string]any{"Effect": "Allow", "Action": []any{"s3:GetObject", "kms:Decrypt"},
				"Resource": []any{"arn:aws:s3:::bucket/*", map[string]any{"Fn::GetAtt": []any{"Key", "Arn"}}}},
			map[string]any{"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "*",
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/ManagedBy": "casefile"}}},
		),
	}},
	"Other": {Type: "AWS::IAM::Role"},
	"OtherPolicy": {Type: "AWS::IAM::Policy", Properties: map[string]any{
		"Roles":          []any{map[string]any{"Ref": "Other"}},
		"PolicyDocument": policy(map[string]any{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}),
	}},
	"Managed": {Type: "AWS::IAM::ManagedPolicy", Properties: map[string]any{
		"PolicyDocument": policy(map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}),
	}},
	"Bucket": {Type: "AWS::S3::Bucket"},
}

func TestResources_Statements(t *testing.T) {
	tests := []struct {
		name        string
		statements  []cdktest.Statement
		wantActions []string
	}{
		{name: "a role's separate and inline policies", statements: template.RoleStatements("Role"),
			wantActions: []string{"ec2:TerminateInstances", "kms:Decrypt", "logs:PutLogEvents", "s3:GetObject"}},
		{name: "another role's policy only", statements: template.RoleStatements("Other"),
			wantActions: []string{"sns:Publish"}},
		{name: "no role, no statement", statements: template.RoleStatements("Missing")},
		{name: "every identity policy", statements: template.AllStatements(),
			wantActions: []string{"ec2:TerminateInstances", "kms:Decrypt", "logs:PutLogEvents", "s3:GetObject", "sns:Publish"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantActions, cdktest.Actions(tt.statements))
		})
	}
}

func TestWithAction(t *testing.T) {
	got := cdktest.WithAction(template.RoleStatements("Role"), "kms:Decrypt")

	want := []cdktest.Statement{{
		Actions:   []string{"s3:GetObject", "kms:Decrypt"},
		Resources: []string{"arn:aws:s3:::bucket/*", `{"Fn::GetAtt":["Key","Arn"]}`},
	}}
	assert.Equal(t, want, got)
	assert.Equal(t, `arn:aws:s3:::bucket/* {"Fn::GetAtt":["Key","Arn"]}`, got[0].ResourcesJSON())
}

func TestWithAction_KeepsConditions(t *testing.T) {
	got := cdktest.WithAction(template.AllStatements(), "ec2:TerminateInstances")

	want := map[string]any{"StringEquals": map[string]any{"aws:ResourceTag/ManagedBy": "casefile"}}
	require.Len(t, got, 1)
	assert.Equal(t, want, got[0].Conditions)
}

func TestResources_OfType(t *testing.T) {
	got := template.OfType("AWS::IAM::Role")

	assert.ElementsMatch(t, []string{"Role", "Other"}, keys(got))
}

func keys(r cdktest.Resources) []string {
	var out []string
	for id := range r {
		out = append(out, id)
	}
	return out
}

func TestStrings(t *testing.T) {
	tests := []struct {
		name string
		in   any
		want []string
	}{
		{name: "nil", in: nil, want: nil},
		{name: "string", in: "s3:GetObject", want: []string{"s3:GetObject"}},
		{name: "nested arrays", in: []any{"a", []any{"b", "c"}}, want: []string{"a", "b", "c"}},
		{name: "intrinsic as JSON", in: map[string]any{"Ref": "Role"}, want: []string{`{"Ref":"Role"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cdktest.Strings(tt.in))
		})
	}
}
