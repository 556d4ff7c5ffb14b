package eksisolation

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const podRef = testNamespace + "/" + testPod

var (
	saRef     = "serviceaccount:" + testNamespace + "/" + testSA
	policyRef = testNamespace + "/" + NetworkPolicyName(testForensicID)
)

// ec2Node is an on-demand managed node-group node of testInstance.
func ec2Node() *corev1.Node {
	return node(testNode, testInstance, map[string]string{
		LabelCapacityType: "ON_DEMAND", "eks.amazonaws.com/nodegroup": "shop-general",
	})
}

func irsaAccount() *corev1.ServiceAccount {
	return serviceAccount(testSA, map[string]string{AnnotationIRSARole: testIRSARole})
}

func shopPod() *corev1.Pod {
	return pod(testNode, testSA, map[string]string{"app": "checkout", "pod-template-hash": "7d4b9c6f5"})
}

func TestIsolateEC2NodeWithIRSA(t *testing.T) {
	e := newEnv(t, ec2Node(), shopPod(), irsaAccount())
	ctx := context.Background()

	res, err := e.iso.Isolate(ctx, e.target())
	require.NoError(t, err)

	assert.Equal(t, ComputeEC2, res.Compute)
	assert.Equal(t, testNode, res.NodeName)
	assert.Equal(t, testInstance, res.InstanceID)
	assert.Empty(t, res.Notes)
	for _, m := range res.Measures {
		assert.Equal(t, investigation.MeasureApplied, m.Status, "measure %s on %s: %s", m.Name, m.Target, m.Reason)
	}
	require.Len(t, res.Measures, 6+len(investigation.EC2Measures), "cordon, evictionTolerations, 2 labels, networkPolicy, workloadCredentials, then the EC2 measures")

	n, err := e.kube.CoreV1().Nodes().Get(ctx, testNode, metav1.GetOptions{})
	require.NoError(t, err)
	assert.True(t, n.Spec.Unschedulable, "node cordoned")
	assert.Equal(t, "true", n.Labels[LabelIsolated])
	assert.Equal(t, "ON_DEMAND", n.Labels[LabelCapacityType], "existing labels unchanged")
	assert.Equal(t, testForensicID, n.Annotations[AnnotationForensicID])
	assert.Equal(t, "true", n.Annotations[AnnotationKarpenterDoNotDisrupt])
	assert.Equal(t, "true", n.Annotations[AnnotationScaleDownDisabled])
	cordon := measure(t, res, investigation.MeasureCordon, testNode)
	assert.Equal(t, map[string]string{"unschedulable": "false"}, cordon.Original)

	p, err := e.kube.CoreV1().Pods(testNamespace).Get(ctx, testPod, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"app": "checkout", "pod-template-hash": "7d4b9c6f5",
		LabelIsolated: "true", LabelIsolationCase: testForensicID,
	}, p.Labels, "pod labels: the old ones kept, the isolation's added")
	assert.Equal(t, testForensicID, p.Annotations[AnnotationForensicID])

	np, err := e.kube.NetworkingV1().NetworkPolicies(testNamespace).Get(ctx, NetworkPolicyName(testForensicID), metav1.GetOptions{})
	require.NoError(t, err, "the deny-all policy exists")
	assert.ElementsMatch(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, np.Spec.PolicyTypes)
	assert.Empty(t, np.Spec.Ingress, "no ingress rule")
	assert.Empty(t, np.Spec.Egress, "no egress rule")
	sel, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
	require.NoError(t, err)
	assert.True(t, sel.Matches(labels.Set(p.Labels)), "policy selector %s selects the pod %v", sel, p.Labels)
	assert.False(t, sel.Matches(labels.Set(shopPod().Labels)), "policy selector %s must not select the pod's replicas %v", sel, shopPod().Labels)
	assert.Contains(t, measure(t, res, investigation.MeasureNetworkPolicy, policyRef).Reason, "network-policy engine")

	sa, err := e.kube.CoreV1().ServiceAccounts(testNamespace).Get(ctx, testSA, metav1.GetOptions{})
	require.NoError(t, err)
	assert.NotContains(t, sa.Annotations, AnnotationIRSARole, "IRSA annotation removed")
	assert.Equal(t, testIRSARole, sa.Annotations[AnnotationRemovedRole])
	assert.Equal(t, []string{"checkout-irsa"}, e.iam.revoked, "the IRSA role's sessions revoked by role name")
	creds := measure(t, res, investigation.MeasureWorkloadCredentials, saRef)
	assert.Equal(t, testIRSARole, creds.Original["irsa.roleArn"])
	assert.Contains(t, creds.Reason, "projected service-account token")
	assert.Contains(t, creds.Reason, "trust policy is left alone")

	require.Len(t, e.node.calls, 1)
	assert.Equal(t, nodeCall{testForensicID, testInstance, nil}, e.node.calls[0], "the node's instance isolated with every EC2 measure")
	assertNothingRemoved(t, e)
}

