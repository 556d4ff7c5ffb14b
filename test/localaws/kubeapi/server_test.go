package kubeapi_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/casefile-forensics/casefile/test/localaws/kubeapi"
)

const (
	nodeName = "ip-10-0-1-23.eu-west-1.compute.internal"
	podName  = "checkout-7d4b9c6f5-x2x9q"
	roleARN  = "arn:aws:iam::123456789012:role/checkout-irsa"
	// accessKey is the key that signs testToken's URL.
	accessKey = "ASIAEXAMPLEISOLATION"
)

func objects() []runtime.Object {
	return []runtime.Object{
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName, Labels: map[string]string{"eks.amazonaws.com/capacityType": "ON_DEMAND"}}},
		&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "ip-10-0-2-7.eu-west-1.compute.internal", Labels: map[string]string{"eks.amazonaws.com/capacityType": "SPOT"}}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "shop"}},
		&corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "checkout", Namespace: "shop", Annotations: map[string]string{"eks.amazonaws.com/role-arn": roleARN}}},
		&corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: podName, Namespace: "shop", Labels: map[string]string{"app": "checkout"}},
			Spec:       corev1.PodSpec{NodeName: nodeName, ServiceAccountName: "checkout"},
		},
		&corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: "cart-5f6d7c8b9-abcde", Namespace: "shop", Labels: map[string]string{"app": "cart"}},
			Spec:       corev1.PodSpec{NodeName: "ip-10-0-2-7.eu-west-1.compute.internal"},
		},
	}
}

// testToken is shaped like the token aws-iam-authenticator and the EKS
// isolation make: the base64url of a pre-signed GetCallerIdentity URL
// that signs the cluster ID header. Each change names what it breaks.
func testToken(change func(q url.Values)) string {
	q := url.Values{
		"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"},
		"X-Amz-Algorithm": {"AWS4-HMAC-SHA256"}, "X-Amz-Credential": {accessKey + "/20261204/eu-west-1/sts/aws4_request"},
		"X-Amz-Date": {"20261204T110000Z"}, "X-Amz-Expires": {"60"},
		"X-Amz-SignedHeaders": {"host;x-k8s-aws-id"}, "X-Amz-Signature": {"0123abcd"},
	}
	if change != nil {
		change(q)
	}
	u := "https://sts.eu-west-1.amazonaws.com/?" + q.Encode()
	return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(u))
}

func start(t *testing.T) *kubeapi.Server {
	t.Helper()
	s := kubeapi.Start(objects()...)
	t.Cleanup(s.Close)
	return s
}

func config(s *kubeapi.Server, token string) *rest.Config {
	return &rest.Config{Host: s.URL(), BearerToken: token, TLSClientConfig: rest.TLSClientConfig{CAData: s.CAData()}}
}

func client(t *testing.T, s *kubeapi.Server) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(config(s, testToken(nil)))
	require.NoError(t, err)
	return cs
}

func TestRoundTrips(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	k := client(t, s)

	node, err := k.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	require.NoError(t, err, "get the node")
	assert.Equal(t, "ON_DEMAND", node.Labels["eks.amazonaws.com/capacityType"])

	cordon := []byte(`{"spec":{"unschedulable":true},"metadata":{"labels":{"casefile/quarantine":"case-0001"}}}`)
	patched, err := k.CoreV1().Nodes().Patch(ctx, nodeName, types.MergePatchType, cordon, metav1.PatchOptions{})
	require.NoError(t, err, "cordon and label the node")
	assert.True(t, patched.Spec.Unschedulable, "the answer is the cordoned node")
	stored, err := s.Clientset().CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.True(t, stored.Spec.Unschedulable, "the fake clientset holds the cordoned node")
	assert.Equal(t, map[string]string{"eks.amazonaws.com/capacityType": "ON_DEMAND", "casefile/quarantine": "case-0001"}, stored.Labels,
		"the merge patch added a label and kept the others")

	sa, err := k.CoreV1().ServiceAccounts("shop").Patch(ctx, "checkout", types.MergePatchType,
		[]byte(`{"metadata":{"annotations":{"eks.amazonaws.com/role-arn":null}}}`), metav1.PatchOptions{})
	require.NoError(t, err, "remove the IRSA annotation")
	assert.NotContains(t, sa.Annotations, "eks.amazonaws.com/role-arn")

	pod, err := k.CoreV1().Pods("shop").Patch(ctx, podName, types.MergePatchType,
		[]byte(`{"metadata":{"labels":{"casefile/quarantine":"case-0001"}}}`), metav1.PatchOptions{})
	require.NoError(t, err, "label the pod")
	assert.Equal(t, map[string]string{"app": "checkout", "casefile/quarantine": "case-0001"}, pod.Labels)

	policy := &networkingv1.NetworkPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: "casefile-deny-all-case-0001"},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: map[string]string{"casefile/quarantine": "case-0001"}},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
		},
	}
	created, err := k.NetworkingV1().NetworkPolicies("shop").Create(ctx, policy, metav1.CreateOptions{})
	require.NoError(t, err, "create the deny-all policy")
	assert.Equal(t, "shop", created.Namespace)
	_, err = k.NetworkingV1().NetworkPolicies("shop").Create(ctx, policy, metav1.CreateOptions{})
	assert.True(t, apierrors.IsAlreadyExists(err), "a second create is refused as AlreadyExists, got %v", err)
	got, err := k.NetworkingV1().NetworkPolicies("shop").Get(ctx, policy.Name, metav1.GetOptions{})
	require.NoError(t, err, "get the policy back")
	assert.Equal(t, policy.Spec, got.Spec)
	policies, err := s.Clientset().NetworkingV1().NetworkPolicies("shop").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, policies.Items, 1, "the fake clientset holds the policy")

	_, err = k.CoreV1().Pods("shop").Get(ctx, "no-such-pod", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "a missing pod is NotFound, got %v", err)
}

