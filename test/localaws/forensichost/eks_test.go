package forensichost_test

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
	"github.com/casefile-forensics/casefile/test/localaws/kubeapi"
	"github.com/casefile-forensics/casefile/test/localaws/moto"
)

const cluster = "casefile-shop"

// startEKS runs moto with a cluster, the Kubernetes API stand-in and a
// host pointing DescribeCluster at it.
func startEKS(t *testing.T) (*forensichost.Host, *kubeapi.Server, fixture.Clients, aws.Config) {
	t.Helper()
	if err := moto.Available(); err != nil {
		testenv.Missing(t, "%v", err)
	}
	ctx := context.Background()
	srv, err := moto.Start(ctx, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	direct, err := fixture.NewClients(ctx, srv.URL, region)
	require.NoError(t, err)
	kube := kubeapi.Start()
	t.Cleanup(kube.Close)
	h, err := forensichost.Start(forensichost.Options{Upstream: srv.URL, EC2: direct.EC2, S3: direct.S3, Kubernetes: kube})
	require.NoError(t, err)
	t.Cleanup(h.Close)
	_, err = direct.EKS.CreateCluster(ctx, &eks.CreateClusterInput{
		Name: aws.String(cluster), RoleArn: aws.String("arn:aws:iam::123456789012:role/eks-cluster"),
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: []string{"subnet-0123456789abcdef0"}},
	})
	require.NoError(t, err)
	cfg, err := fixture.AWSConfig(ctx, h.URL(), region)
	require.NoError(t, err)
	return h, kube, direct, cfg
}

func TestDescribeClusterPointsAtTheKubernetesAPI(t *testing.T) {
	ctx := context.Background()
	h, kube, direct, cfg := startEKS(t)
	fromMoto, err := direct.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	require.NoError(t, err)
	require.NotEqual(t, kube.URL(), aws.ToString(fromMoto.Cluster.Endpoint), "precondition: moto has its own endpoint")

	out, err := eks.NewFromConfig(cfg).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	require.NoError(t, err)
	assert.Equal(t, kube.URL(), aws.ToString(out.Cluster.Endpoint))
	ca, err := base64.StdEncoding.DecodeString(aws.ToString(out.Cluster.CertificateAuthority.Data))
	require.NoError(t, err, "the certificate authority is base64")
	assert.Equal(t, string(kube.CAData()), string(ca))
	assert.Equal(t, aws.ToString(fromMoto.Cluster.Arn), aws.ToString(out.Cluster.Arn), "the rest of moto's answer is kept")
	assert.Equal(t, 1, h.CarriedOut("eks", "DescribeCluster"))

	_, err = eks.NewFromConfig(cfg).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("no-such-cluster")})
	var notFound *ekstypes.ResourceNotFoundException
	assert.True(t, errors.As(err, &notFound), "moto's ResourceNotFoundException comes through, got %v", err)
}

func TestPodIdentityAssociations(t *testing.T) {
	ctx := context.Background()
	h, _, _, cfg := startEKS(t)
	checkout := forensichost.PodIdentityAssociation{
		ClusterName: cluster, Namespace: "shop", ServiceAccount: "checkout",
		RoleARN: "arn:aws:iam::123456789012:role/checkout-pod-identity", AssociationID: "a-checkout0000000001",
		AssociationARN: "arn:aws:eks:eu-west-1:123456789012:podidentityassociation/" + cluster + "/a-checkout0000000001",
		CreatedAt:      time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
	}
	cart := checkout
	cart.ServiceAccount, cart.AssociationID = "cart", "a-cart0000000000001"
	h.SetPodIdentityAssociations([]forensichost.PodIdentityAssociation{checkout, cart})
	c := eks.NewFromConfig(cfg)

	ids := func(in *eks.ListPodIdentityAssociationsInput) []string {
		t.Helper()
		out, err := c.ListPodIdentityAssociations(ctx, in)
		require.NoError(t, err)
		var got []string
		for _, a := range out.Associations {
			got = append(got, aws.ToString(a.AssociationId))
		}
		return got
	}
	tests := []struct {
		name string
		in   eks.ListPodIdentityAssociationsInput
		want []string
	}{
		{"all", eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(cluster)}, []string{checkout.AssociationID, cart.AssociationID}},
		{"by service account", eks.ListPodIdentityAssociationsInput{
			ClusterName: aws.String(cluster), Namespace: aws.String("shop"), ServiceAccount: aws.String("checkout"),
		}, []string{checkout.AssociationID}},
		{"other namespace", eks.ListPodIdentityAssociationsInput{ClusterName: aws.String(cluster), Namespace: aws.String("kube-system")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.ElementsMatch(t, tt.want, ids(&tt.in)) })
	}

	described, err := c.DescribePodIdentityAssociation(ctx, &eks.DescribePodIdentityAssociationInput{
		ClusterName: aws.String(cluster), AssociationId: aws.String(checkout.AssociationID),
	})
	require.NoError(t, err)
	assert.Equal(t, checkout.RoleARN, aws.ToString(described.Association.RoleArn))
	assert.Equal(t, "checkout", aws.ToString(described.Association.ServiceAccount))
	assert.True(t, checkout.CreatedAt.Equal(aws.ToTime(described.Association.CreatedAt)), "createdAt %v", described.Association.CreatedAt)

	deleted, err := c.DeletePodIdentityAssociation(ctx, &eks.DeletePodIdentityAssociationInput{
		ClusterName: aws.String(cluster), AssociationId: aws.String(checkout.AssociationID),
	})
	require.NoError(t, err)
	assert.Equal(t, checkout.RoleARN, aws.ToString(deleted.Association.RoleArn), "the delete answers the deleted association")
	assert.Equal(t, []forensichost.PodIdentityAssociation{cart}, h.PodIdentityAssociations(), "only the other association is left")
	assert.Equal(t, 1, h.CarriedOut("eks", "DeletePodIdentityAssociation"))

	var notFound *ekstypes.ResourceNotFoundException
	_, err = c.DeletePodIdentityAssociation(ctx, &eks.DeletePodIdentityAssociationInput{
		ClusterName: aws.String(cluster), AssociationId: aws.String(checkout.AssociationID),
	})
	assert.True(t, errors.As(err, &notFound), "a second delete is ResourceNotFoundException, got %v", err)
	_, err = c.ListPodIdentityAssociations(ctx, &eks.ListPodIdentityAssociationsInput{ClusterName: aws.String("no-such-cluster")})
	assert.True(t, errors.As(err, &notFound), "an unknown cluster is ResourceNotFoundException, got %v", err)

	h.Reset()
	assert.Empty(t, h.PodIdentityAssociations(), "Reset forgets the associations")
}

