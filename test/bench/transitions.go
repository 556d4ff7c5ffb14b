package main

import (
	"fmt"
	"time"

	"github.com/casefile-forensics/casefile/constructs/workflow"
)

// commandLoop are the states of the command-status loop: each check of the
// command enters each of them once.
var commandLoop = []string{workflow.StateWaitForCommand, workflow.StateCheckCommand, workflow.StateCommandDone}

// transitionsRun is the state count of one measured execution, split into
// what every investigation enters and what each command check adds.
type transitionsRun struct {
	// Total is the number of states the execution entered.
	Total int `json:"total"`
	// CommandChecks and InstanceChecks count the CheckCommand and
	// CheckInstance states entered.
	CommandChecks  int `json:"commandChecks"`
	InstanceChecks int `json:"instanceChecks"`
	// PerCommandCheck is the states one more command check enters, and
	// Fixed the states entered whatever the analysis time.
	PerCommandCheck int `json:"perCommandCheck"`
	Fixed           int `json:"fixed"`
}

// transitionsCase is the projected state count of an investigation whose
// forensics command runs for Analysis, checked every WaitSeconds.
type transitionsCase struct {
	Analysis      string `json:"analysis"`
	WaitSeconds   int    `json:"waitSeconds"`
	CommandChecks int    `json:"commandChecks"`
	Transitions   int    `json:"transitions"`
}

// countTransitions splits the states an execution entered into the fixed
// part and the command loop, which must have been entered as a whole each
// time (every check waits, checks and decides).
func countTransitions(states []string) (transitionsRun, error) {
	counts := map[string]int{}
	for _, s := range states {
		counts[s]++
	}
	r := transitionsRun{Total: len(states), CommandChecks: counts[workflow.StateCheckCommand],
		InstanceChecks: counts[workflow.StateCheckInstance], PerCommandCheck: len(commandLoop)}
	if r.CommandChecks == 0 {
		return r, fmt.Errorf("the execution never checked its command: states %v", states)
	}
	loop := 0
	for _, s := range commandLoop {
		if counts[s] != r.CommandChecks {
			return r, fmt.Errorf("state %s entered %d times, %s %d times: the command loop is not %v",
				s, counts[s], workflow.StateCheckCommand, r.CommandChecks, commandLoop)
		}
		loop += counts[s]
	}
	r.Fixed = r.Total - loop
	return r, nil
}

// project returns the state count for a command that runs for analysis,
// checked every wait seconds: the command is checked after each wait until
// a check finds it done, so ceil(analysis/wait) checks (at least one).
func (r transitionsRun) project(analysis time.Duration, wait int) transitionsCase {
	w := time.Duration(wait) * time.Second
	checks := int((analysis + w - 1) / w)
	if checks < 1 {
		checks = 1
	}
	return transitionsCase{
		Analysis: analysis.String(), WaitSeconds: wait, CommandChecks: checks,
		Transitions: r.Fixed + checks*r.PerCommandCheck,
	}
}
