package eksisolation

import (
	"context"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Labels by which EKS, managed node groups and Karpenter mark Fargate and
// Spot capacity, and the scheduler of Fargate pods.
const (
	LabelComputeType       = "eks.amazonaws.com/compute-type"
	LabelCapacityType      = "eks.amazonaws.com/capacityType"
	LabelKarpenterCapacity = "karpenter.sh/capacity-type"
	FargateSchedulerName   = "fargate-scheduler"
	computeTypeFargate     = "fargate"
	capacityTypeSpot       = "SPOT"
	karpenterCapacitySpot  = "spot"
	nodeListPageSize       = 200
)

// workload is what the isolation found of its target.
type workload struct {
	// pod is nil when no pod is named or it was not found; podMissing
	// tells the two apart.
	pod        *corev1.Pod
	podMissing bool
	podRef     string
	// node is nil when it was not found.
	node       *corev1.Node
	instanceID string
	compute    string
	notes      []string
}

// locate finds the target's pod and node. The first look-up tells whether
// the API can be used at all; its failure (other than not found) ends the
// isolation.
func (iso *Isolator) locate(ctx context.Context, t Target) (*workload, error) {
	w := &workload{}
	if t.PodName != "" {
		w.podRef = t.Namespace + "/" + t.PodName
		pod, err := iso.Kube.CoreV1().Pods(t.Namespace).Get(ctx, t.PodName, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			w.podMissing = true
			w.notes = append(w.notes, "pod "+w.podRef+" not found")
		case err != nil:
			return nil, fmt.Errorf("isolate EKS workload: get pod %s in cluster %s: %w", w.podRef, t.ClusterName, err)
		default:
			w.pod = pod
		}
	}
	if err := iso.locateNode(ctx, t, w); err != nil {
		return nil, err
	}
	if w.pod == nil && w.node == nil {
		return nil, w.notFound(t)
	}
	w.compute = computeOf(w.node, w.pod)
	if w.compute == ComputeFargate {
		w.instanceID = ""
	}
	return w, nil
}

// locateNode finds the pod's node, or the node of t.NodeInstanceID.
func (iso *Isolator) locateNode(ctx context.Context, t Target, w *workload) error {
	if w.pod != nil && w.pod.Spec.NodeName != "" {
		node, err := iso.Kube.CoreV1().Nodes().Get(ctx, w.pod.Spec.NodeName, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err):
			w.notes = append(w.notes, fmt.Sprintf("node %s of pod %s not found", w.pod.Spec.NodeName, w.podRef))
		case err != nil:
			return fmt.Errorf("isolate EKS workload: get node %s of pod %s in cluster %s: %w", w.pod.Spec.NodeName, w.podRef, t.ClusterName, err)
		default:
			w.node = node
			w.instanceID = InstanceIDOf(node)
			if t.NodeInstanceID != "" && w.instanceID != t.NodeInstanceID {
				w.notes = append(w.notes, fmt.Sprintf("pod %s runs on node %s (instance %q), not on the request's node instance %s; the pod's node is isolated",
					w.podRef, node.Name, w.instanceID, t.NodeInstanceID))
			}
			return nil
		}
	} else if w.pod != nil {
		w.notes = append(w.notes, fmt.Sprintf("pod %s is not scheduled on any node", w.podRef))
	}
	if t.NodeInstanceID == "" {
		return nil
	}
	if w.instanceID == "" {
		w.instanceID = t.NodeInstanceID
	}
	node, err := iso.nodeOfInstance(ctx, t.NodeInstanceID)
	if err != nil {
		return fmt.Errorf("isolate EKS workload: find the node of instance %s in cluster %s: %w", t.NodeInstanceID, t.ClusterName, err)
	}
	if node == nil {
		w.notes = append(w.notes, fmt.Sprintf("no node of instance %s in the cluster", t.NodeInstanceID))
		return nil
	}
	w.node = node
	return nil
}

