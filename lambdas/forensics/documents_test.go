package forensics

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	ssmdocuments "github.com/casefile-forensics/casefile/ssm-documents"
)

// TestParametersMatchTheDocuments sends each forensics command and checks
// that its parameters are exactly those the rendered document declares and
// that each value passes the parameter's allowedPattern: SSM refuses a
// command with an undeclared, missing or non-matching parameter.
func TestParametersMatchTheDocuments(t *testing.T) {
	tests := []struct {
		name   string
		doc    func() (ssmdocuments.Document, error)
		starts func(t *testing.T) *fakeSSM
	}{
		{name: "disk", doc: ssmdocuments.Disk, starts: func(t *testing.T) *fakeSSM { return start(t, diskReady()) }},
		{name: "memory", doc: ssmdocuments.Memory, starts: func(t *testing.T) *fakeSSM { return start(t, memoryReady(t)) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := tt.doc()
			require.NoError(t, err)
			fake := tt.starts(t)

			require.Len(t, fake.sent, 1)
			var sent []string
			for name := range fake.sent[0].Parameters {
				sent = append(sent, name)
			}
			slices.Sort(sent)
			assert.Equal(t, doc.ParameterNames(), sent, "parameters of the %s document (want) and of the command (got)", doc.Name)
			for name, values := range fake.sent[0].Parameters {
				p, ok := doc.Content.Parameters[name]
				if !ok {
					continue
				}
				re := regexp.MustCompile(p.AllowedPattern)
				if assert.Len(t, values, 1, "%s is a String: one value", name) {
					assert.Regexp(t, re, values[0], "value of %s", name)
				}
			}
		})
	}
}

func TestProbeDocumentTakesNoParameters(t *testing.T) {
	doc, err := ssmdocuments.Probe()
	require.NoError(t, err)
	assert.Empty(t, doc.ParameterNames(), "the readiness probe is sent without parameters")
}

// start runs the start step on st and returns the fake it sent to.
func start(t *testing.T, st investigation.State) *fakeSSM {
	t.Helper()
	fake := &fakeSSM{commandID: "cmd-1"}
	s := &Starter{SSM: fake, EC2: newFakeEC2(), Recorder: &fakeRecorder{}, Config: testStartConfig(), Now: testClock}
	_, err := s.Handle(context.Background(), st)
	require.NoError(t, err)
	return fake
}
