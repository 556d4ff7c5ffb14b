package eksisolation

import (
	"context"
	"strconv"
	"strings"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Annotations that keep the cluster's autoscalers from draining and
// removing the cordoned node, which would destroy its evidence.
const (
	AnnotationKarpenterDoNotDisrupt = "karpenter.sh/do-not-disrupt"
	AnnotationScaleDownDisabled     = "cluster-autoscaler.kubernetes.io/scale-down-disabled"
)

// Annotations by which a cordoned node keeps, for a later run and for a
// restore, whether it was schedulable before and which annotations the
// cordon added.
const (
	AnnotationOriginalUnschedulable = "casefile.io/original-unschedulable"
	AnnotationAddedAnnotations      = "casefile.io/added-annotations"
)

const reasonSpot = "Spot capacity: EC2 may still reclaim the instance at two minutes' notice, which no Kubernetes measure prevents; acquire its evidence first"

// cordon marks the node unschedulable, so nothing new lands on it, and
// asks Karpenter and the Cluster Autoscaler to leave it alone. It never
// drains or evicts: the pods and their state are the evidence.
func (iso *Isolator) cordon(ctx context.Context, t Target, w *workload) []investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureCordon, Target: w.nodeTarget()}
	switch {
	case w.compute == ComputeFargate:
		m.Status = investigation.MeasureImpossible
		m.Reason = "Fargate: the pod runs alone on a node that AWS manages, which cannot be cordoned"
		return []investigation.Measure{m}
	case w.node == nil:
		m.Status = investigation.MeasureImpossible
		m.Reason = "node not found in the cluster"
		return []investigation.Measure{m}
	}
	node := w.node
	m.Original = map[string]string{"unschedulable": strconv.FormatBool(node.Spec.Unschedulable)}
	// A node that an earlier run cordoned keeps what it found on the node
	// itself, so that this run records the same originals.
	earlier, cordonedBefore := node.Annotations[AnnotationOriginalUnschedulable]
	if cordonedBefore {
		m.Original["unschedulable"] = earlier
	}
	annotations, kept := additions(node.Annotations, map[string]string{
		AnnotationKarpenterDoNotDisrupt: "true",
		AnnotationScaleDownDisabled:     "true",
	})
	added := sortedKeys(annotations)
	if !cordonedBefore {
		if annotations == nil {
			annotations = map[string]*string{}
		}
		original, addedList := m.Original["unschedulable"], strings.Join(added, ",")
		annotations[AnnotationOriginalUnschedulable] = &original
		annotations[AnnotationAddedAnnotations] = &addedList
	}
	var reasons []string
	switch {
	case cordonedBefore:
		reasons = append(reasons, "already cordoned by Casefile")
	case node.Spec.Unschedulable:
		reasons = append(reasons, "the node was already cordoned")
	}
	if len(kept) > 0 {
		reasons = append(reasons, "left as found: "+strings.Join(kept, ", "))
	}
	if !node.Spec.Unschedulable || len(annotations) > 0 {
		patch := map[string]any{"spec": map[string]bool{"unschedulable": true}}
		if len(annotations) > 0 {
			patch["metadata"] = metadataPatch{Annotations: annotations}
		}
		patched, err := iso.patchNode(ctx, node.Name, patch)
		if err != nil {
			m.Status = investigation.MeasureFailed
			m.Reason = err.Error()
			return []investigation.Measure{m}
		}
		w.node = patched
	}
	m.Status = investigation.MeasureApplied
	m.Applied = map[string]string{"unschedulable": "true"}
	if cordonedBefore {
		for _, k := range strings.Split(node.Annotations[AnnotationAddedAnnotations], ",") {
			if v, ok := node.Annotations[k]; ok && k != "" {
				m.Applied["annotations."+k] = v
			}
		}
	}
	for _, k := range added {
		m.Applied["annotations."+k] = *annotations[k]
	}
	if w.compute == ComputeSpot {
		reasons = append(reasons, reasonSpot)
	}
	m.Reason = strings.Join(reasons, "; ")
	return []investigation.Measure{m}
}
