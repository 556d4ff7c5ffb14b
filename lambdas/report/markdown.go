package report

import (
	"fmt"
	"slices"
	"strings"
)

// Markdown returns report.md.
func Markdown(r Report) []byte {
	var w mdWriter
	c := r.Case
	w.line("# Casefile case report: %s", md(c.ForensicID))
	w.line("")
	w.line("Generated %s (schema `%s`).", md(r.GeneratedAt), SchemaID)
	w.line("")
	w.line("## Case summary")
	w.line("")
	w.table([]string{"", ""}, [][]string{
		{"Forensic ID", code(c.ForensicID)},
		{"Evidence type", md(c.ForensicType)},
		{"At a glance", "**" + md(glance(r)) + "**"},
		{"Status", "**" + md(c.Status) + "**" + reasonText(c)},
		{"Resource", md(resourceText(c.Resource))},
		{"Finding", md(findingText(c.Finding))},
		{"Isolation", md(c.Isolation.Decision + ": " + c.Isolation.Detail)},
		{"Execution", md(c.ExecutionName)},
		{"Results", code(c.ResultsS3URI)},
	})
	if ms := c.Isolation.Measures; len(ms) > 0 {
		w.line("")
		rows := [][]string{}
		for _, m := range ms {
			rows = append(rows, []string{md(m.Name), code(m.Target), md(m.Result), md(m.Detail), md(pairs(m.Original)), md(pairs(m.Applied))})
		}
		w.table([]string{"Isolation measure", "Target", "Result", "Detail", "Original setting", "Set"}, rows)
	}
	if len(c.Investigations) > 0 {
		w.line("")
		rows := [][]string{}
		for _, inv := range c.Investigations {
			rows = append(rows, []string{md(inv.ForensicType), md(inv.Status), md(joinNonEmpty(": ", inv.Reason, inv.ReasonDetail)),
				code(inv.InstanceID), code(inv.CommandID), md(inv.CreatedAt), md(inv.FinishedAt)})
		}
		w.table([]string{"Investigation", "Status", "Reason", "Forensic instance", "Command", "Created", "Finished"}, rows)
	}

	w.section("Evidence")
	if len(r.Evidence.Snapshots) > 0 {
		rows := [][]string{}
		for _, s := range r.Evidence.Snapshots {
			rows = append(rows, []string{code(s.SnapshotID), code(s.SourceVolumeID), fmt.Sprintf("%d GiB", s.SizeGiB),
				md(boolText(s.Encrypted)), code(s.VolumeID), code(s.DeviceSHA256)})
		}
		w.table([]string{"Snapshot", "Source volume", "Size", "Encrypted", "Case volume", "Volume SHA-256"}, rows)
	}
	if m := r.Evidence.Memory; m != nil {
		w.line("")
		w.table([]string{"Memory dump", ""}, [][]string{
			{"Location", code(m.S3URI)},
			{"Declared SHA-256", code(m.DeclaredSHA256)},
			{"Measured SHA-256", code(m.MeasuredSHA256) + " (verified: " + md(boolText(m.HashVerified)) + ")"},
			{"Size", fmt.Sprintf("%d bytes", m.SizeBytes)},
			{"Format", md(joinNonEmpty(", detected ", m.Format, m.DetectedFormat))},
			{"Operating system, kernel", md(joinNonEmpty(" ", m.OS, m.KernelRelease))},
		})
	}
	if len(r.Evidence.Snapshots) == 0 && r.Evidence.Memory == nil {
		w.line("No evidence is recorded for this case.")
	}
	if len(r.Evidence.KMSKeys) > 0 {
		w.line("")
		rows := [][]string{}
		for _, k := range r.Evidence.KMSKeys {
			rows = append(rows, []string{code(k.ARN), md(k.Use)})
		}
		w.table([]string{"KMS key", "Use"}, rows)
	}

	w.section("What ran")
	if len(r.Analysis) == 0 {
		w.line("No forensics results were recorded (see the limitations).")
	}
	for _, run := range r.Analysis {
		w.line("### %s forensics: %s", md(run.ForensicType), md(run.Status))
		w.line("")
		w.line("%s %s, %s to %s; results in %s.", md(run.Script), md(run.ScriptVersion), md(run.StartedAt), md(run.EndedAt), code(run.ResultsKey))
		w.line("")
		tools := make([]string, 0, len(run.Tools))
		for _, t := range run.Tools {
			s := md(t.Name) + " " + code(t.Version)
			if t.StandIn {
				s += " **(stand-in, no findings)**"
			}
			tools = append(tools, s)
		}
		w.line("Tools: %s.", strings.Join(tools, ", "))
		if s := run.SymbolTable; s != nil {
			w.line("")
			w.line("Symbol table %s, SHA-256 %s, banner match: %s.", code(s.File), code(s.SHA256), md(boolText(s.BannerMatch)))
		}
		if len(run.Partitions) > 0 {
			w.line("")
			rows := [][]string{}
			for _, p := range run.Partitions {
				rows = append(rows, []string{code(p.Evidence), md(p.Name), md(p.FileSystem), md(p.Analysis), md(p.Timeline), fmt.Sprint(p.Files)})
			}
			w.table([]string{"Volume", "Partition", "File system", "Analysis", "Timeline", "Files"}, rows)
		}
		if len(run.Plugins) > 0 {
			w.line("")
			rows := [][]string{}
			for _, p := range run.Plugins {
				rows = append(rows, []string{md(p.Name), md(p.Status), fmt.Sprint(p.Rows), code(p.OutputKey)})
			}
			w.table([]string{"Plugin", "Status", "Rows", "Output"}, rows)
		}
		w.line("")
	}

	f := r.Findings
	w.section("Key findings")
	w.line("### Disk findings (%d)", f.Disk.Total)
	w.line("")
	if len(f.Disk.Items) == 0 {
		w.line("None.")
	} else {
		rows := [][]string{}
		for _, d := range f.Disk.Items {
			rows = append(rows, []string{md(d.Severity), md(d.ID), code(d.Path), md(d.Detail), samplesText(d.Samples), code(d.Evidence)})
		}
		w.table([]string{"Severity", "Finding", "Path", "Detail", "Samples", "Volume"}, rows)
	}
	w.fileSet("SUID and SGID files", f.SUIDFiles)
	w.fileSet("Recently changed executables", f.RecentExecutables)
	w.fileSet("Executables in temporary folders", f.TempExecutables)
	w.line("")
	w.line("### Shell history excerpts (%d)", len(f.ShellHistory))
	w.line("")
	if len(f.ShellHistory) == 0 {
		w.line("None copied.")
	}
	for _, ex := range f.ShellHistory {
		w.line("%s on %s (%s):", code(ex.Path), code(ex.Evidence), code(ex.Key))
		w.line("")
		fence := strings.Repeat("~", 4+longestRun(ex.Lines, '~'))
		w.line("%s", fence)
		for _, l := range ex.Lines {
			w.line("%s", l)
		}
		if ex.Truncated {
			w.line("[...]")
		}
		w.line("%s", fence)
		w.line("")
	}
	w.rowSet("Processes", f.Processes)
	w.rowSet("Network connections", f.Connections)
	w.rowSet("Command history in memory", f.BashCommands)
	w.rowSet("Injected code (malfind)", f.Malfind)

	w.section(fmt.Sprintf("Artifacts (%d, %d bytes)", r.Artifacts.Total, r.Artifacts.TotalBytes))
	rows := [][]string{}
	for _, a := range r.Artifacts.Items {
		rows = append(rows, []string{code(a.Key), code(a.SHA256), fmt.Sprint(a.SizeBytes), md(joinNonEmpty(" ", a.Tool, a.ToolVersion))})
	}
	w.table([]string{"Key", "SHA-256", "Bytes", "Tool"}, rows)
	if r.Artifacts.Total > len(r.Artifacts.Items) {
		w.line("")
		w.line("%d more artifacts are in the case table and the runs' manifest.json.", r.Artifacts.Total-len(r.Artifacts.Items))
	}

	w.section(fmt.Sprintf("Custody timeline (%d events)", r.Timeline.Total))
	rows = [][]string{}
	for _, e := range r.Timeline.Events {
		rows = append(rows, []string{md(e.Time), md(e.ForensicType), md(e.Step), md(e.Action), resourcesText(e.Resources), md(e.Detail)})
	}
	w.table([]string{"Time", "Type", "Step", "Action", "Resources", "Detail"}, rows)

	w.section("Limitations")
	if len(r.Limitations) == 0 {
		w.line("None.")
	}
	for _, l := range r.Limitations {
		w.line("- **%s**%s: %s", md(l.Code), md(typeSuffix(l.ForensicType)), md(l.Detail))
	}
	return []byte(w.String())
}

