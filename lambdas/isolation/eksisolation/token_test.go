package eksisolation

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func presigner(region string) *sts.PresignClient {
	return sts.NewPresignClient(sts.New(sts.Options{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""),
	}))
}

// decodeToken returns the pre-signed URL inside an EKS token.
func decodeToken(t *testing.T, token string) *url.URL {
	t.Helper()
	require.True(t, strings.HasPrefix(token, TokenPrefix), "token %q starts with %q", token, TokenPrefix)
	encoded := strings.TrimPrefix(token, TokenPrefix)
	assert.NotContains(t, encoded, "=", "base64url without padding")
	raw, err := base64.RawURLEncoding.DecodeString(encoded)
	require.NoError(t, err)
	u, err := url.Parse(string(raw))
	require.NoError(t, err)
	return u
}

func TestNewToken(t *testing.T) {
	tests := []struct{ region, host string }{
		{region: "eu-west-1", host: "sts.eu-west-1.amazonaws.com"},
		{region: "us-east-1", host: "sts.us-east-1.amazonaws.com"},
		{region: "cn-north-1", host: "sts.cn-north-1.amazonaws.com.cn"},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			token, err := NewToken(context.Background(), presigner(tc.region), testCluster)
			require.NoError(t, err)
			u := decodeToken(t, token)
			q := u.Query()
			assert.Equal(t, "https", u.Scheme)
			assert.Equal(t, tc.host, u.Host, "the Region's STS endpoint")
			assert.Equal(t, "GetCallerIdentity", q.Get("Action"))
			assert.Equal(t, "60", q.Get("X-Amz-Expires"))
			assert.Equal(t, "AWS4-HMAC-SHA256", q.Get("X-Amz-Algorithm"))
			assert.Contains(t, strings.Split(q.Get("X-Amz-SignedHeaders"), ";"), ClusterIDHeader, "signed headers %q", q.Get("X-Amz-SignedHeaders"))
			assert.Contains(t, q.Get("X-Amz-Credential"), "/"+tc.region+"/sts/aws4_request")
			assert.NotEmpty(t, q.Get("X-Amz-Signature"))
			assert.NotContains(t, q, ClusterIDHeader, "the cluster is a signed header, not a query parameter")
		})
	}
}

func TestNewTokenErrors(t *testing.T) {
	_, err := NewToken(context.Background(), presigner("eu-west-1"), "")
	assert.EqualError(t, err, "make an EKS token: cluster name is empty")

	noCreds := sts.NewPresignClient(sts.New(sts.Options{Region: "eu-west-1"}))
	_, err = NewToken(context.Background(), noCreds, testCluster)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "pre-sign the STS GetCallerIdentity request for cluster "+testCluster)
}

type fakeDescriber struct {
	out *eks.DescribeClusterOutput
	err error
}

func (f fakeDescriber) DescribeCluster(_ context.Context, in *eks.DescribeClusterInput, _ ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	if aws.ToString(in.Name) != testCluster {
		return nil, errors.New("unexpected cluster " + aws.ToString(in.Name))
	}
	return f.out, f.err
}

func cluster(endpoint, ca string) *eks.DescribeClusterOutput {
	c := &ekstypes.Cluster{Name: aws.String(testCluster), Status: ekstypes.ClusterStatusActive}
	if endpoint != "" {
		c.Endpoint = aws.String(endpoint)
	}
	if ca != "" {
		c.CertificateAuthority = &ekstypes.Certificate{Data: aws.String(ca)}
	}
	return &eks.DescribeClusterOutput{Cluster: c}
}

// apiRequest is what the test API server saw of one request.
type apiRequest struct{ method, path, contentType, accept, auth string }

