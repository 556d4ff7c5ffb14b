package template_test

import (
	"encoding/json"
	"slices"
	"strings"
)

// statement is one IAM policy statement, with its actions and resources
// flattened to strings (a non-string resource, such as Fn::Join, as JSON).
type statement struct {
	Actions    []string
	Resources  []string
	Conditions map[string]any
}

func (st statement) resourcesJSON() string { return strings.Join(st.Resources, " ") }

func strs(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, strs(e)...)
		}
		return out
	default:
		b, _ := json.Marshal(v)
		return []string{string(b)}
	}
}

func statementsOf(docs ...any) []statement {
	var out []statement
	for _, doc := range docs {
		m, _ := doc.(map[string]any)
		list, _ := m["Statement"].([]any)
		for _, e := range list {
			st, _ := e.(map[string]any)
			cond, _ := st["Condition"].(map[string]any)
			out = append(out, statement{Actions: strs(st["Action"]), Resources: strs(st["Resource"]), Conditions: cond})
		}
	}
	return out
}

// allStatements returns the statements of every identity policy in the
// template: AWS::IAM::Policy, AWS::IAM::ManagedPolicy and the inline
// policies of AWS::IAM::Role.
func (s synthesized) allStatements() []statement {
	var docs []any
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, p := range s.ofType(typ) {
			docs = append(docs, p.Properties["PolicyDocument"])
		}
	}
	for _, r := range s.ofType("AWS::IAM::Role") {
		inline, _ := r.Properties["Policies"].([]any)
		for _, p := range inline {
			m, _ := p.(map[string]any)
			docs = append(docs, m["PolicyDocument"])
		}
	}
	return statementsOf(docs...)
}

// roleStatements returns the statements of the policies attached to the
// role with logical ID roleID.
func (s synthesized) roleStatements(roleID string) []statement {
	var docs []any
	for _, p := range s.ofType("AWS::IAM::Policy") {
		if slices.Contains(strs(p.Properties["Roles"]), `{"Ref":"`+roleID+`"}`) {
			docs = append(docs, p.Properties["PolicyDocument"])
		}
	}
	if r, ok := s.resources[roleID]; ok {
		inline, _ := r.Properties["Policies"].([]any)
		for _, p := range inline {
			m, _ := p.(map[string]any)
			docs = append(docs, m["PolicyDocument"])
		}
	}
	return statementsOf(docs...)
}

func actionsOf(statements []statement) []string {
	var out []string
	for _, st := range statements {
		out = append(out, st.Actions...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func withAction(statements []statement, action string) []statement {
	var out []statement
	for _, st := range statements {
		if slices.Contains(st.Actions, action) {
			out = append(out, st)
		}
	}
	return out
}
