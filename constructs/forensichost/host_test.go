package forensichost_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/forensichost"
	"github.com/casefile-forensics/casefile/constructs/storage"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	ssmdocuments "github.com/casefile-forensics/casefile/ssm-documents"
)

// obj is a JSON object in a template matcher.
type obj = map[string]any

const testAMI = "ami-0123456789abcdef0"

// fixture is a stack holding Casefile's storage and a forensic host.
type fixture struct {
	stack    awscdk.Stack
	storage  *storage.Storage
	host     *forensichost.Host
	template assertions.Template
}

// synth builds the host from the storage's buckets and testAMI, after
// configure has changed the props (nil keeps them).
func synth(configure func(awscdk.Stack, *forensichost.Props)) fixture {
	stack := cdktest.NewStack()
	s := storage.NewStorage(stack, "Storage", storage.Props{})
	props := forensichost.Props{AMIID: testAMI, EvidenceBucket: s.EvidenceBucket, ResultsBucket: s.ResultsBucket}
	if configure != nil {
		configure(stack, &props)
	}
	host := forensichost.NewHost(stack, "Host", props)
	return fixture{stack: stack, storage: s, host: host, template: assertions.Template_FromStack(stack, nil)}
}

func (f fixture) resolve(v any) any { return f.stack.Resolve(v) }

func existingNetwork() *forensichost.ExistingNetwork {
	return &forensichost.ExistingNetwork{
		VpcID:             "vpc-0123456789abcdef0",
		SubnetIDs:         []string{"subnet-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"},
		AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"},
	}
}

func TestNewHost_NewVPCHasNoWayToTheInternet(t *testing.T) {
	f := synth(nil)

	for kind, want := range map[string]int{
		"AWS::EC2::VPC":                       1,
		"AWS::EC2::Subnet":                    2,
		"AWS::EC2::InternetGateway":           0,
		"AWS::EC2::VPCGatewayAttachment":      0,
		"AWS::EC2::NatGateway":                0,
		"AWS::EC2::EIP":                       0,
		"AWS::EC2::EgressOnlyInternetGateway": 0,
	} {
		cdktest.Check(t, func() { f.template.ResourceCountIs(jsii.String(kind), jsii.Number(want)) })
	}
	for id, route := range *f.template.FindResources(jsii.String("AWS::EC2::Route"), nil) {
		props, _ := (*route)["Properties"].(map[string]any)
		assert.NotEqual(t, "0.0.0.0/0", props["DestinationCidrBlock"], "route %s", id)
		assert.NotEqual(t, "::/0", props["DestinationIpv6CidrBlock"], "route %s", id)
	}
	cdktest.Check(t, func() {
		f.template.AllResourcesProperties(jsii.String("AWS::EC2::Subnet"), obj{"MapPublicIpOnLaunch": false})
	})
	require.Len(t, f.host.SubnetIDs, 2)
	subnets := *f.template.FindResources(jsii.String("AWS::EC2::Subnet"), nil)
	for _, id := range f.host.SubnetIDs {
		ref, ok := f.resolve(id).(map[string]any)
		require.True(t, ok, "subnet ID %s resolves to a Ref", id)
		assert.Contains(t, subnets, ref["Ref"], "Host.SubnetIDs names a subnet of the template")
	}
}

func TestNewHost_NewVPCFlowLogs(t *testing.T) {
	f := synth(func(_ awscdk.Stack, p *forensichost.Props) { p.FlowLogRetention = "ONE_MONTH" })

	groups := *f.template.FindResources(jsii.String("AWS::Logs::LogGroup"), nil)
	require.Len(t, groups, 1)
	var group string
	for id := range groups {
		group = id
	}
	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), obj{"RetentionInDays": 30})
	})
	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::EC2::FlowLog"), obj{
			"ResourceType":       "VPC",
			"ResourceId":         f.resolve(f.host.Vpc.VpcId()),
			"TrafficType":        "ALL",
			"LogDestinationType": "cloud-watch-logs",
			"LogGroupName":       obj{"Ref": group},
		})
	})
}

