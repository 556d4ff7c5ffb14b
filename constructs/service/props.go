package service

import (
	"fmt"
	"regexp"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"

	"github.com/casefile-forensics/casefile/constructs/forensichost"
	"github.com/casefile-forensics/casefile/constructs/storage"
)

// Props configures the whole Casefile service. AMIID and ModuleRoot are
// required; every other field's zero value means the default its doc names.
type Props struct {
	// AMIID is the forensic AMI, with the tools the SSM documents run.
	// Required.
	AMIID string
	// ModuleRoot is the folder holding Casefile's go.mod, from which the
	// Lambda handlers are built. Required.
	ModuleRoot string

	// ExistingNetwork runs the forensic instances in a VPC made elsewhere.
	// Default: a new isolated VPC (see forensichost.Host).
	ExistingNetwork *forensichost.ExistingNetwork
	// InstanceType is the forensic instance type. Default:
	// forensichost.DefaultInstanceType.
	InstanceType string
	// LargeInstanceType is the instance type of a case whose evidence holds
	// at least LargeEvidenceGiB GiB. Defaults:
	// functions.DefaultLargeInstanceType and functions.DefaultLargeEvidenceGiB.
	LargeInstanceType string
	LargeEvidenceGiB  *int
	// SymbolsS3URI is where the Volatility symbol tables are,
	// s3://bucket/ or s3://bucket/prefix/. Default: the evidence bucket,
	// under forensichost.DefaultSymbolsPrefix.
	SymbolsS3URI string
	// NotificationEmail is subscribed to the notification topic. Default:
	// no subscription.
	NotificationEmail string
	// EventBus carries the "Evidence Acquisition Completed" events.
	// Default: the account's default event bus.
	EventBus awsevents.IEventBus
	// ApplicationAccountIDs are the accounts whose resources are
	// investigated: each may put acquisition events on EventBus (see
	// workflow.Props.SenderAccountIDs), and EC2 may use its KMS keys to
	// make evidence volumes of the snapshots it shares (see
	// functions.Props.ApplicationAccountIDs). Default: none.
	ApplicationAccountIDs []string
	// IsolationPolicy is the isolation policy as compact JSON, already
	// validated (lambdas/isolation/policy.Parse). Default: the built-in
	// rules.
	IsolationPolicy string
	// IsolationRoleName and IsolationDenyProfile name the application
	// accounts' isolation role and deny-all instance profile (see
	// appaccount.IsolationAccess). Defaults:
	// investigation.DefaultIsolationRoleName and
	// investigation.DefaultIsolationDenyProfile.
	IsolationRoleName    string
	IsolationDenyProfile string

	// WaitInstanceSeconds, WaitCommandSeconds, MaxInstanceChecks and
	// MaxCommandChecks pace and bound the workflow's polling loops.
	// Defaults: the workflow package's.
	WaitInstanceSeconds *int
	WaitCommandSeconds  *int
	MaxInstanceChecks   *int
	MaxCommandChecks    *int
	// ExecutionTimeout bounds a whole investigation. Default:
	// workflow.DefaultTimeout.
	ExecutionTimeout *time.Duration
	// CommandTimeoutSeconds is how long each forensics SSM command may run on
	// the instance (the documents' executionTimeout). Default:
	// functions.DefaultCommandTimeoutSeconds.
	CommandTimeoutSeconds *int
	// CommandSecondsPerGiB is added to CommandTimeoutSeconds for each GiB
	// of a case's evidence, up to what the workflow's command checks wait
	// (WaitCommandSeconds × MaxCommandChecks) and at most 48 hours.
	// Default: functions.DefaultCommandSecondsPerGiB.
	CommandSecondsPerGiB *int
	// ScratchMinGiB and ScratchMaxGiB bound the scratch volume of a MEMORY
	// case's instance (see functions.Props). Defaults:
	// functions.DefaultScratchMinGiB and functions.DefaultScratchMaxGiB.
	ScratchMinGiB *int
	ScratchMaxGiB *int
	// ReportLinkSeconds, when not 0, has the report step pre-sign a link
	// to each case's report.html valid that long (see functions.Props).
	// Default: 0, no link.
	ReportLinkSeconds int

	// ObjectLockMode and ObjectLockDays are the evidence bucket's default
	// retention. Defaults: the storage package's.
	ObjectLockMode storage.ObjectLockMode
	ObjectLockDays *int
	// RemovalPolicy applies to every stateful resource: buckets, keys,
	// table, log groups. Default: retain. DESTROY is for demonstrations.
	RemovalPolicy awscdk.RemovalPolicy
}

// symbolsURIPattern admits only the prefix characters the memory document's
// parameter pattern admits, so a bad prefix fails synthesis, not a case.
var symbolsURIPattern = regexp.MustCompile(`^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/((?:[A-Za-z0-9!_.*()-]+/)*)$`)

// withDefaults checks p and fills in the defaults that this construct
// decides; the parts' own defaults are left to them.
func (p Props) withDefaults() (Props, error) {
	if p.AMIID == "" {
		return Props{}, fmt.Errorf("service: Props.AMIID is required")
	}
	if p.ModuleRoot == "" {
		return Props{}, fmt.Errorf("service: Props.ModuleRoot is required")
	}
	if p.SymbolsS3URI != "" {
		if _, _, err := splitSymbolsURI(p.SymbolsS3URI); err != nil {
			return Props{}, err
		}
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	return p, nil
}

// splitSymbolsURI returns the bucket and prefix of s3://bucket/prefix/.
func splitSymbolsURI(uri string) (bucket, prefix string, err error) {
	m := symbolsURIPattern.FindStringSubmatch(uri)
	if m == nil {
		return "", "", fmt.Errorf("service: Props.SymbolsS3URI must be s3://bucket/ or s3://bucket/prefix/, got %q", uri)
	}
	return m[1], m[2], nil
}