// assertNothingRemoved checks that the isolation neither evicted nor
// deleted anything in the cluster.
func assertNothingRemoved(t *testing.T, e *env) {
	t.Helper()
	for _, a := range e.kube.Actions() {
		assert.NotEqual(t, "delete", a.GetVerb(), "no delete: %v", a)
		assert.NotEqual(t, "deletecollection", a.GetVerb(), "no delete: %v", a)
		assert.NotEqual(t, "eviction", a.GetSubresource(), "no eviction: %v", a)
		if p, ok := a.(k8stesting.PatchAction); ok {
			assert.Equal(t, "application/merge-patch+json", string(p.GetPatchType()), "patch type of %s %s", a.GetResource().Resource, p.GetName())
		}
	}
}

func TestIsolateComputeKinds(t *testing.T) {
	fargateNode := func() *corev1.Node {
		n := node("fargate-ip-10-0-7-9.eu-west-1.compute.internal", "", map[string]string{LabelComputeType: "fargate"})
		n.Spec.ProviderID = "aws:///eu-west-1a/8f5e2c0a1b/fargate-ip-10-0-7-9.eu-west-1.compute.internal"
		return n
	}
	tests := []struct {
		name    string
		node    *corev1.Node
		pod     func(*corev1.Pod)
		want    string
		cordon  investigation.MeasureStatus
		policy  investigation.MeasureStatus
		ec2Call bool
	}{
		{name: "managed node group Spot", node: node(testNode, testInstance, map[string]string{LabelCapacityType: "SPOT"}),
			want: ComputeSpot, cordon: investigation.MeasureApplied, policy: investigation.MeasureApplied, ec2Call: true},
		{name: "Karpenter Spot", node: node(testNode, testInstance, map[string]string{LabelKarpenterCapacity: "spot"}),
			want: ComputeSpot, cordon: investigation.MeasureApplied, policy: investigation.MeasureApplied, ec2Call: true},
		{name: "Karpenter on-demand", node: node(testNode, testInstance, map[string]string{LabelKarpenterCapacity: "on-demand"}),
			want: ComputeEC2, cordon: investigation.MeasureApplied, policy: investigation.MeasureApplied, ec2Call: true},
		{name: "Fargate node label", node: fargateNode(),
			want: ComputeFargate, cordon: investigation.MeasureImpossible, policy: investigation.MeasureImpossible},
		{name: "Fargate scheduler", node: fargateNode(), pod: func(p *corev1.Pod) { p.Spec.SchedulerName = FargateSchedulerName },
			want: ComputeFargate, cordon: investigation.MeasureImpossible, policy: investigation.MeasureImpossible},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == ComputeFargate && tc.pod != nil {
				delete(tc.node.Labels, LabelComputeType)
			}
			p := pod(tc.node.Name, testSA, nil)
			if tc.pod != nil {
				tc.pod(p)
			}
			e := newEnv(t, tc.node, p, irsaAccount())
			res, err := e.iso.Isolate(context.Background(), e.target())
			require.NoError(t, err)

			assert.Equal(t, tc.want, res.Compute)
			cordon := measure(t, res, investigation.MeasureCordon, tc.node.Name)
			assert.Equal(t, tc.cordon, cordon.Status, "cordon: %s", cordon.Reason)
			policy := measure(t, res, investigation.MeasureNetworkPolicy, policyRef)
			assert.Equal(t, tc.policy, policy.Status, "networkPolicy: %s", policy.Reason)
			assert.Equal(t, investigation.MeasureApplied, measure(t, res, investigation.MeasureLabels, podRef).Status)
			assert.Equal(t, investigation.MeasureApplied, measure(t, res, investigation.MeasureWorkloadCredentials, saRef).Status)
			switch tc.want {
			case ComputeSpot:
				assert.Contains(t, cordon.Reason, "Spot capacity", "the Spot risk is on the record")
			case ComputeFargate:
				assert.Contains(t, cordon.Reason, "Fargate")
				assert.Contains(t, policy.Reason, "not enforced for Fargate pods")
				assert.Empty(t, res.InstanceID)
				for _, name := range investigation.EC2Measures {
					m := measure(t, res, name, tc.node.Name)
					assert.Equal(t, investigation.MeasureImpossible, m.Status, "EC2 measure %s", name)
					assert.Equal(t, "no EC2 instance: Fargate", m.Reason)
				}
				_, err := e.kube.NetworkingV1().NetworkPolicies(testNamespace).Get(context.Background(), NetworkPolicyName(testForensicID), metav1.GetOptions{})
				assert.Error(t, err, "no NetworkPolicy for a Fargate pod")
			}
			assert.Equal(t, tc.ec2Call, len(e.node.calls) == 1, "EC2 isolation called: %v", e.node.calls)
			assertNothingRemoved(t, e)
		})
	}
}

