package template_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/internal/cdktest"
)

// both are the two synthesized stacks: defaults, and every optional
// setting (an existing VPC, application accounts...).
func both() map[string]synthesized {
	return map[string]synthesized{"defaults": stacks.defaults, "existing VPC": stacks.existingVPC}
}

// accountRoot is the template's ARN of the stack account's root.
const accountRoot = `{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::",{"Ref":"AWS::AccountId"},":root"]]}`

// asJSON returns v as compact JSON, for comparing template values.
func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// isKeyAdministration reports whether st is a key policy's statement that
// gives the account (its root) the key: kms:* on the key, no condition.
// Without it no IAM policy could grant the key, and the key could not be
// managed; it is the one statement with a wildcard action.
func isKeyAdministration(st cdktest.PolicyStatement) bool {
	return strings.HasPrefix(st.Source, "AWS::KMS::Key ") && st.Effect == "Allow" &&
		len(st.Actions) == 1 && st.Actions[0] == "kms:*" && st.Conditions == nil &&
		asJSON(st.Principal) == `{"AWS":`+accountRoot+`}`
}

// TestNoPolicyAllowsAWildcardAction reads every policy of the template:
// identity policies (separate, managed, inline), trust policies, and the
// resource policies of buckets, topics, queues, keys, VPC endpoints,
// event buses and log groups. No Allow statement has a wildcard in an
// action or uses NotAction or NotPrincipal, except the key policies'
// administration statement for the account root. Deny statements may be
// broad (s3:*, sqs:*: a deny of non-TLS access).
func TestNoPolicyAllowsAWildcardAction(t *testing.T) {
	for name, s := range both() {
		t.Run(name, func(t *testing.T) {
			require.Empty(t, s.UnreadPolicies(), "resources whose policies the check does not read")
			statements := s.EveryStatement()
			require.NotEmpty(t, statements)
			kinds := map[string]bool{}
			for _, st := range statements {
				kinds[strings.Fields(st.Source)[0]] = true
				if st.Effect != "Allow" {
					assert.Equal(t, "Deny", st.Effect, "effect of a statement of %s", st.Source)
					continue
				}
				assert.Empty(t, st.NotActions, "Allow with NotAction in %s", st.Source)
				assert.False(t, st.NotPrincipal, "Allow with NotPrincipal in %s", st.Source)
				if isKeyAdministration(st) {
					continue
				}
				for _, a := range st.Actions {
					assert.NotContains(t, a, "*", "wildcard action %q in %s on %s", a, st.Source, st.ResourcesJSON())
				}
			}
			for _, kind := range []string{"AWS::IAM::Policy", "AWS::IAM::Role", "AWS::KMS::Key", "AWS::S3::BucketPolicy",
				"AWS::SNS::TopicPolicy", "AWS::SQS::QueuePolicy", "AWS::EC2::VPCEndpoint"} {
				if name == "existing VPC" && kind == "AWS::EC2::VPCEndpoint" {
					continue // the given VPC's endpoints are not the stack's
				}
				assert.True(t, kinds[kind], "the check read the policies of %s", kind)
			}
		})
	}
}

// TestKeyPoliciesGrantOnlyWhatIsNeeded: every Allow statement of every
// key policy is the account root's administration of the key (which lets
// IAM policies grant it, as the roles' policies do), or names an AWS
// service with a condition that ties it to this account or a resource of
// the stack, or names a role of the stack. None names "*" or another
// account.
func TestKeyPoliciesGrantOnlyWhatIsNeeded(t *testing.T) {
	for name, s := range both() {
		t.Run(name, func(t *testing.T) {
			roles := map[string]bool{}
			for id := range s.OfType("AWS::IAM::Role") {
				roles[`{"Fn::GetAtt":["`+id+`","Arn"]}`] = true
			}
			keys := 0
			for _, st := range s.EveryStatement() {
				if !strings.HasPrefix(st.Source, "AWS::KMS::Key ") {
					continue
				}
				keys++
				if st.Effect != "Allow" || isKeyAdministration(st) {
					continue
				}
				p := cdktest.AsMap(st.Principal)
				require.NotNil(t, p, "%s: statement %q names principal %s", st.Source, st.Sid, asJSON(st.Principal))
				for kind, v := range p {
					for _, who := range cdktest.Strings(v) {
						switch kind {
						case "Service":
							assert.NotEmpty(t, st.Conditions, "%s: service %s is granted without a condition", st.Source, who)
						case "AWS":
							assert.True(t, roles[who], "%s: %s is not a role of the stack", st.Source, who)
						default:
							assert.Fail(t, "unexpected principal", "%s: %s %s", st.Source, kind, who)
						}
					}
				}
			}
			assert.GreaterOrEqual(t, keys, len(s.OfType("AWS::KMS::Key")), "every key has a policy")
		})
	}
}

