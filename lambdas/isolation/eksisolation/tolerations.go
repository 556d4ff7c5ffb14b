package eksisolation

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// The taints that the node lifecycle controller puts, with the NoExecute
// effect, on a node whose kubelet stops reporting, as an isolated node's
// does once its network or its role is cut. The taint manager then evicts
// (deletes) each pod after the shortest tolerationSeconds among its
// tolerations that match the taint; the DefaultTolerationSeconds admission
// plugin gives every pod a toleration of each with 300 s.
const (
	TaintUnreachable = "node.kubernetes.io/unreachable"
	TaintNotReady    = "node.kubernetes.io/not-ready"
)

// AnnotationOriginalTolerations keeps on the pod, as a JSON list, the
// tolerations it had before the evictionTolerations measure changed them:
// for a restore, and so that a later run records the same originals.
const AnnotationOriginalTolerations = "casefile.io/original-tolerations"

// KeyTolerations is the key of the evictionTolerations measure's Original
// and Applied: the pod's tolerations before and after, as JSON lists.
const KeyTolerations = "tolerations"

const (
	reasonTolerations = "the pod tolerates its node's " + TaintUnreachable + " and " + TaintNotReady + " NoExecute taints without a time limit, " +
		"so that it is not evicted (deleted) once the isolated node goes NotReady; a running pod's tolerations can only be added to " +
		"and have their tolerationSeconds changed: to restore, set tolerationSeconds back as the annotation " + AnnotationOriginalTolerations +
		" records them (the added tolerations stay; tolerationSeconds 300 gives them the default behaviour)"
	reasonAlreadyTolerated   = "the pod already tolerates its node's " + TaintUnreachable + " and " + TaintNotReady + " taints without a time limit"
	reasonFargateTolerations = "Fargate: the isolation does not cut the pod's node (it has no EC2 instance), so the node does not go NotReady and evict the pod"
	// reasonEvictionNotAsked follows reasonNotAsked when the node's
	// isolation will make it NotReady.
	reasonEvictionNotAsked = "; once the node's isolation makes it NotReady, the pod is evicted (deleted) after its tolerationSeconds " +
		"(300 s unless its spec says otherwise): list evictionTolerations with the node's measures to keep it"
)

// evictionTaints are the taints an isolated node gets.
var evictionTaints = []corev1.Taint{
	{Key: TaintUnreachable, Effect: corev1.TaintEffectNoExecute},
	{Key: TaintNotReady, Effect: corev1.TaintEffectNoExecute},
}

// keepPod makes the pod tolerate evictionTaints without a time limit, so
// that the pod object, its spec and its status stay in the API as evidence
// after the node's isolation: every toleration that matches one of them
// loses its tolerationSeconds (an unlimited toleration beside a limited
// one would not do, the shortest one counts), and a toleration of each
// taint is added where none matches. The original tolerations are kept in
// AnnotationOriginalTolerations, in the same merge patch. It runs before
// the node's EC2 isolation.
func (iso *Isolator) keepPod(ctx context.Context, _ Target, w *workload) []investigation.Measure {
	m := investigation.Measure{Name: investigation.MeasureEvictionTolerations, Target: w.podRef}
	if skip, ok := w.podAbsent(m); ok {
		return []investigation.Measure{skip}
	}
	if w.compute == ComputeFargate {
		m.Status, m.Reason = investigation.MeasureSkipped, reasonFargateTolerations
		return []investigation.Measure{m}
	}
	current := w.pod.Spec.Tolerations
	unlimited, changed := unlimitedTolerations(current)
	applied, err := tolerationsJSON(unlimited)
	if err != nil {
		return []investigation.Measure{failed(m, err)}
	}
	recorded, earlier := w.pod.Annotations[AnnotationOriginalTolerations]
	switch {
	case !changed && earlier:
		m.Status, m.Reason = investigation.MeasureApplied, "already done by Casefile; "+reasonTolerations
		m.Original, m.Applied = map[string]string{KeyTolerations: recorded}, map[string]string{KeyTolerations: applied}
		return []investigation.Measure{m}
	case !changed:
		m.Status, m.Reason = investigation.MeasureSkipped, reasonAlreadyTolerated
		return []investigation.Measure{m}
	}
	// A pod restored since an earlier run is kept afresh, with what it has
	// now as its originals.
	original, err := tolerationsJSON(current)
	if err != nil {
		return []investigation.Measure{failed(m, err)}
	}
	patch := map[string]any{
		"metadata": metadataPatch{Annotations: map[string]*string{AnnotationOriginalTolerations: &original}},
		"spec":     map[string][]corev1.Toleration{"tolerations": unlimited},
	}
	pod, err := iso.patchPod(ctx, w.pod.Namespace, w.pod.Name, patch)
	if err != nil {
		return []investigation.Measure{failed(m, fmt.Errorf("keep the pod on its node: %w", err))}
	}
	w.pod = pod
	m.Status, m.Reason = investigation.MeasureApplied, reasonTolerations
	m.Original, m.Applied = map[string]string{KeyTolerations: original}, map[string]string{KeyTolerations: applied}
	return []investigation.Measure{m}
}

// unlimitedTolerations returns tolerations with no time limit on
// evictionTaints, and whether that changed them: the tolerationSeconds of
// every toleration that matches one of them removed (the only change the
// API allows to an existing toleration), then a toleration added for each
// taint that none matches. The others are left as they are.
func unlimitedTolerations(tolerations []corev1.Toleration) ([]corev1.Toleration, bool) {
	out := make([]corev1.Toleration, 0, len(tolerations)+len(evictionTaints))
	changed := false
	for _, tol := range tolerations {
		if tol.TolerationSeconds != nil && slices.ContainsFunc(evictionTaints, func(taint corev1.Taint) bool { return tolerates(tol, taint) }) {
			tol.TolerationSeconds = nil
			changed = true
		}
		out = append(out, tol)
	}
	for _, taint := range evictionTaints {
		if !slices.ContainsFunc(out, func(tol corev1.Toleration) bool { return tolerates(tol, taint) }) {
			out = append(out, corev1.Toleration{Key: taint.Key, Operator: corev1.TolerationOpExists, Effect: taint.Effect})
			changed = true
		}
	}
	return out, changed
}

// tolerates reports whether tol matches taint, as the scheduler and the
// taint manager match them: an empty effect matches every effect, an
// empty key with Exists every key, Exists every value, Equal (or no
// operator) the same value. Lt and Gt compare numbers, which these taints'
// empty values are not.
func tolerates(tol corev1.Toleration, taint corev1.Taint) bool {
	if tol.Effect != "" && tol.Effect != taint.Effect {
		return false
	}
	if tol.Key != "" && tol.Key != taint.Key {
		return false
	}
	switch tol.Operator {
	case corev1.TolerationOpExists:
		return true
	case "", corev1.TolerationOpEqual:
		return tol.Value == taint.Value
	default:
		return false
	}
}

// tolerationsJSON writes tolerations as a JSON list ("[]" for none).
func tolerationsJSON(tolerations []corev1.Toleration) (string, error) {
	if tolerations == nil {
		tolerations = []corev1.Toleration{}
	}
	b, err := json.Marshal(tolerations)
	if err != nil {
		return "", fmt.Errorf("encode the pod's tolerations: %w", err)
	}
	return string(b), nil
}
