package notify

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestDetail(t *testing.T) {
	tests := []struct {
		name string
		err  *investigation.StepError
		want string
	}{
		{name: "no error", err: nil, want: ""},
		{
			name: "Lambda failure cause",
			err: &investigation.StepError{Error: "COMMAND_FAILED",
				Cause: `{"errorType":"COMMAND_FAILED","errorMessage":"command 0b1c: Failed (exit 3)","trace":["a","b"]}`},
			want: "command 0b1c: Failed (exit 3)",
		},
		{
			name: "Lambda failure with an empty message falls back to the name",
			err:  &investigation.StepError{Error: "INTERNAL_ERROR", Cause: `{"errorType":"x","errorMessage":""}`},
			want: "INTERNAL_ERROR",
		},
		{
			name: "plain text cause",
			err:  &investigation.StepError{Error: "INSTANCE_NOT_READY", Cause: "instance i-0a1b2c3d4e5f60718 not ready after 10 checks"},
			want: "instance i-0a1b2c3d4e5f60718 not ready after 10 checks",
		},
		{
			name: "JSON cause of another shape is kept as it is",
			err:  &investigation.StepError{Error: "States.TaskFailed", Cause: `{"message":"boom"}`},
			want: `{"message":"boom"}`,
		},
		{
			name: "no cause",
			err:  &investigation.StepError{Error: "States.Timeout"},
			want: "States.Timeout",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Detail(tt.err))
		})
	}
}

func TestDetailIsBounded(t *testing.T) {
	tests := []struct {
		name  string
		cause string
	}{
		{name: "long ASCII", cause: strings.Repeat("x", 10*MaxDetailBytes)},
		{name: "long multi-byte", cause: strings.Repeat("\u00e9", MaxDetailBytes)},
		{name: "invalid UTF-8", cause: strings.Repeat("a\xff", MaxDetailBytes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Detail(&investigation.StepError{Error: "X", Cause: tt.cause})
			assert.LessOrEqual(t, len(got), MaxDetailBytes)
			assert.True(t, utf8.ValidString(got), "valid UTF-8")
			assert.True(t, strings.HasSuffix(got, "..."), "cut is marked: %q", got[len(got)-8:])
		})
	}
}
