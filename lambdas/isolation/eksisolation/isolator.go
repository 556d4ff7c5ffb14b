package eksisolation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eks"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/rolesessions"
)

// EKSAPI is the part of the EKS API the isolation of workload credentials
// uses.
type EKSAPI interface {
	ListPodIdentityAssociations(ctx context.Context, params *eks.ListPodIdentityAssociationsInput, optFns ...func(*eks.Options)) (*eks.ListPodIdentityAssociationsOutput, error)
	DescribePodIdentityAssociation(ctx context.Context, params *eks.DescribePodIdentityAssociationInput, optFns ...func(*eks.Options)) (*eks.DescribePodIdentityAssociationOutput, error)
	DeletePodIdentityAssociation(ctx context.Context, params *eks.DeletePodIdentityAssociationInput, optFns ...func(*eks.Options)) (*eks.DeletePodIdentityAssociationOutput, error)
}

// NodeIsolator applies the EC2 measures to a node's instance. measures
// lists the EC2 measures asked for; empty means all of them. It returns one
// Measure per EC2 measure and an error only when the instance cannot be
// isolated at all.
type NodeIsolator interface {
	IsolateNode(ctx context.Context, forensicID, instanceID string, measures []investigation.MeasureName) ([]investigation.Measure, error)
}

// The kinds of compute a workload runs on (Result.Compute).
const (
	ComputeEC2     = "EC2"
	ComputeSpot    = "SPOT"
	ComputeFargate = "FARGATE"
)

// Isolator isolates workloads of one EKS cluster. Every client must be
// set; Kube, EKS and IAM act in the cluster's account.
type Isolator struct {
	Kube Kubernetes
	EKS  EKSAPI
	IAM  rolesessions.API
	Node NodeIsolator
	// Now is the clock. The workload role's sessions are revoked up to its
	// time once the role annotation and the Pod Identity associations are
	// removed (rolesessions.CutOff); nil means time.Now.
	Now func() time.Time
	// Logger records each measure's outcome; nil discards.
	Logger *slog.Logger
}

// Target is the workload to isolate.
type Target struct {
	ForensicID  string
	ClusterName string
	// NodeInstanceID is the EC2 instance of the node the evidence came
	// from; it finds the node when no pod is named or found.
	NodeInstanceID string
	// Namespace is the pod's namespace; empty means "default".
	Namespace string
	// PodName is the compromised pod; empty isolates the node only.
	PodName string
	// Measures are the measures the isolation decision asks for (EKS and
	// EC2 ones); empty means all.
	Measures []investigation.MeasureName
}

// Result is what the isolation did.
type Result struct {
	// Measures are the EKS measures (cordon, evictionTolerations, node
	// labels, pod labels, networkPolicy, workloadCredentials) followed by
	// the node's EC2
	// measures and, for a pod that uses security groups for pods, an
	// IMPOSSIBLE securityGroups record of the pod: the node's swap does not
	// reach its branch network interface.
	Measures []investigation.Measure
	// NodeName is the Kubernetes node the measures acted on; empty when no
	// node was found.
	NodeName string
	// InstanceID is the node's EC2 instance; empty on Fargate.
	InstanceID string
	// Compute is ComputeEC2, ComputeSpot or ComputeFargate.
	Compute string
	// Notes are findings about the target worth keeping on the case, such
	// as a pod that runs on another node than the request names.
	Notes []string
}

// Reasons shared by several measures.
const (
	reasonNotAsked   = "not asked for by the policy"
	reasonNoPodNamed = "the request names no pod"
	reasonFargateEC2 = "no EC2 instance: Fargate"
)

// Isolate applies the target's measures. It returns an error only when
// nothing can be done: bad input, the Kubernetes API unreachable or
// refusing the first look-up, or neither the pod nor the node found. Every
// other problem is recorded on its measure, and the other measures still
// run. Nothing is ever evicted, drained or deleted in the cluster, and the
// pod is made to tolerate the NotReady node it will be on, so that the
// cluster does not evict it either.
func (iso *Isolator) Isolate(ctx context.Context, t Target) (Result, error) {
	if err := iso.check(t); err != nil {
		return Result{}, err
	}
	if t.Namespace == "" {
		t.Namespace = "default"
	}
	w, err := iso.locate(ctx, t)
	if err != nil {
		return Result{}, err
	}
	res := Result{Compute: w.compute, InstanceID: w.instanceID, Notes: w.notes}
	if w.node != nil {
		res.NodeName = w.node.Name
	}
	steps := []struct {
		name investigation.MeasureName
		run  func(context.Context, Target, *workload) []investigation.Measure
	}{
		{investigation.MeasureCordon, iso.cordon},
		// Before the node's isolation, which makes the node NotReady.
		{investigation.MeasureEvictionTolerations, iso.keepPod},
		{investigation.MeasureLabels, iso.label},
		{investigation.MeasureNetworkPolicy, iso.denyTraffic},
		{investigation.MeasureWorkloadCredentials, iso.removeCredentials},
	}
	for _, s := range steps {
		if !wanted(t, s.name) {
			for _, target := range w.targets(t, s.name) {
				res.Measures = append(res.Measures, investigation.Measure{Name: s.name, Target: target, Status: investigation.MeasureSkipped, Reason: w.notAsked(t, s.name)})
			}
			continue
		}
		res.Measures = append(res.Measures, s.run(ctx, t, w)...)
	}
	res.Measures = append(res.Measures, iso.isolateNode(ctx, t, w)...)
	if m, ok := w.branchInterfaces(t); ok {
		res.Measures = append(res.Measures, m)
	}
	iso.log(ctx, t, res)
	return res, nil
}

func (iso *Isolator) check(t Target) error {
	switch {
	case iso.Kube == nil || iso.EKS == nil || iso.IAM == nil || iso.Node == nil:
		return errors.New("isolate EKS workload: the isolator lacks a client (Kube, EKS, IAM and Node are all needed)")
	case !investigation.ValidForensicID(t.ForensicID):
		return fmt.Errorf("isolate EKS workload: forensicId %q is not a valid forensic ID", t.ForensicID)
	case t.ClusterName == "":
		return errors.New("isolate EKS workload: clusterName is empty")
	case t.PodName == "" && t.NodeInstanceID == "":
		return fmt.Errorf("isolate EKS workload in cluster %s: name a podName or a nodeInstanceId", t.ClusterName)
	}
	return nil
}

// notAsked is the reason of a measure that the decision left out. Leaving
// out the eviction tolerations of a pod whose node will be cut off loses
// the pod, and the reason says so.
func (w *workload) notAsked(t Target, m investigation.MeasureName) string {
	nodeCut := wanted(t, investigation.MeasureSecurityGroups) || wanted(t, investigation.MeasureInstanceProfile)
	if m == investigation.MeasureEvictionTolerations && w.pod != nil && w.compute != ComputeFargate && nodeCut {
		return reasonNotAsked + reasonEvictionNotAsked
	}
	return reasonNotAsked
}

// wanted reports whether the decision asks for measure m.
func wanted(t Target, m investigation.MeasureName) bool {
	return len(t.Measures) == 0 || slices.Contains(t.Measures, m)
}

func (iso *Isolator) now() time.Time {
	if iso.Now != nil {
		return iso.Now()
	}
	return time.Now()
}

func (iso *Isolator) log(ctx context.Context, t Target, res Result) {
	logger := iso.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for _, m := range res.Measures {
		logger.InfoContext(ctx, "isolation measure", "forensicId", t.ForensicID, "cluster", t.ClusterName,
			"measure", m.Name, "target", m.Target, "status", m.Status, "reason", m.Reason)
	}
}
