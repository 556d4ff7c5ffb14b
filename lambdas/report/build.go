package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// builder builds the report of one case.
type builder struct {
	st         investigation.State
	forensicID string
	typ        investigation.ForensicType
	records    caserecords.Collection
	objects    objects
	keys       []KMSKey
	now        time.Time

	r Report
}

// build returns the report. It never fails: what it cannot read becomes a
// limitation.
func (b *builder) build(ctx context.Context) Report {
	b.r = Report{
		Schema:      SchemaID,
		GeneratedAt: b.now.UTC().Format(time.RFC3339),
		Analysis:    []Run{},
		Limitations: []Limitation{},
	}
	b.summary()
	b.evidence()
	b.r.Findings = emptyFindings()
	for _, t := range b.types() {
		b.run(ctx, t)
	}
	b.artifacts()
	b.timeline()
	b.r.Limitations = capLimitations(b.r.Limitations)
	return b.r
}

// limit adds a limitation.
func (b *builder) limit(code string, t investigation.ForensicType, format string, args ...any) {
	b.r.Limitations = append(b.r.Limitations, Limitation{
		Code: code, ForensicType: string(t), Detail: investigation.Truncate(fmt.Sprintf(format, args...), MaxDetailBytes),
	})
}

// types returns the evidence types whose results the report reads: every
// investigation of the case and the one of this execution, DISK first.
func (b *builder) types() []investigation.ForensicType {
	var ts []investigation.ForensicType
	for _, inv := range b.records.Investigations {
		ts = append(ts, inv.ForensicType)
	}
	ts = append(ts, b.typ)
	ts = slices.DeleteFunc(ts, func(t investigation.ForensicType) bool {
		return t != investigation.ForensicTypeDisk && t != investigation.ForensicTypeMemory
	})
	slices.Sort(ts)
	return slices.Compact(ts)
}

// summary fills the case summary from the case item, the investigation
// items and the workflow state.
func (b *builder) summary() {
	c := CaseSummary{
		ForensicID:     b.forensicID,
		ForensicType:   string(b.typ),
		Status:         string(investigation.StatusSucceeded),
		ExecutionName:  b.st.ExecutionName,
		Investigations: []Investigation{},
	}
	if e := b.st.Error; e != nil {
		c.Status = string(investigation.StatusFailed)
		c.Reason = string(investigation.ReasonOf(e.Error))
		c.ReasonDetail = investigation.Truncate(e.Cause, MaxDetailBytes)
		b.limit(LimitCaseFailed, b.typ, "the investigation failed with %s: %s", c.Reason, orNone(c.ReasonDetail))
	}
	if e := b.st.CleanupError; e != nil {
		b.limit(LimitCleanupFailed, b.typ, "releasing the case's resources failed with %s: %s; check for a forensic instance or volume left behind",
			e.Error, orNone(e.Cause))
	}
	if b.st.Results != nil {
		c.ResultsS3URI = b.st.Results.S3URI
	}
	if rec := b.records.Case; rec != nil {
		c.CreatedAt = stamp(rec.CreatedAt)
		c.Resource = resourceOf(rec.Resource)
		if f := rec.Finding; f != nil {
			c.Finding = &Finding{ID: f.ID, Types: orEmpty(f.Types), ProductName: f.ProductName, Severity: f.Severity}
		}
	} else if req, err := investigation.ParseRequest(b.st.Request); err == nil {
		c.Resource = resourceOf(req.Resource)
		if f := req.Finding; f != nil {
			c.Finding = &Finding{ID: f.ID, Types: orEmpty(f.Types), ProductName: f.ProductName, Severity: f.Severity}
		}
	}
	for _, inv := range b.records.Investigations {
		c.Investigations = append(c.Investigations, Investigation{
			ForensicType: string(inv.ForensicType), Status: string(inv.Status),
			Reason: string(inv.Reason), ReasonDetail: investigation.Truncate(inv.ReasonDetail, MaxDetailBytes),
			CreatedAt: stamp(inv.CreatedAt), FinishedAt: stamp(inv.FinishedAt),
			InstanceID: inv.InstanceID, CommandID: inv.CommandID, ResultsS3URI: inv.ResultsS3URI,
		})
	}
	c.Isolation = b.isolation()
	b.r.Case = c
}

