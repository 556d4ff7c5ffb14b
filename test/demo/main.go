// Command demo runs the DISK and MEMORY investigations of an EC2 instance
// and a DISK investigation of an EKS workload through the synthesized
// Casefile state machine on this machine (the same machinery
// as the end-to-end tests: moto, the real handlers, the real forensic
// scripts), prints each notification, and writes out/demo-summary.json.
// It checks every artifact record against its object in S3 (size and
// SHA-256) and that each case recorded the outputs its type must have, and
// exits non-zero when a case did not succeed, left a forensic instance,
// volume or security group behind, or failed those checks.
//
// Usage: go run ./test/demo [-out DIR] [-template Casefile.template.json]
//
// Without -template the stack is synthesized (cdk synth) with
// localaws.SynthContext first.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/repo"
)

// summaryFile is the name of the summary in the output folder.
const summaryFile = "demo-summary.json"

// caseSummary is one investigation in the summary.
type caseSummary struct {
	ForensicID    string `json:"forensicId"`
	ForensicType  string `json:"forensicType"`
	ExecutionName string `json:"executionName"`
	// ExecutionStatus is the state machine's; Status the investigation
	// item's in the case table.
	ExecutionStatus string          `json:"executionStatus"`
	Status          string          `json:"status"`
	Reason          string          `json:"reason,omitempty"`
	Notification    json.RawMessage `json:"notification"`
	// MissingNotificationFields are the fields the notification must
	// carry and does not (missingNotificationFields).
	MissingNotificationFields []string `json:"missingNotificationFields,omitempty"`
	ResultsS3URI              string   `json:"resultsS3Uri"`
	ResultObjects             int      `json:"resultObjects"`
	// Artifacts is the check of every artifact record against its
	// object, and MissingOutputs the result files the case type must
	// have among its artifacts but has not.
	Artifacts      fixture.ArtifactCheck `json:"artifacts"`
	MissingOutputs []string              `json:"missingOutputs,omitempty"`
	// The case's resources still there after the run.
	ForensicInstancesLeft int `json:"forensicInstancesLeft"`
	CaseVolumesLeft       int `json:"caseVolumesLeft"`
	SecurityGroupsLeft    int `json:"securityGroupsLeft"`
}

type summary struct {
	GeneratedAt string        `json:"generatedAt"`
	Succeeded   bool          `json:"succeeded"`
	Cases       []caseSummary `json:"cases"`
	LogDir      string        `json:"logDir"`
}