func TestNewHost_NewVPCEndpoints(t *testing.T) {
	f := synth(nil)
	endpointGroup := *f.template.FindResources(jsii.String("AWS::EC2::SecurityGroup"), nil)
	require.Len(t, endpointGroup, 1)
	var groupID string
	for id := range endpointGroup {
		groupID = id
	}

	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), obj{
			"SecurityGroupIngress": []any{obj{
				"CidrIp":     f.resolve(f.host.Vpc.VpcCidrBlock()),
				"IpProtocol": "tcp",
				"FromPort":   443,
				"ToPort":     443,
			}},
		})
	})
	for _, service := range []string{"ssm", "ssmmessages", "ec2messages", "ec2", "kms", "logs"} {
		t.Run(service, func(t *testing.T) {
			cdktest.Check(t, func() {
				f.template.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), obj{
					"VpcEndpointType":   "Interface",
					"ServiceName":       serviceName(service),
					"PrivateDnsEnabled": true,
					"SecurityGroupIds":  []any{obj{"Fn::GetAtt": []any{groupID, "GroupId"}}},
				})
			})
		})
	}
	cdktest.Check(t, func() {
		f.template.ResourcePropertiesCountIs(jsii.String("AWS::EC2::VPCEndpoint"),
			obj{"VpcEndpointType": "Interface"}, jsii.Number(6))
	})
}

func TestNewHost_S3EndpointAdmitsOnlyCasefileBuckets(t *testing.T) {
	f := synth(nil)
	var want []any
	for _, bucket := range []awss3.IBucket{f.storage.EvidenceBucket, f.storage.ResultsBucket} {
		want = append(want, f.resolve(bucket.BucketArn()), f.resolve(bucket.ArnForObjects(jsii.String("*"))))
	}

	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), obj{
			"VpcEndpointType": "Gateway",
			"ServiceName":     serviceName("s3"),
			"PolicyDocument": obj{"Statement": []any{obj{
				"Effect":    "Allow",
				"Principal": obj{"AWS": "*"},
				"Resource":  want,
			}}},
		})
	})
}

func serviceName(service string) any {
	return obj{"Fn::Join": []any{"", []any{"com.amazonaws.", obj{"Ref": "AWS::Region"}, "." + service}}}
}

func TestNewHost_ExistingNetwork(t *testing.T) {
	network := existingNetwork()
	f := synth(func(_ awscdk.Stack, p *forensichost.Props) { p.ExistingNetwork = network })

	for _, kind := range []string{"AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::VPCEndpoint", "AWS::EC2::FlowLog",
		"AWS::EC2::SecurityGroup", "AWS::Logs::LogGroup"} {
		cdktest.Check(t, func() { f.template.ResourceCountIs(jsii.String(kind), jsii.Number(0)) })
	}
	assert.Equal(t, network.VpcID, *f.host.Vpc.VpcId())
	assert.Equal(t, network.SubnetIDs, f.host.SubnetIDs)
}

// TestNewHost_ExistingNetworkRouteTables: route tables are optional; with
// them the imported subnets know theirs, and either way synthesis gives no
// warning.
func TestNewHost_ExistingNetworkRouteTables(t *testing.T) {
	tests := []struct {
		name   string
		tables []string
	}{
		{"not given", nil},
		{"given", []string{"rtb-0aaaaaaaaaaaaaaa1", "rtb-0bbbbbbbbbbbbbbb2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			network := existingNetwork()
			network.RouteTableIDs = tt.tables
			f := synth(func(_ awscdk.Stack, p *forensichost.Props) { p.ExistingNetwork = network })

			warnings := assertions.Annotations_FromStack(f.stack).FindWarning(jsii.String("*"), assertions.Match_AnyValue())
			for _, w := range *warnings {
				assert.Fail(t, "synthesis warning", "%s: %v", *w.Id, w.Entry.Data)
			}
			if tt.tables != nil {
				var got []string
				for _, subnet := range *f.host.Vpc.IsolatedSubnets() {
					got = append(got, *subnet.RouteTable().RouteTableId())
				}
				assert.Equal(t, tt.tables, got)
			}
		})
	}
}