func TestListSelectors(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	k := client(t, s)
	podNames := func(opts metav1.ListOptions, namespace string) []string {
		t.Helper()
		list, err := k.CoreV1().Pods(namespace).List(ctx, opts)
		require.NoError(t, err, "list pods with %+v", opts)
		var names []string
		for _, p := range list.Items {
			names = append(names, p.Name)
		}
		return names
	}
	tests := []struct {
		name      string
		namespace string
		opts      metav1.ListOptions
		want      []string
	}{
		{"all", "shop", metav1.ListOptions{}, []string{"cart-5f6d7c8b9-abcde", podName}},
		{"by label", "shop", metav1.ListOptions{LabelSelector: "app=checkout"}, []string{podName}},
		{"by node across namespaces", "", metav1.ListOptions{FieldSelector: "spec.nodeName=" + nodeName}, []string{podName}},
		{"by label and field", "shop", metav1.ListOptions{LabelSelector: "app=cart", FieldSelector: "spec.nodeName=" + nodeName}, nil},
		{"other namespace", "kube-system", metav1.ListOptions{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ElementsMatch(t, tt.want, podNames(tt.opts, tt.namespace))
		})
	}

	nodes, err := k.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: "eks.amazonaws.com/capacityType=SPOT"})
	require.NoError(t, err)
	require.Len(t, nodes.Items, 1, "one Spot node")
	assert.Equal(t, "ip-10-0-2-7.eu-west-1.compute.internal", nodes.Items[0].Name)

	_, err = k.CoreV1().Pods("shop").List(ctx, metav1.ListOptions{FieldSelector: "spec.hostname=x"})
	assert.True(t, apierrors.IsBadRequest(err), "an unknown field label is a bad request, got %v", err)
}

func TestRefusesRequestsWithoutAnEKSToken(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	tests := []struct {
		name  string
		token string
	}{
		{"no token", ""},
		{"not an EKS token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"},
		{"not base64url", "k8s-aws-v1.%%%"},
		{"another action", testToken(func(q url.Values) { q.Set("Action", "GetSessionToken") })},
		{"cluster header not signed", testToken(func(q url.Values) { q.Set("X-Amz-SignedHeaders", "host") })},
		{"no expiry", testToken(func(q url.Values) { q.Del("X-Amz-Expires") })},
		{"not signed", testToken(func(q url.Values) { q.Del("X-Amz-Signature") })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := kubernetes.NewForConfig(config(s, tt.token))
			require.NoError(t, err)
			_, err = k.CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
			assert.True(t, apierrors.IsUnauthorized(err), "want 401 Unauthorized, got %v", err)
		})
	}
	for _, r := range s.Requests() {
		assert.Equal(t, http.StatusUnauthorized, r.Status, "%s %s was refused", r.Method, r.Path)
		assert.Empty(t, r.AccessKeyID, "a refused request has no access key")
	}
	node, err := s.Clientset().CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.False(t, node.Spec.Unschedulable)

	_, err = client(t, s).CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	require.NoError(t, err, "the same request with a good token")
	reqs := s.Requests()
	assert.Equal(t, accessKey, reqs[len(reqs)-1].AccessKeyID, "the token's signing key is recorded")
}

