package investigation

import (
	"strings"
	"unicode/utf8"
)

// Truncate returns s as valid UTF-8 of at most max bytes: whole when it
// fits, else cut at a character boundary and marked with "...". It keeps
// what Casefile records and notifies bounded whatever a cause or an API
// error holds.
func Truncate(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= max {
		return s
	}
	const mark = "..."
	cut := max - len(mark)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + mark
}
