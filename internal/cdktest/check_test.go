package cdktest_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/internal/cdktest"
)

// recordingTB records the errors reported to it.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name      string
		assertion func()
		want      []string
	}{
		{name: "a passing assertion reports nothing", assertion: func() {}},
		{name: "a panicking assertion reports its value", assertion: func() { panic("Template has 0 resources with type X") },
			want: []string{"Template has 0 resources with type X"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := &recordingTB{TB: t}

			cdktest.Check(tb, tt.assertion)

			assert.Equal(t, tt.want, tb.errors)
		})
	}
}