func TestRecordsWhatItDoesNotServe(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	k := client(t, s)

	err := k.PolicyV1().Evictions("shop").Evict(ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: podName, Namespace: "shop"}})
	assert.True(t, apierrors.IsMethodNotSupported(err), "an eviction is refused with 405, got %v", err)
	err = k.CoreV1().Pods("shop").Delete(ctx, podName, metav1.DeleteOptions{})
	assert.True(t, apierrors.IsMethodNotSupported(err), "a pod delete is refused with 405, got %v", err)
	err = k.CoreV1().Nodes().Delete(ctx, nodeName, metav1.DeleteOptions{})
	assert.True(t, apierrors.IsMethodNotSupported(err), "a node delete is refused with 405, got %v", err)
	_, err = k.CoreV1().ConfigMaps("shop").Get(ctx, "settings", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "a resource not served is 404, got %v", err)
	_, err = k.CoreV1().Secrets("shop").List(ctx, metav1.ListOptions{})
	assert.True(t, apierrors.IsNotFound(err), "a resource not served is 404, got %v", err)
	_, err = k.CoreV1().Nodes().Patch(ctx, nodeName, types.StrategicMergePatchType, []byte(`{"spec":{"unschedulable":true}}`), metav1.PatchOptions{})
	assert.True(t, apierrors.IsUnsupportedMediaType(err), "only merge patches are served, got %v", err)

	type call struct {
		Method, Path string
		Status       int
	}
	var got []call
	for _, r := range s.Requests() {
		got = append(got, call{r.Method, r.Path, r.Status})
	}
	assert.Equal(t, []call{
		{http.MethodPost, "/api/v1/namespaces/shop/pods/" + podName + "/eviction", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/v1/namespaces/shop/pods/" + podName, http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/v1/nodes/" + nodeName, http.StatusMethodNotAllowed},
		{http.MethodGet, "/api/v1/namespaces/shop/configmaps/settings", http.StatusNotFound},
		{http.MethodGet, "/api/v1/namespaces/shop/secrets", http.StatusNotFound},
		{http.MethodPatch, "/api/v1/nodes/" + nodeName, http.StatusUnsupportedMediaType},
	}, got, "every request is recorded with its answer")
	assert.Equal(t, "application/strategic-merge-patch+json", s.Requests()[5].ContentType)

	pods, err := s.Clientset().CoreV1().Pods("shop").List(ctx, metav1.ListOptions{})
	require.NoError(t, err)
	assert.Len(t, pods.Items, 2, "no pod was evicted or deleted")
	node, err := s.Clientset().CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	require.NoError(t, err)
	assert.False(t, node.Spec.Unschedulable, "the refused patch changed nothing")
}

// TestAnswersAreKubernetesJSON reads a raw answer: an object with its
// apiVersion and kind, and a Status on refusal.
func TestAnswersAreKubernetesJSON(t *testing.T) {
	s := start(t)
	cfg := config(s, testToken(nil))
	transport, err := rest.TransportFor(cfg)
	require.NoError(t, err)
	hc := &http.Client{Transport: transport}
	get := func(path string) (int, string, map[string]any) {
		t.Helper()
		resp, err := hc.Get(s.URL() + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		var body map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
		return resp.StatusCode, resp.Header.Get("Content-Type"), body
	}
	code, ctype, body := get("/api/v1/nodes/" + nodeName)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "application/json", ctype)
	assert.Equal(t, "v1", body["apiVersion"])
	assert.Equal(t, "Node", body["kind"])

	code, _, body = get("/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies")
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "NetworkPolicyList", body["kind"])
	assert.Equal(t, "networking.k8s.io/v1", body["apiVersion"])

	code, _, body = get("/apis/apps/v1/namespaces/shop/deployments")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "Status", body["kind"])
	assert.Equal(t, "NotFound", body["reason"])
	assert.True(t, strings.HasPrefix(s.URL(), "https://127.0.0.1:"), "served over TLS on loopback: %s", s.URL())
}

func TestReset(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	_, err := client(t, s).CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, s.Requests())

	s.Reset(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "other"}})
	assert.Empty(t, s.Requests(), "Reset forgets the requests")
	_, err = client(t, s).CoreV1().Nodes().Get(ctx, nodeName, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "the old objects are gone, got %v", err)
	_, err = client(t, s).CoreV1().Nodes().Get(ctx, "other", metav1.GetOptions{})
	assert.NoError(t, err, "the new objects are served")
}

