package investigation

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// RequestField is the Field of a ValidationError about the request as a
// whole rather than one of its fields: too large, not JSON, not an object,
// data after the object.
const RequestField = "(request)"

// Bounds on the text of a ValidationError. A rejection's field and problem
// go into the case record, the Step Functions error cause and the
// notification, so hostile input must not be able to grow them: a longer
// text is cut on a character boundary and ends with "…".
const (
	MaxFieldBytes   = 256
	MaxProblemBytes = 256
)

// ValidationError says which field of a request is wrong and why.
type ValidationError struct {
	// Field is never empty. It is the JSON path of the field, such as
	// forensicId, resource.eks.clusterName or disk.snapshots[1].sizeGiB, or
	// RequestField. A key that is empty or holds other than ASCII letters,
	// digits, '_' and '-' is shown as a Go-quoted ASCII string, such as
	// resource."x y", "" (an empty key at the top) or "foren\u017ficId".
	// At most MaxFieldBytes.
	Field string
	// Problem says what is wrong with it; at most MaxProblemBytes.
	Problem string
}

func (e *ValidationError) Error() string {
	field := e.Field
	if field == "" {
		field = RequestField
	}
	return "invalid request: " + bound(field, MaxFieldBytes) + ": " + bound(e.Problem, MaxProblemBytes)
}

// invalid returns the ValidationError of field, with its text bounded.
func invalid(field, format string, args ...any) *ValidationError {
	if field == "" {
		field = RequestField
	}
	return &ValidationError{
		Field:   bound(field, MaxFieldBytes),
		Problem: bound(fmt.Sprintf(format, args...), MaxProblemBytes),
	}
}

// ellipsis ends a text that bound cut.
const ellipsis = "…"

// bound returns s as valid UTF-8 of at most max bytes: cut on a character
// boundary and ended with an ellipsis when it is longer.
func bound(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	cut := max - len(ellipsis)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

// truncate shortens a value quoted in a problem.
func truncate(s string) string {
	const max = 32
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
