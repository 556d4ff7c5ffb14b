package kubeapi_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/eksisolation"
)

// noPodIdentity is an EKS API without Pod Identity associations.
type noPodIdentity struct{}

func (noPodIdentity) ListPodIdentityAssociations(context.Context, *eks.ListPodIdentityAssociationsInput, ...func(*eks.Options)) (*eks.ListPodIdentityAssociationsOutput, error) {
	return &eks.ListPodIdentityAssociationsOutput{}, nil
}

func (noPodIdentity) DescribePodIdentityAssociation(context.Context, *eks.DescribePodIdentityAssociationInput, ...func(*eks.Options)) (*eks.DescribePodIdentityAssociationOutput, error) {
	return &eks.DescribePodIdentityAssociationOutput{}, nil
}

func (noPodIdentity) DeletePodIdentityAssociation(context.Context, *eks.DeletePodIdentityAssociationInput, ...func(*eks.Options)) (*eks.DeletePodIdentityAssociationOutput, error) {
	return &eks.DeletePodIdentityAssociationOutput{}, nil
}

// anyRolePolicy takes every inline policy.
type anyRolePolicy struct{}

func (anyRolePolicy) PutRolePolicy(context.Context, *iam.PutRolePolicyInput, ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	return &iam.PutRolePolicyOutput{}, nil
}

// noNode isolates no instance.
type noNode struct{}

func (noNode) IsolateNode(context.Context, string, string, []investigation.MeasureName) ([]investigation.Measure, error) {
	return nil, nil
}

// TestTheEKSIsolationsPatchesAreServed runs the EKS isolation's
// Kubernetes measures over HTTP against a pod with the admission plugin's
// 300 s tolerations: the stand-in takes every patch, the tolerations one
// included, as the Kubernetes API would.
func TestTheEKSIsolationsPatchesAreServed(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	fiveMinutes := int64(300)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: podName, Namespace: "shop", Labels: map[string]string{"app": "checkout"}},
		Spec: corev1.PodSpec{NodeName: nodeName, ServiceAccountName: "checkout", Tolerations: []corev1.Toleration{
			{Key: eksisolation.TaintNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &fiveMinutes},
			{Key: eksisolation.TaintUnreachable, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &fiveMinutes},
		}},
	}
	s.Reset(append(objects()[:4], pod)...)
	k, err := kubernetes.NewForConfig(config(s, testToken(nil)))
	require.NoError(t, err)
	iso := &eksisolation.Isolator{Kube: k, EKS: noPodIdentity{}, IAM: anyRolePolicy{}, Node: noNode{}}

	res, err := iso.Isolate(ctx, eksisolation.Target{ForensicID: "case-0001", ClusterName: "casefile-shop", Namespace: "shop", PodName: podName})
	require.NoError(t, err)

	for _, m := range res.Measures {
		if slices.Contains(investigation.EKSMeasures, m.Name) {
			assert.Equal(t, investigation.MeasureApplied, m.Status, "%s on %s: %s", m.Name, m.Target, m.Reason)
		}
	}
	stored, err := s.Clientset().CoreV1().Pods("shop").Get(ctx, podName, metav1.GetOptions{})
	require.NoError(t, err)
	for _, tol := range stored.Spec.Tolerations {
		assert.Nil(t, tol.TolerationSeconds, "toleration %s has no time limit", tol.Key)
	}
	assert.Len(t, stored.Spec.Tolerations, 2, "nothing added: both taints were tolerated")
	for _, r := range s.Requests() {
		assert.Less(t, r.Status, 300, "%s %s answered %d", r.Method, r.Path, r.Status)
	}
}
