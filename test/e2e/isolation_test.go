package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/eksisolation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/rolesessions"
	"github.com/casefile-forensics/casefile/test/localaws"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/sfnlocal"
)

// interfaceGroups maps each network interface of the compromised instance
// to its groups, as DescribeNetworkInterfaces has them (moto's
// DescribeInstances adds the launch groups to every interface's).
func interfaceGroups(t *testing.T, env *localaws.Environment) map[string][]string {
	t.Helper()
	out, err := env.Clients().EC2.DescribeNetworkInterfaces(context.Background(), &ec2.DescribeNetworkInterfacesInput{
		Filters: []ec2types.Filter{{Name: aws.String("attachment.instance-id"), Values: []string{env.Fixture().Compromised.InstanceID}}},
	})
	require.NoError(t, err)
	groups := map[string][]string{}
	for _, eni := range out.NetworkInterfaces {
		id := aws.ToString(eni.NetworkInterfaceId)
		groups[id] = []string{}
		for _, g := range eni.Groups {
			groups[id] = append(groups[id], aws.ToString(g.GroupId))
		}
	}
	return groups
}

// profileAssociation is the compromised instance's associated instance
// profile (moto does not update DescribeInstances after a replacement).
func profileAssociation(t *testing.T, env *localaws.Environment) string {
	t.Helper()
	out, err := env.Clients().EC2.DescribeIamInstanceProfileAssociations(context.Background(), &ec2.DescribeIamInstanceProfileAssociationsInput{
		Filters: []ec2types.Filter{
			{Name: aws.String("instance-id"), Values: []string{env.Fixture().Compromised.InstanceID}},
			{Name: aws.String("state"), Values: []string{"associated"}},
		},
	})
	require.NoError(t, err)
	require.Len(t, out.IamInstanceProfileAssociations, 1, "one associated profile")
	return aws.ToString(out.IamInstanceProfileAssociations[0].IamInstanceProfile.Arn)
}

