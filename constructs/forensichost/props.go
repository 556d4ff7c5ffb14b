package forensichost

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
)

// Defaults used when the corresponding Props field is left unset.
const (
	// DefaultInstanceType is a Nitro x86_64 type with 8 GiB of memory and
	// up to 12.5 Gbit/s of EBS bandwidth: enough for Volatility on common
	// dumps and for hashing a volume, at a modest price. The forensic AMI
	// must be built for x86_64 to match it.
	DefaultInstanceType     = "m6i.large"
	DefaultFlowLogRetention = awslogs.RetentionDays_ONE_YEAR
	// DefaultSymbolsPrefix is where the symbol tables are in the evidence
	// bucket when Props.SymbolsBucket is not set.
	DefaultSymbolsPrefix = "symbols/"
)

// Formats checked at synth time.
var (
	amiIDPattern        = regexp.MustCompile(`^ami-[0-9a-f]{8,17}$`)
	vpcIDPattern        = regexp.MustCompile(`^vpc-[0-9a-f]{8,17}$`)
	subnetIDPattern     = regexp.MustCompile(`^subnet-[0-9a-f]{8,17}$`)
	routeTableIDPattern = regexp.MustCompile(`^rtb-[0-9a-f]{8,17}$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9-]+$`)
	zonePattern         = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9][a-z]$`)
)

// Props configures the forensic host. AMIID, EvidenceBucket and
// ResultsBucket are required; every other field has a default.
type Props struct {
	// AMIID is the forensic AMI, with the tools the SSM documents run:
	// "ami-" and 8 or 17 hexadecimal digits. Required.
	AMIID string
	// EvidenceBucket is where the instance reads evidence (memory dumps).
	// Its EncryptionKey, if any, is granted kms:Decrypt. Required.
	EvidenceBucket awss3.IBucket
	// ResultsBucket is where the instance writes results and SSM command
	// output, under investigation.CasesPrefix. Its EncryptionKey, if any, is
	// granted kms:GenerateDataKey and kms:Decrypt. Required.
	ResultsBucket awss3.IBucket

	// SymbolsBucket holds the Volatility 3 symbol tables, named
	// <kernelRelease>.json.xz, that the memory forensics downloads. Its
	// EncryptionKey, if any, is granted kms:Decrypt. Default:
	// EvidenceBucket, under DefaultSymbolsPrefix.
	SymbolsBucket awss3.IBucket
	// SymbolsPrefix is the key prefix of the symbol tables in SymbolsBucket,
	// ending in "/". Only with SymbolsBucket. Default: the whole bucket.
	SymbolsPrefix string

	// ExistingNetwork runs the instances in a VPC that already exists.
	// Default: a new VPC (see Host).
	ExistingNetwork *ExistingNetwork
	// InstanceType is the forensic instance type. Default: DefaultInstanceType.
	InstanceType string
	// VolumeKey encrypts the forensic instance's volumes and the evidence
	// volumes created from snapshots. Default: a new customer-managed key.
	VolumeKey awskms.IKey
	// FlowLogRetention is how long the new VPC's flow logs are kept.
	// Default: DefaultFlowLogRetention.
	FlowLogRetention awslogs.RetentionDays
	// RemovalPolicy says what happens to the volume key and the flow log
	// group when they leave the stack. Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// ExistingNetwork is a VPC, created elsewhere, for the forensic instances.
// Nothing is looked up: synth needs no credentials, and the IDs are taken as
// given. The subnets should have no route to the internet, and the VPC must
// already have the endpoints the instance needs, with private DNS: S3
// (gateway), SSM, SSM Messages, EC2 Messages, EC2, KMS and CloudWatch Logs.
type ExistingNetwork struct {
	// VpcID is the VPC, "vpc-" and hexadecimal digits.
	VpcID string
	// SubnetIDs are the subnets the instances may be launched in.
	SubnetIDs []string
	// AvailabilityZones are the subnets' zones, in the same order; there
	// must be as many subnets as zones, or a multiple of that.
	AvailabilityZones []string
	// RouteTableIDs are the subnets' route tables, one per subnet in the
	// same order. Optional: Casefile reads no route table of an existing
	// VPC; give them when other code uses the route tables of Host.Vpc's
	// subnets (for a gateway endpoint, say). Without them, CDK's warning
	// that the subnets have no route table ID is acknowledged.
	RouteTableIDs []string
}

// withDefaults returns a copy of p with the defaults filled in. It panics,
// naming the field, when a value is missing or invalid.
func (p Props) withDefaults() Props {
	if !isToken(p.AMIID) && !amiIDPattern.MatchString(p.AMIID) {
		invalid("AMIID must match %s, got %q", amiIDPattern, p.AMIID)
	}
	if p.EvidenceBucket == nil {
		invalid("EvidenceBucket is required")
	}
	if p.ResultsBucket == nil {
		invalid("ResultsBucket is required")
	}
	if p.SymbolsPrefix != "" {
		if p.SymbolsBucket == nil {
			invalid("SymbolsPrefix needs SymbolsBucket")
		}
		if !strings.HasSuffix(p.SymbolsPrefix, "/") || strings.HasPrefix(p.SymbolsPrefix, "/") {
			invalid("SymbolsPrefix must end in \"/\" and not start with one, got %q", p.SymbolsPrefix)
		}
	}
	if p.SymbolsBucket == nil {
		p.SymbolsBucket, p.SymbolsPrefix = p.EvidenceBucket, DefaultSymbolsPrefix
	}
	if p.ExistingNetwork != nil {
		p.ExistingNetwork.validate()
	}
	if p.InstanceType == "" {
		p.InstanceType = DefaultInstanceType
	}
	if !instanceTypePattern.MatchString(p.InstanceType) {
		invalid("InstanceType must look like %q, got %q", DefaultInstanceType, p.InstanceType)
	}
	if p.FlowLogRetention == "" {
		p.FlowLogRetention = DefaultFlowLogRetention
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	return p
}

func (n ExistingNetwork) validate() {
	if !vpcIDPattern.MatchString(n.VpcID) {
		invalid("ExistingNetwork.VpcID must match %s, got %q", vpcIDPattern, n.VpcID)
	}
	if len(n.SubnetIDs) == 0 {
		invalid("ExistingNetwork.SubnetIDs must list at least one subnet")
	}
	for _, id := range n.SubnetIDs {
		if !subnetIDPattern.MatchString(id) {
			invalid("ExistingNetwork.SubnetIDs must match %s, got %q", subnetIDPattern, id)
		}
	}
	if len(n.AvailabilityZones) == 0 || len(n.SubnetIDs)%len(n.AvailabilityZones) != 0 {
		invalid("ExistingNetwork.AvailabilityZones must list the subnets' zones (%d subnets, %d zones)",
			len(n.SubnetIDs), len(n.AvailabilityZones))
	}
	if len(n.RouteTableIDs) != 0 && len(n.RouteTableIDs) != len(n.SubnetIDs) {
		invalid("ExistingNetwork.RouteTableIDs must list one route table per subnet (%d subnets, %d route tables)",
			len(n.SubnetIDs), len(n.RouteTableIDs))
	}
	for _, id := range n.RouteTableIDs {
		if !routeTableIDPattern.MatchString(id) {
			invalid("ExistingNetwork.RouteTableIDs must match %s, got %q", routeTableIDPattern, id)
		}
	}
	for _, zone := range n.AvailabilityZones {
		if !zonePattern.MatchString(zone) {
			invalid("ExistingNetwork.AvailabilityZones must hold zone names such as \"eu-west-1a\", got %q", zone)
		}
	}
}

// invalid panics with a message naming the Props field; props are checked at
// synth time, where a mistake cannot be recovered from.
func invalid(format string, args ...any) {
	panic("forensichost: Props." + fmt.Sprintf(format, args...))
}

func isToken(s string) bool { return *awscdk.Token_IsUnresolved(s) }

// symbolsInEvidence says whether the symbol tables are in the evidence
// bucket, which the instance can already read whole.
func (p Props) symbolsInEvidence() bool {
	return *p.SymbolsBucket.Node().Path() == *p.EvidenceBucket.Node().Path()
}
