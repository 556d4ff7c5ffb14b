// Package config is Casefile's deployment configuration: one typed,
// validated value read from the CDK context by app.go.
package config

// ObjectLockMode is the evidence bucket's default retention mode.
type ObjectLockMode string

// The Object Lock modes.
const (
	ObjectLockGovernance ObjectLockMode = "GOVERNANCE"
	ObjectLockCompliance ObjectLockMode = "COMPLIANCE"
)

// RemovalPolicy says what happens to stateful resources when the stack is
// deleted.
type RemovalPolicy string

// The removal policies. Destroy is for demonstrations only.
const (
	RemovalRetain  RemovalPolicy = "retain"
	RemovalDestroy RemovalPolicy = "destroy"
)

// Config is Casefile's deployment configuration.
type Config struct {
	// ForensicAMIID is the forensic AMI with the pinned tools. Required.
	ForensicAMIID string
	// Network is an existing VPC for the forensic instances; nil means a
	// new, isolated VPC.
	Network *Network
	// WaitInstanceSeconds and WaitCommandSeconds are the pauses between
	// checks of the instance and of the forensics command.
	WaitInstanceSeconds int
	WaitCommandSeconds  int
	// MaxInstanceChecks and MaxCommandChecks bound those checks.
	MaxInstanceChecks int
	MaxCommandChecks  int
	// ExecutionTimeoutMinutes bounds a whole investigation.
	ExecutionTimeoutMinutes int
	// CommandTimeoutSeconds is how long each forensics SSM command may run on
	// the instance (the documents' executionTimeout).
	CommandTimeoutSeconds int
	// InstanceType is the forensic instance type.
	InstanceType string
	// LargeInstanceType is the instance type of a case whose evidence (the
	// snapshots' sizes added up, or the dump's size) holds at least
	// LargeEvidenceGiB GiB.
	LargeInstanceType string
	LargeEvidenceGiB  int
	// CommandSecondsPerGiB is added to CommandTimeoutSeconds for each GiB
	// of a case's evidence, up to what the workflow waits for a command.
	CommandSecondsPerGiB int
	// ScratchMinGiB and ScratchMaxGiB bound the scratch volume a MEMORY
	// case's instance gets for the dump: its size follows the dump's, at
	// least the minimum; a dump that needs more than the maximum fails.
	ScratchMinGiB int
	ScratchMaxGiB int
	// SymbolsS3URI is where the Volatility symbol tables are,
	// s3://bucket/ or s3://bucket/prefix/; empty means the evidence
	// bucket's symbols/ prefix.
	SymbolsS3URI string
	// NotificationEmail, when set, is subscribed to the notification topic.
	NotificationEmail string
	// ApplicationAccountIDs are the 12-digit accounts whose resources
	// Casefile investigates: each may put acquisition events on the event
	// bus (a statement in the bus's resource policy).
	ApplicationAccountIDs []string
	// EventBusName is the bus carrying the acquisition events; empty means
	// the account's default bus.
	EventBusName string
	// ObjectLockMode and ObjectLockDays are the evidence bucket's default
	// retention.
	ObjectLockMode ObjectLockMode
	ObjectLockDays int
	// RemovalPolicy applies to the buckets, keys, table and log groups.
	RemovalPolicy RemovalPolicy
	// ReportLinkSeconds, when not 0, has the report step pre-sign a link
	// to report.html valid that long and pass it on in the workflow state.
	ReportLinkSeconds int
	// IsolationPolicy is the isolation policy (lambdas/isolation/policy)
	// as compact JSON, the value of the isolation function's
	// investigation.EnvIsolationPolicy; empty means the default policy
	// (the built-in rules, no isolation for unknown findings).
	IsolationPolicy string
	// Isolation is the application accounts' side of isolation.
	Isolation Isolation
}

// Isolation configures the isolation resources of the application accounts
// (the stack that app.go synthesizes for a StackSet) and the names by which
// the forensic account finds them.
type Isolation struct {
	// ApplicationAccountStack has app.go also synthesize the application
	// account's stack.
	ApplicationAccountStack bool
	// ForensicRoleARN is the default of the application account stack's
	// parameter naming the forensic account's isolation function role;
	// empty means no default (the StackSet must give it).
	ForensicRoleARN string
	// RoleName is the isolation role's name in every application account.
	RoleName string
	// DenyProfileName is the deny-all instance profile's name in every
	// application account.
	DenyProfileName string
	// EKSClusterNames are the clusters that get an access entry for the
	// isolation role.
	EKSClusterNames []string
	// ShareEvidence lets the isolation role share EBS snapshots with the
	// forensic account.
	ShareEvidence bool
}

// Network is an existing VPC for the forensic instances.
type Network struct {
	VPCID             string
	SubnetIDs         []string
	AvailabilityZones []string
	// RouteTableIDs are the subnets' route tables, in the same order, or
	// none: Casefile itself does not use them.
	RouteTableIDs []string
}