func TestNewKubernetesTalksToTheCluster(t *testing.T) {
	var mu sync.Mutex
	var seen []apiRequest
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, apiRequest{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Accept"), r.Header.Get("Authorization")})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/api/v1/nodes/"+testNode:
			_ = json.NewEncoder(w).Encode(&corev1.Node{TypeMeta: metav1.TypeMeta{Kind: "Node", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Name: testNode}})
		case r.URL.Path == "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies" && r.Method == http.MethodPost:
			var np networkingv1.NetworkPolicy
			if err := json.NewDecoder(r.Body).Decode(&np); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.WriteHeader(http.StatusCreated)
			_ = json.NewEncoder(w).Encode(&np)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	ctx := context.Background()

	kube, err := NewKubernetes(ctx, fakeDescriber{out: cluster(srv.URL, base64.StdEncoding.EncodeToString(caPEM))}, presigner("eu-west-1"), testCluster)
	require.NoError(t, err)
	n, err := kube.CoreV1().Nodes().Get(ctx, testNode, metav1.GetOptions{})
	require.NoError(t, err, "the client trusts the cluster's CA")
	assert.Equal(t, testNode, n.Name)
	_, err = kube.CoreV1().Nodes().Patch(ctx, testNode, types.MergePatchType, []byte(`{"spec":{"unschedulable":true}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	_, err = kube.NetworkingV1().NetworkPolicies("shop").Create(ctx, DenyAllPolicy("shop", testForensicID, testForensicID), metav1.CreateOptions{})
	require.NoError(t, err)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 3)
	for _, r := range seen {
		assert.Equal(t, "application/json", r.accept, "Accept of %s %s", r.method, r.path)
		require.True(t, strings.HasPrefix(r.auth, "Bearer "+TokenPrefix), "Authorization %q", r.auth)
		u := decodeToken(t, strings.TrimPrefix(r.auth, "Bearer "))
		assert.Equal(t, "GetCallerIdentity", u.Query().Get("Action"))
	}
	assert.Equal(t, apiRequest{method: "PATCH", path: "/api/v1/nodes/" + testNode, contentType: "application/merge-patch+json"},
		apiRequest{method: seen[1].method, path: seen[1].path, contentType: seen[1].contentType})
	assert.Equal(t, apiRequest{method: "POST", path: "/apis/networking.k8s.io/v1/namespaces/shop/networkpolicies", contentType: "application/json"},
		apiRequest{method: seen[2].method, path: seen[2].path, contentType: seen[2].contentType})
}

func TestRESTConfig(t *testing.T) {
	caPEM := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	goodCA := base64.StdEncoding.EncodeToString([]byte(caPEM))
	tests := []struct {
		name    string
		api     fakeDescriber
		wantErr string
	}{
		{name: "usable cluster", api: fakeDescriber{out: cluster("https://ABCD.gr7.eu-west-1.eks.amazonaws.com", goodCA)}},
		{name: "no endpoint", api: fakeDescriber{out: cluster("", goodCA)}, wantErr: "EKS cluster casefile-shop has no endpoint (cluster status ACTIVE)"},
		{name: "no CA", api: fakeDescriber{out: cluster("https://ABCD.gr7.eu-west-1.eks.amazonaws.com", "")}, wantErr: "EKS cluster casefile-shop has no certificateAuthority.data"},
		{name: "CA not base64", api: fakeDescriber{out: cluster("https://ABCD.gr7.eu-west-1.eks.amazonaws.com", "%%%")}, wantErr: "EKS cluster casefile-shop: certificateAuthority.data is not base64"},
		{name: "no cluster in the answer", api: fakeDescriber{out: &eks.DescribeClusterOutput{}}, wantErr: "describe EKS cluster casefile-shop: the answer holds no cluster"},
		{name: "describe refused", api: fakeDescriber{err: errRefused}, wantErr: "describe EKS cluster casefile-shop: refused by the test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := RESTConfig(context.Background(), tc.api, presigner("eu-west-1"), testCluster)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "https://ABCD.gr7.eu-west-1.eks.amazonaws.com", cfg.Host)
			assert.Equal(t, caPEM, string(cfg.CAData))
			assert.Equal(t, RequestTimeout, cfg.Timeout, "requests are bounded")
			assert.Equal(t, "application/json", cfg.ContentType)
			assert.Empty(t, cfg.BearerToken, "the token is put on each request, renewed before it expires")
		})
	}
}

func TestTokenSourceRenews(t *testing.T) {
	now := testNow
	s := &tokenSource{presigner: presigner("eu-west-1"), cluster: testCluster, now: func() time.Time { return now }}
	first, err := s.token(context.Background())
	require.NoError(t, err)
	now = now.Add(tokenRefresh - time.Second)
	again, err := s.token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, first, again, "a token is reused within %s", tokenRefresh)
	now = now.Add(2 * time.Second)
	_, err = s.token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, now, s.made, "a token older than %s is made again", tokenRefresh)
	assert.Less(t, tokenRefresh, TokenLifetime)
}

// recordingDescriber is a fakeDescriber that records its action.
type recordingDescriber struct {
	fakeDescriber
	called actionSet
}

func (r recordingDescriber) DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, optFns ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	r.called.add("eks:DescribeCluster")
	return r.fakeDescriber.DescribeCluster(ctx, in, optFns...)
}

func TestRequiredActionsAreTheCallsMade(t *testing.T) {
	called := actionSet{}
	ca := base64.StdEncoding.EncodeToString([]byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"))
	api := recordingDescriber{fakeDescriber{out: cluster("https://ABCD.gr7.eu-west-1.eks.amazonaws.com", ca)}, called}
	_, err := RESTConfig(context.Background(), api, presigner("eu-west-1"), testCluster)
	require.NoError(t, err)

	e := newEnv(t, ec2Node(), shopPod(), irsaAccount())
	e.eks.called, e.iam.called = called, called
	e.eks.add("a-checkout", testNamespace, testSA, testPIRole)
	_, err = e.iso.Isolate(context.Background(), e.target())
	require.NoError(t, err)

	var got []string
	for a := range called {
		got = append(got, a)
	}
	assert.ElementsMatch(t, RequiredActions, got, "RequiredActions against the AWS calls made")
}
