package policy

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, typ string
		want         bool
	}{
		{"Backdoor:EC2/Spambot", "Backdoor:EC2/Spambot", true},
		{"Backdoor:EC2/Spambot", "Backdoor:EC2/SpambotX", false},
		{"Backdoor:EC2/Spambot", "XBackdoor:EC2/Spambot", false},
		{"backdoor:*", "Backdoor:EC2/Spambot", false},
		{"*Backdoor:*", "Backdoor:EC2/Spambot", true},
		{"*Backdoor:*", "TTPs/Command and Control/Backdoor:EC2-Spambot", true},
		{"*Backdoor:EC2?Spambot", "Backdoor:EC2/Spambot", true},
		{"*Backdoor:EC2?Spambot", "TTPs/Command and Control/Backdoor:EC2-Spambot", true},
		{"*Backdoor:EC2?Spambot", "Backdoor:EC2Spambot", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*", "", true},
		{"", "", true},
		{"", "a", false},
		{"a*", "a", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"**a**", "bab", true},
		{"*?", "", false},
		{"*.B!DNS", "Backdoor:EC2/C&CActivity.B!DNS", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Match(tt.pattern, tt.typ), "Match(%q, %q)", tt.pattern, tt.typ)
	}
}

// TestMatchIsNotExponential: a pattern of many stars against a long type
// that does not match returns at once (a backtracking matcher would not).
func TestMatchIsNotExponential(t *testing.T) {
	pattern := strings.Repeat("*a", 200) + "b"
	typ := strings.Repeat("a", 512)
	assert.False(t, Match(pattern, typ))
}