// TestAssumedIsolationRoleWorksInTheSameAccount shows what the isolate
// Lambda gets from moto through the host: sts:AssumeRole of the
// application account's isolation role gives temporary credentials that
// see the same account's EC2, IAM, Auto Scaling and EKS resources.
func TestAssumedIsolationRoleWorksInTheSameAccount(t *testing.T) {
	ctx := context.Background()
	_, _, direct, cfg := startEKS(t)
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	role, err := direct.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("casefile-isolation"), AssumeRolePolicyDocument: aws.String(trust)})
	require.NoError(t, err)
	vpc, err := direct.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	require.NoError(t, err)

	caller, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assumed, err := sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: role.Role.Arn, RoleSessionName: aws.String("casefile-case-0001"),
	})
	require.NoError(t, err, "assume %s", aws.ToString(role.Role.Arn))
	creds := assumed.Credentials
	require.NotEmpty(t, aws.ToString(creds.SessionToken))

	as := cfg.Copy()
	as.Credentials = credentials.NewStaticCredentialsProvider(aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken))
	who, err := sts.NewFromConfig(as).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	require.NoError(t, err)
	assert.Equal(t, aws.ToString(caller.Account), aws.ToString(who.Account), "the assumed role is in the caller's (the fixture's) account")
	assert.Contains(t, aws.ToString(who.Arn), ":assumed-role/casefile-isolation/casefile-case-0001")

	vpcs, err := ec2.NewFromConfig(as).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{aws.ToString(vpc.Vpc.VpcId)}})
	require.NoError(t, err, "EC2 with the assumed role")
	assert.Len(t, vpcs.Vpcs, 1, "the assumed role sees the account's VPC")
	got, err := iam.NewFromConfig(as).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("casefile-isolation")})
	require.NoError(t, err, "IAM with the assumed role")
	assert.Equal(t, aws.ToString(role.Role.Arn), aws.ToString(got.Role.Arn))
	_, err = autoscaling.NewFromConfig(as).DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	require.NoError(t, err, "Auto Scaling with the assumed role")
	described, err := eks.NewFromConfig(as).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(cluster)})
	require.NoError(t, err, "EKS with the assumed role")
	assert.Equal(t, cluster, aws.ToString(described.Cluster.Name))

	_, err = ec2.NewFromConfig(as).CreateTags(ctx, &ec2.CreateTagsInput{
		Resources: []string{aws.ToString(vpc.Vpc.VpcId)}, Tags: []ec2types.Tag{{Key: aws.String("casefile:isolated"), Value: aws.String("case-0001")}},
	})
	require.NoError(t, err, "a write with the assumed role")
	seen, err := direct.EC2.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{aws.ToString(vpc.Vpc.VpcId)}})
	require.NoError(t, err)
	assert.Contains(t, seen.Vpcs[0].Tags, ec2types.Tag{Key: aws.String("casefile:isolated"), Value: aws.String("case-0001")},
		"the assumed role's write is seen with the fixture's credentials")
}