// TestEC2CaseIsolatesTheInstance runs the fixture's DISK case, whose
// GuardDuty finding (command and control, crypto-mining) the built-in
// policy isolates, and checks the instance in the emulator afterwards and
// what the case recorded of the settings it replaced.
func TestEC2CaseIsolatesTheInstance(t *testing.T) {
	env := environment(t)
	f := env.Fixture()
	ctx := context.Background()
	originalGroups := interfaceGroups(t, env)
	require.NotEmpty(t, originalGroups, "the compromised instance has interfaces with groups")

	out := run(t, env, f.DiskRequest("case-isolated-ec2"))
	require.Equal(t, sfnlocal.StatusSucceeded, out.Status)
	assertNothingLeft(t, out)

	items := isolationItems(t, env, "case-isolated-ec2")
	require.Len(t, items, 1)
	item := items[0]
	assert.Equal(t, investigation.IsolationStatusIsolated, item.Status, "measures: %+v", item.Measures)
	assert.Equal(t, investigation.IsolationIsolate, item.Decision.Action)
	assert.Equal(t, investigation.RuleSourceBuiltin, item.Decision.Source)
	assert.Contains(t, f.DiskRequest("x").Finding.Types, item.Decision.Matched, "the rule matched one of the finding's types")

	// Only the no-rule group, on every interface.
	groups := interfaceGroups(t, env)
	require.Len(t, groups, len(originalGroups))
	var deny string
	for eni, ids := range groups {
		require.Len(t, ids, 1, "interface %s has one group", eni)
		deny = ids[0]
	}
	sg, err := env.Clients().EC2.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{deny}})
	require.NoError(t, err)
	require.Len(t, sg.SecurityGroups, 1)
	assert.Empty(t, sg.SecurityGroups[0].IpPermissions, "the isolation group allows nothing in")
	assert.Empty(t, sg.SecurityGroups[0].IpPermissionsEgress, "the isolation group allows nothing out")
	// The deny-all profile.
	assert.Equal(t, f.Isolation.DenyProfileARN, profileAssociation(t, env))
	// Termination protection.
	attr, err := env.Clients().EC2.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{
		InstanceId: aws.String(f.Compromised.InstanceID), Attribute: ec2types.InstanceAttributeNameDisableApiTermination,
	})
	require.NoError(t, err)
	assert.True(t, aws.ToBool(attr.DisableApiTermination.Value), "termination protection is on")
	// No Elastic IP.
	addrs, err := env.Clients().EC2.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{AllocationIds: []string{f.Compromised.ElasticIP.AllocationID}})
	require.NoError(t, err)
	require.Len(t, addrs.Addresses, 1, "the address stays allocated")
	assert.Empty(t, aws.ToString(addrs.Addresses[0].InstanceId), "the Elastic IP is no longer associated")
	// The application role's older sessions are revoked.
	roleName := f.Compromised.RoleARN[strings.LastIndex(f.Compromised.RoleARN, "/")+1:]
	_, err = env.Clients().IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String(rolesessions.PolicyName)})
	assert.NoError(t, err, "role %s has the session revocation policy", roleName)

	// The settings replaced are on the case, for a restore.
	recorded := func(name investigation.MeasureName) investigation.Measure {
		m, ok := measureOf(item, name, "")
		require.True(t, ok, "measure %s recorded", name)
		return m
	}
	sgs := recorded(investigation.MeasureSecurityGroups)
	assert.Equal(t, investigation.MeasureApplied, sgs.Status)
	originals := strings.Join(slices.Collect(mapValues(sgs.Original)), " ")
	for _, ids := range originalGroups {
		for _, id := range ids {
			assert.Contains(t, originals, id, "the original group %s is recorded", id)
		}
	}
	profile := recorded(investigation.MeasureInstanceProfile)
	assert.Contains(t, strings.Join(slices.Collect(mapValues(profile.Original)), " "), f.Compromised.InstanceProfileARN)
	eip := recorded(investigation.MeasureElasticIPs)
	assert.Contains(t, strings.Join(slices.Collect(mapValues(eip.Original)), " "), f.Compromised.ElasticIP.PublicIP)
	assert.Equal(t, investigation.MeasureApplied, recorded(investigation.MeasureTerminationProtection).Status)

	msg := caseMessage(t, out)
	require.NotNil(t, msg.Isolation, "the notification has the isolation")
	assert.Equal(t, investigation.IsolationStatusIsolated, msg.Isolation.Status)
	require.NotNil(t, msg.Records.Isolation, "the notification names the isolation item")
	r := assertReport(t, env, "case-isolated-ec2")
	assert.Equal(t, investigation.IsolationStatusIsolated, r.Case.Isolation.Decision)
	assert.NotEmpty(t, r.Case.Isolation.Measures)

	// The case's MEMORY investigation finds the instance isolated and
	// records the same originals, not the isolation's own settings.
	out = run(t, env, f.MemoryRequest("case-isolated-ec2"))
	require.Equal(t, sfnlocal.StatusSucceeded, out.Status)
	items = isolationItems(t, env, "case-isolated-ec2")
	require.Len(t, items, 2, "one isolation item per investigation")
	for _, it := range items {
		if it.ForensicType != string(investigation.ForensicTypeMemory) {
			continue
		}
		again, ok := measureOf(it, investigation.MeasureSecurityGroups, "")
		require.True(t, ok)
		assert.Equal(t, sgs.Original, again.Original, "the second isolation keeps the first one's originals")
	}
}