func TestIsolatePodIdentity(t *testing.T) {
	e := newEnv(t, ec2Node(), shopPod(), serviceAccount(testSA, nil))
	e.eks.add("a-checkout1", testNamespace, testSA, testPIRole)
	e.eks.add("a-checkout2", testNamespace, testSA, testPIRole)
	e.eks.add("a-other", testNamespace, "inventory", "arn:aws:iam::111122223333:role/inventory")
	ctx := context.Background()

	res, err := e.iso.Isolate(ctx, e.target())
	require.NoError(t, err)

	m := measure(t, res, investigation.MeasureWorkloadCredentials, saRef)
	assert.Equal(t, investigation.MeasureApplied, m.Status, m.Reason)
	assert.ElementsMatch(t, []string{"a-checkout1", "a-checkout2"}, e.eks.deleted, "only the service account's associations deleted")
	assert.Contains(t, e.eks.associations, "a-other")
	assert.Equal(t, map[string]string{"podIdentity.a-checkout1": testPIRole, "podIdentity.a-checkout2": testPIRole}, m.Original)
	assert.Equal(t, []string{"checkout-pod-identity"}, e.iam.revoked, "the role revoked once")
	assert.Contains(t, m.Reason, "Pod Identity")
	sa, err := e.kube.CoreV1().ServiceAccounts(testNamespace).Get(ctx, testSA, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "a-checkout1="+testPIRole+",a-checkout2="+testPIRole, sa.Annotations[AnnotationRemovedPodIdentity])

	again, err := e.iso.Isolate(ctx, e.target())
	require.NoError(t, err)
	m2 := measure(t, again, investigation.MeasureWorkloadCredentials, saRef)
	assert.Equal(t, investigation.MeasureApplied, m2.Status, m2.Reason)
	assert.Equal(t, m.Original, m2.Original, "a second run still records the deleted associations")
	assert.Contains(t, m2.Reason, "already deleted")
}

