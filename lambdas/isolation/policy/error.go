package policy

import (
	"fmt"
	"unicode/utf8"
)

// Field is the root of the path an Error names: the policy is the
// isolationPolicy setting of the deployment's configuration.
const Field = "isolationPolicy"

// Error says which field of a policy is wrong and why.
type Error struct {
	// Field is the JSON path of the field, such as
	// isolationPolicy.rules[2].action, or Field for the policy as a whole.
	Field string
	// Problem says what is wrong with it.
	Problem string
}

func (e *Error) Error() string {
	return e.Field + ": " + e.Problem
}

func invalid(field, format string, args ...any) *Error {
	return &Error{Field: field, Problem: fmt.Sprintf(format, args...)}
}

// quote returns s quoted for a problem, cut to a few characters so that a
// hostile value cannot grow the error.
func quote(s string) string {
	const max = 40
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return fmt.Sprintf("%q", s)
}
