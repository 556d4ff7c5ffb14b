package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	wf "github.com/casefile-forensics/casefile/constructs/workflow"
)

// diskRun is a DISK execution's states with two command checks.
var diskRun = []string{
	wf.StatePrepare, wf.StateRecordCase, wf.StateCreateInstance,
	wf.StateCheckInstance, wf.StateInstanceReady, wf.StateWaitForInstance, wf.StateCheckInstance, wf.StateInstanceReady,
	wf.StateForensicType, wf.StateAttachEvidence, wf.StateStartDiskForensics,
	wf.StateWaitForCommand, wf.StateCheckCommand, wf.StateCommandDone,
	wf.StateWaitForCommand, wf.StateCheckCommand, wf.StateCommandDone,
	wf.StateCollectResults, wf.StateReleaseResources, wf.StateWriteReport, wf.StateNotifySuccess, wf.StateSucceeded,
}

func TestCountTransitions(t *testing.T) {
	r, err := countTransitions(diskRun)
	require.NoError(t, err)
	assert.Equal(t, transitionsRun{Total: 22, CommandChecks: 2, InstanceChecks: 2, PerCommandCheck: 3, Fixed: 16}, r)
}

func TestCountTransitionsRefusesABrokenLoop(t *testing.T) {
	tests := []struct {
		name   string
		states []string
		want   string
	}{
		{name: "no command check", states: diskRun[:11], want: "never checked its command"},
		{name: "a check without its wait", states: append(append([]string{}, diskRun[:11]...), wf.StateCheckCommand, wf.StateCommandDone), want: "WaitForCommand entered 0 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := countTransitions(tt.states)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

func TestProject(t *testing.T) {
	r := transitionsRun{PerCommandCheck: 3, Fixed: 15}
	tests := []struct {
		name       string
		analysis   time.Duration
		wait       int
		wantChecks int
	}{
		{name: "an hour checked every two minutes", analysis: time.Hour, wait: 120, wantChecks: 30},
		{name: "a partial last wait still needs its check", analysis: 61 * time.Second, wait: 60, wantChecks: 2},
		{name: "done before the first check", analysis: time.Second, wait: 300, wantChecks: 1},
		{name: "no analysis time", analysis: 0, wait: 60, wantChecks: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.project(tt.analysis, tt.wait)
			assert.Equal(t, tt.wantChecks, got.CommandChecks)
			assert.Equal(t, 15+3*tt.wantChecks, got.Transitions)
		})
	}
}
