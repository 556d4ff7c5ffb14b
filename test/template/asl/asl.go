// Package asl extracts the state machine definition from a synthesized
// CloudFormation template, with the intrinsic functions CDK put in it
// replaced by plausible values, so that the definition can be validated
// (asl-validator) and inspected without deploying.
package asl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Fake values of the pseudo parameters.
const (
	FakePartition = "aws"
	FakeRegion    = "us-east-1"
	FakeAccountID = "123456789012"
)

type template struct {
	Resources map[string]struct {
		Type       string
		Properties json.RawMessage
	}
}

// Definition returns the DefinitionString of the template's only
// AWS::StepFunctions::StateMachine, resolved: Fn::Join is joined, Ref and
// Fn::GetAtt of a Lambda function become a fake function ARN named after
// its logical ID, and the pseudo parameters become FakePartition,
// FakeRegion and FakeAccountID.
func Definition(templateJSON []byte) ([]byte, error) {
	var t template
	if err := json.Unmarshal(templateJSON, &t); err != nil {
		return nil, fmt.Errorf("decode template: %w", err)
	}
	var found []string
	for id, r := range t.Resources {
		if r.Type == "AWS::StepFunctions::StateMachine" {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("template has %d state machines, want 1: %v", len(found), found)
	}
	var props struct {
		DefinitionString any
	}
	if err := json.Unmarshal(t.Resources[found[0]].Properties, &props); err != nil {
		return nil, fmt.Errorf("decode state machine %s: %w", found[0], err)
	}
	if props.DefinitionString == nil {
		return nil, fmt.Errorf("state machine %s has no DefinitionString", found[0])
	}
	def, err := t.resolve(props.DefinitionString)
	if err != nil {
		return nil, fmt.Errorf("resolve the definition of %s: %w", found[0], err)
	}
	if !json.Valid([]byte(def)) {
		return nil, fmt.Errorf("the resolved definition of %s is not JSON", found[0])
	}
	return []byte(def), nil
}

// resolve turns an intrinsic function (or a string) into a string.
func (t template) resolve(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if len(v) != 1 {
			return "", fmt.Errorf("not an intrinsic function: %v", v)
		}
		for fn, arg := range v {
			switch fn {
			case "Fn::Join":
				return t.join(arg)
			case "Ref":
				name, _ := arg.(string)
				return t.ref(name), nil
			case "Fn::GetAtt":
				return t.getAtt(arg)
			}
			return "", fmt.Errorf("unsupported intrinsic function %s", fn)
		}
	}
	return "", fmt.Errorf("cannot resolve %T", v)
}

func (t template) join(arg any) (string, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return "", errors.New("Fn::Join takes a delimiter and a list")
	}
	delimiter, _ := args[0].(string)
	parts, _ := args[1].([]any)
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		s, err := t.resolve(p)
		if err != nil {
			return "", err
		}
		out = append(out, s)
	}
	return strings.Join(out, delimiter), nil
}

func (t template) ref(name string) string {
	switch name {
	case "AWS::Partition":
		return FakePartition
	case "AWS::Region":
		return FakeRegion
	case "AWS::AccountId":
		return FakeAccountID
	case "AWS::URLSuffix":
		return "amazonaws.com"
	}
	// Ref of a resource is its physical name or ID: the logical ID stands in.
	return name
}

func (t template) getAtt(arg any) (string, error) {
	args, ok := arg.([]any)
	if !ok || len(args) != 2 {
		return "", errors.New("Fn::GetAtt takes a logical ID and an attribute")
	}
	id, _ := args[0].(string)
	attr, _ := args[1].(string)
	if attr != "Arn" {
		return id + "." + attr, nil
	}
	return t.fakeARN(id), nil
}

// fakeARN returns a plausible ARN for the resource id, named after id.
func (t template) fakeARN(id string) string {
	prefix := "arn:" + FakePartition + ":"
	switch t.Resources[id].Type {
	case "AWS::Lambda::Function":
		return prefix + "lambda:" + FakeRegion + ":" + FakeAccountID + ":function:" + id
	case "AWS::SNS::Topic":
		return prefix + "sns:" + FakeRegion + ":" + FakeAccountID + ":" + id
	case "AWS::DynamoDB::Table":
		return prefix + "dynamodb:" + FakeRegion + ":" + FakeAccountID + ":table/" + id
	case "AWS::S3::Bucket":
		return prefix + "s3:::" + strings.ToLower(id)
	}
	return prefix + "cloudformation:" + FakeRegion + ":" + FakeAccountID + ":" + id
}
