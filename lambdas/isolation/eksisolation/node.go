package eksisolation

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// AnnotationPodENI is the annotation by which the VPC resource controller
// gives a pod that uses security groups for pods its branch network
// interfaces, such as [{"eniId":"eni-0abc","vlanId":1,...}].
const AnnotationPodENI = "vpc.amazonaws.com/pod-eni"

// isolateNode hands the node's instance to the EC2 isolation with the EC2
// measures the decision asks for, and records each EC2 measure itself when
// there is no instance to isolate.
func (iso *Isolator) isolateNode(ctx context.Context, t Target, w *workload) []investigation.Measure {
	var asked []investigation.MeasureName
	for _, name := range investigation.EC2Measures {
		if wanted(t, name) && len(t.Measures) > 0 {
			asked = append(asked, name)
		}
	}
	switch {
	case len(t.Measures) > 0 && len(asked) == 0:
		return ec2Measures(w.nodeTarget(), investigation.MeasureSkipped, reasonNotAsked)
	case w.compute == ComputeFargate:
		return ec2Measures(w.nodeTarget(), investigation.MeasureImpossible, reasonFargateEC2)
	case w.instanceID == "":
		return ec2Measures(w.nodeTarget(), investigation.MeasureImpossible, "no EC2 instance: the node's providerID names none")
	}
	measures, err := iso.Node.IsolateNode(ctx, t.ForensicID, w.instanceID, asked)
	if err != nil {
		return ec2Measures(w.instanceID, investigation.MeasureFailed, fmt.Sprintf("isolate the node's instance %s: %v", w.instanceID, err))
	}
	return measures
}

// ec2Measures records every EC2 measure with one status and reason.
func ec2Measures(target string, status investigation.MeasureStatus, reason string) []investigation.Measure {
	out := make([]investigation.Measure, 0, len(investigation.EC2Measures))
	for _, name := range investigation.EC2Measures {
		out = append(out, investigation.Measure{Name: name, Target: target, Status: status, Reason: reason})
	}
	return out
}

// branchInterfaces is the record, for a pod that uses security groups for
// pods, that the node's security-group swap does not reach it: its traffic
// goes through its own branch network interface, whose groups the swap
// leaves alone. false when there is no such pod, it runs on Fargate (whose
// EC2 measures are IMPOSSIBLE already) or the swap was not asked for.
func (w *workload) branchInterfaces(t Target) (investigation.Measure, bool) {
	if w.pod == nil || w.compute == ComputeFargate || !wanted(t, investigation.MeasureSecurityGroups) {
		return investigation.Measure{}, false
	}
	raw, ok := w.pod.Annotations[AnnotationPodENI]
	if !ok {
		return investigation.Measure{}, false
	}
	interfaces := "its branch network interface"
	if ids := branchENIs(raw); len(ids) > 0 {
		interfaces += " " + strings.Join(ids, ", ")
	}
	return investigation.Measure{
		Name: investigation.MeasureSecurityGroups, Target: w.podRef, Status: investigation.MeasureImpossible,
		Reason: fmt.Sprintf("the pod uses security groups for pods (annotation %s): its traffic goes through %s, "+
			"whose security groups the node's swap does not change and Casefile leaves as they are; "+
			"restrict them by hand to cut the pod's traffic", AnnotationPodENI, interfaces),
	}, true
}

// branchENIs reads the interface IDs of an AnnotationPodENI value; none
// when it cannot be read.
func branchENIs(raw string) []string {
	var list []struct {
		ENIID string `json:"eniId"`
	}
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil
	}
	var ids []string
	for _, e := range list {
		if e.ENIID != "" {
			ids = append(ids, e.ENIID)
		}
	}
	return ids
}