func TestIsolateWorkloadCredentials(t *testing.T) {
	tests := []struct {
		name      string
		sa        *corev1.ServiceAccount
		env       string
		iamErr    error
		listErr   error
		want      investigation.MeasureStatus
		reason    string
		revoked   []string
		saPresent bool
	}{
		{name: "no AWS role", sa: serviceAccount(testSA, nil), want: investigation.MeasureSkipped, reason: "no AWS role"},
		{name: "no service account", want: investigation.MeasureSkipped, reason: "no AWS role"},
		{name: "IRSA role only in the pod's environment", sa: serviceAccount(testSA, nil), env: testIRSARole,
			want: investigation.MeasureApplied, revoked: []string{"checkout-irsa"}},
		{name: "pod runs with another role than annotated", sa: irsaAccount(), env: "arn:aws:iam::111122223333:role/older",
			want: investigation.MeasureApplied, revoked: []string{"checkout-irsa", "older"}},
		{name: "IAM refuses the revocation", sa: irsaAccount(), iamErr: errRefused,
			want: investigation.MeasureFailed, reason: "revoke the sessions of role checkout-irsa: refused by the test"},
		{name: "EKS refuses the listing", sa: irsaAccount(), listErr: errRefused,
			want: investigation.MeasureFailed, reason: "list the Pod Identity associations", revoked: []string{"checkout-irsa"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := shopPod()
			if tc.env != "" {
				p.Spec.Containers[0].Env = []corev1.EnvVar{{Name: EnvIRSARole, Value: tc.env}}
			}
			objects := []runtime.Object{ec2Node(), p}
			if tc.sa != nil {
				objects = append(objects, tc.sa)
			}
			e := newEnv(t, objects...)
			e.iam.err, e.eks.listErr = tc.iamErr, tc.listErr
			res, err := e.iso.Isolate(context.Background(), e.target())
			require.NoError(t, err)
			m := measure(t, res, investigation.MeasureWorkloadCredentials, saRef)
			assert.Equal(t, tc.want, m.Status, m.Reason)
			assert.Contains(t, m.Reason, tc.reason)
			assert.Equal(t, tc.revoked, e.iam.revoked)
			assert.Equal(t, investigation.MeasureApplied, measure(t, res, investigation.MeasureCordon, testNode).Status, "the other measures still run")
		})
	}
}

func TestIsolateRefusedPatch(t *testing.T) {
	tests := []struct {
		name     string
		resource string
		body     string // the refused patch contains this
		failed   investigation.MeasureName
		target   string
	}{
		{name: "cordon refused", resource: "nodes", body: "unschedulable", failed: investigation.MeasureCordon, target: testNode},
		{name: "node labels refused", resource: "nodes", body: LabelIsolated, failed: investigation.MeasureLabels, target: testNode},
		{name: "pod labels refused", resource: "pods", body: LabelIsolated, failed: investigation.MeasureLabels, target: podRef},
		{name: "service account patch refused", resource: "serviceaccounts", body: AnnotationIRSARole, failed: investigation.MeasureWorkloadCredentials, target: saRef},
		{name: "pod tolerations refused", resource: "pods", body: `"tolerations"`, failed: investigation.MeasureEvictionTolerations, target: podRef},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, ec2Node(), shopPod(), irsaAccount())
			e.kube.PrependReactor("patch", tc.resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
				if strings.Contains(string(a.(k8stesting.PatchAction).GetPatch()), tc.body) {
					return true, nil, fmt.Errorf("admission webhook %q denied the request", "guard")
				}
				return false, nil, nil
			})
			res, err := e.iso.Isolate(context.Background(), e.target())
			require.NoError(t, err)
			for _, m := range res.Measures {
				if m.Name == tc.failed && m.Target == tc.target {
					assert.Equal(t, investigation.MeasureFailed, m.Status)
					assert.Contains(t, m.Reason, "denied the request")
					continue
				}
				assert.Equal(t, investigation.MeasureApplied, m.Status, "measure %s on %s: %s", m.Name, m.Target, m.Reason)
			}
			measure(t, res, tc.failed, tc.target)
		})
	}
}

