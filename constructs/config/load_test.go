package config_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/config"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/lambdas/isolation/policy"
)

const (
	validAMI        = "ami-0123456789abcdef0"
	forensicRoleARN = "arn:aws:iam::999999999999:role/casefile-isolate"
)

// getter serves a map as the CDK context.
func getter(values map[string]any) config.Getter {
	return func(key string) any { return values[key] }
}

func TestLoadFillsTheDefaults(t *testing.T) {
	got, err := config.Load(getter(map[string]any{config.KeyForensicAMIID: validAMI}))

	require.NoError(t, err)
	assert.Equal(t, config.Config{
		ForensicAMIID:           validAMI,
		WaitInstanceSeconds:     120,
		WaitCommandSeconds:      120,
		MaxInstanceChecks:       15,
		MaxCommandChecks:        90,
		ExecutionTimeoutMinutes: 360,
		CommandTimeoutSeconds:   3600,
		InstanceType:            "m6i.large",
		LargeInstanceType:       "m6i.2xlarge",
		LargeEvidenceGiB:        500,
		CommandSecondsPerGiB:    20,
		ScratchMinGiB:           16,
		ScratchMaxGiB:           2048,
		ObjectLockMode:          config.ObjectLockGovernance,
		ObjectLockDays:          30,
		RemovalPolicy:           config.RemovalRetain,
		Isolation: config.Isolation{
			RoleName:        investigation.DefaultIsolationRoleName,
			DenyProfileName: investigation.DefaultIsolationDenyProfile,
		},
	}, got)
}

