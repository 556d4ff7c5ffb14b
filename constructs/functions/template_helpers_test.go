package functions_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/functions"
)

// statement is one IAM policy statement of a synthesized template, with
// its actions and resources flattened to strings (non-string resources,
// such as Fn::Join, as their JSON).
type statement struct {
	Actions    []string
	Resources  []string
	Conditions map[string]any
}

// resourcesJSON returns the statement's resources as one string, for
// substring checks on ARNs built from tokens.
func (s statement) resourcesJSON() string { return strings.Join(s.Resources, " ") }

func strs(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			out = append(out, strs(e)...)
		}
		return out
	default:
		b, _ := json.Marshal(v)
		return []string{string(b)}
	}
}

// synthesized is a template as a Go value.
type synthesized struct {
	resources map[string]map[string]any
}

func synth(stack awscdk.Stack) synthesized {
	raw := assertions.Template_FromStack(stack, nil).ToJSON()
	b, err := json.Marshal(*raw)
	if err != nil {
		panic(err)
	}
	var tmpl struct {
		Resources map[string]map[string]any
	}
	if err := json.Unmarshal(b, &tmpl); err != nil {
		panic(err)
	}
	return synthesized{resources: tmpl.Resources}
}

func (s synthesized) ofType(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range s.resources {
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	return p
}

// function returns the logical ID and properties of the function called
// name, found by its construct path.
func (s synthesized) function(t *testing.T, stack awscdk.Stack, fns *functions.Functions, name functions.Name) (string, map[string]any) {
	t.Helper()
	child := fns.Function(name).Node().DefaultChild().(awscdk.CfnElement)
	id := *stack.GetLogicalId(child)
	r, ok := s.resources[id]
	require.True(t, ok, "function %s (%s) not in template", name, id)
	return id, props(r)
}

// roleStatements returns every statement of the policies attached to the
// role whose logical ID is roleID, inline or separate.
func (s synthesized) roleStatements(roleID string) []statement {
	var docs []any
	for _, p := range s.ofType("AWS::IAM::Policy") {
		if slices.Contains(strs(props(p)["Roles"]), `{"Ref":"`+roleID+`"}`) {
			docs = append(docs, props(p)["PolicyDocument"])
		}
	}
	if role, ok := s.resources[roleID]; ok {
		for _, inline := range asSlice(props(role)["Policies"]) {
			docs = append(docs, asMap(inline)["PolicyDocument"])
		}
	}
	return statementsOf(docs...)
}

// allStatements returns every statement of every policy and inline role
// policy in the template.
func (s synthesized) allStatements() []statement {
	var docs []any
	for _, p := range s.ofType("AWS::IAM::Policy") {
		docs = append(docs, props(p)["PolicyDocument"])
	}
	for _, r := range s.ofType("AWS::IAM::Role") {
		for _, inline := range asSlice(props(r)["Policies"]) {
			docs = append(docs, asMap(inline)["PolicyDocument"])
		}
	}
	return statementsOf(docs...)
}

func statementsOf(docs ...any) []statement {
	var out []statement
	for _, doc := range docs {
		for _, st := range asSlice(asMap(doc)["Statement"]) {
			m := asMap(st)
			cond, _ := m["Condition"].(map[string]any)
			out = append(out, statement{Actions: strs(m["Action"]), Resources: strs(m["Resource"]), Conditions: cond})
		}
	}
	return out
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

// actionsOf returns the sorted, distinct actions of statements.
func actionsOf(statements []statement) []string {
	var out []string
	for _, st := range statements {
		out = append(out, st.Actions...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// withAction returns the statements that allow action.
func withAction(statements []statement, action string) []statement {
	var out []statement
	for _, st := range statements {
		if slices.Contains(st.Actions, action) {
			out = append(out, st)
		}
	}
	return out
}
