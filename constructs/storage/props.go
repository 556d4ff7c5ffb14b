package storage

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// ObjectLockMode is the default Object Lock retention mode of a bucket.
type ObjectLockMode string

// Object Lock modes. GOVERNANCE lets principals with
// s3:BypassGovernanceRetention delete or shorten a locked version;
// COMPLIANCE lets nobody, not even the account root, until the retention ends.
const (
	ObjectLockGovernance ObjectLockMode = "GOVERNANCE"
	ObjectLockCompliance ObjectLockMode = "COMPLIANCE"
)

// Defaults used when the corresponding Props field is left unset.
const (
	DefaultObjectLockMode      = ObjectLockGovernance
	DefaultObjectLockDays      = 30
	DefaultAccessLogExpiryDays = 365
	maxObjectLockDays          = 36500 // the S3 limit: 100 years
	noncurrentLogExpiryDays    = 30
	incompleteUploadExpiryDays = 7
	accessLogPrefixEvidence    = "evidence/"
	accessLogPrefixResults     = "results/"
	minimumTLSVersion          = 1.2
)

// Props configures the evidence and results storage. The zero value is a
// valid configuration: GOVERNANCE Object Lock for 30 days on the evidence
// bucket, no Object Lock on the results bucket, everything retained when the
// stack is deleted.
type Props struct {
	// ObjectLockMode is the default retention mode of the evidence bucket
	// (and of the results bucket when ResultsObjectLock is set).
	// Default: ObjectLockGovernance.
	ObjectLockMode ObjectLockMode
	// ObjectLockDays is the default retention period, in days, of every
	// object version written to the evidence bucket, from 1 to 36500.
	// Default: DefaultObjectLockDays (30).
	ObjectLockDays *int
	// ResultsObjectLock also enables Object Lock, with the same mode and
	// period, on the results bucket. Default: false.
	ResultsObjectLock bool
	// AccessLogExpiryDays is how long server access logs are kept.
	// Default: DefaultAccessLogExpiryDays (365).
	AccessLogExpiryDays *int
	// RemovalPolicy says what happens to the buckets and keys when they leave
	// the stack. Default: awscdk.RemovalPolicy_RETAIN. DESTROY is meant for
	// tests and demonstrations: CloudFormation deletes only empty buckets,
	// and S3 refuses to delete object versions still under retention.
	RemovalPolicy awscdk.RemovalPolicy
}

// withDefaults returns a copy of p with the defaults filled in. It panics,
// naming the field, when a value is invalid: props are checked at synth time.
func (p Props) withDefaults() Props {
	if p.ObjectLockMode == "" {
		p.ObjectLockMode = DefaultObjectLockMode
	}
	if p.ObjectLockMode != ObjectLockGovernance && p.ObjectLockMode != ObjectLockCompliance {
		panic(fmt.Sprintf("storage: Props.ObjectLockMode must be %q or %q, got %q",
			ObjectLockGovernance, ObjectLockCompliance, p.ObjectLockMode))
	}
	p.ObjectLockDays = defaultInt(p.ObjectLockDays, DefaultObjectLockDays)
	if d := *p.ObjectLockDays; d < 1 || d > maxObjectLockDays {
		panic(fmt.Sprintf("storage: Props.ObjectLockDays must be between 1 and %d, got %d", maxObjectLockDays, d))
	}
	p.AccessLogExpiryDays = defaultInt(p.AccessLogExpiryDays, DefaultAccessLogExpiryDays)
	if d := *p.AccessLogExpiryDays; d < 1 {
		panic(fmt.Sprintf("storage: Props.AccessLogExpiryDays must be at least 1, got %d", d))
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	return p
}

func defaultInt(v *int, def int) *int {
	if v == nil {
		return &def
	}
	return v
}
