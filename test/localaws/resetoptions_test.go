package localaws

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/test/localaws/stacktemplate"
)

func TestResetOptionsReplaceTheTimeoutsTheyName(t *testing.T) {
	opts := ResetOptions{FunctionTimeouts: map[string]time.Duration{"notify": 6 * time.Second, "release": 0}}
	tests := []struct {
		name string
		fn   stacktemplate.Function
		want time.Duration
	}{
		{name: "named", fn: stacktemplate.Function{Handler: "notify", Timeout: 30 * time.Second}, want: 6 * time.Second},
		{name: "named with zero keeps the template's", fn: stacktemplate.Function{Handler: "release", Timeout: 300 * time.Second}, want: 300 * time.Second},
		{name: "not named", fn: stacktemplate.Function{Handler: "intake", Timeout: 30 * time.Second}, want: 30 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, opts.timeout(tc.fn), "timeout of %s", tc.fn.Handler)
		})
	}
	assert.Equal(t, 30*time.Second, ResetOptions{}.timeout(stacktemplate.Function{Handler: "intake", Timeout: 30 * time.Second}), "the zero value")
}
