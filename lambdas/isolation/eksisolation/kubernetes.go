package eksisolation

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	networkingv1client "k8s.io/client-go/kubernetes/typed/networking/v1"
	"k8s.io/client-go/rest"
)

// RequestTimeout bounds each request to the cluster's Kubernetes API, so
// that an unreachable endpoint (a private one, say) fails the isolation
// instead of the Lambda's whole run.
const RequestTimeout = 15 * time.Second

// tokenRefresh is how long a token is used before a new one is made: well
// within TokenLifetime, so no request carries an expired one.
const tokenRefresh = 45 * time.Second

// ClusterDescriber is the part of the EKS API NewKubernetes uses.
type ClusterDescriber interface {
	DescribeCluster(ctx context.Context, params *eks.DescribeClusterInput, optFns ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
}

// NewKubernetes returns a client of the Kubernetes API of the EKS cluster
// clusterName: its endpoint and certificate authority come from
// DescribeCluster, and every request carries an EKS token (NewToken) of the
// presigner's credentials, made again before it expires.
func NewKubernetes(ctx context.Context, api ClusterDescriber, presigner CallerIdentityPresigner, clusterName string) (Kubernetes, error) {
	cfg, err := RESTConfig(ctx, api, presigner, clusterName)
	if err != nil {
		return nil, err
	}
	core, err := corev1client.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("make the Kubernetes client of cluster %s: %w", clusterName, err)
	}
	networking, err := networkingv1client.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("make the Kubernetes networking client of cluster %s: %w", clusterName, err)
	}
	return clients{core: core, networking: networking}, nil
}

// Kubernetes is the part of a Kubernetes clientset the isolation uses: the
// core and networking API groups. client-go's Clientset and its fake
// implement it; NewKubernetes builds only these two groups' clients, which
// keeps the function's binary small (the whole Clientset links every API
// group).
type Kubernetes interface {
	CoreV1() corev1client.CoreV1Interface
	NetworkingV1() networkingv1client.NetworkingV1Interface
}

// clients are the two typed clients NewKubernetes builds.
type clients struct {
	core       corev1client.CoreV1Interface
	networking networkingv1client.NetworkingV1Interface
}

func (c clients) CoreV1() corev1client.CoreV1Interface                   { return c.core }
func (c clients) NetworkingV1() networkingv1client.NetworkingV1Interface { return c.networking }

// RESTConfig is the client configuration NewKubernetes uses.
func RESTConfig(ctx context.Context, api ClusterDescriber, presigner CallerIdentityPresigner, clusterName string) (*rest.Config, error) {
	out, err := api.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(clusterName)})
	if err != nil {
		return nil, fmt.Errorf("describe EKS cluster %s: %w", clusterName, err)
	}
	if out.Cluster == nil {
		return nil, fmt.Errorf("describe EKS cluster %s: the answer holds no cluster", clusterName)
	}
	endpoint := aws.ToString(out.Cluster.Endpoint)
	if endpoint == "" {
		return nil, fmt.Errorf("EKS cluster %s has no endpoint (cluster status %s)", clusterName, out.Cluster.Status)
	}
	var caData string
	if out.Cluster.CertificateAuthority != nil {
		caData = aws.ToString(out.Cluster.CertificateAuthority.Data)
	}
	if caData == "" {
		return nil, fmt.Errorf("EKS cluster %s has no certificateAuthority.data", clusterName)
	}
	caPEM, err := base64.StdEncoding.DecodeString(caData)
	if err != nil {
		return nil, fmt.Errorf("EKS cluster %s: certificateAuthority.data is not base64: %w", clusterName, err)
	}
	tokens := &tokenSource{presigner: presigner, cluster: clusterName, now: time.Now}
	// Make the first token now, so that a presigner without credentials
	// fails here with its reason rather than on the first request.
	if _, err := tokens.token(ctx); err != nil {
		return nil, err
	}
	return &rest.Config{
		Host:            endpoint,
		TLSClientConfig: rest.TLSClientConfig{CAData: caPEM},
		Timeout:         RequestTimeout,
		// JSON both ways: client-go would otherwise ask for protobuf for
		// some types, which the local API stand-in does not speak.
		ContentConfig: rest.ContentConfig{ContentType: "application/json", AcceptContentTypes: "application/json"},
		UserAgent:     "casefile-isolation",
		WrapTransport: func(rt http.RoundTripper) http.RoundTripper {
			return &bearerTransport{tokens: tokens, next: rt}
		},
	}, nil
}

// tokenSource makes EKS tokens and keeps one for tokenRefresh.
type tokenSource struct {
	presigner CallerIdentityPresigner
	cluster   string
	now       func() time.Time

	mu     sync.Mutex
	cached string
	made   time.Time
}

func (s *tokenSource) token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if s.cached != "" && now.Sub(s.made) < tokenRefresh {
		return s.cached, nil
	}
	tok, err := NewToken(ctx, s.presigner, s.cluster)
	if err != nil {
		return "", err
	}
	s.cached, s.made = tok, now
	return tok, nil
}

// bearerTransport puts a current EKS token on every request.
type bearerTransport struct {
	tokens *tokenSource
	next   http.RoundTripper
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.tokens.token(req.Context())
	if err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+tok)
	return t.next.RoundTrip(r)
}
