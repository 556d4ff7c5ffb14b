package eksisolation

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws/kubeapi"
)

const (
	testCluster    = "casefile-shop"
	testForensicID = "case-2026-0042"
	testNamespace  = "shop"
	testPod        = "checkout-7d4b9c6f5-x2x9q"
	testSA         = "checkout"
	testNode       = "ip-10-0-1-23.eu-west-1.compute.internal"
	testInstance   = "i-0123456789abcdef0"
	testIRSARole   = "arn:aws:iam::111122223333:role/shop/checkout-irsa"
	testPIRole     = "arn:aws:iam::111122223333:role/checkout-pod-identity"
)

var testNow = time.Date(2026, 12, 4, 11, 30, 0, 0, time.UTC)

// fakeEKS holds Pod Identity associations.
type fakeEKS struct {
	mu           sync.Mutex
	associations map[string]ekstypes.PodIdentityAssociation
	deleted      []string
	listErr      error
	called       actionSet
	// onDelete, when set, is called by each deletion.
	onDelete func()
}

func (f *fakeEKS) add(id, namespace, sa, role string) {
	if f.associations == nil {
		f.associations = map[string]ekstypes.PodIdentityAssociation{}
	}
	f.associations[id] = ekstypes.PodIdentityAssociation{
		AssociationId: aws.String(id), ClusterName: aws.String(testCluster),
		Namespace: aws.String(namespace), ServiceAccount: aws.String(sa), RoleArn: aws.String(role),
	}
}

func (f *fakeEKS) ListPodIdentityAssociations(_ context.Context, in *eks.ListPodIdentityAssociationsInput, _ ...func(*eks.Options)) (*eks.ListPodIdentityAssociationsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called.add("eks:ListPodIdentityAssociations")
	if f.listErr != nil {
		return nil, f.listErr
	}
	out := &eks.ListPodIdentityAssociationsOutput{}
	ids := make([]string, 0, len(f.associations))
	for id := range f.associations {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		a := f.associations[id]
		if aws.ToString(a.ClusterName) != aws.ToString(in.ClusterName) ||
			(in.Namespace != nil && aws.ToString(a.Namespace) != *in.Namespace) ||
			(in.ServiceAccount != nil && aws.ToString(a.ServiceAccount) != *in.ServiceAccount) {
			continue
		}
		out.Associations = append(out.Associations, ekstypes.PodIdentityAssociationSummary{
			AssociationId: a.AssociationId, ClusterName: a.ClusterName, Namespace: a.Namespace, ServiceAccount: a.ServiceAccount,
		})
	}
	return out, nil
}

func (f *fakeEKS) DescribePodIdentityAssociation(_ context.Context, in *eks.DescribePodIdentityAssociationInput, _ ...func(*eks.Options)) (*eks.DescribePodIdentityAssociationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called.add("eks:DescribePodIdentityAssociation")
	a, ok := f.associations[aws.ToString(in.AssociationId)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "no association"}
	}
	return &eks.DescribePodIdentityAssociationOutput{Association: &a}, nil
}

func (f *fakeEKS) DeletePodIdentityAssociation(_ context.Context, in *eks.DeletePodIdentityAssociationInput, _ ...func(*eks.Options)) (*eks.DeletePodIdentityAssociationOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called.add("eks:DeletePodIdentityAssociation")
	id := aws.ToString(in.AssociationId)
	if _, ok := f.associations[id]; !ok {
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "no association"}
	}
	delete(f.associations, id)
	f.deleted = append(f.deleted, id)
	if f.onDelete != nil {
		f.onDelete()
	}
	return &eks.DeletePodIdentityAssociationOutput{}, nil
}

// fakeIAM records the roles whose sessions were revoked, and the policy
// put on each.
type fakeIAM struct {
	mu       sync.Mutex
	revoked  []string
	policies map[string]string
	err      error
	called   actionSet
}

func (f *fakeIAM) PutRolePolicy(_ context.Context, in *iam.PutRolePolicyInput, _ ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.called.add("iam:PutRolePolicy")
	if f.err != nil {
		return nil, f.err
	}
	f.revoked = append(f.revoked, aws.ToString(in.RoleName))
	if f.policies == nil {
		f.policies = map[string]string{}
	}
	f.policies[aws.ToString(in.RoleName)] = aws.ToString(in.PolicyDocument)
	return &iam.PutRolePolicyOutput{}, nil
}

// actionSet collects the IAM actions of the AWS calls a fake answered.
type actionSet map[string]bool

func (s actionSet) add(action string) {
	if s != nil {
		s[action] = true
	}
}

// nodeCall is one call of the fake EC2 node isolation.
type nodeCall struct {
	forensicID, instanceID string
	measures               []investigation.MeasureName
}

// fakeNode answers every EC2 measure asked for (all when none) APPLIED.
type fakeNode struct {
	calls []nodeCall
	err   error
	// onCall, when set, is called first by each call.
	onCall func()
}

func (f *fakeNode) IsolateNode(_ context.Context, forensicID, instanceID string, measures []investigation.MeasureName) ([]investigation.Measure, error) {
	if f.onCall != nil {
		f.onCall()
	}
	f.calls = append(f.calls, nodeCall{forensicID, instanceID, measures})
	if f.err != nil {
		return nil, f.err
	}
	names := measures
	if len(names) == 0 {
		names = investigation.EC2Measures
	}
	var out []investigation.Measure
	for _, n := range names {
		out = append(out, investigation.Measure{Name: n, Target: instanceID, Status: investigation.MeasureApplied})
	}
	return out, nil
}

// env is one test's isolator and its fakes.
type env struct {
	kube *fake.Clientset
	eks  *fakeEKS
	iam  *fakeIAM
	node *fakeNode
	iso  *Isolator
}

func newEnv(t *testing.T, objects ...runtime.Object) *env {
	t.Helper()
	e := &env{kube: fake.NewClientset(objects...), eks: &fakeEKS{}, iam: &fakeIAM{}, node: &fakeNode{}}
	// Pod patches are refused as the Kubernetes API refuses them.
	kubeapi.ValidatePodPatches(e.kube)
	e.iso = &Isolator{Kube: e.kube, EKS: e.eks, IAM: e.iam, Node: e.node, Now: func() time.Time { return testNow }}
	return e
}

func (e *env) target() Target {
	return Target{ForensicID: testForensicID, ClusterName: testCluster, NodeInstanceID: testInstance, Namespace: testNamespace, PodName: testPod}
}

func node(name, instanceID string, labels map[string]string) *corev1.Node {
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec:       corev1.NodeSpec{ProviderID: "aws:///eu-west-1a/" + instanceID},
	}
}

func pod(nodeName, serviceAccount string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: testPod, Namespace: testNamespace, Labels: labels},
		Spec: corev1.PodSpec{
			NodeName: nodeName, ServiceAccountName: serviceAccount,
			Containers: []corev1.Container{{Name: "app", Image: "shop/checkout:1.4"}},
		},
	}
}

func serviceAccount(name string, annotations map[string]string) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: testNamespace, Annotations: annotations}}
}

var errRefused = errors.New("refused by the test")

// measure returns the result's measure of name on target; it fails the
// test when there is none.
func measure(t *testing.T, res Result, name investigation.MeasureName, target string) investigation.Measure {
	t.Helper()
	for _, m := range res.Measures {
		if m.Name == name && m.Target == target {
			return m
		}
	}
	require.Failf(t, "measure missing", "no measure %s on %q in %+v", name, target, res.Measures)
	return investigation.Measure{}
}
