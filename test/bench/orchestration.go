package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/casefile-forensics/casefile/constructs/config"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws"
)

// orchestrationReport is the Lambda and workflow part of the report.
type orchestrationReport struct {
	Functions []functionReport `json:"functions"`
	// TotalBinaryBytes adds up the deployed binaries.
	TotalBinaryBytes int64 `json:"totalBinaryBytes"`
	// Measured is the DISK investigation run for the figures.
	Measured    transitionsRun    `json:"measured"`
	Transitions []transitionsCase `json:"transitions"`
}

// functionReport is one Lambda function: its deployed binary and the
// start-up of its handler on this machine.
type functionReport struct {
	Handler       string   `json:"handler"`
	MemoryMiB     int      `json:"memoryMiB"`
	Architectures []string `json:"architectures"`
	BinaryBytes   int64    `json:"binaryBytes"`
	// InitMillis is the time from the process start to its first request
	// for an invocation, for the invocation that started it; null when
	// the run did not invoke the function.
	InitMillis *float64 `json:"initMillis"`
}

// benchOrchestration synthesizes the stack, runs one DISK investigation
// through the state machine against moto with the real handlers, and
// reports the binaries, their start-up and the state transitions.
func benchOrchestration(ctx context.Context, root, work string, stdout io.Writer, logger *slog.Logger) (orchestrationReport, error) {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return orchestrationReport{}, fmt.Errorf("create %s: %w", work, err)
	}
	if err := localaws.MissingTools(root); err != nil {
		return orchestrationReport{}, fmt.Errorf("install the tools first (make deps): %w", err)
	}
	env, err := localaws.Start(ctx, localaws.Options{Root: root, WorkDir: work, Logger: logger})
	if err != nil {
		return orchestrationReport{}, err
	}
	defer env.Close()
	if err := env.Reset(ctx); err != nil {
		return orchestrationReport{}, err
	}
	req := env.Fixture().DiskRequest("bench-disk-0001")
	input, err := json.Marshal(req)
	if err != nil {
		return orchestrationReport{}, fmt.Errorf("encode the request: %w", err)
	}
	out, err := env.Run(ctx, input)
	if err != nil {
		return orchestrationReport{}, err
	}
	if out.Investigation == nil || out.Investigation.Status != investigation.StatusSucceeded {
		return orchestrationReport{}, fmt.Errorf("the measured DISK investigation did not succeed: execution %s, %s %s", out.Status, out.Error, out.Cause)
	}

	var r orchestrationReport
	if r.Functions, err = functionReports(env); err != nil {
		return r, err
	}
	for _, f := range r.Functions {
		r.TotalBinaryBytes += f.BinaryBytes
	}
	if r.Measured, err = countTransitions(out.States); err != nil {
		return r, err
	}
	for _, analysis := range []time.Duration{15 * time.Minute, time.Hour, 4 * time.Hour} {
		for _, wait := range []int{60, config.DefaultWaitCommandSeconds, 300} {
			r.Transitions = append(r.Transitions, r.Measured.project(analysis, wait))
		}
	}
	printOrchestration(stdout, r)
	return r, nil
}

// functionReports reads each function's deployed binary in the cloud
// assembly and its first invocation's init duration.
func functionReports(env *localaws.Environment) ([]functionReport, error) {
	init := map[string]time.Duration{}
	for _, inv := range env.Invocations() {
		if _, seen := init[inv.Function]; !seen && inv.InitDuration > 0 {
			init[inv.Function] = inv.InitDuration
		}
	}
	assembly := filepath.Dir(env.TemplatePath())
	var out []functionReport
	for _, fn := range env.Functions() {
		if fn.AssetPath == "" {
			return nil, fmt.Errorf("function %s has no asset path in the template: synthesize with asset metadata", fn.Handler)
		}
		bin := filepath.Join(assembly, fn.AssetPath, "bootstrap")
		fi, err := os.Stat(bin)
		if err != nil {
			return nil, fmt.Errorf("the deployed binary of %s: %w", fn.Handler, err)
		}
		f := functionReport{Handler: fn.Handler, MemoryMiB: fn.MemoryMiB, Architectures: fn.Architectures, BinaryBytes: fi.Size()}
		if d, ok := init[fn.Handler]; ok {
			ms := float64(d.Microseconds()) / 1000
			f.InitMillis = &ms
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Handler < out[j].Handler })
	return out, nil
}

func printOrchestration(w io.Writer, r orchestrationReport) {
	fmt.Fprintf(w, "Lambda functions (deployed arm64 binaries; start-up to the first request for an invocation, on this machine):\n")
	for _, f := range r.Functions {
		initText := "not invoked"
		if f.InitMillis != nil {
			initText = fmt.Sprintf("%.1f ms", *f.InitMillis)
		}
		fmt.Fprintf(w, "  %-15s %4d MiB  %5.1f MiB binary  start-up %s\n", f.Handler, f.MemoryMiB, float64(f.BinaryBytes)/(1<<20), initText)
	}
	fmt.Fprintf(w, "  total binaries: %.1f MiB\n", float64(r.TotalBinaryBytes)/(1<<20))
	m := r.Measured
	fmt.Fprintf(w, "state transitions: the measured DISK case entered %d states (%d command checks, %d instance checks); "+
		"each command check adds %d\n", m.Total, m.CommandChecks, m.InstanceChecks, m.PerCommandCheck)
	fmt.Fprintf(w, "  %-14s %-10s %-15s %s\n", "analysis time", "wait (s)", "command checks", "transitions")
	for _, c := range r.Transitions {
		fmt.Fprintf(w, "  %-14s %-10d %-15d %d\n", c.Analysis, c.WaitSeconds, c.CommandChecks, c.Transitions)
	}
}