type mdWriter struct{ strings.Builder }

func (w *mdWriter) line(format string, args ...any) {
	fmt.Fprintf(w, format, args...)
	w.WriteByte('\n')
}

func (w *mdWriter) section(title string) {
	w.line("")
	w.line("## %s", title)
	w.line("")
}

func (w *mdWriter) table(head []string, rows [][]string) {
	if len(rows) == 0 {
		w.line("None.")
		return
	}
	w.line("| %s |", strings.Join(head, " | "))
	seps := make([]string, len(head))
	for i := range seps {
		seps[i] = "---"
	}
	w.line("| %s |", strings.Join(seps, " | "))
	for _, r := range rows {
		w.line("| %s |", strings.Join(r, " | "))
	}
}

func (w *mdWriter) fileSet(title string, s FileSet) {
	w.line("")
	w.line("### %s (%d%s)", title, s.Total, incomplete(s.Complete))
	w.line("")
	rows := [][]string{}
	for _, e := range s.Items {
		rows = append(rows, []string{code(e.Path), md(e.Mode), fmt.Sprint(e.Size), md(e.MTime), code(e.Evidence + "/" + e.Partition)})
	}
	w.table([]string{"Path", "Mode", "Bytes", "Modified", "Volume/partition"}, rows)
	if len(s.Sources) > 0 {
		w.line("")
		w.line("Full lists: %s.", codes(s.Sources))
	}
}

