package eksisolation

// RequiredActions lists every AWS IAM action this package calls, for the
// application account's isolation role: DescribeCluster by NewKubernetes,
// the Pod Identity calls and iam:PutRolePolicy (rolesessions.Revoke) by
// Isolate. The EKS token is a pre-signed sts:GetCallerIdentity, which needs
// no permission; the Kubernetes calls are authorised by the cluster's RBAC
// (docs/eks-isolation-rbac.yaml), not by IAM.
var RequiredActions = []string{
	"eks:DescribeCluster",
	"eks:ListPodIdentityAssociations",
	"eks:DescribePodIdentityAssociation",
	"eks:DeletePodIdentityAssociation",
	"iam:PutRolePolicy",
}