// TestBucketsDenyInsecureTransportAndOtherEncryption: every bucket's policy
// denies any request without TLS (aws:SecureTransport false) on the bucket
// and its objects. The evidence and results buckets encrypt by default with
// their own stack key (SSE-KMS), and deny an upload that asks for another
// encryption or another key; an upload that asks for none is encrypted
// with the bucket's key by that default, and S3 stores no object
// unencrypted, so a deny of uploads without the encryption header would
// only refuse what the default already encrypts right. The access log
// bucket uses SSE-S3 (S3 server access logging cannot write with a KMS
// key), and only the logging service of this account may write there.
func TestBucketsDenyInsecureTransportAndOtherEncryption(t *testing.T) {
	s := stacks.defaults
	policies := map[string][]cdktest.PolicyStatement{}
	for id, p := range s.OfType("AWS::S3::BucketPolicy") {
		bucket := asJSON(p.Properties["Bucket"])
		for _, st := range s.EveryStatement() {
			if st.Source == "AWS::S3::BucketPolicy "+id {
				policies[bucket] = append(policies[bucket], st)
			}
		}
	}
	buckets := s.OfType("AWS::S3::Bucket")
	require.Len(t, buckets, 3, "evidence, results and access log buckets")
	for id, b := range buckets {
		t.Run(id, func(t *testing.T) {
			statements := policies[`{"Ref":"`+id+`"}`]
			require.NotEmpty(t, statements, "the bucket has a policy")
			arn := `{"Fn::GetAtt":["` + id + `","Arn"]}`
			objects := `{"Fn::Join":["",[` + arn + `,"/*"]]}`
			assert.True(t, hasDeny(statements, "s3:*", map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}, arn, objects),
				"the policy denies s3:* without TLS on the bucket and its objects: %+v", statements)

			sse := cdktest.AsMap(cdktest.AsMap(firstOf(cdktest.AsMap(b.Properties["BucketEncryption"])["ServerSideEncryptionConfiguration"]))["ServerSideEncryptionByDefault"])
			switch sse["SSEAlgorithm"] {
			case "aws:kms":
				key := sse["KMSMasterKeyID"]
				keyID := cdktest.Strings(cdktest.AsMap(key)["Fn::GetAtt"])
				require.Len(t, keyID, 2, "the default key is a key of the stack: %s", asJSON(key))
				assert.Equal(t, "AWS::KMS::Key", s.Resources[keyID[0]].Type, "the default key is a key of the stack")
				assert.True(t, hasDeny(statements, "s3:PutObject", map[string]any{
					"StringNotEquals": map[string]any{"s3:x-amz-server-side-encryption": "aws:kms"},
					"Null":            map[string]any{"s3:x-amz-server-side-encryption": "false"},
				}, objects), "uploads asking for another encryption than SSE-KMS are denied")
				assert.True(t, hasDeny(statements, "s3:PutObject", map[string]any{
					"StringNotEquals": map[string]any{"s3:x-amz-server-side-encryption-aws-kms-key-id": key},
					"Null":            map[string]any{"s3:x-amz-server-side-encryption-aws-kms-key-id": "false"},
				}, objects), "uploads asking for another KMS key than the bucket's are denied")
			case "AES256":
				for _, st := range statements {
					if st.Effect != "Allow" {
						continue
					}
					assert.Equal(t, `{"Service":"logging.s3.amazonaws.com"}`, asJSON(st.Principal), "only S3 logging writes to an SSE-S3 bucket")
					assert.Equal(t, []string{"s3:PutObject"}, st.Actions)
					assert.Contains(t, st.Conditions, "StringEquals", "logging for this account only")
				}
				assert.Contains(t, asJSON(s.Resources), `"DestinationBucketName":{"Ref":"`+id+`"}`, "the SSE-S3 bucket is the access log bucket")
			default:
				assert.Fail(t, "the bucket has no default encryption", "%s", asJSON(b.Properties["BucketEncryption"]))
			}
		})
	}
}

// hasDeny reports whether statements hold a Deny for every principal of
// action under conditions, on each of resources.
func hasDeny(statements []cdktest.PolicyStatement, action string, conditions map[string]any, resources ...string) bool {
	for _, st := range statements {
		p := asJSON(st.Principal)
		if st.Effect != "Deny" || (p != `"*"` && p != `{"AWS":"*"}`) || asJSON(st.Conditions) != asJSON(conditions) {
			continue
		}
		if len(st.Actions) != 1 || st.Actions[0] != action {
			continue
		}
		covered := true
		for _, r := range resources {
			covered = covered && strings.Contains(st.ResourcesJSON(), r)
		}
		if covered {
			return true
		}
	}
	return false
}

func firstOf(v any) any {
	if list, ok := v.([]any); ok && len(list) > 0 {
		return list[0]
	}
	return nil
}

// internetGateways are the resource types that give a VPC a way to the
// internet.
var internetGateways = []string{"AWS::EC2::InternetGateway", "AWS::EC2::VPCGatewayAttachment", "AWS::EC2::NatGateway",
	"AWS::EC2::EgressOnlyInternetGateway", "AWS::EC2::CarrierGateway", "AWS::EC2::EIP", "AWS::EC2::TransitGatewayAttachment",
	"AWS::EC2::VPNGateway", "AWS::EC2::VPNGatewayRoutePropagation"}

