package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Limits on a policy. It travels in a Lambda environment variable, and all
// of a function's variables together may hold 4 KiB.
const (
	MaxBytes = 3 * 1024
	MaxRules = 64
)

var (
	ruleNamePattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	typeTextPattern     = regexp.MustCompile(`^[\x20-\x7e]{1,512}$`)
	customActionPattern = regexp.MustCompile(`^[A-Za-z0-9]{1,20}$`)
)

// globReserved are characters that other glob dialects give a meaning
// (classes, escapes); a pattern may not hold them, so that nobody writes a
// class that would match itself literally.
const globReserved = `[]\`

// Parse decodes and checks a policy written as JSON: unknown or repeated
// keys, keys that differ from a field's name only by case, values of the
// wrong kind, and invalid values are refused. The error is an *Error
// naming the field, such as isolationPolicy.rules[2].action. Empty input
// (or only white space) is the default policy.
func Parse(raw []byte) (Policy, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return Policy{}, nil
	}
	if len(raw) > MaxBytes {
		return Policy{}, invalid(Field, "is %d bytes of JSON, more than the %d allowed (it travels in a Lambda environment variable)", len(raw), MaxBytes)
	}
	if err := checkShape(raw); err != nil {
		return Policy{}, err
	}
	var p Policy
	var given givenPolicy
	if err := errors.Join(json.Unmarshal(raw, &p), json.Unmarshal(raw, &given)); err != nil {
		// checkShape lets through only what decodes; this is a safety net.
		return Policy{}, invalid(Field, "cannot be decoded: %v", err)
	}
	if err := p.validate(given.Rules); err != nil {
		return Policy{}, err
	}
	p.normalize()
	return p, nil
}

// givenPolicy holds the matcher keys of a policy's rules as its JSON gives
// them, so that a key given with an empty value can be told from a key
// left out, which a Rule's strings cannot.
type givenPolicy struct {
	Rules []givenMatchers `json:"rules"`
}

// givenMatchers are a rule's matcher keys: nil when a key is not given.
type givenMatchers struct {
	TypePrefix   *string `json:"typePrefix"`
	TypePattern  *string `json:"typePattern"`
	CustomAction *string `json:"customAction"`
}

// normalize makes empty lists nil, so that a policy equals its encoding
// parsed again.
func (p *Policy) normalize() {
	if len(p.Rules) == 0 {
		p.Rules = nil
	}
	for i := range p.Rules {
		if len(p.Rules[i].Measures) == 0 {
			p.Rules[i].Measures = nil
		}
	}
}

// validate checks the policy. given are its rules' matcher keys as the
// JSON gives them, by rule (nil for rules built in code, whose empty
// strings are keys left out).
func (p Policy) validate(given []givenMatchers) error {
	if p.UnknownAction != "" && !validAction(p.UnknownAction) {
		return invalid(Field+".unknownAction", "must be ISOLATE or NONE, not %s", quote(string(p.UnknownAction)))
	}
	if len(p.Rules) > MaxRules {
		return invalid(Field+".rules", "has %d rules, more than the %d allowed", len(p.Rules), MaxRules)
	}
	seen := make(map[string]int, len(p.Rules))
	for i, r := range p.Rules {
		path := fmt.Sprintf("%s.rules[%d]", Field, i)
		var g givenMatchers
		if i < len(given) {
			g = given[i]
		}
		if err := r.validate(path, g); err != nil {
			return err
		}
		if first, twice := seen[r.Name]; twice {
			return invalid(path+".name", "repeats the name of rules[%d], %s", first, quote(r.Name))
		}
		seen[r.Name] = i
	}
	return nil
}

func (r Rule) validate(path string, given givenMatchers) error {
	switch {
	case r.Name == "":
		return invalid(path+".name", "is required")
	case r.Name == UnknownRule:
		return invalid(path+".name", "may not be %s, which names decisions that no rule made", quote(UnknownRule))
	case !ruleNamePattern.MatchString(r.Name):
		return invalid(path+".name", "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit, not %s", quote(r.Name))
	}
	// A matcher given with no value, or only spaces, beside a real one
	// would otherwise pass as left out.
	for _, m := range []struct {
		field string
		value *string
	}{{"typePrefix", given.TypePrefix}, {"typePattern", given.TypePattern}, {"customAction", given.CustomAction}} {
		if m.value != nil && *m.value == "" {
			return invalid(path+"."+m.field, "is empty: give the matcher a value, or leave the key out")
		}
	}
	for _, m := range []struct{ field, value string }{{"typePrefix", r.TypePrefix}, {"typePattern", r.TypePattern}} {
		if m.value != "" && strings.TrimSpace(m.value) == "" {
			return invalid(path+"."+m.field, "must not be only spaces")
		}
	}
	matchers := 0
	for _, m := range []string{r.TypePrefix, r.TypePattern, r.CustomAction} {
		if m != "" {
			matchers++
		}
	}
	if matchers != 1 {
		return invalid(path, "must set exactly one of typePrefix, typePattern and customAction, not %d", matchers)
	}
	switch {
	case r.TypePrefix != "" && !typeTextPattern.MatchString(r.TypePrefix):
		return invalid(path+".typePrefix", "must be 1 to 512 printable ASCII characters")
	case r.TypePattern != "":
		if err := checkGlob(r.TypePattern); err != "" {
			return invalid(path+".typePattern", "%s", err)
		}
	case r.CustomAction != "" && !customActionPattern.MatchString(r.CustomAction):
		return invalid(path+".customAction", "must be a Security Hub custom action ID (1 to 20 letters or digits, the last segment of its ARN), not %s", quote(r.CustomAction))
	}
	if !validAction(r.Action) {
		if r.Action == "" {
			return invalid(path+".action", "is required (ISOLATE or NONE)")
		}
		return invalid(path+".action", "must be ISOLATE or NONE, not %s", quote(string(r.Action)))
	}
	if len(r.Measures) > 0 && r.Action != investigation.IsolationIsolate {
		return invalid(path+".measures", "must be empty when action is %s", r.Action)
	}
	for i, m := range r.Measures {
		field := fmt.Sprintf("%s.measures[%d]", path, i)
		if !slices.Contains(allMeasures(), m) {
			return invalid(field, "must be one of %s, not %s", measureList(), quote(string(m)))
		}
		if slices.Index(r.Measures, m) != i {
			return invalid(field, "repeats %s", m)
		}
	}
	return nil
}

// checkGlob returns what is wrong with a type pattern, or "".
func checkGlob(pattern string) string {
	if !typeTextPattern.MatchString(pattern) {
		return "must be a glob of 1 to 512 printable ASCII characters"
	}
	if i := strings.IndexAny(pattern, globReserved); i >= 0 {
		return fmt.Sprintf("holds %q at %d: only '*' (any run of characters) and '?' (one character) are wildcards; classes and escapes are not supported", pattern[i], i)
	}
	return ""
}

func validAction(a investigation.IsolationAction) bool {
	return slices.Contains(investigation.IsolationActions, a)
}

// allMeasures returns every measure, EC2's then EKS's.
func allMeasures() []investigation.MeasureName {
	return slices.Concat(investigation.EC2Measures, investigation.EKSMeasures)
}

func measureList() string {
	names := make([]string, 0, len(allMeasures()))
	for _, m := range allMeasures() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ")
}