func TestNewHost_InstanceRoleHasOnlyWhatTheDocumentsNeed(t *testing.T) {
	f := synth(nil)
	role := f.resolve(f.host.InstanceRole.RoleName())

	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::IAM::Role"), obj{
			"AssumeRolePolicyDocument": obj{"Statement": []any{cdktest.Like(obj{
				"Principal": obj{"Service": "ec2.amazonaws.com"},
				"Action":    "sts:AssumeRole",
			})}},
			"ManagedPolicyArns": assertions.Match_Absent(),
			"RoleName":          assertions.Match_Absent(),
		})
	})
	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::IAM::InstanceProfile"), obj{
			"Roles":               []any{role},
			"InstanceProfileName": assertions.Match_Absent(),
		})
	})

	s := f.storage
	want := []any{
		obj{"Effect": "Allow", "Resource": "*", "Action": []any{
			"ssm:UpdateInstanceInformation",
			"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
			"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
			"ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
			"ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply",
		}, "Sid": "SSMAgent"},
		obj{"Effect": "Allow", "Action": "s3:GetObject",
			"Resource": f.resolve(s.EvidenceBucket.ArnForObjects(jsii.String("*")))},
		obj{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": f.resolve(s.EvidenceKey.KeyArn())},
		obj{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f.resolve(s.EvidenceBucket.BucketArn()),
			"Condition": obj{"StringLike": obj{"s3:prefix": "symbols/*"}}},
		obj{"Effect": "Allow", "Action": []any{"s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"},
			"Resource": f.resolve(s.ResultsBucket.ArnForObjects(jsii.String("cases/*")))},
		obj{"Effect": "Allow", "Action": []any{"kms:GenerateDataKey", "kms:Decrypt"},
			"Resource": f.resolve(s.ResultsKey.KeyArn())},
		obj{"Effect": "Allow", "Action": "s3:GetEncryptionConfiguration",
			"Resource": f.resolve(s.ResultsBucket.BucketArn())},
	}
	cdktest.CheckRolePolicy(t, f.template, role, want)

	for i, statement := range roleStatements(t, f.template, role) {
		for _, action := range asList(statement["Action"]) {
			assert.NotContains(t, action, "*", "statement %d: wildcard action", i)
			if strings.HasPrefix(action.(string), "s3:") {
				assert.NotContains(t, asList(statement["Resource"]), "*", "statement %d: S3 on every resource", i)
			}
		}
	}
}

// roleStatements returns the statements of every policy attached to role.
func roleStatements(t *testing.T, template assertions.Template, role any) []map[string]any {
	t.Helper()
	policies := *template.FindResources(jsii.String("AWS::IAM::Policy"), obj{
		"Properties": cdktest.Like(obj{"Roles": []any{role}}),
	})
	require.NotEmpty(t, policies, "policies of the instance role")
	var statements []map[string]any
	for _, policy := range policies {
		document := (*policy)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, s := range document["Statement"].([]any) {
			statements = append(statements, s.(map[string]any))
		}
	}
	return statements
}

func asList(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	return []any{v}
}

func TestNewHost_SymbolTables(t *testing.T) {
	f := synth(func(stack awscdk.Stack, p *forensichost.Props) {
		p.SymbolsBucket = awss3.Bucket_FromBucketName(stack, jsii.String("Symbols"), jsii.String("casefile-symbols"))
		p.SymbolsPrefix = "volatility/"
	})
	role := f.resolve(f.host.InstanceRole.RoleName())
	bucketARN := obj{"Fn::Join": []any{"", []any{"arn:", obj{"Ref": "AWS::Partition"}, ":s3:::casefile-symbols"}}}
	objectsARN := obj{"Fn::Join": []any{"", []any{"arn:", obj{"Ref": "AWS::Partition"}, ":s3:::casefile-symbols/volatility/*"}}}

	require.NotNil(t, f.host.SymbolsS3URI)
	assert.Equal(t, "s3://casefile-symbols/volatility/", *f.host.SymbolsS3URI)
	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::IAM::Policy"), obj{
			"Roles": []any{role},
			"PolicyDocument": obj{"Statement": cdktest.ArrayWith(
				obj{"Effect": "Allow", "Action": "s3:GetObject", "Resource": objectsARN},
				obj{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucketARN,
					"Condition": obj{"StringLike": obj{"s3:prefix": "volatility/*"}}},
			)},
		})
	})
	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), obj{
			"VpcEndpointType": "Gateway",
			"PolicyDocument": obj{"Statement": []any{cdktest.Like(obj{
				"Resource": cdktest.ArrayWith(bucketARN, obj{"Fn::Join": []any{"", []any{
					"arn:", obj{"Ref": "AWS::Partition"}, ":s3:::casefile-symbols/*"}}}),
			})}},
		})
	})
}