func main() {
	outDir := flag.String("out", "out", "folder for "+summaryFile+" and the logs (under demo/)")
	template := flag.String("template", "", "a Casefile template synthesized with localaws.SynthContext (default: synthesize)")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if err := run(context.Background(), *outDir, *template, os.Stdout, logger); err != nil {
		logger.Error("demo failed", "error", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, outDir, template string, stdout io.Writer, logger *slog.Logger) error {
	root, err := repo.Root()
	if err != nil {
		return err
	}
	if err := localaws.MissingTools(root); err != nil {
		return fmt.Errorf("install the tools first (make deps): %w", err)
	}
	if !filepath.IsAbs(outDir) {
		outDir = filepath.Join(root, outDir)
	}
	logDir := filepath.Join(outDir, "demo")
	if err := os.RemoveAll(logDir); err != nil {
		return fmt.Errorf("clear %s: %w", logDir, err)
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", logDir, err)
	}
	if template != "" {
		if template, err = filepath.Abs(template); err != nil {
			return fmt.Errorf("resolve %s: %w", template, err)
		}
	}
	env, err := localaws.Start(ctx, localaws.Options{Root: root, WorkDir: logDir, TemplatePath: template, Logger: logger})
	if err != nil {
		return err
	}
	defer env.Close()
	if err := env.Reset(ctx); err != nil {
		return err
	}

	f := env.Fixture()
	// The EC2 instance's two evidence types, then the same instance as the
	// node of an EKS workload: its pod and node are isolated too.
	requests := []investigation.Request{f.DiskRequest("demo-disk-0001"), f.MemoryRequest("demo-memory-0001"), f.EKSDiskRequest("demo-eks-disk-0001")}
	s := summary{GeneratedAt: time.Now().UTC().Format(time.RFC3339), Succeeded: true, LogDir: logDir}
	for _, req := range requests {
		c, err := investigate(ctx, env, req, stdout)
		if err != nil {
			return err
		}
		if !c.ok() {
			s.Succeeded = false
		}
		s.Cases = append(s.Cases, c)
	}

	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encode the summary: %w", err)
	}
	path := filepath.Join(outDir, summaryFile)
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	fmt.Fprintf(stdout, "summary: %s\n", path)
	if !s.Succeeded {
		return errors.New("a case did not succeed, left resources behind, has results that do not match their records or a notification that lacks a field; see " + path)
	}
	return nil
}

// requiredOutputs are result files, by the end of their S3 key, that a
// successful case of each type must have recorded as non-empty artifacts:
// the disk pass's timeline, inventory and findings input, the memory pass's
// plugin output.
var requiredOutputs = map[investigation.ForensicType][]string{
	investigation.ForensicTypeDisk:   {"/timeline.csv", "/inventory.jsonl", "/bodyfile.txt", "/suid-sgid.jsonl"},
	investigation.ForensicTypeMemory: {"/volatility/linux.pslist.json", "/volatility/linux.bash.json"},
}

// ok reports whether the case succeeded, left nothing behind and has every
// artifact it must have, each matching its record.
func (c caseSummary) ok() bool {
	return c.Status == string(investigation.StatusSucceeded) &&
		c.ForensicInstancesLeft+c.CaseVolumesLeft+c.SecurityGroupsLeft == 0 &&
		len(c.Artifacts.Records) > 0 && len(c.Artifacts.Mismatches) == 0 && len(c.MissingOutputs) == 0 &&
		len(c.MissingNotificationFields) == 0
}

// investigate runs one request and prints its notification.
func investigate(ctx context.Context, env *localaws.Environment, req investigation.Request, stdout io.Writer) (caseSummary, error) {
	input, err := json.Marshal(req)
	if err != nil {
		return caseSummary{}, fmt.Errorf("encode the request of %s: %w", req.ForensicID, err)
	}
	out, err := env.Run(ctx, input)
	if err != nil {
		return caseSummary{}, err
	}
	c := caseSummary{
		ForensicID: out.ForensicID, ForensicType: out.ForensicType, ExecutionName: out.ExecutionName,
		ExecutionStatus: out.Status, ResultsS3URI: out.ResultsS3URI, ResultObjects: len(out.Results),
		ForensicInstancesLeft: len(out.Leftovers.Instances), CaseVolumesLeft: len(out.Leftovers.Volumes),
		SecurityGroupsLeft: len(out.Leftovers.SecurityGroups), Notification: json.RawMessage("null"),
	}
	if out.Investigation != nil {
		c.Status, c.Reason = string(out.Investigation.Status), string(out.Investigation.Reason)
	}
	if c.Artifacts, err = fixture.VerifyArtifacts(ctx, env.Clients(), req.ForensicID); err != nil {
		return caseSummary{}, err
	}
	for _, suffix := range requiredOutputs[req.ForensicType] {
		if !c.Artifacts.Has(suffix) {
			c.MissingOutputs = append(c.MissingOutputs, suffix)
		}
	}
	fmt.Fprintf(stdout, "artifacts: %d of %d records match their objects' size and SHA-256\n",
		c.Artifacts.Verified, len(c.Artifacts.Records))
	fmt.Fprintf(stdout, "== %s %s: execution %s, investigation %s\n", c.ForensicType, c.ForensicID, c.ExecutionStatus, c.Status)
	for _, n := range out.Notifications {
		fmt.Fprintf(stdout, "notification: %s\n", n.Subject)
		if n.JSON != nil {
			c.Notification = n.JSON
			pretty, err := json.MarshalIndent(n.JSON, "", "  ")
			if err == nil {
				fmt.Fprintf(stdout, "%s\n", pretty)
				continue
			}
		}
		fmt.Fprintf(stdout, "%s\n", n.Message)
	}
	c.MissingNotificationFields = missingNotificationFields(c.Notification)
	return c, nil
}