func mapValues(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// TestEKSCaseRunsToSucceeded runs an EKS case of each evidence type: the
// request names the cluster, the node's instance and the pod; the
// evidence is the node's. The pod and its node are isolated through the
// local Kubernetes API, the case succeeds, and the notification and the
// report name the cluster, node, namespace and pod.
func TestEKSCaseRunsToSucceeded(t *testing.T) {
	tests := []struct {
		name    string
		request func(f *fixture.Fixture, id string) investigation.Request
	}{
		{"DISK", (*fixture.Fixture).EKSDiskRequest},
		{"MEMORY", (*fixture.Fixture).EKSMemoryRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := environment(t)
			f := env.Fixture()
			id := "case-eks-" + strings.ToLower(tc.name)
			out := run(t, env, tc.request(f, id))
			require.Equal(t, sfnlocal.StatusSucceeded, out.Status, "execution: %s %s", out.Error, out.Cause)
			require.NotNil(t, out.Investigation)
			assert.Equal(t, investigation.StatusSucceeded, out.Investigation.Status)
			assertNothingLeft(t, out)

			msg := caseMessage(t, out)
			require.NotNil(t, msg.Resource)
			require.NotNil(t, msg.Resource.EKS, "the notification names the EKS workload")
			assert.Equal(t, f.EKS.Name, msg.Resource.EKS.ClusterName)
			assert.Equal(t, f.Compromised.InstanceID, msg.Resource.EKS.NodeInstanceID)
			assert.Equal(t, f.EKS.Namespace, msg.Resource.EKS.Namespace)
			assert.Equal(t, f.EKS.PodName, msg.Resource.EKS.PodName)
			// The queue gets the JSON form; the text form is what email
			// subscribers read.
			text := msg.Text()
			for _, want := range []string{"EKS cluster " + f.EKS.Name, "node " + f.Compromised.InstanceID,
				"namespace " + f.EKS.Namespace, "pod " + f.EKS.PodName} {
				assert.Contains(t, text, want, "the notification's text names it")
			}
			require.NotNil(t, msg.Isolation)
			assert.Equal(t, investigation.IsolationStatusIsolated, msg.Isolation.Status)

			items := isolationItems(t, env, id)
			require.Len(t, items, 1)
			item := items[0]
			assert.Equal(t, investigation.IsolationStatusIsolated, item.Status, "measures: %+v", item.Measures)
			assert.Equal(t, f.EKS.NodeName, item.NodeName)
			assert.Equal(t, "EC2", item.Compute, "an on-demand node")
			for _, name := range []investigation.MeasureName{investigation.MeasureCordon, investigation.MeasureEvictionTolerations,
				investigation.MeasureLabels, investigation.MeasureNetworkPolicy, investigation.MeasureWorkloadCredentials,
				investigation.MeasureSecurityGroups} {
				m, ok := measureOf(item, name, "")
				if assert.True(t, ok, "measure %s recorded", name) {
					assert.Equal(t, investigation.MeasureApplied, m.Status, "measure %s: %s", name, m.Reason)
				}
			}

			// The cluster as the Kubernetes API holds it.
			kube := env.Kubernetes().Clientset()
			node, err := kube.CoreV1().Nodes().Get(context.Background(), f.EKS.NodeName, metav1.GetOptions{})
			require.NoError(t, err)
			assert.True(t, node.Spec.Unschedulable, "the node is cordoned")
			assert.Equal(t, "true", node.Labels["casefile.io/isolated"], "the node is labelled")
			pod, err := kube.CoreV1().Pods(f.EKS.Namespace).Get(context.Background(), f.EKS.PodName, metav1.GetOptions{})
			require.NoError(t, err, "the pod is still there: nothing was evicted")
			assert.Equal(t, "true", pod.Labels["casefile.io/isolated"], "the pod is labelled")
			assertNotEvictedFromANotReadyNode(t, pod)
			policies, err := kube.NetworkingV1().NetworkPolicies(f.EKS.Namespace).List(context.Background(), metav1.ListOptions{})
			require.NoError(t, err)
			require.Len(t, policies.Items, 1, "one deny-all NetworkPolicy")
			np := policies.Items[0]
			assert.Empty(t, np.Spec.Ingress, "no ingress rule")
			assert.Empty(t, np.Spec.Egress, "no egress rule")
			assert.ElementsMatch(t, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress}, np.Spec.PolicyTypes,
				"the policy denies both directions (without Egress in policyTypes, egress would stay open)")
			// An empty selector selects every pod of the namespace; the
			// policy must select this pod by a label it has.
			require.NotEmpty(t, np.Spec.PodSelector.MatchLabels, "the policy selects by label: %+v", np.Spec.PodSelector)
			selector, err := metav1.LabelSelectorAsSelector(&np.Spec.PodSelector)
			require.NoError(t, err)
			assert.True(t, selector.Matches(labels.Set(pod.Labels)), "the policy's selector %s selects the pod %v", selector, pod.Labels)
			sa, err := kube.CoreV1().ServiceAccounts(f.EKS.Namespace).Get(context.Background(), f.EKS.ServiceAccount, metav1.GetOptions{})
			require.NoError(t, err)
			assert.NotContains(t, sa.Annotations, fixture.AnnotationIRSARole, "the IRSA role is removed from the service account")
			for _, r := range env.Kubernetes().Requests() {
				assert.NotEqual(t, "DELETE", r.Method, "nothing is deleted: %s", r.Path)
				assert.NotContains(t, r.Path, "eviction", "nothing is evicted")
			}

			r := assertReport(t, env, id)
			require.NotNil(t, r.Case.Resource)
			assert.Equal(t, "EKS", r.Case.Resource.Kind)
			assert.Equal(t, f.EKS.Name, r.Case.Resource.Cluster)
			assert.Equal(t, f.Compromised.InstanceID, r.Case.Resource.Node)
			assert.Equal(t, f.EKS.Namespace, r.Case.Resource.Namespace)
			assert.Equal(t, f.EKS.PodName, r.Case.Resource.Pod)
			assert.Equal(t, f.EKS.NodeName, r.Case.Isolation.Node)
		})
	}
}

