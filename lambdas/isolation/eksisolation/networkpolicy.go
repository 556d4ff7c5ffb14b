package eksisolation

import (
	"context"
	"fmt"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// NetworkPolicyPrefix starts the name of each case's deny-all policy.
const NetworkPolicyPrefix = "casefile-isolate-"

const (
	reasonPolicyEngine = "enforced only where the cluster runs a network-policy engine (the VPC CNI's network policy agent, Calico, Cilium...)"
	reasonHostNetwork  = "the pod uses its node's network (spec.hostNetwork): NetworkPolicies never apply to host-network pods, so none is made; " +
		"the node's EC2 isolation (the securityGroups measure) is what cuts the pod's traffic"
)

// NetworkPolicyName is the name of the deny-all NetworkPolicy of a case.
func NetworkPolicyName(forensicID string) string {
	return NetworkPolicyPrefix + ShortHash(forensicID)
}

// DenyAllPolicy is the NetworkPolicy that selects the pods labelled
// LabelIsolationCase=caseValue in namespace and allows them no traffic: both
// policy types, no rules.
func DenyAllPolicy(namespace, forensicID, caseValue string) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{
			Name:        NetworkPolicyName(forensicID),
			Namespace:   namespace,
			Labels:      map[string]string{LabelIsolated: "true"},
			Annotations: map[string]string{AnnotationForensicID: forensicID},
		},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{LabelIsolationCase: caseValue}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}
}

// denyTraffic puts the case's deny-all NetworkPolicy in the pod's
// namespace. The policy selects the pod by its isolation-case label, which
// it adds when the labels measure did not. NetworkPolicies add up: the
// reason names the others that select the pod, since what they allow stays
// allowed. A host-network pod gets no policy: none would apply to it.
func (iso *Isolator) denyTraffic(ctx context.Context, t Target, w *workload) []investigation.Measure {
	name := NetworkPolicyName(t.ForensicID)
	m := investigation.Measure{Name: investigation.MeasureNetworkPolicy, Target: t.Namespace + "/" + name}
	if skip, ok := w.podAbsent(m); ok {
		return []investigation.Measure{skip}
	}
	if w.compute == ComputeFargate {
		m.Status = investigation.MeasureImpossible
		m.Reason = "Fargate: NetworkPolicies are not enforced for Fargate pods (security groups for pods are)"
		return []investigation.Measure{m}
	}
	if w.pod.Spec.HostNetwork {
		m.Status, m.Reason = investigation.MeasureImpossible, reasonHostNetwork
		return []investigation.Measure{m}
	}
	caseValue, ok := w.pod.Labels[LabelIsolationCase]
	if !ok {
		caseValue = CaseLabelValue(t.ForensicID)
		patch := metadataPatch{Labels: map[string]*string{LabelIsolationCase: &caseValue}}
		pod, err := iso.patchPod(ctx, w.pod.Namespace, w.pod.Name, map[string]metadataPatch{"metadata": patch})
		if err != nil {
			return []investigation.Measure{failed(m, fmt.Errorf("label the pod for the policy's selector: %w", err))}
		}
		w.pod = pod
	}
	m.Applied = map[string]string{"name": name, "podSelector": LabelIsolationCase + "=" + caseValue}

	existing, err := iso.Kube.NetworkingV1().NetworkPolicies(w.pod.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return []investigation.Measure{failed(m, fmt.Errorf("list the NetworkPolicies of namespace %s: %w", w.pod.Namespace, err))}
	}
	reasons := []string{reasonPolicyEngine}
	found := false
	var others []string
	for i := range existing.Items {
		np := &existing.Items[i]
		if np.Name == name {
			found = true
			continue
		}
		if selects(np, w.pod.Labels) {
			others = append(others, np.Name)
		}
	}
	if found {
		reasons = append(reasons, "the policy was already there")
	} else {
		_, err := iso.Kube.NetworkingV1().NetworkPolicies(w.pod.Namespace).Create(ctx, DenyAllPolicy(w.pod.Namespace, t.ForensicID, caseValue), metav1.CreateOptions{})
		switch {
		case apierrors.IsAlreadyExists(err):
			reasons = append(reasons, "the policy was already there")
		case err != nil:
			return []investigation.Measure{failed(m, fmt.Errorf("create NetworkPolicy %s/%s: %w", w.pod.Namespace, name, err))}
		}
	}
	if len(others) > 0 {
		reasons = append(reasons, fmt.Sprintf("policies add up, so what %s still allow stays allowed", strings.Join(others, ", ")))
	}
	m.Status = investigation.MeasureApplied
	m.Reason = strings.Join(reasons, "; ")
	return []investigation.Measure{m}
}

// selects reports whether the policy's pod selector matches podLabels. A
// selector that cannot be parsed is taken to match, so that it is named.
func selects(np *networkingv1.NetworkPolicy, podLabels map[string]string) bool {
	sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	if err != nil {
		return true
	}
	return sel.Matches(labels.Set(podLabels))
}
