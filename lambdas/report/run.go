package report

import (
	"context"
	"encoding/json"
	"path"
	"slices"
	"strings"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// resultsFileName is the file every forensics run writes at the top of its
// results prefix (ssmdocuments.ResultsFileName).
const resultsFileName = "results.json"

// standInVersion is the version the demo's local stand-ins report.
const standInVersion = "0.0.0"

// run reads the results.json of evidence type t and adds what ran and what
// it found.
func (b *builder) run(ctx context.Context, t investigation.ForensicType) {
	prefix := investigation.ResultsPrefix(b.forensicID, t)
	key := prefix + resultsFileName
	if !b.recorded(key) {
		b.limit(LimitResultsMissing, t, "no %s was recorded under %s: the %s forensics did not run to the end, so nothing of the evidence was analysed",
			resultsFileName, prefix, strings.ToLower(string(t)))
		return
	}
	content, more, err := b.objects.read(ctx, key, MaxResultsBytes)
	if err == nil && more {
		b.limit(LimitResultsUnreadable, t, "%s is larger than %d bytes and was not read", key, MaxResultsBytes)
		return
	}
	var res runResults
	if err == nil {
		res, err = parseResults(key, content)
	}
	if err != nil {
		b.limit(LimitResultsUnreadable, t, "%s could not be read: %v", key, err)
		return
	}

	run := Run{
		ForensicType: string(t), ResultsKey: key, Status: res.Status,
		Script: res.Script.Name, ScriptVersion: res.Script.Version, StartedAt: res.StartedAt, EndedAt: res.EndedAt,
		Tools: b.tools(t, res.Tools), Partitions: []Partition{}, Plugins: []Plugin{},
	}
	if res.Status != "SUCCEEDED" {
		b.limit(LimitAnalysisIncomplete, t, "the %s forensics ended with status %s; findings are those made before it stopped",
			strings.ToLower(string(t)), res.Status)
	}
	for _, e := range res.Errors {
		b.limit(LimitAnalysisError, t, "%s%s: %s", e.Step, onEvidence(e.Evidence), e.Message)
	}
	for _, n := range res.Notes {
		b.limit(LimitAnalysisNote, t, "%s%s: %s", n.Step, onEvidence(n.Evidence), n.Message)
	}
	switch t {
	case investigation.ForensicTypeDisk:
		b.disk(ctx, &run, res)
	case investigation.ForensicTypeMemory:
		b.memory(ctx, &run, prefix, res)
	}
	b.r.Analysis = append(b.r.Analysis, run)
}

// tools lists the run's tool versions by name; a stand-in is flagged and
// named as a limitation.
func (b *builder) tools(t investigation.ForensicType, versions map[string]*string) []Tool {
	names := make([]string, 0, len(versions))
	for n := range versions {
		names = append(names, n)
	}
	slices.Sort(names)
	tools := []Tool{}
	for _, n := range names {
		v := "not installed"
		if versions[n] != nil {
			v = *versions[n]
		}
		tool := Tool{Name: n, Version: v, StandIn: v == standInVersion}
		if tool.StandIn {
			b.limit(LimitStandInTool, t, "%s reported version %s: it is a local stand-in that checks its arguments and reports no findings, so its results say nothing of the evidence", n, v)
		}
		tools = append(tools, tool)
	}
	return tools
}

// disk adds the disk run's devices, partitions and findings.
func (b *builder) disk(ctx context.Context, run *Run, res runResults) {
	for _, d := range res.Devices {
		for i := range b.r.Evidence.Snapshots {
			if s := &b.r.Evidence.Snapshots[i]; s.VolumeID != "" && s.VolumeID == d.Evidence {
				s.DeviceSHA256, s.DeviceSizeBytes = d.SHA256, d.SizeBytes
			}
		}
		for _, p := range d.Partitions {
			run.Partitions = append(run.Partitions, Partition{
				Evidence: d.Evidence, Name: p.Name, FileSystem: p.FileSystem, Analysis: p.Analysis,
				Timeline: p.TimelineSource, Files: p.InventoryFiles,
			})
			if p.Analysis != "" && p.Analysis != "complete" {
				b.limit(LimitPartitionSkipped, investigation.ForensicTypeDisk, "%s partition %s (%s): analysis %s",
					d.Evidence, p.Name, orNone(p.FileSystem), p.Analysis)
			}
		}
	}

	f := &b.r.Findings
	f.Disk.Total += len(res.Findings)
	for _, df := range res.Findings {
		if len(f.Disk.Items) == MaxFindings {
			break
		}
		samples := []string{}
		for _, s := range df.Samples {
			if len(samples) == MaxSamples {
				break
			}
			samples = append(samples, investigation.Truncate(s, MaxSampleBytes))
		}
		f.Disk.Items = append(f.Disk.Items, DiskFinding{
			ID: df.ID, Severity: df.Severity, Detail: investigation.Truncate(df.Detail, MaxDetailBytes), Evidence: df.Evidence,
			Partition: df.Partition, Path: investigation.Truncate(df.Path, MaxResourceBytes), Samples: samples,
		})
	}
	if f.Disk.Total > MaxFindings {
		b.limit(LimitTruncated, investigation.ForensicTypeDisk, "%d disk findings, the first %d listed: %s holds them all",
			f.Disk.Total, MaxFindings, run.ResultsKey)
	}

	t := investigation.ForensicTypeDisk
	b.fileSet(ctx, &f.SUIDFiles, b.artifactKeys(t, hasBase("suid-sgid.jsonl")))
	b.fileSet(ctx, &f.RecentExecutables, b.artifactKeys(t, hasBase("recent-executables.jsonl")))
	b.fileSet(ctx, &f.TempExecutables, b.artifactKeys(t, hasBase("temp-executables.jsonl")))
	b.histories(ctx)
}

// fileSet reads the JSON lines files at keys into set.
func (b *builder) fileSet(ctx context.Context, set *FileSet, keys []string) {
	for _, key := range keys {
		set.Sources = append(set.Sources, key)
		evidence, partition := evidenceOf(key)
		complete, err := b.objects.lines(ctx, key, MaxReadBytes, func(line []byte) {
			var e struct {
				Path  string `json:"path"`
				Mode  string `json:"mode"`
				Size  int64  `json:"size"`
				MTime string `json:"mtime"`
				UID   *int64 `json:"uid"`
			}
			if len(strings.TrimSpace(string(line))) == 0 || json.Unmarshal(line, &e) != nil {
				return
			}
			set.Total++
			if len(set.Items) < MaxFileEntries {
				set.Items = append(set.Items, FileEntry{
					Evidence: evidence, Partition: partition, Path: investigation.Truncate(e.Path, MaxResourceBytes),
					Mode: e.Mode, Size: e.Size, MTime: e.MTime, UID: e.UID,
				})
			}
		})
		if err != nil {
			b.limit(LimitExcerptUnreadable, investigation.ForensicTypeDisk, "%s could not be read: %v", key, err)
			set.Complete = false
			continue
		}
		if !complete {
			set.Complete = false
			b.limit(LimitTruncated, investigation.ForensicTypeDisk, "%s was not read whole (over %d bytes, or a line over 1 MiB): only its first entries are counted", key, MaxReadBytes)
		}
	}
	if set.Total > MaxFileEntries {
		b.limit(LimitTruncated, investigation.ForensicTypeDisk, "%d entries of %s, the first %d listed", set.Total,
			strings.Join(baseNames(set.Sources), ", "), MaxFileEntries)
	}
}

// historyNames are the shell histories the disk script copies.
var historyNames = []string{".bash_history", ".zsh_history", ".sh_history", ".ash_history", ".history", "ConsoleHost_history.txt"}

// histories adds the first lines of every copied shell history.
func (b *builder) histories(ctx context.Context) {
	keys := b.artifactKeys(investigation.ForensicTypeDisk, func(key string) bool {
		return strings.Contains(key, "/artifacts/") && slices.Contains(historyNames, path.Base(key))
	})
	for i, key := range keys {
		if i == MaxExcerpts {
			b.limit(LimitTruncated, investigation.ForensicTypeDisk, "%d shell histories were copied, the first %d excerpted", len(keys), MaxExcerpts)
			break
		}
		content, more, err := b.objects.read(ctx, key, MaxExcerptRead)
		if err != nil {
			b.limit(LimitExcerptUnreadable, investigation.ForensicTypeDisk, "%s could not be read: %v", key, err)
			continue
		}
		evidence, _ := evidenceOf(key)
		_, source, _ := strings.Cut(key, "/artifacts")
		ex := Excerpt{Key: key, Path: source, Evidence: evidence, Lines: []string{}, Truncated: more}
		for _, line := range strings.Split(strings.TrimRight(string(content), "\n"), "\n") {
			if len(ex.Lines) == MaxExcerptLines {
				ex.Truncated = true
				break
			}
			ex.Lines = append(ex.Lines, investigation.Truncate(strings.ToValidUTF8(line, "?"), MaxSampleBytes))
		}
		b.r.Findings.ShellHistory = append(b.r.Findings.ShellHistory, ex)
	}
}

// evidenceOf returns the volume and partition folders of a disk result key
// cases/<id>/disk/<volumeId>/<partition>/...
func evidenceOf(key string) (evidence, partition string) {
	parts := strings.Split(key, "/")
	if len(parts) >= 5 {
		return parts[3], parts[4]
	}
	return "", ""
}

func hasBase(name string) func(string) bool {
	return func(key string) bool { return path.Base(key) == name }
}

func baseNames(keys []string) []string {
	seen := []string{}
	for _, k := range keys {
		if n := path.Base(k); !slices.Contains(seen, n) {
			seen = append(seen, n)
		}
	}
	return seen
}

func onEvidence(e string) string {
	if e == "" {
		return ""
	}
	return " (" + e + ")"
}
