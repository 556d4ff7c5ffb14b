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
	annotations, kept := additions(node.Annotations, map[string]string{
		AnnotationKarpenterDoNotDisrupt: "true",
		AnnotationScaleDownDisabled:     "true",
	})
	var reasons []string
	if node.Spec.Unschedulable {
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
	flatten("annotations.", annotations, m.Applied)
	if w.compute == ComputeSpot {
		reasons = append(reasons, reasonSpot)
	}
	m.Reason = strings.Join(reasons, "; ")
	return []investigation.Measure{m}
}