// nodeOfInstance lists the nodes for the one whose spec.providerID ends in
// "/<instanceID>"; nil when there is none.
func (iso *Isolator) nodeOfInstance(ctx context.Context, instanceID string) (*corev1.Node, error) {
	opts := metav1.ListOptions{Limit: nodeListPageSize}
	for {
		list, err := iso.Kube.CoreV1().Nodes().List(ctx, opts)
		if err != nil {
			return nil, err
		}
		for i := range list.Items {
			if strings.HasSuffix(list.Items[i].Spec.ProviderID, "/"+instanceID) {
				return &list.Items[i], nil
			}
		}
		if list.Continue == "" {
			return nil, nil
		}
		opts.Continue = list.Continue
	}
}

// InstanceIDOf is the EC2 instance ID in a node's spec.providerID
// ("aws:///eu-west-1a/i-0123456789abcdef0"), or "" when it names none (as
// on Fargate).
func InstanceIDOf(node *corev1.Node) string {
	id := node.Spec.ProviderID[strings.LastIndex(node.Spec.ProviderID, "/")+1:]
	if !strings.HasPrefix(id, "i-") {
		return ""
	}
	return id
}

// computeOf tells Fargate and Spot from other EC2 capacity by the node's
// labels and the pod's scheduler.
func computeOf(node *corev1.Node, pod *corev1.Pod) string {
	var labels map[string]string
	if node != nil {
		labels = node.Labels
	}
	switch {
	case labels[LabelComputeType] == computeTypeFargate,
		pod != nil && pod.Spec.SchedulerName == FargateSchedulerName:
		return ComputeFargate
	case labels[LabelCapacityType] == capacityTypeSpot, labels[LabelKarpenterCapacity] == karpenterCapacitySpot:
		return ComputeSpot
	default:
		return ComputeEC2
	}
}

// notFound is the error when neither the pod nor the node was found.
func (w *workload) notFound(t Target) error {
	switch {
	case t.PodName == "":
		return fmt.Errorf("isolate EKS workload: no node of instance %s in cluster %s", t.NodeInstanceID, t.ClusterName)
	case t.NodeInstanceID == "":
		return fmt.Errorf("isolate EKS workload: pod %s not found in cluster %s", w.podRef, t.ClusterName)
	default:
		return fmt.Errorf("isolate EKS workload: neither pod %s nor a node of instance %s found in cluster %s", w.podRef, t.NodeInstanceID, t.ClusterName)
	}
}

// nodeTarget names the node for a measure's Target.
func (w *workload) nodeTarget() string {
	if w.node != nil {
		return w.node.Name
	}
	if w.pod != nil && w.pod.Spec.NodeName != "" {
		return w.pod.Spec.NodeName
	}
	return w.instanceID
}

// targets are the Targets of a measure's records: the node and the pod for
// labels, one for each other measure. Applying a measure records the same.
func (w *workload) targets(t Target, m investigation.MeasureName) []string {
	switch m {
	case investigation.MeasureCordon:
		return []string{w.nodeTarget()}
	case investigation.MeasureLabels:
		return []string{w.nodeTarget(), w.podRef}
	case investigation.MeasureEvictionTolerations:
		return []string{w.podRef}
	case investigation.MeasureNetworkPolicy:
		return []string{t.Namespace + "/" + NetworkPolicyName(t.ForensicID)}
	default:
		return []string{w.credentialsTarget()}
	}
}

// serviceAccount is the name of the pod's service account.
func (w *workload) serviceAccount() string {
	if w.pod == nil {
		return ""
	}
	if w.pod.Spec.ServiceAccountName == "" {
		return "default"
	}
	return w.pod.Spec.ServiceAccountName
}

// credentialsTarget names the pod's service account, or the pod when it
// was not found.
func (w *workload) credentialsTarget() string {
	if w.pod == nil {
		return w.podRef
	}
	return "serviceaccount:" + w.pod.Namespace + "/" + w.serviceAccount()
}