func TestIsolateTwiceIsIdempotent(t *testing.T) {
	e := newEnv(t, ec2Node(), shopPod(), irsaAccount())
	ctx := context.Background()
	first, err := e.iso.Isolate(ctx, e.target())
	require.NoError(t, err)
	e.kube.ClearActions()

	second, err := e.iso.Isolate(ctx, e.target())
	require.NoError(t, err)

	require.Len(t, second.Measures, len(first.Measures))
	for i, m := range second.Measures {
		assert.Equal(t, first.Measures[i].Name, m.Name)
		assert.Equal(t, first.Measures[i].Target, m.Target)
		assert.Equal(t, investigation.MeasureApplied, m.Status, "second run, measure %s on %s: %s", m.Name, m.Target, m.Reason)
	}
	firstCordon, secondCordon := measure(t, first, investigation.MeasureCordon, testNode), measure(t, second, investigation.MeasureCordon, testNode)
	assert.Equal(t, "false", secondCordon.Original["unschedulable"], "the second run records the node as it was before the first")
	assert.Equal(t, firstCordon.Original, secondCordon.Original)
	assert.Equal(t, firstCordon.Applied, secondCordon.Applied, "the second run names what the first added")
	assert.Equal(t, testIRSARole, measure(t, second, investigation.MeasureWorkloadCredentials, saRef).Original["irsa.roleArn"],
		"the second run finds the removed IRSA role on the service account")
	assert.Equal(t, []string{"checkout-irsa", "checkout-irsa"}, e.iam.revoked, "the revocation is put again (it only moves its moment)")
	for _, a := range e.kube.Actions() {
		assert.Contains(t, []string{"get", "list"}, a.GetVerb(), "the second run changes nothing in the cluster: %s %s", a.GetVerb(), a.GetResource().Resource)
	}
	policies, err := e.kube.NetworkingV1().NetworkPolicies(testNamespace).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, policies.Items, 1)
}

func TestIsolateKeepsExistingMarks(t *testing.T) {
	n := ec2Node()
	n.Spec.Unschedulable = true
	n.Annotations = map[string]string{AnnotationKarpenterDoNotDisrupt: "false"}
	p := shopPod()
	p.Labels[LabelIsolationCase] = "case-earlier"
	p.Annotations = map[string]string{AnnotationForensicID: "case-earlier"}
	other := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "allow-frontend", Namespace: testNamespace},
		Spec:       networkingv1.NetworkPolicySpec{PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"app": "checkout"}}},
	}
	e := newEnv(t, n, p, irsaAccount(), other)
	ctx := context.Background()

	res, err := e.iso.Isolate(ctx, e.target())
	require.NoError(t, err)

	cordon := measure(t, res, investigation.MeasureCordon, testNode)
	assert.Equal(t, investigation.MeasureApplied, cordon.Status)
	assert.Equal(t, "true", cordon.Original["unschedulable"])
	assert.Contains(t, cordon.Reason, "already cordoned")
	assert.Contains(t, cordon.Reason, AnnotationKarpenterDoNotDisrupt+"=false")
	got, err := e.kube.CoreV1().Nodes().Get(ctx, testNode, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "false", got.Annotations[AnnotationKarpenterDoNotDisrupt], "an existing annotation is not changed")

	podLabels := measure(t, res, investigation.MeasureLabels, podRef)
	assert.Contains(t, podLabels.Reason, LabelIsolationCase+"=case-earlier")
	gotPod, err := e.kube.CoreV1().Pods(testNamespace).Get(ctx, testPod, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "case-earlier", gotPod.Labels[LabelIsolationCase])
	assert.Equal(t, "case-earlier", gotPod.Annotations[AnnotationForensicID])

	policy := measure(t, res, investigation.MeasureNetworkPolicy, policyRef)
	assert.Equal(t, investigation.MeasureApplied, policy.Status)
	assert.Equal(t, LabelIsolationCase+"=case-earlier", policy.Applied["podSelector"], "the policy selects the pod by the label it has")
	assert.Contains(t, policy.Reason, "allow-frontend", "the policy that still allows traffic is named")
}