// TestNewHost_SymbolTablesDefaultToTheEvidenceBucket: without a symbols
// bucket, the tables are under symbols/ in the evidence bucket, which the
// instance reads already (the role test checks it gains only the listing).
func TestNewHost_SymbolTablesDefaultToTheEvidenceBucket(t *testing.T) {
	f := synth(nil)

	require.NotNil(t, f.host.SymbolsS3URI)
	assert.Equal(t, obj{"Fn::Join": []any{"", []any{"s3://", f.resolve(f.storage.EvidenceBucket.BucketName()), "/symbols/"}}},
		f.resolve(f.host.SymbolsS3URI))
	assert.Equal(t, "symbols/", forensichost.DefaultSymbolsPrefix)
}

func TestNewHost_AMIParameter(t *testing.T) {
	f := synth(nil)

	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::SSM::Parameter"), obj{
			"Type":     "String",
			"DataType": "text",
			"Value":    testAMI,
			"Name":     assertions.Match_Absent(),
		})
	})
	cdktest.Check(t, func() { f.template.ResourceCountIs(jsii.String("AWS::SSM::Parameter"), jsii.Number(1)) })
	assert.Equal(t, map[string]any{"Ref": onlyResource(t, f.template, "AWS::SSM::Parameter")},
		f.resolve(f.host.AMIParameter.ParameterName()))
}

func TestNewHost_AMIFromAParameter(t *testing.T) {
	f := synth(func(stack awscdk.Stack, p *forensichost.Props) {
		p.AMIID = *awscdk.NewCfnParameter(stack, jsii.String("ForensicAmi"), nil).ValueAsString()
	})

	cdktest.Check(t, func() {
		f.template.HasResourceProperties(jsii.String("AWS::SSM::Parameter"), obj{"Value": obj{"Ref": "ForensicAmi"}})
	})
}

func onlyResource(t *testing.T, template assertions.Template, kind string) string {
	t.Helper()
	found := *template.FindResources(jsii.String(kind), nil)
	require.Len(t, found, 1, kind)
	for id := range found {
		return id
	}
	return ""
}

func TestNewHost_Documents(t *testing.T) {
	f := synth(nil)
	tests := []struct {
		name   string
		doc    func(*forensichost.Host) awsssm.CfnDocument
		render func() (ssmdocuments.Document, error)
	}{
		{"probe", func(h *forensichost.Host) awsssm.CfnDocument { return h.ProbeDocument }, ssmdocuments.Probe},
		{"disk", func(h *forensichost.Host) awsssm.CfnDocument { return h.DiskDocument }, ssmdocuments.Disk},
		{"memory", func(h *forensichost.Host) awsssm.CfnDocument { return h.MemoryDocument }, ssmdocuments.Memory},
	}

	cdktest.Check(t, func() { f.template.ResourceCountIs(jsii.String("AWS::SSM::Document"), jsii.Number(len(tests))) })
	arns := f.host.DocumentARNs()
	require.Len(t, arns, len(tests))
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rendered, err := tt.render()
			require.NoError(t, err)
			content, err := rendered.Map()
			require.NoError(t, err)
			ref := f.resolve(tt.doc(f.host).Ref())

			cdktest.Check(t, func() {
				f.template.HasResourceProperties(jsii.String("AWS::SSM::Document"), obj{
					"DocumentType":   "Command",
					"DocumentFormat": "JSON",
					"UpdateMethod":   "NewVersion",
					"TargetType":     "/AWS::EC2::Instance",
					"Name":           assertions.Match_Absent(),
					"Content":        assertions.Match_ObjectEquals(&content),
				})
			})
			assert.Equal(t, obj{"Fn::Join": []any{"", []any{
				"arn:", obj{"Ref": "AWS::Partition"}, ":ssm:", obj{"Ref": "AWS::Region"}, ":",
				obj{"Ref": "AWS::AccountId"}, ":document/", ref,
			}}}, f.resolve(arns[i]))
		})
	}
}

