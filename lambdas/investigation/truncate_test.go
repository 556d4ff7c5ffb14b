package investigation

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestTruncate(t *testing.T) {
	tests := []struct {
		name, s string
		max     int
		want    string
	}{
		{name: "fits", s: "abc", max: 3, want: "abc"},
		{name: "cut and marked", s: "abcdefgh", max: 6, want: "abc..."},
		{name: "cut before a character, not inside it", s: "ab\u00e9\u00e9\u00e9", max: 6, want: "ab..."},
		{name: "invalid UTF-8 replaced", s: "a\xffb", max: 10, want: "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Truncate(tt.s, tt.max)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, len(got), tt.max, "length of %q", got)
			assert.True(t, utf8.ValidString(got), "valid UTF-8: %q", got)
		})
	}
}