// isolation is the isolation of the report's investigation, from its
// isolation item, with a limitation when it is missing or incomplete.
func (b *builder) isolation() Isolation {
	iso := Isolation{Decision: IsolationNotEvaluated, Measures: []Measure{}}
	var rec *caserecords.Isolation
	for i := range b.records.Isolations {
		if b.records.Isolations[i].ForensicType == b.typ {
			rec = &b.records.Isolations[i]
		}
	}
	if rec == nil {
		iso.Detail = "the investigation ended before the isolation step: no isolation measure was evaluated"
		if e := b.st.IsolationError; e != nil {
			iso.Detail = fmt.Sprintf("the isolation step failed with %s: %s", e.Error, orNone(investigation.Truncate(e.Cause, MaxDetailBytes)))
		}
		b.limit(LimitIsolation, b.typ, "%s", iso.Detail)
		return iso
	}
	d := rec.Decision
	iso.Decision, iso.Action, iso.Rule, iso.RuleSource, iso.Matched = rec.Status, string(d.Action), d.Rule, d.Source, d.Matched
	iso.Compute, iso.Node = rec.Compute, rec.NodeName
	for _, m := range rec.Measures {
		iso.Measures = append(iso.Measures, Measure{
			Name: string(m.Name), Target: m.Target, Result: string(m.Status),
			Detail: investigation.Truncate(m.Reason, MaxDetailBytes), Original: m.Original, Applied: m.Applied,
		})
	}
	switch rec.Status {
	case investigation.IsolationStatusNotIsolated:
		iso.Detail = fmt.Sprintf("the isolation policy's rule %s (%s) decided not to isolate", d.Rule, d.Source)
	case investigation.IsolationStatusIsolated:
		iso.Detail = fmt.Sprintf("isolated as the policy's rule %s (%s) decided", d.Rule, d.Source)
	default:
		iso.Detail = fmt.Sprintf("the isolation the policy's rule %s (%s) asked for is %s", d.Rule, d.Source, rec.Status)
		if rec.Error != "" {
			iso.Detail += ": " + investigation.Truncate(rec.Error, MaxDetailBytes)
		}
		b.limit(LimitIsolationIncomplete, b.typ, "%s; see the measures for what failed", iso.Detail)
	}
	if d.Matched != "" {
		iso.Detail += ", matching " + d.Matched
	}
	for _, n := range rec.Notes {
		iso.Detail += "; " + investigation.Truncate(n, MaxDetailBytes)
	}
	return iso
}

func resourceOf(res investigation.Resource) *Resource {
	r := &Resource{Kind: "EC2", AccountID: res.AccountID, Region: res.Region, InstanceID: res.InstanceID}
	if eks := res.EKS; eks != nil {
		r.Kind, r.Cluster, r.Node, r.Namespace, r.Pod = "EKS", eks.ClusterName, eks.NodeInstanceID, eks.Namespace, eks.PodName
	}
	return r
}

// evidence fills the evidence from the investigation items and the custody
// events that created and checked it.
func (b *builder) evidence() {
	ev := Evidence{Snapshots: []SnapshotEvidence{}, KMSKeys: orEmpty(b.keys)}
	volumeOf := map[string]string{}
	encrypted := map[string]*bool{}
	for _, e := range b.records.Events {
		switch e.Action {
		case "volume-created":
			volumeOf[e.Resources["snapshotId"]] = e.Resources["volumeId"]
		case "snapshot-verified":
			if v, err := strconv.ParseBool(e.Resources["encrypted"]); err == nil {
				encrypted[e.Resources["snapshotId"]] = &v
			}
		}
	}
	for _, inv := range b.records.Investigations {
		for _, s := range inv.Snapshots {
			ev.Snapshots = append(ev.Snapshots, SnapshotEvidence{
				SnapshotID: s.SnapshotID, SourceVolumeID: s.SourceVolumeID, SizeGiB: s.SizeGiB,
				Encrypted: encrypted[s.SnapshotID], VolumeID: volumeOf[s.SnapshotID],
			})
		}
		if m := inv.Memory; m != nil {
			ev.Memory = &MemoryEvidence{
				S3URI: m.S3URI, DeclaredSHA256: m.SHA256, SizeBytes: m.SizeBytes, Format: m.Format,
				KernelRelease: m.KernelRelease, OS: m.OS(),
			}
		}
	}
	b.r.Evidence = ev
}

