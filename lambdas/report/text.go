package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Text helpers shared by the Markdown and HTML forms.

func reasonText(c CaseSummary) string {
	if c.Reason == "" {
		return ""
	}
	return " " + md(joinNonEmpty(": ", c.Reason, c.ReasonDetail))
}

// glance sums the report up in one line: findings by severity, artifacts,
// events and limitations.
func glance(r Report) string {
	bySeverity := map[string]int{}
	for _, f := range r.Findings.Disk.Items {
		bySeverity[strings.ToLower(f.Severity)]++
	}
	var parts []string
	for _, s := range []string{"critical", "high", "medium", "low", "info"} {
		if n := bySeverity[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	findings := fmt.Sprintf("%d disk findings", r.Findings.Disk.Total)
	if len(parts) > 0 {
		findings += " (" + strings.Join(parts, ", ") + ")"
	}
	return fmt.Sprintf("%s · %d SUID/SGID files · %d artifacts · %d custody events · %d limitations",
		findings, r.Findings.SUIDFiles.Total, r.Artifacts.Total, r.Timeline.Total, len(r.Limitations))
}

// resourceText names the compromised resource in one line.
func resourceText(r *Resource) string {
	if r == nil {
		return "not recorded"
	}
	where := " in account " + r.AccountID + ", " + r.Region
	if r.Kind == "EKS" {
		s := "EKS cluster " + r.Cluster + ", node " + r.Node
		if r.Namespace != "" || r.Pod != "" {
			s += ", pod " + joinNonEmpty("/", r.Namespace, r.Pod)
		}
		return s + where
	}
	return "EC2 instance " + r.InstanceID + where
}

func findingText(f *Finding) string {
	if f == nil {
		return "none: the case was not opened from a finding"
	}
	s := f.ID
	if len(f.Types) > 0 {
		s += " (" + strings.Join(f.Types, ", ") + ")"
	}
	return joinNonEmpty(", ", s, f.ProductName, f.Severity)
}

func boolText(b *bool) string {
	switch {
	case b == nil:
		return "not known"
	case *b:
		return "yes"
	}
	return "no"
}

func joinNonEmpty(sep string, parts ...string) string {
	return strings.Join(slices.DeleteFunc(slices.Clone(parts), func(s string) bool { return s == "" }), sep)
}

func typeSuffix(t string) string {
	if t == "" {
		return ""
	}
	return " (" + t + ")"
}

func incomplete(complete bool) string {
	if complete {
		return ""
	}
	return " or more"
}

// columns returns the columns of rows, in the order of the first row that
// has each (flatRow already orders and caps them).
func columns(rows []map[string]string) []string {
	var cols []string
	for _, r := range rows {
		names := make([]string, 0, len(r))
		for k := range r {
			names = append(names, k)
		}
		slices.SortFunc(names, compareColumns)
		for _, n := range names {
			if !slices.Contains(cols, n) && len(cols) < MaxRowColumns {
				cols = append(cols, n)
			}
		}
	}
	return cols
}

// compareColumns orders the preferred columns first, then by name.
func compareColumns(x, y string) int {
	ix, iy := slices.Index(preferredColumns, x), slices.Index(preferredColumns, y)
	switch {
	case ix >= 0 && iy >= 0:
		return ix - iy
	case ix >= 0:
		return -1
	case iy >= 0:
		return 1
	}
	return strings.Compare(x, y)
}

// pairs writes a measure's settings as "key=value" in key order.
func pairs(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, "; ")
}
