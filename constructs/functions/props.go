package functions

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Defaults used when the corresponding Props field is left unset.
const (
	DefaultInstanceType         = "m6i.large"
	DefaultLargeInstanceType    = "m6i.2xlarge"
	DefaultLargeEvidenceGiB     = 500
	DefaultCommandSecondsPerGiB = 20
	// MaxCommandTimeoutSeconds is the documents' longest run, 48 hours.
	MaxCommandTimeoutSeconds     = 172800
	DefaultCommandTimeoutSeconds = 3600
	DefaultScratchMinGiB         = 16
	DefaultScratchMaxGiB         = 2048
	DefaultLogRetention          = awslogs.RetentionDays_ONE_YEAR
)

// MaxReportLinkSeconds is the longest a pre-signed report link may live:
// 12 hours.
const MaxReportLinkSeconds = 12 * 3600

// MaxScratchGiB is the largest scratch volume: gp3's largest.
const MaxScratchGiB = 16384

// Documents names the SSM documents the functions send to the forensic
// instance.
type Documents struct {
	// Probe checks that the forensic tools are installed.
	Probe string
	// Disk runs the disk forensics on the attached evidence volumes.
	Disk string
	// Memory runs the memory forensics on a dump in S3.
	Memory string
}

// Network is where the forensic instances run.
type Network struct {
	// VPCID is the VPC of the forensic instances and their security groups.
	VPCID string
	// SubnetIDs are the (isolated) subnets the instances may be launched in.
	SubnetIDs []string
}

