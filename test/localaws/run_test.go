package localaws

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestExecutionName(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		wantName string
		wantType investigation.ForensicType
	}{
		{name: "disk", input: `{"forensicId":"case-1","forensicType":"DISK"}`, wantName: "case-1-disk", wantType: investigation.ForensicTypeDisk},
		{name: "memory", input: `{"forensicId":"case-1","forensicType":"MEMORY"}`, wantName: "case-1-memory", wantType: investigation.ForensicTypeMemory},
		{name: "bad id", input: `{"forensicId":"../x","forensicType":"DISK"}`, wantName: "invalid-", wantType: investigation.ForensicTypeDisk},
		{name: "bad type", input: `{"forensicId":"case-1","forensicType":"CPU"}`, wantName: "invalid-", wantType: "CPU"},
		{name: "not JSON", input: `nope`, wantName: "invalid-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			gotName, gotType := executionName([]byte(tc.input))
			assert.Contains(t, gotName, tc.wantName, "execution name")
			assert.Equal(t, tc.wantType, gotType, "forensic type")
		})
	}
}
