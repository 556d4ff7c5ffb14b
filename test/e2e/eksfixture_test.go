package e2e

import (
	"context"
	"encoding/base64"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/casefile-forensics/casefile/test/localaws/fixture"
)

// eksToken makes an EKS bearer token as the isolation does: a pre-signed
// STS GetCallerIdentity URL that signs the cluster's name.
func eksToken(ctx context.Context, cfg aws.Config, cluster string) (string, error) {
	presigned, err := sts.NewPresignClient(sts.NewFromConfig(cfg)).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{},
		func(o *sts.PresignOptions) {
			o.ClientOptions = append(o.ClientOptions, sts.WithAPIOptions(
				smithyhttp.AddHeaderValue("x-k8s-aws-id", cluster),
				smithyhttp.AddHeaderValue("X-Amz-Expires", "60"),
			))
		})
	if err != nil {
		return "", err
	}
	return "k8s-aws-v1." + base64.RawURLEncoding.EncodeToString([]byte(presigned.URL)), nil
}

// TestEKSFixtureReachesTheKubernetesAPI walks the way the isolate Lambda
// goes, through the forensic host as the handlers do: assume the
// application account's isolation role, describe the cluster, and reach
// its Kubernetes API with an EKS token of the assumed role, which finds
// the fixture's node and pod there.
func TestEKSFixtureReachesTheKubernetesAPI(t *testing.T) {
	env := environment(t)
	ctx := context.Background()
	f := env.Fixture()
	cfg, err := fixture.AWSConfig(ctx, env.Host().URL(), f.Region)
	require.NoError(t, err)

	assumed, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(f.Isolation.RoleARN), RoleSessionName: aws.String("casefile-eks-fixture"),
	})
	require.NoError(t, err, "assume the isolation role")
	as := cfg.Copy()
	as.Credentials = credentials.NewStaticCredentialsProvider(
		aws.ToString(assumed.Credentials.AccessKeyId), aws.ToString(assumed.Credentials.SecretAccessKey), aws.ToString(assumed.Credentials.SessionToken))

	cluster, err := eks.NewFromConfig(as).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(f.EKS.Name)})
	require.NoError(t, err, "describe the cluster")
	assert.Equal(t, env.Kubernetes().URL(), aws.ToString(cluster.Cluster.Endpoint), "the cluster's endpoint is the stand-in")
	ca, err := base64.StdEncoding.DecodeString(aws.ToString(cluster.Cluster.CertificateAuthority.Data))
	require.NoError(t, err)

	token, err := eksToken(ctx, as, f.EKS.Name)
	require.NoError(t, err)
	raw, err := base64.RawURLEncoding.DecodeString(token[len("k8s-aws-v1."):])
	require.NoError(t, err)
	u, err := url.Parse(string(raw))
	require.NoError(t, err)
	assert.Equal(t, "60", u.Query().Get("X-Amz-Expires"), "the SDK's pre-signed URL carries the expiry: %s", u)

	k, err := kubernetes.NewForConfig(&rest.Config{
		Host: aws.ToString(cluster.Cluster.Endpoint), BearerToken: token, Timeout: 10 * time.Second,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca},
	})
	require.NoError(t, err)
	node, err := k.CoreV1().Nodes().Get(ctx, f.EKS.NodeName, metav1.GetOptions{})
	require.NoError(t, err, "get the compromised instance's node")
	assert.Equal(t, "aws:///"+f.Compromised.AvailabilityZone+"/"+f.Compromised.InstanceID, node.Spec.ProviderID)
	pods, err := k.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName=" + f.EKS.NodeName})
	require.NoError(t, err, "list the node's pods")
	var names []string
	for _, p := range pods.Items {
		names = append(names, p.Namespace+"/"+p.Name)
	}
	assert.ElementsMatch(t, []string{f.EKS.Namespace + "/" + f.EKS.PodName, "kube-system/" + fixture.SystemPodName}, names)

	reqs := env.Kubernetes().Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, aws.ToString(assumed.Credentials.AccessKeyId), reqs[0].AccessKeyID, "the token was signed with the assumed role's key")

	associations, err := eks.NewFromConfig(as).ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{
		ClusterName: aws.String(f.EKS.Name), Namespace: aws.String(f.EKS.Namespace), ServiceAccount: aws.String(f.EKS.ServiceAccount),
	})
	require.NoError(t, err, "list the pod's Pod Identity associations")
	require.Len(t, associations.Associations, 1)
	assert.Equal(t, f.EKS.PodIdentity.AssociationID, aws.ToString(associations.Associations[0].AssociationId))
}