// Props configures the Casefile Lambda functions. Fields without a default
// are required; NewFunctions panics naming the first one missing.
type Props struct {
	// ModuleRoot is the folder holding go.mod, from which each handler is
	// built (app.go passes "."). Required.
	ModuleRoot string

	// Table holds the case records. Required.
	Table awsdynamodb.ITable
	// Topic receives the success and failure notifications. Required.
	Topic awssns.ITopic
	// ResultsBucket receives the forensics results under cases/. Required.
	ResultsBucket awss3.IBucket
	// EvidenceBucket holds the acquired evidence. The start and intake
	// functions refuse a memory dump anywhere else, since the forensic
	// instance can read only this bucket. Required.
	EvidenceBucket awss3.IBucket
	// ResultsKey encrypts what the forensics upload to ResultsBucket.
	// Default: ResultsBucket's encryption key, if it has one.
	ResultsKey awskms.IKey
	// Grants give the roles access to Table, ResultsBucket and Topic.
	// Default: grants built from those resources (see Grants).
	Grants Grants
	// AMIParameter holds the forensic AMI ID. Required.
	AMIParameter awsssm.IStringParameter
	// InstanceRole is the forensic instance's role, passed to EC2 through
	// InstanceProfileARN. Required.
	InstanceRole awsiam.IRole
	// InstanceProfileARN is the forensic instance's profile. Required.
	InstanceProfileARN string
	// VolumeKey encrypts the forensic instance's volumes and the evidence
	// volumes. Required.
	VolumeKey awskms.IKey
	// Network is where the forensic instances run. Required.
	Network Network
	// Documents are the SSM documents. Required.
	Documents Documents

	// ApplicationAccountIDs are the accounts whose snapshots the evidence
	// may come from. EC2 may use their KMS keys, on the attach function's
	// behalf, to make volumes of snapshots encrypted with them (their key
	// policies must allow this account too). Default: none, so only
	// snapshots encrypted with this account's keys can be attached.
	ApplicationAccountIDs []string

	// IsolationRoleName is the role that the isolation assumes in the
	// application account of each case (appaccount.IsolationAccess makes
	// it); the isolate function may assume it in ApplicationAccountIDs
	// only, or in any account when that list is empty. Default
	// investigation.DefaultIsolationRoleName.
	IsolationRoleName string
	// IsolationDenyProfile is the application accounts' instance profile
	// whose role denies everything, put on an isolated instance. Default
	// investigation.DefaultIsolationDenyProfile.
	IsolationDenyProfile string
	// IsolationPolicy is the isolation policy as compact JSON (see
	// lambdas/isolation/policy), already validated. Default: "", the
	// built-in rules.
	IsolationPolicy string

	// InstanceType is the forensic instance type. Default DefaultInstanceType.
	InstanceType *string
	// LargeInstanceType is the instance type of a case whose evidence (the
	// snapshots' sizes added up, or the dump's size) holds at least
	// LargeEvidenceGiB GiB. Defaults DefaultLargeInstanceType and
	// DefaultLargeEvidenceGiB.
	LargeInstanceType *string
	LargeEvidenceGiB  *int
	// ScratchMinGiB and ScratchMaxGiB bound the scratch volume that the
	// launch gives a MEMORY case's instance for the dump (1 to
	// MaxScratchGiB, the minimum at most the maximum): its size follows the
	// dump's, at least the minimum; a dump that needs more than the maximum
	// fails with DUMP_TOO_LARGE. Defaults DefaultScratchMinGiB and
	// DefaultScratchMaxGiB.
	ScratchMinGiB *int
	ScratchMaxGiB *int
	// SymbolsS3URI is where the Volatility symbol tables are, s3://bucket/prefix/.
	// Default: none, and MEMORY cases then fail with COMMAND_START_FAILED
	// naming the missing setting (the service construct always sets one).
	SymbolsS3URI *string
	// CommandTimeoutSeconds is how long each forensics command may run on
	// the instance before the SSM agent stops it (the documents'
	// executionTimeout; the function keeps it within 10 s to 48 h).
	// Default DefaultCommandTimeoutSeconds.
	CommandTimeoutSeconds *int
	// CommandSecondsPerGiB is added to CommandTimeoutSeconds for each GiB
	// of a case's evidence, up to MaxCommandTimeoutSeconds (which the
	// workflow's command checks must outlast). Defaults
	// DefaultCommandSecondsPerGiB and the package's
	// MaxCommandTimeoutSeconds.
	CommandSecondsPerGiB     *int
	MaxCommandTimeoutSeconds *int
	// ReportLinkSeconds, when not 0, has the report function pre-sign a
	// GET link to each case's report.html, valid that many seconds (1 to
	// MaxReportLinkSeconds; the link also stops working when the
	// function's session credentials expire), and put it in the workflow
	// state for the notification. The link is a bearer credential and is
	// kept in the execution history. Default: 0, no link.
	ReportLinkSeconds int
	// LogRetention is how long the functions' logs are kept. Default
	// DefaultLogRetention.
	LogRetention awslogs.RetentionDays
	// LogRemovalPolicy says what happens to the log groups when the stack is
	// deleted. Default: retain.
	LogRemovalPolicy awscdk.RemovalPolicy
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// withDefaults returns a copy of p with defaults filled in, or an error
// naming the first required field that is missing.
func (p Props) withDefaults() (Props, error) {
	missing := []struct {
		name  string
		unset bool
	}{
		{"ModuleRoot", p.ModuleRoot == ""},
		{"Table", p.Table == nil},
		{"Topic", p.Topic == nil},
		{"ResultsBucket", p.ResultsBucket == nil},
		{"EvidenceBucket", p.EvidenceBucket == nil},
		{"AMIParameter", p.AMIParameter == nil},
		{"InstanceRole", p.InstanceRole == nil},
		{"InstanceProfileARN", p.InstanceProfileARN == ""},
		{"VolumeKey", p.VolumeKey == nil},
		{"Network.VPCID", p.Network.VPCID == ""},
		{"Network.SubnetIDs", len(p.Network.SubnetIDs) == 0},
		{"Documents.Probe", p.Documents.Probe == ""},
		{"Documents.Disk", p.Documents.Disk == ""},
		{"Documents.Memory", p.Documents.Memory == ""},
	}
	for _, m := range missing {
		if m.unset {
			return Props{}, fmt.Errorf("functions: Props.%s is required", m.name)
		}
	}
	if p.ReportLinkSeconds < 0 || p.ReportLinkSeconds > MaxReportLinkSeconds {
		return Props{}, fmt.Errorf("functions: Props.ReportLinkSeconds must be 0 (no link) or 1 to %d, got %d",
			MaxReportLinkSeconds, p.ReportLinkSeconds)
	}
	for i, account := range p.ApplicationAccountIDs {
		if !accountIDPattern.MatchString(account) {
			return Props{}, fmt.Errorf("functions: Props.ApplicationAccountIDs[%d] must be a 12-digit account ID, got %q", i, account)
		}
	}
	root, err := filepath.Abs(p.ModuleRoot)
	if err != nil {
		return Props{}, fmt.Errorf("functions: resolve ModuleRoot %q: %w", p.ModuleRoot, err)
	}
	p.ModuleRoot = root
	if p.ResultsKey == nil {
		p.ResultsKey = p.ResultsBucket.EncryptionKey()
	}
	p.Grants = p.Grants.withDefaults(p)
	if p.InstanceType == nil {
		p.InstanceType = ptr(DefaultInstanceType)
	}
	if p.IsolationRoleName == "" {
		p.IsolationRoleName = investigation.DefaultIsolationRoleName
	}
	if p.IsolationDenyProfile == "" {
		p.IsolationDenyProfile = investigation.DefaultIsolationDenyProfile
	}
	if p.CommandTimeoutSeconds == nil {
		p.CommandTimeoutSeconds = ptr(DefaultCommandTimeoutSeconds)
	}
	if p.LargeInstanceType == nil {
		p.LargeInstanceType = ptr(DefaultLargeInstanceType)
	}
	if p.LargeEvidenceGiB == nil {
		p.LargeEvidenceGiB = ptr(DefaultLargeEvidenceGiB)
	}
	if p.CommandSecondsPerGiB == nil {
		p.CommandSecondsPerGiB = ptr(DefaultCommandSecondsPerGiB)
	}
	if p.MaxCommandTimeoutSeconds == nil {
		p.MaxCommandTimeoutSeconds = ptr(MaxCommandTimeoutSeconds)
	}
	switch {
	case *p.LargeEvidenceGiB < 1:
		return Props{}, fmt.Errorf("functions: Props.LargeEvidenceGiB must be at least 1, got %d", *p.LargeEvidenceGiB)
	case *p.CommandSecondsPerGiB < 0:
		return Props{}, fmt.Errorf("functions: Props.CommandSecondsPerGiB must not be negative, got %d", *p.CommandSecondsPerGiB)
	case *p.MaxCommandTimeoutSeconds < *p.CommandTimeoutSeconds || *p.MaxCommandTimeoutSeconds > MaxCommandTimeoutSeconds:
		return Props{}, fmt.Errorf("functions: Props.MaxCommandTimeoutSeconds (%d) must be from CommandTimeoutSeconds (%d) to %d",
			*p.MaxCommandTimeoutSeconds, *p.CommandTimeoutSeconds, MaxCommandTimeoutSeconds)
	}
	if p.ScratchMinGiB == nil {
		p.ScratchMinGiB = ptr(DefaultScratchMinGiB)
	}
	if p.ScratchMaxGiB == nil {
		p.ScratchMaxGiB = ptr(DefaultScratchMaxGiB)
	}
	if lo, hi := *p.ScratchMinGiB, *p.ScratchMaxGiB; lo < 1 || hi > MaxScratchGiB || lo > hi {
		return Props{}, fmt.Errorf("functions: Props.ScratchMinGiB (%d) and ScratchMaxGiB (%d) must satisfy 1 ≤ minimum ≤ maximum ≤ %d", lo, hi, MaxScratchGiB)
	}
	if p.LogRetention == "" {
		p.LogRetention = DefaultLogRetention
	}
	if p.LogRemovalPolicy == "" {
		p.LogRemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	return p, nil
}

// subnetList is the value of investigation.EnvSubnetIDs.
func (n Network) subnetList() string { return strings.Join(n.SubnetIDs, ",") }

// itoa formats a setting that withDefaults has filled in.
func itoa(v *int) string { return strconv.Itoa(*v) }

func ptr[T any](v T) *T { return &v }
