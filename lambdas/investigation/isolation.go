package investigation

// IsolationAction is what the isolation policy decided for a case.
type IsolationAction string

// The isolation policy's actions.
const (
	// IsolationIsolate: contain the resource (the decision's measures).
	IsolationIsolate IsolationAction = "ISOLATE"
	// IsolationNone: investigate without isolating.
	IsolationNone IsolationAction = "NONE"
)

// IsolationActions lists every IsolationAction.
var IsolationActions = []IsolationAction{IsolationIsolate, IsolationNone}

// Where the rule that made an isolation decision came from.
const (
	// RuleSourceConfig: a rule of the deployment's isolation policy.
	RuleSourceConfig = "config"
	// RuleSourceBuiltin: one of Casefile's built-in rules.
	RuleSourceBuiltin = "builtin"
	// RuleSourceUnknown: no rule matched; the policy's action for unknown
	// findings decided.
	RuleSourceUnknown = "unknown"
)

// IsolationDecision is what the policy decided and why. It is recorded on
// the case.
type IsolationDecision struct {
	Action IsolationAction `json:"action"`
	// Rule names the rule that decided, or "unknown-finding" when none
	// matched.
	Rule string `json:"rule"`
	// Source is RuleSourceConfig, RuleSourceBuiltin or RuleSourceUnknown.
	Source string `json:"source"`
	// Matched is the finding type or custom action ID the rule matched;
	// empty when none did.
	Matched string `json:"matched,omitempty"`
	// Measures are the measures the rule asks for; empty means every
	// measure that applies to the resource.
	Measures []MeasureName `json:"measures,omitempty"`
}

// MeasureName names one isolation measure.
type MeasureName string

// The isolation measures. The EC2 measures apply to an EC2 case's instance
// and to an EKS case's node; the EKS measures to an EKS case's node and pod.
const (
	// MeasureSecurityGroups: the two-step security-group swap on every
	// network interface (an allow-all group first, so that tracked
	// connections become untracked, then a group with no rules).
	MeasureSecurityGroups MeasureName = "securityGroups"
	// MeasureInstanceProfile: the instance profile replaced by one whose
	// role denies everything.
	MeasureInstanceProfile MeasureName = "instanceProfile"
	// MeasureRoleSessions: the sessions already issued for the instance's
	// (or workload's) role revoked.
	MeasureRoleSessions MeasureName = "roleSessions"
	// MeasureTerminationProtection: API termination disabled.
	MeasureTerminationProtection MeasureName = "terminationProtection"
	// MeasureElasticIPs: every Elastic IP disassociated.
	MeasureElasticIPs MeasureName = "elasticIps"
	// MeasureAutoScaling: scale-in protection, then detachment from the
	// Auto Scaling group, so that the group neither replaces nor
	// terminates the instance.
	MeasureAutoScaling MeasureName = "autoScaling"
	// MeasureCordon: the node marked unschedulable (never drained).
	MeasureCordon MeasureName = "cordon"
	// MeasureEvictionTolerations: the pod made to tolerate its node's
	// unreachable and not-ready NoExecute taints without a time limit, so
	// that it is not evicted (deleted) once the isolated node goes
	// NotReady.
	MeasureEvictionTolerations MeasureName = "evictionTolerations"
	// MeasureLabels: the node and the pod labelled as isolated.
	MeasureLabels MeasureName = "labels"
	// MeasureNetworkPolicy: a deny-all NetworkPolicy selecting the pod.
	MeasureNetworkPolicy MeasureName = "networkPolicy"
	// MeasureWorkloadCredentials: the workload's AWS credentials removed
	// (the IRSA role annotation, or the Pod Identity association).
	MeasureWorkloadCredentials MeasureName = "workloadCredentials"
)

// EC2Measures and EKSMeasures list the measures of each kind of resource.
var (
	EC2Measures = []MeasureName{
		MeasureSecurityGroups, MeasureInstanceProfile, MeasureRoleSessions,
		MeasureTerminationProtection, MeasureElasticIPs, MeasureAutoScaling,
	}
	EKSMeasures = []MeasureName{
		MeasureCordon, MeasureEvictionTolerations, MeasureLabels, MeasureNetworkPolicy, MeasureWorkloadCredentials,
	}
)

// MeasureStatus is what became of one measure.
type MeasureStatus string

// The statuses of a measure.
const (
	// MeasureApplied: the measure is in place (it may have been already).
	MeasureApplied MeasureStatus = "APPLIED"
	// MeasureSkipped: the measure was not wanted or not needed (the
	// decision left it out, or there was nothing to do, such as no
	// Elastic IP).
	MeasureSkipped MeasureStatus = "SKIPPED"
	// MeasureImpossible: the measure cannot apply to this resource (such as
	// termination protection on a Spot instance, or node isolation of a
	// Fargate pod).
	MeasureImpossible MeasureStatus = "IMPOSSIBLE"
	// MeasureFailed: the measure was tried and an API refused it.
	MeasureFailed MeasureStatus = "FAILED"
)

// Measure is the record of one isolation measure on one target, with what
// an operator needs to undo it.
type Measure struct {
	Name MeasureName `json:"name"`
	// Target is what the measure acted on: an instance ID, a node name,
	// namespace/pod, or a role ARN.
	Target string        `json:"target"`
	Status MeasureStatus `json:"status"`
	// Reason says why the measure was skipped, impossible or failed, or
	// notes a side effect of applying it.
	Reason string `json:"reason,omitempty"`
	// Original holds the settings before the measure, for a restore, such
	// as "securityGroups.eni-0abc": "sg-1,sg-2".
	Original map[string]string `json:"original,omitempty"`
	// Applied holds what the measure set or created, such as the isolation
	// group's ID.
	Applied map[string]string `json:"applied,omitempty"`
}

// The statuses of an isolation, on the case and in the notification.
const (
	// IsolationStatusIsolated: at least one measure was applied, and every
	// other was skipped (not asked for, or nothing to do).
	IsolationStatusIsolated = "ISOLATED"
	// IsolationStatusPartial: some measure failed or is impossible on this
	// resource (such as termination protection of a Spot instance, or the
	// node measures of a Fargate pod), or none was applied.
	IsolationStatusPartial = "PARTIAL"
	// IsolationStatusNotIsolated: the decision was not to isolate.
	IsolationStatusNotIsolated = "NOT_ISOLATED"
	// IsolationStatusFailed: the isolation could not be made at all (the
	// application account's role could not be assumed, or the resource
	// not found); the investigation still runs.
	IsolationStatusFailed = "FAILED"
)

// Isolation is the workflow state's summary of the isolation step: small,
// the measures themselves are on the case record.
type Isolation struct {
	Action IsolationAction `json:"action"`
	Rule   string          `json:"rule"`
	// Status is one of the IsolationStatus constants.
	Status     string `json:"status"`
	Applied    int    `json:"applied"`
	Skipped    int    `json:"skipped"`
	Impossible int    `json:"impossible"`
	Failed     int    `json:"failed"`
}