func (w *mdWriter) rowSet(title string, s RowSet) {
	w.line("")
	w.line("### %s (%d%s)", title, s.Total, incomplete(s.Complete))
	w.line("")
	if s.Plugin == "" {
		w.line("No plugin output.")
		return
	}
	cols := columns(s.Rows)
	rows := [][]string{}
	for _, r := range s.Rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = md(r[c])
		}
		rows = append(rows, cells)
	}
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = md(c)
	}
	w.table(head, rows)
	w.line("")
	w.line("From %s, %s.", md(s.Plugin), code(s.Source))
}

// md escapes text for a Markdown table cell or line.
func md(s string) string {
	r := strings.NewReplacer("\\", "\\\\", "|", "\\|", "*", "\\*", "_", "\\_", "`", "\\`", "<", "&lt;", ">", "&gt;",
		"[", "\\[", "]", "\\]", "\r", " ", "\n", " ")
	return r.Replace(s)
}

// code puts s in a code span, or escapes it when it holds a backtick.
func code(s string) string {
	if s == "" {
		return ""
	}
	if strings.ContainsAny(s, "`|\n\r") {
		return md(s)
	}
	return "`" + s + "`"
}

func codes(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return strings.Join(out, ", ")
}

func samplesText(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return strings.Join(out, "<br>")
}

func resourcesText(res map[string]string) string {
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = md(k) + "=" + code(res[k])
	}
	return strings.Join(out, ", ")
}

func longestRun(lines []string, c rune) int {
	longest := 0
	for _, l := range lines {
		run := 0
		for _, r := range l {
			if r == c {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	return longest
}