// assertNotEvictedFromANotReadyNode checks that the pod tolerates the
// taints its isolated node gets when it goes NotReady with no time limit:
// every toleration of them has lost its tolerationSeconds (the fixture's
// pod has the admission plugin's 300 s), and the originals are kept on the
// pod.
func assertNotEvictedFromANotReadyNode(t *testing.T, pod *corev1.Pod) {
	t.Helper()
	for _, key := range []string{fixture.TaintNotReady, fixture.TaintUnreachable} {
		var matching []corev1.Toleration
		for _, tol := range pod.Spec.Tolerations {
			if (tol.Key == key || tol.Key == "") && (tol.Effect == "" || tol.Effect == corev1.TaintEffectNoExecute) {
				matching = append(matching, tol)
			}
		}
		require.NotEmpty(t, matching, "the pod tolerates %s", key)
		for _, tol := range matching {
			assert.Nil(t, tol.TolerationSeconds, "the pod's toleration of %s has no time limit: %+v", key, tol)
		}
	}
	assert.Contains(t, pod.Annotations[eksisolation.AnnotationOriginalTolerations], `"tolerationSeconds":300`,
		"the pod keeps its original tolerations")
}

// TestIsolationThatFailsDoesNotStopTheCase: with the isolation role not
// assumable, the investigation still runs to SUCCEEDED; the case and the
// notification say the isolation FAILED and why.
func TestIsolationThatFailsDoesNotStopTheCase(t *testing.T) {
	env := environment(t)
	f := env.Fixture()
	// STS refuses the role every time.
	env.Host().Inject(refused("sts", "AssumeRole", "AccessDenied", 0))

	out := run(t, env, f.DiskRequest("case-isolation-refused"))
	require.Equal(t, sfnlocal.StatusSucceeded, out.Status)
	items := isolationItems(t, env, "case-isolation-refused")
	require.Len(t, items, 1)
	assert.Equal(t, investigation.IsolationStatusFailed, items[0].Status)
	assert.Contains(t, items[0].Error, "assume the isolation role")
	msg := caseMessage(t, out)
	require.NotNil(t, msg.Isolation)
	assert.Equal(t, investigation.IsolationStatusFailed, msg.Isolation.Status)
	assert.Contains(t, msg.Text(), "Isolation:     FAILED", "the text form says the isolation failed")
	assert.Equal(t, f.Compromised.InstanceProfileARN, profileAssociation(t, env), "nothing was changed")
}