func TestLoadReadsCDKJSONTypesAndCommandLineStrings(t *testing.T) {
	tests := []struct {
		name   string
		values map[string]any
	}{
		{"cdk.json", map[string]any{
			config.KeyForensicAMIID: validAMI, config.KeyVPCID: "vpc-0123456789abcdef0",
			config.KeySubnetIDs:           []any{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
			config.KeyAvailabilityZones:   []any{"eu-west-1a", "eu-west-1b"},
			config.KeyRouteTableIDs:       []any{"rtb-0123456789abcdef0", "rtb-0123456789abcdef1"},
			config.KeyWaitInstanceSeconds: 30.0, config.KeyWaitCommandSeconds: 60.0,
			config.KeyMaxInstanceChecks: 4.0, config.KeyMaxCommandChecks: 100.0,
			config.KeyExecutionTimeoutMinutes: 240.0, config.KeyCommandTimeoutSeconds: 1800.0,
			config.KeyInstanceType: "m7i.xlarge", config.KeySymbolsS3URI: "s3://symbols-bucket/linux/",
			config.KeyScratchMinGiB: 32.0, config.KeyScratchMaxGiB: 4096.0,
			config.KeyLargeInstanceType: "r7i.4xlarge", config.KeyLargeEvidenceGiB: 1000.0, config.KeyCommandSecondsPerGiB: 0.0,
			config.KeyNotificationEmail:     "soc@example.com",
			config.KeyApplicationAccountIDs: []any{"111111111111", "222222222222"},
			config.KeyEventBusName:          "security", config.KeyObjectLockMode: "COMPLIANCE",
			config.KeyObjectLockDays: 90.0, config.KeyRemovalPolicy: "destroy",
			config.KeyReportLinkSeconds:       900.0,
			config.KeyApplicationAccountStack: true, config.KeyForensicIsolationRoleARN: forensicRoleARN,
			config.KeyIsolationRoleName: "soc-isolation", config.KeyIsolationDenyProfileName: "soc-deny-all",
			config.KeyIsolationEKSClusterNames: []any{"prod", "payments_eu-1"}, config.KeyShareEvidence: true,
		}},
		{"-c strings", map[string]any{
			config.KeyForensicAMIID: validAMI, config.KeyVPCID: "vpc-0123456789abcdef0",
			config.KeySubnetIDs:           "subnet-0123456789abcdef0, subnet-0123456789abcdef1",
			config.KeyAvailabilityZones:   "eu-west-1a,eu-west-1b",
			config.KeyRouteTableIDs:       "rtb-0123456789abcdef0, rtb-0123456789abcdef1",
			config.KeyWaitInstanceSeconds: "30", config.KeyWaitCommandSeconds: "60",
			config.KeyMaxInstanceChecks: "4", config.KeyMaxCommandChecks: "100",
			config.KeyExecutionTimeoutMinutes: "240", config.KeyCommandTimeoutSeconds: "1800",
			config.KeyInstanceType: "m7i.xlarge", config.KeySymbolsS3URI: "s3://symbols-bucket/linux/",
			config.KeyScratchMinGiB: "32", config.KeyScratchMaxGiB: "4096",
			config.KeyLargeInstanceType: "r7i.4xlarge", config.KeyLargeEvidenceGiB: "1000", config.KeyCommandSecondsPerGiB: "0",
			config.KeyNotificationEmail:     "soc@example.com",
			config.KeyApplicationAccountIDs: "111111111111,222222222222",
			config.KeyEventBusName:          "security", config.KeyObjectLockMode: "compliance",
			config.KeyObjectLockDays: "90", config.KeyRemovalPolicy: "DESTROY",
			config.KeyReportLinkSeconds:       "900",
			config.KeyApplicationAccountStack: "true", config.KeyForensicIsolationRoleARN: forensicRoleARN,
			config.KeyIsolationRoleName: "soc-isolation", config.KeyIsolationDenyProfileName: "soc-deny-all",
			config.KeyIsolationEKSClusterNames: "prod, payments_eu-1", config.KeyShareEvidence: "TRUE",
		}},
	}
	want := config.Config{
		ForensicAMIID: validAMI,
		Network: &config.Network{
			VPCID:             "vpc-0123456789abcdef0",
			SubnetIDs:         []string{"subnet-0123456789abcdef0", "subnet-0123456789abcdef1"},
			AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"},
			RouteTableIDs:     []string{"rtb-0123456789abcdef0", "rtb-0123456789abcdef1"},
		},
		WaitInstanceSeconds: 30, WaitCommandSeconds: 60, MaxInstanceChecks: 4, MaxCommandChecks: 100,
		ExecutionTimeoutMinutes: 240, CommandTimeoutSeconds: 1800, InstanceType: "m7i.xlarge",
		ScratchMinGiB: 32, ScratchMaxGiB: 4096,
		LargeInstanceType: "r7i.4xlarge", LargeEvidenceGiB: 1000, CommandSecondsPerGiB: 0,
		SymbolsS3URI: "s3://symbols-bucket/linux/", NotificationEmail: "soc@example.com",
		ApplicationAccountIDs: []string{"111111111111", "222222222222"}, EventBusName: "security",
		ObjectLockMode: config.ObjectLockCompliance, ObjectLockDays: 90, RemovalPolicy: config.RemovalDestroy,
		ReportLinkSeconds: 900,
		Isolation: config.Isolation{
			ApplicationAccountStack: true, ForensicRoleARN: forensicRoleARN,
			RoleName: "soc-isolation", DenyProfileName: "soc-deny-all",
			EKSClusterNames: []string{"prod", "payments_eu-1"}, ShareEvidence: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.Load(getter(tt.values))

			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestLoadNamesTheKeyOfEveryBadValue(t *testing.T) {
	tests := []struct {
		name  string
		key   string
		value any
		want  string
	}{
		{"missing AMI", config.KeyForensicAMIID, nil, "is required"},
		{"empty AMI", config.KeyForensicAMIID, "", "is required"},
		{"AMI not an ID", config.KeyForensicAMIID, "ami-xyz", `must be an AMI ID such as ami-0123456789abcdef0, got "ami-xyz"`},
		{"AMI a number", config.KeyForensicAMIID, 12.0, "must be a string"},
		{"wait zero", config.KeyWaitInstanceSeconds, 0.0, "must be a whole number from 1 to 3600, got 0"},
		{"wait fraction", config.KeyWaitInstanceSeconds, 1.5, "must be a whole number from 1 to 3600, got 1.5"},
		{"wait text", config.KeyWaitCommandSeconds, "soon", `must be a whole number from 1 to 3600, got "soon"`},
		{"wait too long", config.KeyWaitCommandSeconds, 3601.0, "must be a whole number from 1 to 3600, got 3601"},
		{"checks negative", config.KeyMaxInstanceChecks, -1.0, "must be a whole number from 1 to 1000, got -1"},
		{"checks boolean", config.KeyMaxCommandChecks, true, "must be a whole number from 1 to 10000, got true (bool)"},
		{"timeout zero", config.KeyExecutionTimeoutMinutes, "0", "must be a whole number from 1 to 525600, got 0"},
		{"command timeout too short", config.KeyCommandTimeoutSeconds, 10.0, "must be a whole number from 30 to 172800, got 10"},
		{"command outlasts the checks", config.KeyCommandTimeoutSeconds, 20000.0,
			"is 20000 s, longer than the workflow waits for a command (waitCommandSeconds × maxCommandChecks = 10800 s)"},
		{"timeout within the loops", config.KeyExecutionTimeoutMinutes, 200.0,
			"is 200 min, less than the polling loops may take (waitInstanceSeconds × maxInstanceChecks + waitCommandSeconds × maxCommandChecks = 12600 s) plus 30 min for the tasks"},
		{"instance type", config.KeyInstanceType, "large", `must be an EC2 instance type such as m6i.large, got "large"`},
		{"large instance type", config.KeyLargeInstanceType, "m6i 2xlarge", `must be an EC2 instance type such as m6i.2xlarge, got "m6i 2xlarge"`},
		{"report link too long", config.KeyReportLinkSeconds, 43201.0, "must be a whole number from 0 to 43200, got 43201"},
		{"report link negative", config.KeyReportLinkSeconds, "-5", "must be a whole number from 0 to 43200, got -5"},
		{"large-evidence threshold zero", config.KeyLargeEvidenceGiB, 0.0, "must be a whole number from 1 to 262144, got 0"},
		{"seconds per GiB negative", config.KeyCommandSecondsPerGiB, -5.0, "must be a whole number from 0 to 3600, got -5"},
		{"scratch minimum zero", config.KeyScratchMinGiB, 0.0, "must be a whole number from 1 to 16384, got 0"},
		{"scratch maximum over gp3's", config.KeyScratchMaxGiB, 16385.0, "must be a whole number from 1 to 16384, got 16385"},
		{"scratch maximum in TiB", config.KeyScratchMaxGiB, "2T", `must be a whole number from 1 to 16384, got "2T"`},
		{"scratch maximum under the default minimum", config.KeyScratchMaxGiB, 8.0, "is 8 GiB, less than scratchMinGiB (16 GiB)"},
		{"scratch minimum over the default maximum", config.KeyScratchMinGiB, "4096", "is 4096 GiB, more than scratchMaxGiB (2048 GiB)"},
		{"symbols not s3", config.KeySymbolsS3URI, "https://bucket/x/", "must be s3://bucket/ or s3://bucket/prefix/"},
		{"symbols without slash", config.KeySymbolsS3URI, "s3://bucket/linux", "must be s3://bucket/ or s3://bucket/prefix/"},
		{"symbols prefix with an apostrophe", config.KeySymbolsS3URI, "s3://bucket/it's/", "must be s3://bucket/ or s3://bucket/prefix/"},
		{"email", config.KeyNotificationEmail, "SOC <soc@example.com>", "must be a bare e-mail address"},
		{"account short", config.KeyApplicationAccountIDs, []any{"12345"}, `item 0 must be a 12-digit account ID, got "12345"`},
		{"account number", config.KeyApplicationAccountIDs, []any{111111111111.0}, "item 0 must be a string"},
		{"account object", config.KeyApplicationAccountIDs, map[string]any{}, "must be a list of strings"},
		{"account twice", config.KeyApplicationAccountIDs, "111111111111,222222222222,111111111111", "lists an account twice"},
		{"event bus", config.KeyEventBusName, "bad bus!", `must be an event bus name, got "bad bus!"`},
		{"lock mode", config.KeyObjectLockMode, "FOREVER", `must be GOVERNANCE or COMPLIANCE, got "FOREVER"`},
		{"lock days", config.KeyObjectLockDays, 0.0, "must be a whole number from 1 to 36500, got 0"},
		{"removal", config.KeyRemovalPolicy, "snapshot", `must be retain or destroy, got "snapshot"`},
		{"vpc id", config.KeyVPCID, "my-vpc", `must be a VPC ID such as vpc-0123456789abcdef0, got "my-vpc"`},
		{"subnets without vpc", config.KeySubnetIDs, []any{"subnet-0123456789abcdef0"}, "is set, so vpcId must be set too"},
		{"zones without vpc", config.KeyAvailabilityZones, "eu-west-1a", "is set, so vpcId must be set too"},
		{"route tables without vpc", config.KeyRouteTableIDs, []any{"rtb-0123456789abcdef0"}, "is set, so vpcId must be set too"},
		{"stack flag a word", config.KeyApplicationAccountStack, "yes", `must be true or false, got yes (string)`},
		{"stack flag a number", config.KeyApplicationAccountStack, 1.0, `must be true or false, got 1 (float64)`},
		{"forensic role a user", config.KeyForensicIsolationRoleARN, "arn:aws:iam::111111111111:user/x",
			`must be the ARN of the forensic account's isolation function role, such as arn:aws:iam::111111111111:role/name, got "arn:aws:iam::111111111111:user/x"`},
		{"forensic role a name", config.KeyForensicIsolationRoleARN, "casefile-isolate", `must be the ARN of the forensic account`},
		{"forensic role a number", config.KeyForensicIsolationRoleARN, 12.0, "must be a string"},
		{"role name with a space", config.KeyIsolationRoleName, "soc isolation",
			`must be an IAM role name (1 to 64 of A-Z a-z 0-9 _+=,.@-), got "soc isolation"`},
		{"role name too long", config.KeyIsolationRoleName, strings.Repeat("r", 65), "must be an IAM role name"},
		{"profile name with a slash", config.KeyIsolationDenyProfileName, "deny/all",
			`must be an instance profile name (1 to 128 of A-Z a-z 0-9 _+=,.@-), got "deny/all"`},
		{"cluster name", config.KeyIsolationEKSClusterNames, []any{"prod", "-dev"},
			`item 1 must be an EKS cluster name (a letter or digit, then up to 99 of A-Z a-z 0-9 _-), got "-dev"`},
		{"cluster not a string", config.KeyIsolationEKSClusterNames, []any{true}, "item 0 must be a string"},
		{"cluster twice", config.KeyIsolationEKSClusterNames, "prod,prod", "lists a cluster twice"},
		{"share evidence a word", config.KeyShareEvidence, "on", `must be true or false, got on (string)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values := map[string]any{config.KeyForensicAMIID: validAMI}
			values[tt.key] = tt.value

			_, err := config.Load(getter(values))

			require.Error(t, err)
			assert.Contains(t, err.Error(), `context key "`+tt.key+`": `+tt.want)
		})
	}
}

func TestLoadChecksTheExistingNetworkAsAWhole(t *testing.T) {
	vpc := "vpc-0123456789abcdef0"
	tests := []struct {
		name   string
		values map[string]any
		key    string
		want   string
	}{
		{"no subnets", map[string]any{config.KeyVPCID: vpc, config.KeyAvailabilityZones: "eu-west-1a"},
			config.KeySubnetIDs, "must list the subnets of vpcId"},
		{"no zones", map[string]any{config.KeyVPCID: vpc, config.KeySubnetIDs: "subnet-0123456789abcdef0"},
			config.KeyAvailabilityZones, "must list the zones of the 1 subnets"},
		{"zones do not divide subnets", map[string]any{config.KeyVPCID: vpc,
			config.KeySubnetIDs:         "subnet-0123456789abcdef0,subnet-0123456789abcdef1,subnet-0123456789abcdef2",
			config.KeyAvailabilityZones: "eu-west-1a,eu-west-1b"}, config.KeyAvailabilityZones, "must list the zones of the 3 subnets"},
		{"bad subnet", map[string]any{config.KeyVPCID: vpc, config.KeySubnetIDs: "subnet-1,subnet-0123456789abcdef0",
			config.KeyAvailabilityZones: "eu-west-1a"}, config.KeySubnetIDs, `item 0 must be a subnet ID`},
		{"repeated subnet", map[string]any{config.KeyVPCID: vpc,
			config.KeySubnetIDs:         "subnet-0123456789abcdef0,subnet-0123456789abcdef0",
			config.KeyAvailabilityZones: "eu-west-1a"}, config.KeySubnetIDs, "lists a subnet twice"},
		{"bad zone", map[string]any{config.KeyVPCID: vpc, config.KeySubnetIDs: "subnet-0123456789abcdef0",
			config.KeyAvailabilityZones: "west"}, config.KeyAvailabilityZones, `item 0 must be an availability zone`},
		{"route tables not one per subnet", map[string]any{config.KeyVPCID: vpc,
			config.KeySubnetIDs:         "subnet-0123456789abcdef0,subnet-0123456789abcdef1",
			config.KeyAvailabilityZones: "eu-west-1a", config.KeyRouteTableIDs: "rtb-0123456789abcdef0"},
			config.KeyRouteTableIDs, "must list the route table of each of the 2 subnets of subnetIds, in the same order, or nothing; got 1"},
		{"bad route table", map[string]any{config.KeyVPCID: vpc, config.KeySubnetIDs: "subnet-0123456789abcdef0",
			config.KeyAvailabilityZones: "eu-west-1a", config.KeyRouteTableIDs: "subnet-0123456789abcdef0"},
			config.KeyRouteTableIDs, `item 0 must be a route table ID such as rtb-0123456789abcdef0, got "subnet-0123456789abcdef0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.values[config.KeyForensicAMIID] = validAMI

			_, err := config.Load(getter(tt.values))

			require.Error(t, err)
			assert.Contains(t, err.Error(), `context key "`+tt.key+`": `+tt.want)
		})
	}
}

func TestLoadReportsEveryBadKeyAtOnce(t *testing.T) {
	_, err := config.Load(getter(map[string]any{config.KeyWaitInstanceSeconds: "x", config.KeyRemovalPolicy: "keep"}))

	require.Error(t, err)
	for _, key := range []string{config.KeyForensicAMIID, config.KeyWaitInstanceSeconds, config.KeyRemovalPolicy} {
		assert.Contains(t, err.Error(), `context key "`+key+`"`)
	}
}

func TestTheIsolationFlagsReadFalse(t *testing.T) {
	for _, value := range []any{nil, false, "false", "False", ""} {
		got, err := config.Load(getter(map[string]any{
			config.KeyForensicAMIID: validAMI, config.KeyApplicationAccountStack: value, config.KeyShareEvidence: value,
		}))

		require.NoError(t, err, "value %#v", value)
		assert.False(t, got.Isolation.ApplicationAccountStack, "applicationAccountStack %#v", value)
		assert.False(t, got.Isolation.ShareEvidence, "shareEvidence %#v", value)
	}
}

func TestTheDefaultEventBusNameMeansTheDefaultBus(t *testing.T) {
	got, err := config.Load(getter(map[string]any{config.KeyForensicAMIID: validAMI, config.KeyEventBusName: "default"}))

	require.NoError(t, err)
	assert.Empty(t, got.EventBusName)
}

// TestCDKJSONHoldsTheDefaults keeps cdk.json and the code's defaults in
// step: cdk.json's context must load to exactly the defaults.
func TestCDKJSONHoldsTheDefaults(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "cdk.json"))
	require.NoError(t, err)
	var cdk struct {
		Context map[string]any `json:"context"`
	}
	require.NoError(t, json.Unmarshal(raw, &cdk))
	for _, key := range config.Keys() {
		assert.Contains(t, cdk.Context, key, "cdk.json documents every setting")
	}

	got, err := config.Load(getter(cdk.Context))
	require.NoError(t, err)
	want, err := config.Load(getter(map[string]any{config.KeyForensicAMIID: cdk.Context[config.KeyForensicAMIID]}))
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, config.PlaceholderForensicAMIID, got.ForensicAMIID, "cdk.json ships the placeholder AMI")
}

