package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// rowPlugins says which Volatility plugin feeds which row set, Linux and
// Windows.
var rowPlugins = []struct {
	plugins []string
	set     func(f *Findings) *RowSet
}{
	{[]string{"linux.pslist", "windows.pslist"}, func(f *Findings) *RowSet { return &f.Processes }},
	{[]string{"linux.sockstat", "windows.netscan"}, func(f *Findings) *RowSet { return &f.Connections }},
	{[]string{"linux.bash", "windows.cmdline"}, func(f *Findings) *RowSet { return &f.BashCommands }},
	{[]string{"linux.malfind", "windows.malfind"}, func(f *Findings) *RowSet { return &f.Malfind }},
}

// preferredColumns come first in a row, in this order; others follow by
// name.
var preferredColumns = []string{
	"PID", "PPID", "COMM", "ImageFileName", "Process", "Name", "Proto", "Protocol", "Family", "Type",
	"LocalAddr", "LocalPort", "Source Addr", "Source Port", "ForeignAddr", "ForeignPort",
	"Destination Addr", "Destination Port", "State", "CommandTime", "Command", "Args", "Start", "Protection",
}

// memory adds the memory run's dump check, symbol table, plugins and rows.
func (b *builder) memory(ctx context.Context, run *Run, prefix string, res runResults) {
	if m := b.r.Evidence.Memory; m != nil && res.Dump != nil {
		m.MeasuredSHA256, m.HashVerified, m.DetectedFormat = res.Dump.SHA256, res.Dump.HashVerified, res.Dump.DetectedFormat
	}
	if s := res.Symbols; s != nil && s.File != "" {
		run.SymbolTable = &SymbolTable{File: s.File, SHA256: s.SHA256, Source: s.Source}
		if res.Banner != nil && res.Banner.Checked {
			run.SymbolTable.BannerMatch = res.Banner.Match
		}
	}
	for _, p := range res.Plugins {
		pl := Plugin{Name: p.Name, Status: p.Status, Rows: p.Rows}
		if p.Output != "" {
			pl.OutputKey = prefix + p.Output
		}
		run.Plugins = append(run.Plugins, pl)
		if p.Status != "SUCCEEDED" {
			b.limit(LimitPluginFailed, investigation.ForensicTypeMemory, "Volatility plugin %s ended with %s: what it would show is missing", p.Name, orNone(p.Status))
			continue
		}
		for _, rp := range rowPlugins {
			if slices.Contains(rp.plugins, p.Name) && pl.OutputKey != "" && b.recorded(pl.OutputKey) {
				b.rows(ctx, rp.set(&b.r.Findings), p.Name, pl.OutputKey)
			}
		}
	}
}

// rows reads a plugin's JSON output into set: its rows (children
// included, depth first), at most MaxRows of them, each with at most
// MaxRowColumns columns.
func (b *builder) rows(ctx context.Context, set *RowSet, plugin, key string) {
	set.Plugin, set.Source = plugin, key
	content, more, err := b.objects.read(ctx, key, MaxReadBytes)
	if err != nil {
		b.limit(LimitExcerptUnreadable, investigation.ForensicTypeMemory, "%s could not be read: %v", key, err)
		set.Complete = false
		return
	}
	if more {
		b.limit(LimitTruncated, investigation.ForensicTypeMemory, "%s is larger than %d bytes and was not excerpted: see the file", key, MaxReadBytes)
		set.Complete = false
		return
	}
	var top []map[string]any
	dec := json.NewDecoder(bytes.NewReader(content))
	dec.UseNumber()
	if err := dec.Decode(&top); err != nil {
		b.limit(LimitExcerptUnreadable, investigation.ForensicTypeMemory, "%s is not a JSON list of rows: %v", key, err)
		set.Complete = false
		return
	}
	var walk func(rows []map[string]any)
	walk = func(rows []map[string]any) {
		for _, r := range rows {
			set.Total++
			if len(set.Rows) < MaxRows {
				set.Rows = append(set.Rows, flatRow(r))
			}
			if kids, ok := r["__children"].([]any); ok {
				var children []map[string]any
				for _, k := range kids {
					if m, ok := k.(map[string]any); ok {
						children = append(children, m)
					}
				}
				walk(children)
			}
		}
	}
	walk(top)
	if set.Total > MaxRows {
		b.limit(LimitTruncated, investigation.ForensicTypeMemory, "%d rows of %s, the first %d listed: %s holds them all", set.Total, plugin, MaxRows, key)
	}
}

// flatRow turns one Volatility row into at most MaxRowColumns text cells.
func flatRow(r map[string]any) map[string]string {
	var names []string
	for k := range r {
		if k != "__children" {
			names = append(names, k)
		}
	}
	slices.SortFunc(names, compareColumns)
	if len(names) > MaxRowColumns {
		names = names[:MaxRowColumns]
	}
	row := make(map[string]string, len(names))
	for _, n := range names {
		row[n] = investigation.Truncate(cell(r[n]), MaxCellBytes)
	}
	return row
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
