package eksisolation

import (
	"context"
	"fmt"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

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