func TestLoadReadsTheIsolationPolicy(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{name: "unset", value: nil, want: ""},
		{name: "empty object from cdk.json", value: map[string]any{}, want: ""},
		{name: "empty string from -c", value: "  ", want: ""},
		{name: "object from cdk.json", value: map[string]any{
			"unknownAction": "ISOLATE",
			"rules": []any{map[string]any{
				"name": "lab-cc", "typePattern": "*Backdoor:EC2?C&CActivity*", "action": "NONE",
			}},
		}, want: `{"rules":[{"action":"NONE","name":"lab-cc","typePattern":"*Backdoor:EC2?C&CActivity*"}],"unknownAction":"ISOLATE"}`},
		{name: "string from -c", value: `{ "rules": [ {"name": "probes", "typePrefix": "Recon:EC2/PortProbe",
			"action": "ISOLATE", "measures": ["securityGroups"]} ], "builtinRules": false }`,
			want: `{"rules":[{"name":"probes","typePrefix":"Recon:EC2/PortProbe","action":"ISOLATE","measures":["securityGroups"]}],"builtinRules":false}`},
		{name: "-c string larger than the limit only by its white space", value: "{" + strings.Repeat(" \n", 4000) + `"unknownAction": "ISOLATE"}`,
			want: `{"unknownAction":"ISOLATE"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.Load(getter(map[string]any{config.KeyForensicAMIID: validAMI, config.KeyIsolationPolicy: tt.value}))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.IsolationPolicy)
			if tt.want != "" {
				_, err := policy.Parse([]byte(tt.want))
				assert.NoError(t, err, "the Lambda parses what the configuration keeps")
			}
		})
	}
}

func TestLoadRefusesABadIsolationPolicy(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{name: "bad action in cdk.json", value: map[string]any{"rules": []any{
			map[string]any{"name": "a", "typePrefix": "A", "action": "NONE"},
			map[string]any{"name": "b", "typePrefix": "B", "action": "NONE"},
			map[string]any{"name": "c", "typePrefix": "C", "action": "KILL"},
		}}, want: `isolationPolicy.rules[2].action: must be ISOLATE or NONE, not "KILL"`},
		{name: "unknown key in -c", value: `{"rules":[],"defaultAction":"NONE"}`, want: "isolationPolicy.defaultAction: is not a known field"},
		{name: "broken JSON in -c", value: `{"rules":[`, want: "isolationPolicy: is not valid JSON"},
		{name: "a list", value: []any{"backdoor"}, want: "must be a JSON object (or a string holding one)"},
		{name: "a number", value: 1.0, want: "must be a JSON object (or a string holding one)"},
		{name: "too large", value: map[string]any{"rules": []any{map[string]any{
			"name": "long", "typePrefix": strings.Repeat("T", 500), "action": "NONE",
		}}, "unknownAction": strings.Repeat("X", 3000)}, want: "isolationPolicy: is 3578 bytes of JSON, more than the 3072 allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(getter(map[string]any{config.KeyForensicAMIID: validAMI, config.KeyIsolationPolicy: tt.value}))
			require.Error(t, err)
			assert.Contains(t, err.Error(), `context key "isolationPolicy": `+tt.want)
		})
	}
}
