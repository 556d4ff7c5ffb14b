package investigation

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCaseID(t *testing.T) {
	tests := []struct {
		name          string
		raw           string
		executionName string
		want          string
	}{
		{name: "well-formed ID", raw: `{"forensicId":"cf-2026-03-14-0001","forensicType":7}`, executionName: "x", want: "cf-2026-03-14-0001"},
		{name: "ID with shell characters", raw: `{"forensicId":"cf;rm -rf /"}`, executionName: "invalid-4f1c", want: "invalid-invalid-4f1c"},
		{name: "ID is a number", raw: `{"forensicId":12345}`, executionName: "exec-1", want: "invalid-exec-1"},
		{name: "not JSON", raw: `<xml/>`, executionName: "exec 1/2", want: "invalid-exec_1_2"},
		{name: "no execution name", raw: `{}`, executionName: "", want: "invalid-unnamed"},
		{name: "long execution name is cut", raw: `{}`, executionName: strings.Repeat("e", 80), want: "invalid-" + strings.Repeat("e", 56)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, CaseID([]byte(tt.raw), tt.executionName))
		})
	}
}

func TestExecutionName(t *testing.T) {
	assert.Equal(t, "cf-2026-03-14-0001-disk", ExecutionName("cf-2026-03-14-0001", ForensicTypeDisk))
	assert.Equal(t, "cf-2026-03-14-0001-memory", ExecutionName("cf-2026-03-14-0001", ForensicTypeMemory))
}

func TestReasonOf(t *testing.T) {
	for _, r := range Reasons {
		assert.Equal(t, r, ReasonOf(string(r)), "own reason %s maps to itself", r)
	}
	assert.Equal(t, ReasonInternal, ReasonOf("States.Timeout"))
	assert.Equal(t, ReasonInternal, ReasonOf("Lambda.ServiceException"))
	assert.Equal(t, ReasonInternal, ReasonOf(""))
}
