package localaws

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
)

// RunRequest is one execution of RunConcurrently.
type RunRequest struct {
	Input   json.RawMessage
	Options RunOptions
}

// Concurrent is what RunConcurrently's executions did and left behind.
type Concurrent struct {
	// Outcomes are the executions' outcomes, in the order of the requests.
	// Each holds the notifications that name its case, evidence type and
	// execution, and the commands sent to its forensic instances.
	Outcomes []*Outcome
	// Unclaimed are the notifications that name none of the executions.
	Unclaimed []fixture.Notification
}

// RunConcurrently starts every request's execution at once, waits until
// all have ended, and gathers each outcome as Run does. The notification
// queue is read once, after every execution ended, and each message goes
// to the outcome whose forensic ID, evidence type and execution it names.
func (e *Environment) RunConcurrently(ctx context.Context, requests []RunRequest) (*Concurrent, error) {
	if e.lambdas == nil {
		return nil, fmt.Errorf("localaws: Reset before RunConcurrently")
	}
	outcomes := make([]*Outcome, len(requests))
	errs := make([]error, len(requests))
	var wg sync.WaitGroup
	for i, r := range requests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outcomes[i], errs[i] = e.execute(ctx, r.Input, r.Options)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	drainCtx, cancel := context.WithTimeout(ctx, commandsDrainTimeout)
	defer cancel()
	if err := e.host.Wait(drainCtx); err != nil {
		return nil, err
	}
	for _, o := range outcomes {
		if err := e.sweepEnded(ctx, o); err != nil {
			return nil, err
		}
	}
	notes, err := fixture.ReceiveNotifications(ctx, e.clients, e.fixture.QueueURL)
	if err != nil {
		return nil, err
	}
	result := &Concurrent{Outcomes: outcomes}
	result.Unclaimed = claimNotifications(outcomes, notes)

	commands := e.host.Commands()
	for _, o := range outcomes {
		if err := e.gather(ctx, o); err != nil {
			return result, err
		}
		o.Commands = commandsOn(commands, o.InstanceIDs)
	}
	return result, nil
}

// notificationHead is the part of a notification that says whose it is.
type notificationHead struct {
	ForensicID    string `json:"forensicId"`
	ForensicType  string `json:"forensicType"`
	ExecutionName string `json:"executionName"`
}

// claimNotifications gives each outcome the notifications that name its
// case, evidence type and execution, and returns the others.
func claimNotifications(outcomes []*Outcome, notes []fixture.Notification) []fixture.Notification {
	var unclaimed []fixture.Notification
	for _, n := range notes {
		var head notificationHead
		_ = json.Unmarshal(n.JSON, &head) // a message that is not JSON is unclaimed
		claimed := false
		for _, o := range outcomes {
			if head.ForensicID == o.ForensicID && head.ForensicType == o.ForensicType && head.ExecutionName == o.ExecutionName {
				o.Notifications = append(o.Notifications, n)
				claimed = true
				break
			}
		}
		if !claimed {
			unclaimed = append(unclaimed, n)
		}
	}
	return unclaimed
}

// commandsOn returns the commands sent to any of instances.
func commandsOn(commands []forensichost.Invocation, instances []string) []forensichost.Invocation {
	var out []forensichost.Invocation
	for _, c := range commands {
		if slices.Contains(instances, c.InstanceID) {
			out = append(out, c)
		}
	}
	return out
}
