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
		{name: "ID with '..'", raw: `{"forensicId":"case..0005"}`, executionName: "exec-2", want: "invalid-exec-2"},
		{name: "only the exact key counts", raw: `{"forensicId":"cf-1","FORENSICID":"cf-evil","forenſicId":"cf-evil"}`, executionName: "x", want: "cf-1"},
		{name: "a case variant alone is no ID", raw: `{"FORENSICID":"cf-evil"}`, executionName: "exec-3", want: "invalid-exec-3"},
		{name: "ID given twice", raw: `{"forensicId":"cf-1","forensicId":"cf-2"}`, executionName: "exec-4", want: "invalid-exec-4"},
		{name: "nested forensicId is not the case's", raw: `{"resource":{"forensicId":"cf-1"}}`, executionName: "exec-5", want: "invalid-exec-5"},
		{name: "array", raw: `["cf-1"]`, executionName: "exec-6", want: "invalid-exec-6"},
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

func TestParseExecutionName(t *testing.T) {
	tests := []struct {
		name     string
		execName string
		wantID   string
		wantType ForensicType
		wantOK   bool
	}{
		{name: "disk", execName: "cf-2026-03-14-0001-disk", wantID: "cf-2026-03-14-0001", wantType: ForensicTypeDisk, wantOK: true},
		{name: "memory", execName: "cf-2026-03-14-0001-memory", wantID: "cf-2026-03-14-0001", wantType: ForensicTypeMemory, wantOK: true},
		{name: "ID ending like a type", execName: "case-disk-memory", wantID: "case-disk", wantType: ForensicTypeMemory, wantOK: true},
		{name: "upper-case type", execName: "cf-1234-DISK"},
		{name: "no type", execName: "cf-2026-03-14-0001"},
		{name: "ID too short", execName: "cf-disk"},
		{name: "ID with invalid characters", execName: "cf;rm-disk"},
		{name: "rejected request", execName: "invalid-4f1c2d"},
		{name: "ID with '..'", execName: "case..0005-disk"},
		{name: "empty", execName: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, ft, ok := ParseExecutionName(tt.execName)
			assert.Equal(t, tt.wantOK, ok, "ok")
			assert.Equal(t, tt.wantID, id, "forensic ID")
			assert.Equal(t, tt.wantType, ft, "forensic type")
		})
	}
	for _, ft := range []ForensicType{ForensicTypeDisk, ForensicTypeMemory} {
		id, gotType, ok := ParseExecutionName(ExecutionName("INC_2026.03-07", ft))
		assert.True(t, ok, "the name of %s parses", ft)
		assert.Equal(t, "INC_2026.03-07", id, "forensic ID of the %s name", ft)
		assert.Equal(t, ft, gotType, "round trip of %s", ft)
	}
}

func TestReasonOf(t *testing.T) {
	for _, r := range Reasons {
		assert.Equal(t, r, ReasonOf(string(r)), "own reason %s maps to itself", r)
	}
	assert.Equal(t, ReasonInternal, ReasonOf("States.Timeout"))
	assert.Equal(t, ReasonInternal, ReasonOf("Lambda.ServiceException"))
	assert.Equal(t, ReasonInternal, ReasonOf(""))
}

func TestRequestHead(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		wantID   string
		wantType string
	}{
		{name: "both", raw: `{"forensicType":"DISK","resource":{},"forensicId":"cf-1"}`, wantID: "cf-1", wantType: "DISK"},
		{name: "invalid values are returned as they are", raw: `{"forensicId":"a;b","forensicType":"NETWORK"}`, wantID: "a;b", wantType: "NETWORK"},
		{name: "not strings", raw: `{"forensicId":7,"forensicType":["DISK"]}`},
		{name: "given twice", raw: `{"forensicId":"cf-1","forensicType":"DISK","forensicType":"MEMORY","forensicId":"cf-1"}`},
		{name: "case variants", raw: `{"ForensicId":"cf-1","FORENSICTYPE":"DISK"}`},
		{name: "broken JSON", raw: `{"forensicId":"cf-1",`},
		{name: "empty", raw: ``},
		{name: "null", raw: `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, typ := RequestHead([]byte(tt.raw))
			assert.Equal(t, tt.wantID, id, "forensicId")
			assert.Equal(t, tt.wantType, typ, "forensicType")
		})
	}
}
