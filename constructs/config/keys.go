package config

// Context keys read by Load: the names used in cdk.json and with
// `cdk synth -c key=value`.
const (
	KeyForensicAMIID           = "forensicAmiId"
	KeyVPCID                   = "vpcId"
	KeySubnetIDs               = "subnetIds"
	KeyAvailabilityZones       = "availabilityZones"
	KeyRouteTableIDs           = "routeTableIds"
	KeyWaitInstanceSeconds     = "waitInstanceSeconds"
	KeyWaitCommandSeconds      = "waitCommandSeconds"
	KeyMaxInstanceChecks       = "maxInstanceChecks"
	KeyMaxCommandChecks        = "maxCommandChecks"
	KeyExecutionTimeoutMinutes = "executionTimeoutMinutes"
	KeyCommandTimeoutSeconds   = "commandTimeoutSeconds"
	KeyInstanceType            = "instanceType"
	KeyLargeInstanceType       = "largeInstanceType"
	KeyLargeEvidenceGiB        = "largeEvidenceGiB"
	KeyCommandSecondsPerGiB    = "commandSecondsPerGiB"
	KeyScratchMinGiB           = "scratchMinGiB"
	KeyScratchMaxGiB           = "scratchMaxGiB"
	KeySymbolsS3URI            = "symbolsS3Uri"
	KeyNotificationEmail       = "notificationEmail"
	KeyApplicationAccountIDs   = "applicationAccountIds"
	KeyEventBusName            = "eventBusName"
	KeyObjectLockMode          = "objectLockMode"
	KeyObjectLockDays          = "objectLockDays"
	KeyRemovalPolicy           = "removalPolicy"
	KeyReportLinkSeconds       = "reportLinkSeconds"
	KeyIsolationPolicy         = "isolationPolicy"
	// The application account's stack (constructs/appaccount).
	KeyApplicationAccountStack  = "applicationAccountStack"
	KeyForensicIsolationRoleARN = "forensicIsolationRoleArn"
	KeyIsolationRoleName        = "isolationRoleName"
	KeyIsolationDenyProfileName = "isolationDenyProfileName"
	KeyIsolationEKSClusterNames = "isolationEksClusterNames"
	KeyShareEvidence            = "shareEvidence"
)

// Keys lists every context key Load reads.
func Keys() []string {
	return []string{
		KeyForensicAMIID, KeyVPCID, KeySubnetIDs, KeyAvailabilityZones, KeyRouteTableIDs, KeyWaitInstanceSeconds,
		KeyWaitCommandSeconds, KeyMaxInstanceChecks, KeyMaxCommandChecks, KeyExecutionTimeoutMinutes,
		KeyCommandTimeoutSeconds, KeyInstanceType, KeyLargeInstanceType, KeyLargeEvidenceGiB, KeyCommandSecondsPerGiB,
		KeyScratchMinGiB, KeyScratchMaxGiB, KeySymbolsS3URI, KeyNotificationEmail,
		KeyApplicationAccountIDs, KeyEventBusName, KeyObjectLockMode, KeyObjectLockDays, KeyRemovalPolicy,
		KeyReportLinkSeconds, KeyIsolationPolicy, KeyApplicationAccountStack, KeyForensicIsolationRoleARN, KeyIsolationRoleName,
		KeyIsolationDenyProfileName, KeyIsolationEKSClusterNames, KeyShareEvidence,
	}
}

// PlaceholderForensicAMIID is the forensicAmiId that cdk.json ships with:
// a well-formed ID of no real AMI, so that synthesis works out of the box.
// A stack deployed with it fails every investigation with AMI_UNAVAILABLE,
// so synthesis warns about it.
const PlaceholderForensicAMIID = "ami-0123456789abcdef0"

// Defaults of the optional settings, the values cdk.json also holds.
const (
	DefaultWaitInstanceSeconds     = 120
	DefaultWaitCommandSeconds      = 120
	DefaultMaxInstanceChecks       = 15
	DefaultMaxCommandChecks        = 90
	DefaultExecutionTimeoutMinutes = 360
	DefaultCommandTimeoutSeconds   = 3600
	DefaultInstanceType            = "m6i.large"
	DefaultLargeInstanceType       = "m6i.2xlarge"
	DefaultLargeEvidenceGiB        = 500
	DefaultCommandSecondsPerGiB    = 20
	DefaultScratchMinGiB           = 16
	DefaultScratchMaxGiB           = 2048
	DefaultObjectLockMode          = ObjectLockGovernance
	DefaultObjectLockDays          = 30
	DefaultRemovalPolicy           = RemovalRetain
	// DefaultReportLinkSeconds 0 makes no pre-signed link to the report.
	DefaultReportLinkSeconds = 0
	// MaxReportLinkSeconds bounds the link's life: 12 hours.
	MaxReportLinkSeconds = 12 * 3600
)
