package eksisolation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// The labels and the annotation the isolation adds to the node and the pod.
const (
	LabelIsolated        = "casefile.io/isolated"
	LabelIsolationCase   = "casefile.io/isolation-case"
	AnnotationForensicID = "casefile.io/forensic-id"
)

// CaseLabelValue is the value of LabelIsolationCase for a case: the
// forensic ID when it is a valid label value, else ShortHash of it.
func CaseLabelValue(forensicID string) string {
	if len(validation.IsValidLabelValue(forensicID)) == 0 {
		return forensicID
	}
	return ShortHash(forensicID)
}

// ShortHash is the first 10 hex digits of the SHA-256 of s: a name part
// that is valid wherever Kubernetes takes a DNS label.
func ShortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:10]
}

// label marks the node and the pod as isolated by this case. It only adds:
// a label or annotation already there keeps its value, and the measure
// says so.
func (iso *Isolator) label(ctx context.Context, t Target, w *workload) []investigation.Measure {
	return []investigation.Measure{iso.labelNode(ctx, t, w), iso.labelPod(ctx, t, w)}
}

func (iso *Isolator) labelNode(ctx context.Context, t Target, w *workload) investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureLabels, Target: w.nodeTarget()}
	if w.node == nil {
		m.Status = investigation.MeasureImpossible
		m.Reason = "node not found in the cluster"
		return m
	}
	patch, kept := markPatch(w.node.Labels, w.node.Annotations, map[string]string{LabelIsolated: "true"}, t.ForensicID)
	if !patch.empty() {
		node, err := iso.patchNode(ctx, w.node.Name, map[string]metadataPatch{"metadata": patch})
		if err != nil {
			return failed(m, err)
		}
		w.node = node
	}
	return applied(m, patch, kept)
}

func (iso *Isolator) labelPod(ctx context.Context, t Target, w *workload) investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureLabels, Target: w.podRef}
	if skip, ok := w.podAbsent(m); ok {
		return skip
	}
	want := map[string]string{LabelIsolated: "true", LabelIsolationCase: CaseLabelValue(t.ForensicID)}
	patch, kept := markPatch(w.pod.Labels, w.pod.Annotations, want, t.ForensicID)
	if !patch.empty() {
		pod, err := iso.patchPod(ctx, w.pod.Namespace, w.pod.Name, map[string]metadataPatch{"metadata": patch})
		if err != nil {
			return failed(m, err)
		}
		w.pod = pod
	}
	return applied(m, patch, kept)
}

// markPatch adds the labels in want and the forensic-ID annotation where
// they are missing.
func markPatch(labels, annotations, want map[string]string, forensicID string) (metadataPatch, []string) {
	var p metadataPatch
	var keptLabels, keptAnnotations []string
	p.Labels, keptLabels = additions(labels, want)
	p.Annotations, keptAnnotations = additions(annotations, map[string]string{AnnotationForensicID: forensicID})
	return p, append(keptLabels, keptAnnotations...)
}

func applied(m investigation.Measure, patch metadataPatch, kept []string) investigation.Measure {
	m.Status = investigation.MeasureApplied
	m.Applied = map[string]string{}
	flatten("labels.", patch.Labels, m.Applied)
	flatten("annotations.", patch.Annotations, m.Applied)
	switch {
	case len(kept) > 0:
		m.Reason = "left as found: " + strings.Join(kept, ", ")
	case patch.empty():
		m.Reason = "already labelled"
	}
	if len(m.Applied) == 0 {
		m.Applied = nil
	}
	return m
}

func failed(m investigation.Measure, err error) investigation.Measure {
	m.Status = investigation.MeasureFailed
	m.Reason = err.Error()
	return m
}

// podAbsent is the measure's record when there is no pod to act on: none
// named (SKIPPED) or not found (IMPOSSIBLE).
func (w *workload) podAbsent(m investigation.Measure) (investigation.Measure, bool) {
	switch {
	case w.pod != nil:
		return m, false
	case w.podMissing:
		m.Status = investigation.MeasureImpossible
		m.Reason = "pod not found in the cluster"
	default:
		m.Status = investigation.MeasureSkipped
		m.Reason = reasonNoPodNamed
	}
	return m, true
}