// TestCreateTakesJSONAndProtobuf creates a NetworkPolicy with each body
// client-go may send: protobuf is typed clients' default for built-in
// types, JSON the rest client's.
func TestCreateTakesJSONAndProtobuf(t *testing.T) {
	tests := []struct {
		name        string
		contentType string
		want        string
	}{
		{"typed client default", "", "application/vnd.kubernetes.protobuf"},
		{"JSON", "application/json", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := start(t)
			cfg := config(s, testToken(nil))
			cfg.ContentType = tt.contentType
			k, err := kubernetes.NewForConfig(cfg)
			require.NoError(t, err)
			_, err = k.NetworkingV1().NetworkPolicies("shop").Create(ctx, &networkingv1.NetworkPolicy{
				ObjectMeta: metav1.ObjectMeta{Name: "deny-all"},
				Spec:       networkingv1.NetworkPolicySpec{PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}},
			}, metav1.CreateOptions{})
			require.NoError(t, err)
			reqs := s.Requests()
			require.Len(t, reqs, 1)
			assert.Equal(t, tt.want, reqs[0].ContentType, "the body's type")
			assert.Equal(t, http.StatusCreated, reqs[0].Status)
			got, err := s.Clientset().NetworkingV1().NetworkPolicies("shop").Get(ctx, "deny-all", metav1.GetOptions{})
			require.NoError(t, err, "the policy is stored")
			assert.Equal(t, []networkingv1.PolicyType{networkingv1.PolicyTypeEgress}, got.Spec.PolicyTypes)
		})
	}
}

// TestPodPatchesAsTheAPIAllows: a running pod's spec takes what the
// Kubernetes API lets an update change (tolerations added or their
// tolerationSeconds removed, as the EKS isolation's evictionTolerations
// does, images) and nothing else, with the API's 422 Invalid.
func TestPodPatchesAsTheAPIAllows(t *testing.T) {
	fiveMinutes := int64(300)
	tolerations := []corev1.Toleration{
		{Key: "node.kubernetes.io/not-ready", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &fiveMinutes},
		{Key: "node.kubernetes.io/unreachable", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &fiveMinutes},
	}
	seeded := func() *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: podName, Namespace: "shop", Labels: map[string]string{"app": "checkout"}},
			Spec: corev1.PodSpec{NodeName: nodeName, ServiceAccountName: "checkout", Tolerations: tolerations,
				Containers: []corev1.Container{{Name: "checkout", Image: "shop/checkout:1.4"}}},
		}
	}
	unlimited := `[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute"},` +
		`{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute"}`
	tests := []struct {
		name    string
		patch   string
		wantErr string // empty: accepted
	}{
		{name: "tolerationSeconds removed, one added, an annotation",
			patch: `{"metadata":{"annotations":{"casefile.io/original-tolerations":"[]"}},"spec":{"tolerations":` + unlimited +
				`,{"key":"dedicated","operator":"Equal","value":"shop","effect":"NoSchedule"}]}}`},
		{name: "an image", patch: `{"spec":{"containers":[{"name":"checkout","image":"shop/checkout:1.5"}]}}`},
		{name: "labels only", patch: `{"metadata":{"labels":{"casefile.io/isolated":"true"}}}`},
		{name: "a toleration removed", patch: `{"spec":{"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute"}]}}`,
			wantErr: "existing toleration can not be modified except its tolerationSeconds"},
		{name: "a toleration's effect changed", patch: `{"spec":{"tolerations":[` +
			`{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoSchedule"},` +
			`{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute"}]}}`,
			wantErr: "existing toleration can not be modified except its tolerationSeconds"},
		{name: "tolerationSeconds without NoExecute", patch: `{"spec":{"tolerations":` + unlimited +
			`,{"key":"dedicated","operator":"Exists","effect":"NoSchedule","tolerationSeconds":60}]}}`,
			wantErr: "effect must be 'NoExecute' when `tolerationSeconds` is set"},
		{name: "moved to another node", patch: `{"spec":{"nodeName":"ip-10-0-2-7.eu-west-1.compute.internal"}}`,
			wantErr: "pod updates may not change fields other than"},
		{name: "another service account", patch: `{"spec":{"serviceAccountName":"default"}}`,
			wantErr: "pod updates may not change fields other than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := start(t)
			s.Reset(seeded())
			k := client(t, s)

			_, err := k.CoreV1().Pods("shop").Patch(ctx, podName, types.MergePatchType, []byte(tt.patch), metav1.PatchOptions{})

			stored, getErr := s.Clientset().CoreV1().Pods("shop").Get(ctx, podName, metav1.GetOptions{})
			require.NoError(t, getErr)
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.NotEqual(t, seeded(), stored, "the patch is stored")
				return
			}
			require.Error(t, err)
			assert.True(t, apierrors.IsInvalid(err), "refused with 422 Invalid, got %v", err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Equal(t, seeded().Spec, stored.Spec, "the refused patch changed nothing")
			reqs := s.Requests()
			assert.Equal(t, http.StatusUnprocessableEntity, reqs[len(reqs)-1].Status)
		})
	}
}