func TestIsolateSelectedMeasures(t *testing.T) {
	e := newEnv(t, ec2Node(), shopPod(), irsaAccount())
	tg := e.target()
	tg.Measures = []investigation.MeasureName{investigation.MeasureNetworkPolicy, investigation.MeasureSecurityGroups}
	ctx := context.Background()

	res, err := e.iso.Isolate(ctx, tg)
	require.NoError(t, err)

	for _, m := range res.Measures {
		want := investigation.MeasureSkipped
		if m.Name == investigation.MeasureNetworkPolicy || m.Name == investigation.MeasureSecurityGroups {
			want = investigation.MeasureApplied
		}
		assert.Equal(t, want, m.Status, "measure %s on %s: %s", m.Name, m.Target, m.Reason)
		switch {
		case want != investigation.MeasureSkipped:
		case m.Name == investigation.MeasureEvictionTolerations:
			assert.Equal(t, "not asked for by the policy"+reasonEvictionNotAsked, m.Reason, "the node's groups are swapped: the pod will be evicted")
		default:
			assert.Equal(t, "not asked for by the policy", m.Reason)
		}
	}
	assert.Len(t, res.Measures, 6+1, "the same records as a full run, less the EC2 measures not asked for")
	assert.Equal(t, investigation.MeasureSkipped, measure(t, res, investigation.MeasureLabels, podRef).Status)
	assert.Equal(t, investigation.MeasureSkipped, measure(t, res, investigation.MeasureWorkloadCredentials, saRef).Status)
	require.Len(t, e.node.calls, 1)
	assert.Equal(t, []investigation.MeasureName{investigation.MeasureSecurityGroups}, e.node.calls[0].measures)
	p, err := e.kube.CoreV1().Pods(testNamespace).Get(ctx, testPod, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, testForensicID, p.Labels[LabelIsolationCase], "the policy's selector label is put on the pod without the labels measure")
	assert.NotContains(t, p.Labels, LabelIsolated)
	n, err := e.kube.CoreV1().Nodes().Get(ctx, testNode, metav1.GetOptions{})
	require.NoError(t, err)
	assert.False(t, n.Spec.Unschedulable, "cordon was not asked for")

	tg.Measures = []investigation.MeasureName{investigation.MeasureCordon}
	e2 := newEnv(t, ec2Node(), shopPod(), irsaAccount())
	res, err = e2.iso.Isolate(ctx, tg)
	require.NoError(t, err)
	assert.Empty(t, e2.node.calls, "no EC2 measure asked for: the EC2 isolation is not called")
	assert.Equal(t, investigation.MeasureSkipped, measure(t, res, investigation.MeasureSecurityGroups, testNode).Status)
}

func TestIsolateFindsNodeAndPod(t *testing.T) {
	otherNode := node("ip-10-0-2-40.eu-west-1.compute.internal", "i-0fedcba9876543210", nil)
	tests := []struct {
		name     string
		objects  func() []runtime.Object
		target   func(Target) Target
		node     string
		instance string
		note     string
		podState investigation.MeasureStatus
	}{
		{name: "node only, found by its instance", objects: func() []runtime.Object { return []runtime.Object{otherNode, ec2Node()} },
			target: func(t Target) Target { t.PodName = ""; return t }, node: testNode, instance: testInstance, podState: investigation.MeasureSkipped},
		{name: "pod not found, node found by its instance", objects: func() []runtime.Object { return []runtime.Object{ec2Node()} },
			node: testNode, instance: testInstance, note: "pod " + podRef + " not found", podState: investigation.MeasureImpossible},
		{name: "pod on another node than the request's", objects: func() []runtime.Object {
			p := shopPod()
			p.Spec.NodeName = otherNode.Name
			return []runtime.Object{otherNode, ec2Node(), p, irsaAccount()}
		}, node: otherNode.Name, instance: "i-0fedcba9876543210", note: "not on the request's node instance " + testInstance, podState: investigation.MeasureApplied},
		{name: "pod not scheduled", objects: func() []runtime.Object {
			p := shopPod()
			p.Spec.NodeName = ""
			return []runtime.Object{ec2Node(), p, irsaAccount()}
		}, node: testNode, instance: testInstance, note: "not scheduled", podState: investigation.MeasureApplied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.objects()...)
			tg := e.target()
			if tc.target != nil {
				tg = tc.target(tg)
			}
			res, err := e.iso.Isolate(context.Background(), tg)
			require.NoError(t, err)
			assert.Equal(t, tc.node, res.NodeName)
			assert.Equal(t, tc.instance, res.InstanceID)
			if tc.note == "" {
				assert.Empty(t, res.Notes)
			} else {
				require.Len(t, res.Notes, 1)
				assert.Contains(t, res.Notes[0], tc.note)
			}
			assert.Equal(t, investigation.MeasureApplied, measure(t, res, investigation.MeasureCordon, tc.node).Status)
			for _, m := range res.Measures {
				if m.Name == investigation.MeasureNetworkPolicy || m.Name == investigation.MeasureWorkloadCredentials {
					assert.Equal(t, tc.podState, m.Status, "pod measure %s: %s", m.Name, m.Reason)
				}
			}
			require.Len(t, e.node.calls, 1)
			assert.Equal(t, tc.instance, e.node.calls[0].instanceID)
		})
	}
}

