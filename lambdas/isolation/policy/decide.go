package policy

import (
	"slices"
	"strings"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// sourcedRule is a rule with where it came from.
type sourcedRule struct {
	Rule
	source string
}

// rules returns the rules in the order they are checked: the policy's,
// then the built-in ones unless the policy drops them.
func (p Policy) rules() []sourcedRule {
	out := make([]sourcedRule, 0, len(p.Rules)+len(Builtin()))
	for _, r := range p.Rules {
		out = append(out, sourcedRule{r, investigation.RuleSourceConfig})
	}
	if p.usesBuiltin() {
		for _, r := range Builtin() {
			out = append(out, sourcedRule{r, investigation.RuleSourceBuiltin})
		}
	}
	return out
}

// matchesType reports whether the rule's type matcher matches t; a custom
// action rule matches no type.
func (r Rule) matchesType(t string) bool {
	switch {
	case r.TypePrefix != "":
		return strings.HasPrefix(t, r.TypePrefix)
	case r.TypePattern != "":
		return Match(r.TypePattern, t)
	}
	return false
}

// Decide returns what the policy decides for a case opened by f (nil when
// the case has no finding).
//
// A custom action that a rule matches decides first: an analyst chose.
// Otherwise each of the finding's types takes the first rule that matches
// it, and ISOLATE wins over NONE across the types; the decision names the
// first type's rule that isolates (else the first type's rule that
// matched), and asks for the measures of every isolating rule together
// (all measures when one of them asks for all). A finding that no rule
// matches, or no finding, gets the policy's action for unknown findings.
func (p Policy) Decide(f *investigation.Finding) investigation.IsolationDecision {
	rules := p.rules()
	if f != nil {
		if id := f.CustomActionID(); id != "" {
			if i := slices.IndexFunc(rules, func(r sourcedRule) bool { return r.CustomAction == id }); i >= 0 {
				return decision(rules[i], id, rules[i].Measures)
			}
		}
	}
	var first, firstIsolate *sourcedRule
	var firstType, firstIsolateType string
	var measures [][]investigation.MeasureName
	for _, t := range findingTypes(f) {
		i := slices.IndexFunc(rules, func(r sourcedRule) bool { return r.matchesType(t) })
		if i < 0 {
			continue
		}
		r := &rules[i]
		if first == nil {
			first, firstType = r, t
		}
		if r.Action == investigation.IsolationIsolate {
			if firstIsolate == nil {
				firstIsolate, firstIsolateType = r, t
			}
			measures = append(measures, r.Measures)
		}
	}
	switch {
	case firstIsolate != nil:
		return decision(*firstIsolate, firstIsolateType, union(measures))
	case first != nil:
		return decision(*first, firstType, nil)
	}
	return investigation.IsolationDecision{
		Action: p.unknownAction(),
		Rule:   UnknownRule,
		Source: investigation.RuleSourceUnknown,
	}
}

func findingTypes(f *investigation.Finding) []string {
	if f == nil {
		return nil
	}
	return f.Types
}

func decision(r sourcedRule, matched string, measures []investigation.MeasureName) investigation.IsolationDecision {
	if r.Action != investigation.IsolationIsolate {
		measures = nil
	}
	return investigation.IsolationDecision{
		Action:   r.Action,
		Rule:     r.Name,
		Source:   r.source,
		Matched:  matched,
		Measures: slices.Clone(measures),
	}
}

// union returns the measures that any of sets asks for, in the order of
// allMeasures, or nil (every measure) when one of the sets is empty.
func union(sets [][]investigation.MeasureName) []investigation.MeasureName {
	if slices.ContainsFunc(sets, func(set []investigation.MeasureName) bool { return len(set) == 0 }) {
		return nil
	}
	var out []investigation.MeasureName
	for _, m := range allMeasures() {
		if slices.ContainsFunc(sets, func(set []investigation.MeasureName) bool { return slices.Contains(set, m) }) {
			out = append(out, m)
		}
	}
	return out
}