func TestNewHost_VolumeKey(t *testing.T) {
	const description = "Casefile forensic instance and evidence volumes"

	t.Run("created by default", func(t *testing.T) {
		f := synth(nil)

		cdktest.Check(t, func() {
			f.template.HasResourceProperties(jsii.String("AWS::KMS::Key"), obj{
				"Description":       description,
				"EnableKeyRotation": true,
			})
		})
		key := f.template.FindResources(jsii.String("AWS::KMS::Key"), obj{"Properties": cdktest.Like(obj{"Description": description})})
		require.Len(t, *key, 1)
		for id, resource := range *key {
			assert.Equal(t, obj{"Fn::GetAtt": []any{id, "Arn"}}, f.resolve(f.host.VolumeKey.KeyArn()))
			assert.Equal(t, "Retain", (*resource)["DeletionPolicy"])
		}
	})
	t.Run("given", func(t *testing.T) {
		var given awskms.IKey
		f := synth(func(stack awscdk.Stack, p *forensichost.Props) {
			given = awskms.NewKey(stack, jsii.String("Given"), nil)
			p.VolumeKey = given
		})

		key := f.template.FindResources(jsii.String("AWS::KMS::Key"), obj{"Properties": cdktest.Like(obj{"Description": description})})
		assert.Empty(t, *key)
		assert.Equal(t, f.resolve(given.KeyArn()), f.resolve(f.host.VolumeKey.KeyArn()))
	})
}

func TestNewHost_InstanceType(t *testing.T) {
	tests := []struct {
		name  string
		given string
		want  string
	}{
		{name: "default", given: "", want: forensichost.DefaultInstanceType},
		{name: "given", given: "r7i.2xlarge", want: "r7i.2xlarge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := synth(func(_ awscdk.Stack, p *forensichost.Props) { p.InstanceType = tt.given })

			assert.Equal(t, tt.want, f.host.InstanceType)
		})
	}
}

