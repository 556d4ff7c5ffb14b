package cdktest

import (
	"slices"
	"strings"
)

// Statement is one IAM policy statement of a synthesized template, with its
// actions and resources flattened by Strings.
type Statement struct {
	Actions    []string
	Resources  []string
	Conditions map[string]any
}

// ResourcesJSON returns the statement's resources as one string, for
// substring checks on ARNs built from tokens.
func (s Statement) ResourcesJSON() string { return strings.Join(s.Resources, " ") }

// AllStatements returns the statements of every identity policy in the
// template: AWS::IAM::Policy, AWS::IAM::ManagedPolicy and the inline
// policies of AWS::IAM::Role.
func (r Resources) AllStatements() []Statement {
	var docs []any
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, p := range r.OfType(typ) {
			docs = append(docs, p.Properties["PolicyDocument"])
		}
	}
	for _, role := range r.OfType("AWS::IAM::Role") {
		docs = append(docs, inlinePolicies(role)...)
	}
	return statementsOf(docs...)
}

// RoleStatements returns the statements of the policies attached to the
// role with logical ID roleID, separate (AWS::IAM::Policy) or inline.
func (r Resources) RoleStatements(roleID string) []Statement {
	var docs []any
	for _, p := range r.OfType("AWS::IAM::Policy") {
		if slices.Contains(Strings(p.Properties["Roles"]), `{"Ref":"`+roleID+`"}`) {
			docs = append(docs, p.Properties["PolicyDocument"])
		}
	}
	if role, ok := r[roleID]; ok {
		docs = append(docs, inlinePolicies(role)...)
	}
	return statementsOf(docs...)
}

// inlinePolicies returns the policy documents of a role's inline policies.
func inlinePolicies(role Resource) []any {
	var docs []any
	list, _ := role.Properties["Policies"].([]any)
	for _, p := range list {
		docs = append(docs, AsMap(p)["PolicyDocument"])
	}
	return docs
}

// statementsOf returns the Allow statements of docs: what a role may do. A
// Deny only narrows it (EveryStatement reads those too).
func statementsOf(docs ...any) []Statement {
	var out []Statement
	for _, doc := range docs {
		list, _ := AsMap(doc)["Statement"].([]any)
		for _, e := range list {
			st := AsMap(e)
			if effect, _ := st["Effect"].(string); effect == "Deny" {
				continue
			}
			cond, _ := st["Condition"].(map[string]any)
			out = append(out, Statement{Actions: Strings(st["Action"]), Resources: Strings(st["Resource"]), Conditions: cond})
		}
	}
	return out
}

// Actions returns the sorted, distinct actions of statements.
func Actions(statements []Statement) []string {
	var out []string
	for _, st := range statements {
		out = append(out, st.Actions...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// WithAction returns the statements that allow action.
func WithAction(statements []Statement, action string) []Statement {
	var out []Statement
	for _, st := range statements {
		if slices.Contains(st.Actions, action) {
			out = append(out, st)
		}
	}
	return out
}