func TestIsolateErrors(t *testing.T) {
	tests := []struct {
		name    string
		objects []runtime.Object
		target  func(Target) Target
		reactor k8stesting.ReactionFunc
		wantErr string
	}{
		{name: "neither pod nor node", wantErr: "isolate EKS workload: neither pod " + podRef + " nor a node of instance " + testInstance + " found in cluster " + testCluster},
		{name: "no node of the instance", target: func(t Target) Target { t.PodName = ""; return t },
			wantErr: "isolate EKS workload: no node of instance " + testInstance + " in cluster " + testCluster},
		{name: "API refuses the first look-up", objects: []runtime.Object{ec2Node(), shopPod()},
			reactor: func(k8stesting.Action) (bool, runtime.Object, error) { return true, nil, errRefused },
			wantErr: "isolate EKS workload: get pod " + podRef + " in cluster " + testCluster + ": refused by the test"},
		{name: "bad forensic ID", target: func(t Target) Target { t.ForensicID = "../x"; return t }, wantErr: `forensicId "../x" is not a valid forensic ID`},
		{name: "no cluster", target: func(t Target) Target { t.ClusterName = ""; return t }, wantErr: "clusterName is empty"},
		{name: "no pod and no instance", target: func(t Target) Target { t.PodName, t.NodeInstanceID = "", ""; return t }, wantErr: "name a podName or a nodeInstanceId"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.objects...)
			if tc.reactor != nil {
				e.kube.PrependReactor("get", "pods", tc.reactor)
			}
			tg := e.target()
			if tc.target != nil {
				tg = tc.target(tg)
			}
			_, err := e.iso.Isolate(context.Background(), tg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.wantErr)
			assert.Empty(t, e.node.calls)
		})
	}
}

func TestIsolateNodeIsolationFails(t *testing.T) {
	e := newEnv(t, ec2Node(), shopPod(), irsaAccount())
	e.node.err = errRefused
	res, err := e.iso.Isolate(context.Background(), e.target())
	require.NoError(t, err)
	for _, name := range investigation.EC2Measures {
		m := measure(t, res, name, testInstance)
		assert.Equal(t, investigation.MeasureFailed, m.Status)
		assert.Equal(t, "isolate the node's instance "+testInstance+": refused by the test", m.Reason)
	}
	assert.Equal(t, investigation.MeasureApplied, measure(t, res, investigation.MeasureCordon, testNode).Status)
}

func TestCaseLabelValue(t *testing.T) {
	long := strings.Repeat("a", 64)
	tests := []struct{ name, id, want string }{
		{name: "valid label value", id: testForensicID, want: testForensicID},
		{name: "too long for a label", id: long, want: ShortHash(long)},
		{name: "ends in a dot", id: "case.", want: ShortHash("case.")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, CaseLabelValue(tc.id))
		})
	}
	assert.Len(t, ShortHash(long), 10)
	assert.Equal(t, "casefile-isolate-"+ShortHash(testForensicID), NetworkPolicyName(testForensicID))
}
