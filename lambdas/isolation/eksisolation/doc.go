// Package eksisolation isolates a compromised workload in an EKS cluster:
// it cordons (never drains) and labels the pod's node, makes the pod
// tolerate the node's NotReady taints so that it is not evicted once the
// node is cut off, labels the pod,
// denies the pod all traffic with a NetworkPolicy, removes the workload's
// AWS credentials (the IRSA role annotation or the Pod Identity
// associations, and the role's older sessions), and hands the node's EC2
// instance to the EC2 isolation. Spot nodes and Fargate pods are recognised
// and each measure is recorded as applied, skipped, impossible or failed,
// with the reason.
//
// The Kubernetes API is reached with client-go and an EKS bearer token made
// from a pre-signed STS GetCallerIdentity URL (NewKubernetes). The RBAC the
// isolation needs is docs/eks-isolation-rbac.yaml.
package eksisolation