// TestForensicSubnetsHaveNoRouteToTheInternet: the stack's VPC has no
// internet, NAT, egress-only or carrier gateway, no route to anywhere but
// the VPC itself (the S3 gateway endpoint adds its own prefix-list route),
// and its subnets give no public IP. With an existing VPC the stack makes
// no route or gateway at all: the given network is the operator's (README).
func TestForensicSubnetsHaveNoRouteToTheInternet(t *testing.T) {
	for name, s := range both() {
		t.Run(name, func(t *testing.T) {
			for _, typ := range internetGateways {
				assert.Empty(t, s.OfType(typ), "%s in the stack", typ)
			}
			for id, r := range s.OfType("AWS::EC2::Route") {
				p := r.Properties
				assert.NotEqual(t, "0.0.0.0/0", p["DestinationCidrBlock"], "route %s to the internet", id)
				assert.NotEqual(t, "::/0", p["DestinationIpv6CidrBlock"], "route %s to the internet", id)
				for _, target := range []string{"GatewayId", "NatGatewayId", "EgressOnlyInternetGatewayId", "CarrierGatewayId", "TransitGatewayId"} {
					assert.NotContains(t, p, target, "route %s through a gateway", id)
				}
			}
			subnets := s.OfType("AWS::EC2::Subnet")
			if name == "existing VPC" {
				assert.Empty(t, subnets, "the stack makes no subnet in a given VPC")
				assert.Empty(t, s.OfType("AWS::EC2::Route"), "nor any route")
				return
			}
			require.NotEmpty(t, subnets)
			for id, sub := range subnets {
				assert.Equal(t, false, sub.Properties["MapPublicIpOnLaunch"], "subnet %s maps no public IP", id)
				assert.NotEqual(t, true, sub.Properties["AssignIpv6AddressOnCreation"], "subnet %s assigns no IPv6 address", id)
				tags := asJSON(sub.Properties["Tags"])
				assert.Contains(t, tags, `{"Key":"aws-cdk:subnet-type","Value":"Isolated"}`, "subnet %s is isolated", id)
			}
		})
	}
}

// TestOnlyTheCommandStepsMaySendCommands: of every policy in the template,
// only the roles of the two steps that send SSM commands (the readiness
// probe, the forensics) allow ssm:SendCommand, which
// TestSendCommandReachesOnlyCasefileDocumentsAndInstances limits to
// Casefile's documents and tagged instances.
func TestOnlyTheCommandStepsMaySendCommands(t *testing.T) {
	for name, s := range both() {
		t.Run(name, func(t *testing.T) {
			allowed := map[string]bool{}
			for _, fn := range []functions.Name{functions.CheckInstance, functions.StartForensics} {
				role := s.logicalID(s.stack.Service.Functions.Role(fn))
				for id, p := range s.OfType("AWS::IAM::Policy") {
					if slices.Contains(cdktest.Strings(p.Properties["Roles"]), `{"Ref":"`+role+`"}`) {
						allowed["AWS::IAM::Policy "+id] = true
					}
				}
			}
			require.Len(t, allowed, 2, "the two roles' policies")
			senders := 0
			for _, st := range s.EveryStatement() {
				if st.Effect == "Allow" && slices.Contains(st.Actions, "ssm:SendCommand") {
					senders++
					assert.True(t, allowed[st.Source], "%s allows ssm:SendCommand", st.Source)
				}
			}
			assert.Positive(t, senders, "some statement allows ssm:SendCommand")
		})
	}
}

// TestTheReportRoleCannotWriteResults checks that the report function,
// which may put cases/*/report.{json,md,html}, is denied writes under the
// results and command-output folders, where IAM's '*' (which matches '/')
// would otherwise let it overwrite a result file named like a report.
func TestTheReportRoleCannotWriteResults(t *testing.T) {
	s := stacks.defaults
	role := s.logicalID(s.stack.Service.Functions.Role(functions.Report))
	var denied []string
	for _, p := range s.OfType("AWS::IAM::Policy") {
		if !slices.Contains(cdktest.Strings(p.Properties["Roles"]), `{"Ref":"`+role+`"}`) {
			continue
		}
		list, _ := cdktest.AsMap(p.Properties["PolicyDocument"])["Statement"].([]any)
		for _, e := range list {
			st := cdktest.AsMap(e)
			if st["Effect"] == "Deny" && slices.Contains(cdktest.Strings(st["Action"]), "s3:PutObject") {
				denied = append(denied, asJSON(st["Resource"]))
			}
		}
	}
	require.Len(t, denied, 1, "one Deny of s3:PutObject in the report role's policies")
	for _, folder := range []string{"/cases/*/disk/*", "/cases/*/memory/*", "/cases/*/ssm/*"} {
		assert.Contains(t, denied[0], folder, "the report role may not write under %s", folder)
	}
}
