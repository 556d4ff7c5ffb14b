package isolation

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/ec2isolation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/eksisolation"
)

// sessionDuration is how long the assumed role's credentials last: the
// isolation step's whole run, with room.
const sessionDuration = 15 * time.Minute

// maxSessionName is STS's limit on a role session name.
const maxSessionName = 64

// RoleAccounts opens application accounts through their isolation role:
// the role named RoleName in each account, which appaccount.IsolationAccess
// makes and which trusts this function's role alone.
type RoleAccounts struct {
	// Config is the function's own configuration; its credentials assume
	// the role.
	Config aws.Config
	// RoleName is the isolation role's name in every application account.
	RoleName string
	// DenyProfile is the name of the instance profile that denies
	// everything, in every application account.
	DenyProfile string
	Logger      *slog.Logger
}

// Open assumes the isolation role of accountID, in a session named after
// the case (so that the application account's CloudTrail names it), and
// returns the isolators of region on its credentials. A role that cannot be
// assumed fails here.
func (a RoleAccounts) Open(ctx context.Context, forensicID, accountID, region string) (Account, error) {
	roleARN := fmt.Sprintf("arn:%s:iam::%s:role/%s", partitionOf(region), accountID, a.RoleName)
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(a.Config), roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = sessionName(forensicID)
		o.Duration = sessionDuration
	})
	cfg := a.Config.Copy()
	cfg.Region = region
	cfg.Credentials = aws.NewCredentialsCache(provider)
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return Account{}, fmt.Errorf("assume the isolation role %s: %w", roleARN, err)
	}
	logger := a.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	iamClient := iam.NewFromConfig(cfg)
	instances := &ec2isolation.Isolator{
		EC2: ec2.NewFromConfig(cfg), IAM: iamClient, AutoScaling: autoscaling.NewFromConfig(cfg),
		DenyProfileName: a.DenyProfile, Logger: logger,
	}
	return Account{
		Instances: ec2Instances{instances},
		Workloads: &eksWorkloads{
			eks: eks.NewFromConfig(cfg), presigner: sts.NewPresignClient(sts.NewFromConfig(cfg)),
			iam: iamClient, node: ec2Instances{instances}, logger: logger,
		},
	}, nil
}

// sessionName is the role session name of a case: "casefile-" and the
// forensic ID, which uses only characters STS allows, cut to its limit.
func sessionName(forensicID string) string {
	name := "casefile-" + forensicID
	if len(name) > maxSessionName {
		name = name[:maxSessionName]
	}
	return name
}

// partitionOf is the AWS partition of a Region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	}
	return "aws"
}

// ec2Instances adapts ec2isolation.Isolator to InstanceIsolator and to
// the EKS isolation's NodeIsolator.
type ec2Instances struct{ iso *ec2isolation.Isolator }

func (e ec2Instances) IsolateInstance(ctx context.Context, forensicID, instanceID string, measures []investigation.MeasureName) ([]investigation.Measure, error) {
	return e.iso.Isolate(ctx, ec2isolation.Target{ForensicID: forensicID, InstanceID: instanceID, Measures: measures})
}

// IsolateNode isolates an EKS node's instance. Its role's sessions are
// revoked only when the rule names roleSessions: a node group's nodes
// share one role, and revoking its sessions would cut every node of the
// group off (kubelet, the VPC CNI, image pulls) until they renew.
func (e ec2Instances) IsolateNode(ctx context.Context, forensicID, instanceID string, measures []investigation.MeasureName) ([]investigation.Measure, error) {
	asked := slices.Contains(measures, investigation.MeasureRoleSessions)
	if len(measures) == 0 {
		measures = slices.DeleteFunc(slices.Clone(investigation.EC2Measures), func(m investigation.MeasureName) bool {
			return m == investigation.MeasureRoleSessions
		})
	}
	out, err := e.IsolateInstance(ctx, forensicID, instanceID, measures)
	for i, m := range out {
		if m.Name == investigation.MeasureRoleSessions && !asked && m.Status == investigation.MeasureSkipped {
			out[i].Reason = reasonNodeRole
		}
	}
	return out, err
}

// reasonNodeRole says why a node's role keeps its sessions.
const reasonNodeRole = "a node's role is shared by its node group: revoking its sessions would cut every node of the group off; " +
	"a rule that lists roleSessions in its measures does it"

// eksWorkloads isolates EKS workloads: a Kubernetes client for the
// workload's cluster, on the assumed role's EKS token, and the EC2
// isolation for its node.
type eksWorkloads struct {
	eks       *eks.Client
	presigner *sts.PresignClient
	iam       *iam.Client
	node      eksisolation.NodeIsolator
	logger    *slog.Logger
}

func (w *eksWorkloads) IsolateWorkload(ctx context.Context, wl Workload) (WorkloadIsolation, error) {
	kube, err := eksisolation.NewKubernetes(ctx, w.eks, w.presigner, wl.ClusterName)
	if err != nil {
		return WorkloadIsolation{}, err
	}
	iso := &eksisolation.Isolator{Kube: kube, EKS: w.eks, IAM: w.iam, Node: w.node, Logger: w.logger}
	res, err := iso.Isolate(ctx, eksisolation.Target{
		ForensicID: wl.ForensicID, ClusterName: wl.ClusterName, NodeInstanceID: wl.NodeInstanceID,
		Namespace: wl.Namespace, PodName: wl.PodName, Measures: wl.Measures,
	})
	return WorkloadIsolation{Measures: res.Measures, NodeName: res.NodeName, Compute: res.Compute, Notes: res.Notes}, err
}
