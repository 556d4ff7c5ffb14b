package config

import (
	"errors"
	"net/mail"
	"regexp"
	"slices"
	"strings"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Formats of the settings.
var (
	amiIDPattern        = regexp.MustCompile(`^ami-[0-9a-f]{8}([0-9a-f]{9})?$`)
	vpcIDPattern        = regexp.MustCompile(`^vpc-[0-9a-f]{8}([0-9a-f]{9})?$`)
	subnetIDPattern     = regexp.MustCompile(`^subnet-[0-9a-f]{8}([0-9a-f]{9})?$`)
	routeTableIDPattern = regexp.MustCompile(`^rtb-[0-9a-f]{8}([0-9a-f]{9})?$`)
	zonePattern         = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9-]+$`)
	symbolsURIPattern   = regexp.MustCompile(`^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/([A-Za-z0-9!_.*()-]+/)*$`)
	accountIDPattern    = regexp.MustCompile(`^[0-9]{12}$`)
	eventBusPattern     = regexp.MustCompile(`^[A-Za-z0-9._-]{1,256}$`)
	roleARNPattern      = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
	roleNamePattern     = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	profileNamePattern  = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	clusterNamePattern  = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
	anyPattern          = regexp.MustCompile(`.`)
)

// Bounds of the numeric settings.
const (
	maxWaitSeconds      = 3600
	maxInstanceChecks   = 1000
	maxCommandChecks    = 10000
	maxTimeoutMinutes   = 365 * 24 * 60 // a standard execution's limit
	minCommandSeconds   = 30
	maxCommandSeconds   = 48 * 3600 // a shell step's longest timeoutSeconds
	maxObjectLockDays   = 36500
	maxScratchGiB       = 16384      // gp3's largest volume
	maxEvidenceGiB      = 16 * 16384 // 16 snapshots of gp3's largest volume
	maxSecondsPerGiB    = 3600
	defaultEventBusName = "default"
	// taskAllowanceSeconds is workflow.TaskAllowance: the tasks' time on top
	// of the polling loops within the execution timeout.
	taskAllowanceSeconds = 30 * 60
)

// Load reads the configuration through get, fills in the defaults, and
// validates it. The error names every bad context key.
func Load(get Getter) (Config, error) {
	r := &reader{get: get}
	c := Config{
		ForensicAMIID:           r.required(KeyForensicAMIID, amiIDPattern, "an AMI ID such as ami-0123456789abcdef0"),
		WaitInstanceSeconds:     r.integer(KeyWaitInstanceSeconds, DefaultWaitInstanceSeconds, 1, maxWaitSeconds),
		WaitCommandSeconds:      r.integer(KeyWaitCommandSeconds, DefaultWaitCommandSeconds, 1, maxWaitSeconds),
		MaxInstanceChecks:       r.integer(KeyMaxInstanceChecks, DefaultMaxInstanceChecks, 1, maxInstanceChecks),
		MaxCommandChecks:        r.integer(KeyMaxCommandChecks, DefaultMaxCommandChecks, 1, maxCommandChecks),
		ExecutionTimeoutMinutes: r.integer(KeyExecutionTimeoutMinutes, DefaultExecutionTimeoutMinutes, 1, maxTimeoutMinutes),
		CommandTimeoutSeconds:   r.integer(KeyCommandTimeoutSeconds, DefaultCommandTimeoutSeconds, minCommandSeconds, maxCommandSeconds),
		InstanceType:            r.optional(KeyInstanceType, DefaultInstanceType, instanceTypePattern, "an EC2 instance type such as m6i.large"),
		LargeInstanceType:       r.optional(KeyLargeInstanceType, DefaultLargeInstanceType, instanceTypePattern, "an EC2 instance type such as m6i.2xlarge"),
		LargeEvidenceGiB:        r.integer(KeyLargeEvidenceGiB, DefaultLargeEvidenceGiB, 1, maxEvidenceGiB),
		CommandSecondsPerGiB:    r.integer(KeyCommandSecondsPerGiB, DefaultCommandSecondsPerGiB, 0, maxSecondsPerGiB),
		ScratchMinGiB:           r.integer(KeyScratchMinGiB, DefaultScratchMinGiB, 1, maxScratchGiB),
		ScratchMaxGiB:           r.integer(KeyScratchMaxGiB, DefaultScratchMaxGiB, 1, maxScratchGiB),
		SymbolsS3URI:            r.optional(KeySymbolsS3URI, "", symbolsURIPattern, "s3://bucket/ or s3://bucket/prefix/ (ending in /)"),
		NotificationEmail:       r.str(KeyNotificationEmail),
		ApplicationAccountIDs:   r.list(KeyApplicationAccountIDs, accountIDPattern, "a 12-digit account ID"),
		EventBusName:            r.optional(KeyEventBusName, "", eventBusPattern, "an event bus name"),
		ObjectLockMode:          ObjectLockMode(strings.ToUpper(r.optional(KeyObjectLockMode, string(DefaultObjectLockMode), anyPattern, ""))),
		ObjectLockDays:          r.integer(KeyObjectLockDays, DefaultObjectLockDays, 1, maxObjectLockDays),
		RemovalPolicy:           RemovalPolicy(strings.ToLower(r.optional(KeyRemovalPolicy, string(DefaultRemovalPolicy), anyPattern, ""))),
		ReportLinkSeconds:       r.integer(KeyReportLinkSeconds, DefaultReportLinkSeconds, 0, MaxReportLinkSeconds),
		IsolationPolicy:         r.isolationPolicy(KeyIsolationPolicy),
	}
	c.Network = r.network()
	c.Isolation = r.isolation()
	if hasDuplicates(c.ApplicationAccountIDs) {
		r.fail(KeyApplicationAccountIDs, "lists an account twice")
	}
	if c.EventBusName == defaultEventBusName {
		c.EventBusName = ""
	}
	if c.NotificationEmail != "" {
		if addr, err := mail.ParseAddress(c.NotificationEmail); err != nil || addr.Address != c.NotificationEmail {
			r.fail(KeyNotificationEmail, "must be a bare e-mail address such as soc@example.com, got %q", c.NotificationEmail)
		}
	}
	if c.ObjectLockMode != ObjectLockGovernance && c.ObjectLockMode != ObjectLockCompliance {
		r.fail(KeyObjectLockMode, "must be %s or %s, got %q", ObjectLockGovernance, ObjectLockCompliance, c.ObjectLockMode)
	}
	if c.RemovalPolicy != RemovalRetain && c.RemovalPolicy != RemovalDestroy {
		r.fail(KeyRemovalPolicy, "must be %s or %s, got %q", RemovalRetain, RemovalDestroy, c.RemovalPolicy)
	}
	if len(r.errs) == 0 && c.ScratchMinGiB > c.ScratchMaxGiB {
		// Blame the maximum when it was set, else the minimum that outgrew
		// the default maximum.
		if r.get(KeyScratchMaxGiB) != nil {
			r.fail(KeyScratchMaxGiB, "is %d GiB, less than %s (%d GiB)", c.ScratchMaxGiB, KeyScratchMinGiB, c.ScratchMinGiB)
		} else {
			r.fail(KeyScratchMinGiB, "is %d GiB, more than %s (%d GiB)", c.ScratchMinGiB, KeyScratchMaxGiB, c.ScratchMaxGiB)
		}
	}
	if len(r.errs) == 0 && c.CommandTimeoutSeconds > c.WaitCommandSeconds*c.MaxCommandChecks {
		r.fail(KeyCommandTimeoutSeconds, "is %d s, longer than the workflow waits for a command (%s × %s = %d s)",
			c.CommandTimeoutSeconds, KeyWaitCommandSeconds, KeyMaxCommandChecks, c.WaitCommandSeconds*c.MaxCommandChecks)
	}
	if polling := c.WaitInstanceSeconds*c.MaxInstanceChecks + c.WaitCommandSeconds*c.MaxCommandChecks; len(r.errs) == 0 &&
		c.ExecutionTimeoutMinutes*60 < polling+taskAllowanceSeconds {
		r.fail(KeyExecutionTimeoutMinutes, "is %d min, less than the polling loops may take (%s × %s + %s × %s = %d s) plus %d min for the tasks",
			c.ExecutionTimeoutMinutes, KeyWaitInstanceSeconds, KeyMaxInstanceChecks, KeyWaitCommandSeconds, KeyMaxCommandChecks,
			polling, taskAllowanceSeconds/60)
	}
	if err := errors.Join(r.errs...); err != nil {
		return Config{}, err
	}
	return c, nil
}

// isolation reads the settings of the application accounts' isolation
// resources.
func (r *reader) isolation() Isolation {
	i := Isolation{
		ApplicationAccountStack: r.boolean(KeyApplicationAccountStack),
		ForensicRoleARN: r.optional(KeyForensicIsolationRoleARN, "", roleARNPattern,
			"the ARN of the forensic account's isolation function role, such as arn:aws:iam::111111111111:role/name"),
		RoleName: r.optional(KeyIsolationRoleName, investigation.DefaultIsolationRoleName, roleNamePattern,
			"an IAM role name (1 to 64 of A-Z a-z 0-9 _+=,.@-)"),
		DenyProfileName: r.optional(KeyIsolationDenyProfileName, investigation.DefaultIsolationDenyProfile, profileNamePattern,
			"an instance profile name (1 to 128 of A-Z a-z 0-9 _+=,.@-)"),
		EKSClusterNames: r.list(KeyIsolationEKSClusterNames, clusterNamePattern,
			"an EKS cluster name (a letter or digit, then up to 99 of A-Z a-z 0-9 _-)"),
		ShareEvidence: r.boolean(KeyShareEvidence),
	}
	if hasDuplicates(i.EKSClusterNames) {
		r.fail(KeyIsolationEKSClusterNames, "lists a cluster twice")
	}
	return i
}

// network reads the existing VPC settings: the VPC, its subnets and their
// zones, and optionally their route tables; or none of them.
func (r *reader) network() *Network {
	n := Network{
		VPCID:             r.optional(KeyVPCID, "", vpcIDPattern, "a VPC ID such as vpc-0123456789abcdef0"),
		SubnetIDs:         r.list(KeySubnetIDs, subnetIDPattern, "a subnet ID such as subnet-0123456789abcdef0"),
		AvailabilityZones: r.list(KeyAvailabilityZones, zonePattern, "an availability zone such as eu-west-1a"),
		RouteTableIDs:     r.list(KeyRouteTableIDs, routeTableIDPattern, "a route table ID such as rtb-0123456789abcdef0"),
	}
	if n.VPCID == "" {
		for _, key := range []string{KeySubnetIDs, KeyAvailabilityZones, KeyRouteTableIDs} {
			if r.get(key) != nil && !isEmpty(r.get(key)) {
				r.fail(key, "is set, so %s must be set too (or remove %s for a new VPC)", KeyVPCID, key)
			}
		}
		return nil
	}
	if len(n.SubnetIDs) == 0 {
		r.fail(KeySubnetIDs, "must list the subnets of %s", KeyVPCID)
	}
	if len(n.AvailabilityZones) == 0 || len(n.SubnetIDs)%len(n.AvailabilityZones) != 0 {
		r.fail(KeyAvailabilityZones, "must list the zones of the %d subnets of %s (as many, or a divisor), got %d",
			len(n.SubnetIDs), KeySubnetIDs, len(n.AvailabilityZones))
	}
	if hasDuplicates(n.SubnetIDs) {
		r.fail(KeySubnetIDs, "lists a subnet twice")
	}
	if len(n.RouteTableIDs) != 0 && len(n.RouteTableIDs) != len(n.SubnetIDs) {
		r.fail(KeyRouteTableIDs, "must list the route table of each of the %d subnets of %s, in the same order, or nothing; got %d",
			len(n.SubnetIDs), KeySubnetIDs, len(n.RouteTableIDs))
	}
	return &n
}

func hasDuplicates(items []string) bool {
	return len(slices.Compact(slices.Sorted(slices.Values(items)))) != len(items)
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v) == ""
	case []any:
		return len(v) == 0
	}
	return false
}
