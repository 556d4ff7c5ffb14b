// Package policy decides whether a case isolates the compromised resource:
// rules map Security Hub finding types and custom actions to an
// investigation.IsolationDecision. Casefile has built-in rules (Builtin);
// a deployment's policy (Parse) adds rules checked before them, can drop
// them, and says what findings that no rule matches get.
package policy

import "github.com/casefile-forensics/casefile/lambdas/investigation"

// Rule matches a finding type or a custom action and says what a case it
// matches gets. Exactly one of TypePrefix, TypePattern and CustomAction is
// set.
type Rule struct {
	// Name identifies the rule on the case record and in the notification.
	Name string `json:"name"`
	// TypePrefix matches a finding type that starts with it
	// (case-sensitive).
	TypePrefix string `json:"typePrefix,omitempty"`
	// TypePattern matches a whole finding type, case-sensitively: '*' is
	// any run of characters, '/' included, and '?' is one character
	// (Match).
	TypePattern string `json:"typePattern,omitempty"`
	// CustomAction matches the Security Hub custom action that sent the
	// finding, by its ID: the last segment of its ARN, such as
	// CasefileIsolate.
	CustomAction string `json:"customAction,omitempty"`
	// Action is ISOLATE or NONE.
	Action investigation.IsolationAction `json:"action"`
	// Measures are the measures an ISOLATE rule asks for; empty means
	// every measure that applies to the resource. A NONE rule has none.
	Measures []investigation.MeasureName `json:"measures,omitempty"`
}

// Policy is a deployment's isolation policy. Its zero value is the default
// policy: the built-in rules, and no isolation for unknown findings.
type Policy struct {
	// Rules are checked before the built-in rules.
	Rules []Rule `json:"rules,omitempty"`
	// UnknownAction is what a finding that no rule matches gets (or a case
	// without a finding); empty means NONE: it is investigated without
	// being isolated.
	UnknownAction investigation.IsolationAction `json:"unknownAction,omitempty"`
	// BuiltinRules, when false, drops the built-in rules; nil means true.
	BuiltinRules *bool `json:"builtinRules,omitempty"`
}

// UnknownRule is the Rule of a decision that no rule made.
const UnknownRule = "unknown-finding"

// unknownAction returns the action for findings that no rule matches.
func (p Policy) unknownAction() investigation.IsolationAction {
	if p.UnknownAction == "" {
		return investigation.IsolationNone
	}
	return p.UnknownAction
}

// usesBuiltin reports whether the built-in rules are checked.
func (p Policy) usesBuiltin() bool {
	return p.BuiltinRules == nil || *p.BuiltinRules
}
