// Package forensichost defines what the forensic instance needs before a
// case launches it: the network, the instance role and profile, the AMI
// parameter, the volume key and the SSM documents it runs.
package forensichost

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Construct IDs of the host's own children.
const (
	idNetwork      = "Network"
	idVolumeKey    = "VolumeKey"
	idAMIParameter = "AmiParameter"
)

// Host is everything the forensic instance needs, for the functions that
// launch it and send it commands.
//
// By default the network is a new VPC in two zones with isolated subnets
// only: no internet gateway, no NAT, VPC flow logs to CloudWatch Logs, an S3
// gateway endpoint whose policy admits only the Casefile buckets, and
// interface endpoints (private DNS, HTTPS from the VPC only) for SSM, SSM
// Messages, EC2 Messages, EC2, KMS and CloudWatch Logs. Props.ExistingNetwork
// replaces it with a VPC made elsewhere, which must have those endpoints.
type Host struct {
	// Vpc holds the forensic instances.
	Vpc awsec2.IVpc
	// SubnetIDs are the isolated subnets the instances may be launched in
	// (tokens for a new VPC; joined with "," they resolve in an environment
	// variable).
	SubnetIDs []string
	// InstanceRole is the role the forensic instance runs with.
	InstanceRole awsiam.IRole
	// InstanceProfile carries InstanceRole; RunInstances takes its ARN.
	InstanceProfile awsiam.IInstanceProfile
	// AMIParameter holds the forensic AMI ID (data type text).
	AMIParameter awsssm.IStringParameter
	// VolumeKey encrypts the forensic instance's volumes and the evidence
	// volumes. Its policy is the account's default: IAM policies grant its
	// use, so the functions that create volumes grant themselves the EBS
	// actions through EC2 (kms:ViaService).
	VolumeKey awskms.IKey
	// InstanceType is the forensic instance type.
	InstanceType string
	// SymbolsS3URI is s3://bucket/prefix/ of the Volatility symbol tables:
	// by default the evidence bucket's DefaultSymbolsPrefix. Never nil.
	SymbolsS3URI *string
	// ProbeDocument checks that the forensic tools are installed. Its Ref is
	// the document name.
	ProbeDocument awsssm.CfnDocument
	// DiskDocument runs the disk forensics on the attached evidence volumes.
	DiskDocument awsssm.CfnDocument
	// MemoryDocument runs the memory forensics on a dump in S3.
	MemoryDocument awsssm.CfnDocument
}

// NewHost creates the forensic host's resources under a construct named id.
// It panics, naming the field, if props are invalid.
func NewHost(scope constructs.Construct, id string, props Props) *Host {
	p := props.withDefaults()
	c := constructs.NewConstruct(scope, jsii.String(id))

	net := newNetwork(constructs.NewConstruct(c, jsii.String(idNetwork)), p, p.bucketResources())
	identity := newInstanceIdentity(c, p)
	docs := newDocuments(c)

	volumeKey := p.VolumeKey
	if volumeKey == nil {
		volumeKey = awskms.NewKey(c, jsii.String(idVolumeKey), p.volumeKeyProps())
	}

	return &Host{
		Vpc:             net.vpc,
		SubnetIDs:       net.subnetIDs,
		InstanceRole:    identity.role,
		InstanceProfile: identity.profile,
		AMIParameter:    awsssm.NewStringParameter(c, jsii.String(idAMIParameter), p.amiParameterProps()),
		VolumeKey:       volumeKey,
		InstanceType:    p.InstanceType,
		SymbolsS3URI:    p.symbolsS3URI(),
		ProbeDocument:   docs.probe,
		DiskDocument:    docs.disk,
		MemoryDocument:  docs.memory,
	}
}

// DocumentARNs returns the ARNs of the three documents, for IAM statements
// on ssm:SendCommand.
func (h *Host) DocumentARNs() []string {
	return []string{documentARN(h.ProbeDocument), documentARN(h.DiskDocument), documentARN(h.MemoryDocument)}
}

// bucketResources are the ARNs of the buckets the instance uses and of their
// objects.
func (p Props) bucketResources() []string {
	buckets := []awss3.IBucket{p.EvidenceBucket, p.ResultsBucket}
	if !p.symbolsInEvidence() {
		buckets = append(buckets, p.SymbolsBucket)
	}
	var arns []string
	for _, bucket := range buckets {
		arns = append(arns, *bucket.BucketArn(), *bucket.ArnForObjects(jsii.String("*")))
	}
	return arns
}

func (p Props) symbolsS3URI() *string {
	uri := "s3://" + *p.SymbolsBucket.BucketName() + "/" + p.SymbolsPrefix
	return &uri
}