func TestNewHost_InvalidPropsPanic(t *testing.T) {
	tests := []struct {
		name      string
		configure func(*forensichost.Props)
		want      string
	}{
		{name: "no AMI", configure: func(p *forensichost.Props) { p.AMIID = "" },
			want: `forensichost: Props.AMIID must match ^ami-[0-9a-f]{8,17}$, got ""`},
		{name: "short AMI", configure: func(p *forensichost.Props) { p.AMIID = "ami-1234" },
			want: `forensichost: Props.AMIID must match ^ami-[0-9a-f]{8,17}$, got "ami-1234"`},
		{name: "upper-case AMI", configure: func(p *forensichost.Props) { p.AMIID = "ami-0123456789ABCDEF0" },
			want: `forensichost: Props.AMIID must match ^ami-[0-9a-f]{8,17}$, got "ami-0123456789ABCDEF0"`},
		{name: "no evidence bucket", configure: func(p *forensichost.Props) { p.EvidenceBucket = nil },
			want: "forensichost: Props.EvidenceBucket is required"},
		{name: "no results bucket", configure: func(p *forensichost.Props) { p.ResultsBucket = nil },
			want: "forensichost: Props.ResultsBucket is required"},
		{name: "symbols prefix without bucket", configure: func(p *forensichost.Props) { p.SymbolsPrefix = "symbols/" },
			want: "forensichost: Props.SymbolsPrefix needs SymbolsBucket"},
		{name: "symbols prefix without slash", configure: func(p *forensichost.Props) {
			p.SymbolsBucket, p.SymbolsPrefix = p.EvidenceBucket, "symbols"
		}, want: `forensichost: Props.SymbolsPrefix must end in "/" and not start with one, got "symbols"`},
		{name: "symbols prefix with leading slash", configure: func(p *forensichost.Props) {
			p.SymbolsBucket, p.SymbolsPrefix = p.EvidenceBucket, "/symbols/"
		}, want: `forensichost: Props.SymbolsPrefix must end in "/" and not start with one, got "/symbols/"`},
		{name: "instance type without family", configure: func(p *forensichost.Props) { p.InstanceType = "large" },
			want: `forensichost: Props.InstanceType must look like "m6i.large", got "large"`},
		{name: "bad VPC ID", configure: func(p *forensichost.Props) {
			p.ExistingNetwork = existingNetwork()
			p.ExistingNetwork.VpcID = "vpc-xyz"
		}, want: `forensichost: Props.ExistingNetwork.VpcID must match ^vpc-[0-9a-f]{8,17}$, got "vpc-xyz"`},
		{name: "no subnets", configure: func(p *forensichost.Props) {
			p.ExistingNetwork = existingNetwork()
			p.ExistingNetwork.SubnetIDs = nil
		}, want: "forensichost: Props.ExistingNetwork.SubnetIDs must list at least one subnet"},
		{name: "bad subnet ID", configure: func(p *forensichost.Props) {
			p.ExistingNetwork = existingNetwork()
			p.ExistingNetwork.SubnetIDs[1] = "sn-1"
		}, want: `forensichost: Props.ExistingNetwork.SubnetIDs must match ^subnet-[0-9a-f]{8,17}$, got "sn-1"`},
		{name: "subnets not a multiple of zones", configure: func(p *forensichost.Props) {
			p.ExistingNetwork = existingNetwork()
			p.ExistingNetwork.SubnetIDs = append(p.ExistingNetwork.SubnetIDs, "subnet-0ccccccccccccccc3")
		}, want: "forensichost: Props.ExistingNetwork.AvailabilityZones must list the subnets' zones (3 subnets, 2 zones)"},
		{name: "no zones", configure: func(p *forensichost.Props) {
			p.ExistingNetwork = existingNetwork()
			p.ExistingNetwork.AvailabilityZones = nil
		}, want: "forensichost: Props.ExistingNetwork.AvailabilityZones must list the subnets' zones (2 subnets, 0 zones)"},
		{name: "route tables not one per subnet", configure: func(p *forensichost.Props) {
			p.ExistingNetwork = existingNetwork()
			p.ExistingNetwork.RouteTableIDs = []string{"rtb-0aaaaaaaaaaaaaaa1"}
		}, want: "forensichost: Props.ExistingNetwork.RouteTableIDs must list one route table per subnet (2 subnets, 1 route tables)"},
		{name: "bad route table ID", configure: func(p *forensichost.Props) {
			p.ExistingNetwork = existingNetwork()
			p.ExistingNetwork.RouteTableIDs = []string{"rtb-0aaaaaaaaaaaaaaa1", "subnet-0bbbbbbbbbbbbbbb2"}
		}, want: `forensichost: Props.ExistingNetwork.RouteTableIDs must match ^rtb-[0-9a-f]{8,17}$, got "subnet-0bbbbbbbbbbbbbbb2"`},
		{name: "zone ID instead of name", configure: func(p *forensichost.Props) {
			p.ExistingNetwork = existingNetwork()
			p.ExistingNetwork.AvailabilityZones[0] = "euw1-az1"
		}, want: `forensichost: Props.ExistingNetwork.AvailabilityZones must hold zone names such as "eu-west-1a", got "euw1-az1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			s := storage.NewStorage(stack, "Storage", storage.Props{})
			props := forensichost.Props{AMIID: testAMI, EvidenceBucket: s.EvidenceBucket, ResultsBucket: s.ResultsBucket}
			tt.configure(&props)

			assert.PanicsWithValue(t, tt.want, func() { forensichost.NewHost(stack, "Host", props) })
		})
	}
}

func TestNewHost_PassesAWSSolutionsChecks(t *testing.T) {
	tests := []struct {
		name      string
		configure func(awscdk.Stack, *forensichost.Props)
	}{
		{name: "new VPC", configure: nil},
		{name: "existing VPC and symbol tables", configure: func(stack awscdk.Stack, p *forensichost.Props) {
			p.ExistingNetwork = existingNetwork()
			p.SymbolsBucket = awss3.Bucket_FromBucketName(stack, jsii.String("Symbols"), jsii.String("casefile-symbols"))
			p.SymbolsPrefix = "volatility/"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			s := storage.NewStorage(stack, "Storage", storage.Props{})
			props := forensichost.Props{AMIID: testAMI, EvidenceBucket: s.EvidenceBucket, ResultsBucket: s.ResultsBucket}
			if tt.configure != nil {
				tt.configure(stack, &props)
			}
			forensichost.NewHost(stack, "Host", props)

			cdktest.AssertNoNagFindings(t, stack)
		})
	}
}