// artifacts lists the recorded artifacts in key order.
func (b *builder) artifacts() {
	all := slices.Clone(b.records.Artifacts)
	slices.SortFunc(all, func(x, y caserecords.Artifact) int { return cmp.Compare(x.Key, y.Key) })
	a := Artifacts{Total: len(all), Items: []Artifact{}}
	for _, art := range all {
		a.TotalBytes += art.SizeBytes
		if len(a.Items) < MaxArtifacts {
			a.Items = append(a.Items, Artifact{
				Key: art.Key, SHA256: art.SHA256, SizeBytes: art.SizeBytes, ForensicType: string(art.ForensicType),
				Tool: art.Tool, ToolVersion: art.ToolVersion, Evidence: art.Evidence,
			})
		}
	}
	if a.Total > MaxArtifacts {
		b.limit(LimitTruncated, "", "%d artifacts, the first %d listed: every artifact's SHA-256 is in the case table's ARTIFACT# items and in each run's manifest.json",
			a.Total, MaxArtifacts)
	}
	b.r.Artifacts = a
}

// timeline lists the custody events in time order.
func (b *builder) timeline() {
	events := slices.Clone(b.records.Events)
	slices.SortStableFunc(events, func(x, y caserecords.Event) int { return x.Time.Compare(y.Time) })
	tl := Timeline{Total: len(events), Events: []Event{}}
	for _, e := range events {
		if len(tl.Events) == MaxEvents {
			break
		}
		res := map[string]string{}
		for k, v := range e.Resources {
			res[k] = investigation.Truncate(v, MaxResourceBytes)
		}
		tl.Events = append(tl.Events, Event{
			Time: stamp(e.Time), ForensicType: string(e.ForensicType), Step: e.Step, Action: e.Action,
			Resources: res, Detail: investigation.Truncate(e.Detail, MaxDetailBytes),
		})
	}
	if tl.Total > MaxEvents {
		b.limit(LimitTruncated, "", "%d custody events, the first %d listed: the case table's EVENT# items hold them all", tl.Total, MaxEvents)
	}
	b.r.Timeline = tl
}

// artifactKeys returns the recorded keys of type t that match keep.
func (b *builder) artifactKeys(t investigation.ForensicType, keep func(key string) bool) []string {
	var keys []string
	for _, a := range b.records.Artifacts {
		if a.ForensicType == t && keep(a.Key) {
			keys = append(keys, a.Key)
		}
	}
	slices.Sort(keys)
	return keys
}

// recorded reports whether key is a recorded artifact.
func (b *builder) recorded(key string) bool {
	return slices.ContainsFunc(b.records.Artifacts, func(a caserecords.Artifact) bool { return a.Key == key })
}

func emptyFindings() Findings {
	return Findings{
		Disk:              DiskFindings{Items: []DiskFinding{}},
		SUIDFiles:         emptyFileSet(),
		RecentExecutables: emptyFileSet(),
		TempExecutables:   emptyFileSet(),
		ShellHistory:      []Excerpt{},
		Processes:         emptyRowSet(),
		Connections:       emptyRowSet(),
		BashCommands:      emptyRowSet(),
		Malfind:           emptyRowSet(),
	}
}

func emptyFileSet() FileSet {
	return FileSet{Complete: true, Items: []FileEntry{}, Sources: []string{}}
}

func emptyRowSet() RowSet { return RowSet{Complete: true, Rows: []map[string]string{}} }

// capLimitations keeps the first MaxLimitations limitations and says how
// many more there were.
func capLimitations(ls []Limitation) []Limitation {
	if len(ls) <= MaxLimitations {
		return ls
	}
	more := len(ls) - MaxLimitations + 1
	ls = ls[:MaxLimitations-1]
	return append(ls, Limitation{Code: LimitTruncated, Detail: fmt.Sprintf("%d more limitations are not listed", more)})
}

// stamp formats a time for the report; the zero time is "".
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func orNone(s string) string {
	if s == "" {
		return "no detail"
	}
	return s
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
