package eksisolation

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// TestHostNetworkPodGetsNoNetworkPolicy: NetworkPolicies never apply to a
// pod on its node's network, so the measure is IMPOSSIBLE, says why, and
// makes no policy; the node's EC2 isolation still runs.
func TestHostNetworkPodGetsNoNetworkPolicy(t *testing.T) {
	p := shopPod()
	p.Spec.HostNetwork = true
	e := newEnv(t, ec2Node(), p, irsaAccount())
	ctx := context.Background()

	res, err := e.iso.Isolate(ctx, e.target())
	require.NoError(t, err)

	policy := measure(t, res, investigation.MeasureNetworkPolicy, policyRef)
	assert.Equal(t, investigation.MeasureImpossible, policy.Status, policy.Reason)
	assert.Contains(t, policy.Reason, "spec.hostNetwork")
	assert.Contains(t, policy.Reason, "NetworkPolicies never apply to host-network pods")
	assert.Contains(t, policy.Reason, "securityGroups measure")
	assert.Nil(t, policy.Applied, "nothing was made")
	for _, a := range e.kube.Actions() {
		assert.NotEqual(t, "networkpolicies", a.GetResource().Resource, "no NetworkPolicy call: %s", a.GetVerb())
	}
	policies, err := e.kube.NetworkingV1().NetworkPolicies(testNamespace).List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Empty(t, policies.Items, "no NetworkPolicy for a host-network pod")
	assert.Equal(t, investigation.MeasureApplied, measure(t, res, investigation.MeasureSecurityGroups, testInstance).Status,
		"the node's groups are swapped")
	require.Len(t, e.node.calls, 1)
}

// TestPodWithSecurityGroupsForPods: the node's security-group swap does not
// change the groups of the pod's branch network interface, and the record
// says so with an IMPOSSIBLE securityGroups measure of the pod.
func TestPodWithSecurityGroupsForPods(t *testing.T) {
	const branch = `[{"eniId":"eni-0b1c2d3e4f5a6b7c8","ifAddress":"0a:1b:2c:3d:4e:5f","privateIp":"10.0.1.87","vlanId":1,"subnetCidr":"10.0.1.0/24"}]`
	tests := []struct {
		name       string
		annotation string
		measures   []investigation.MeasureName
		fargate    bool
		wantRecord bool
		wantENI    string
	}{
		{name: "branch interface named", annotation: branch, wantRecord: true, wantENI: "eni-0b1c2d3e4f5a6b7c8"},
		{name: "annotation unreadable", annotation: "not json", wantRecord: true, wantENI: "its branch network interface,"},
		{name: "swap not asked for", annotation: branch, measures: []investigation.MeasureName{investigation.MeasureNetworkPolicy}},
		{name: "Fargate", annotation: branch, fargate: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := shopPod()
			p.Annotations = map[string]string{AnnotationPodENI: tc.annotation}
			if tc.fargate {
				p.Spec.SchedulerName = FargateSchedulerName
			}
			e := newEnv(t, ec2Node(), p, irsaAccount())
			tg := e.target()
			tg.Measures = tc.measures

			res, err := e.iso.Isolate(context.Background(), tg)
			require.NoError(t, err)

			var records []investigation.Measure
			for _, m := range res.Measures {
				if m.Name == investigation.MeasureSecurityGroups && m.Target == podRef {
					records = append(records, m)
				}
			}
			if !tc.wantRecord {
				assert.Empty(t, records, "no securityGroups record of the pod")
				return
			}
			require.Len(t, records, 1, "one securityGroups record of the pod")
			m := records[0]
			assert.Equal(t, investigation.MeasureImpossible, m.Status)
			assert.Contains(t, m.Reason, "security groups for pods (annotation "+AnnotationPodENI+")")
			assert.Contains(t, m.Reason, tc.wantENI)
			assert.Contains(t, m.Reason, "the node's swap does not change")
			assert.Equal(t, res.Measures[len(res.Measures)-1], m, "the record follows the node's EC2 measures")
			assert.Equal(t, investigation.MeasureApplied, measure(t, res, investigation.MeasureSecurityGroups, testInstance).Status,
				"the node's own groups are swapped")
			assert.Equal(t, investigation.MeasureApplied, measure(t, res, investigation.MeasureNetworkPolicy, policyRef).Status)
		})
	}
}
