package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const (
	isolate = investigation.IsolationIsolate
	none    = investigation.IsolationNone
	builtin = investigation.RuleSourceBuiltin
	config  = investigation.RuleSourceConfig
	unknown = investigation.RuleSourceUnknown
)

// actionARN returns the ARN of the custom action id in the fixtures'
// account and Region.
func actionARN(id string) string {
	return "arn:aws:securityhub:eu-west-1:111122223333:action/custom/" + id
}

func finding(types ...string) *investigation.Finding {
	return &investigation.Finding{ID: "f-1", Types: types}
}

func TestDecideWithTheBuiltinRules(t *testing.T) {
	tests := []struct {
		name    string
		finding *investigation.Finding
		want    investigation.IsolationDecision
	}{
		// GuardDuty EC2 types, as GuardDuty names them and as Security Hub does.
		{"C&C by DNS, GuardDuty", finding("Backdoor:EC2/C&CActivity.B!DNS"),
			investigation.IsolationDecision{Action: isolate, Rule: "command-and-control", Source: builtin, Matched: "Backdoor:EC2/C&CActivity.B!DNS"}},
		{"C&C by DNS, Security Hub", finding("TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS"),
			investigation.IsolationDecision{Action: isolate, Rule: "command-and-control", Source: builtin, Matched: "TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS"}},
		{"spambot backdoor, GuardDuty", finding("Backdoor:EC2/Spambot"),
			investigation.IsolationDecision{Action: isolate, Rule: "backdoor", Source: builtin, Matched: "Backdoor:EC2/Spambot"}},
		{"denial of service backdoor, Security Hub", finding("TTPs/Command and Control/Backdoor:EC2-DenialOfService.Tcp"),
			investigation.IsolationDecision{Action: isolate, Rule: "backdoor", Source: builtin, Matched: "TTPs/Command and Control/Backdoor:EC2-DenialOfService.Tcp"}},
		{"DNS exfiltration trojan, Security Hub", finding("TTPs/Command and Control/Trojan:EC2-DNSDataExfiltration"),
			investigation.IsolationDecision{Action: isolate, Rule: "trojan", Source: builtin, Matched: "TTPs/Command and Control/Trojan:EC2-DNSDataExfiltration"}},
		{"bitcoin tool, GuardDuty", finding("CryptoCurrency:EC2/BitcoinTool.B!DNS"),
			investigation.IsolationDecision{Action: isolate, Rule: "crypto-mining", Source: builtin, Matched: "CryptoCurrency:EC2/BitcoinTool.B!DNS"}},
		{"bitcoin tool, Security Hub", finding("Effects/Resource Consumption/CryptoCurrency:EC2-BitcoinTool.B"),
			investigation.IsolationDecision{Action: isolate, Rule: "crypto-mining", Source: builtin, Matched: "Effects/Resource Consumption/CryptoCurrency:EC2-BitcoinTool.B"}},
		{"instance credentials used outside AWS, GuardDuty", finding("UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"),
			investigation.IsolationDecision{Action: isolate, Rule: "credential-exfiltration", Source: builtin, Matched: "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS"}},
		{"instance credentials used in another account, Security Hub", finding("TTPs/Exfiltration/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.InsideAWS"),
			investigation.IsolationDecision{Action: isolate, Rule: "credential-exfiltration", Source: builtin, Matched: "TTPs/Exfiltration/UnauthorizedAccess:IAMUser-InstanceCredentialExfiltration.InsideAWS"}},
		{"port probe, GuardDuty", finding("Recon:EC2/PortProbeUnprotectedPort"),
			investigation.IsolationDecision{Action: none, Rule: "reconnaissance", Source: builtin, Matched: "Recon:EC2/PortProbeUnprotectedPort"}},
		{"port probe, Security Hub", finding("TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort"),
			investigation.IsolationDecision{Action: none, Rule: "reconnaissance", Source: builtin, Matched: "TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort"}},
		{"SSH brute force: no rule", finding("UnauthorizedAccess:EC2/SSHBruteForce"),
			investigation.IsolationDecision{Action: none, Rule: UnknownRule, Source: unknown}},

		// GuardDuty EKS Protection (Kubernetes audit logs).
		{"privileged container, GuardDuty", finding("PrivilegeEscalation:Kubernetes/PrivilegedContainer"),
			investigation.IsolationDecision{Action: isolate, Rule: "kubernetes-privilege-escalation", Source: builtin, Matched: "PrivilegeEscalation:Kubernetes/PrivilegedContainer"}},
		{"privileged workload deployed, Security Hub", finding("TTPs/Privilege Escalation/PrivilegeEscalation:Kubernetes-AnomalousBehavior.WorkloadDeployed!PrivilegedContainer"),
			investigation.IsolationDecision{Action: isolate, Rule: "kubernetes-privilege-escalation", Source: builtin, Matched: "TTPs/Privilege Escalation/PrivilegeEscalation:Kubernetes-AnomalousBehavior.WorkloadDeployed!PrivilegedContainer"}},
		{"secrets read from a malicious IP", finding("CredentialAccess:Kubernetes/MaliciousIPCaller"),
			investigation.IsolationDecision{Action: isolate, Rule: "kubernetes-credential-access", Source: builtin, Matched: "CredentialAccess:Kubernetes/MaliciousIPCaller"}},
		{"admin access to the default service account", finding("Policy:Kubernetes/AdminAccessToDefaultServiceAccount"),
			investigation.IsolationDecision{Action: none, Rule: "policy", Source: builtin, Matched: "Policy:Kubernetes/AdminAccessToDefaultServiceAccount"}},
		{"anonymous discovery, Security Hub", finding("TTPs/Discovery/Discovery:Kubernetes-SuccessfulAnonymousAccess"),
			investigation.IsolationDecision{Action: none, Rule: "discovery", Source: builtin, Matched: "TTPs/Discovery/Discovery:Kubernetes-SuccessfulAnonymousAccess"}},
		{"discovery from a malicious IP", finding("Discovery:Kubernetes/MaliciousIPCaller"),
			investigation.IsolationDecision{Action: none, Rule: "discovery", Source: builtin, Matched: "Discovery:Kubernetes/MaliciousIPCaller"}},

		// GuardDuty Runtime Monitoring and Malware Protection.
		{"reverse shell", finding("Execution:Runtime/ReverseShell"),
			investigation.IsolationDecision{Action: isolate, Rule: "reverse-shell", Source: builtin, Matched: "Execution:Runtime/ReverseShell"}},
		{"malicious file executed, Security Hub", finding("TTPs/Execution/Execution:Runtime-MaliciousFileExecuted"),
			investigation.IsolationDecision{Action: isolate, Rule: "malicious-file", Source: builtin, Matched: "TTPs/Execution/Execution:Runtime-MaliciousFileExecuted"}},
		{"malicious file on an EC2 volume", finding("Execution:EC2/MaliciousFile"),
			investigation.IsolationDecision{Action: isolate, Rule: "malicious-file", Source: builtin, Matched: "Execution:EC2/MaliciousFile"}},
		{"container escape", finding("PrivilegeEscalation:Runtime/RuncContainerEscape"),
			investigation.IsolationDecision{Action: isolate, Rule: "runtime-privilege-escalation", Source: builtin, Matched: "PrivilegeEscalation:Runtime/RuncContainerEscape"}},
		{"crypto miner executed", finding("Impact:Runtime/CryptoMinerExecuted"),
			investigation.IsolationDecision{Action: isolate, Rule: "crypto-miner-executed", Source: builtin, Matched: "Impact:Runtime/CryptoMinerExecuted"}},
		{"runtime C&C by DNS", finding("Backdoor:Runtime/C&CActivity.B!DNS"),
			investigation.IsolationDecision{Action: isolate, Rule: "command-and-control", Source: builtin, Matched: "Backdoor:Runtime/C&CActivity.B!DNS"}},
		{"process injection", finding("DefenseEvasion:Runtime/ProcessInjection.Ptrace"),
			investigation.IsolationDecision{Action: isolate, Rule: "process-injection", Source: builtin, Matched: "DefenseEvasion:Runtime/ProcessInjection.Ptrace"}},
		{"new binary executed: no rule", finding("Execution:Runtime/NewBinaryExecuted"),
			investigation.IsolationDecision{Action: none, Rule: UnknownRule, Source: unknown}},

		// Other products and policy findings.
		{"Inspector package vulnerability", finding("Software and Configuration Checks/Vulnerabilities/CVE"),
			investigation.IsolationDecision{Action: none, Rule: "vulnerabilities", Source: builtin, Matched: "Software and Configuration Checks/Vulnerabilities/CVE"}},
		{"S3 access logging disabled, Security Hub", finding("TTPs/Defense Evasion/Stealth:S3-ServerAccessLoggingDisabled"),
			investigation.IsolationDecision{Action: none, Rule: "stealth", Source: builtin, Matched: "TTPs/Defense Evasion/Stealth:S3-ServerAccessLoggingDisabled"}},
		{"unknown type", finding("Effects/Data Exposure/Acme-CustomerList"),
			investigation.IsolationDecision{Action: none, Rule: UnknownRule, Source: unknown}},

		// Several types: ISOLATE wins, and the first isolating type names it.
		{"recon then C&C", finding("TTPs/Discovery/Recon:EC2-Portscan", "Unusual Behaviors/VM/Acme-Beacon", "TTPs/Command and Control/Backdoor:EC2-C&CActivity.B"),
			investigation.IsolationDecision{Action: isolate, Rule: "command-and-control", Source: builtin, Matched: "TTPs/Command and Control/Backdoor:EC2-C&CActivity.B"}},
		{"two NONE types: the first names it", finding("Software and Configuration Checks/Vulnerabilities/CVE", "TTPs/Discovery/Recon:EC2-Portscan"),
			investigation.IsolationDecision{Action: none, Rule: "vulnerabilities", Source: builtin, Matched: "Software and Configuration Checks/Vulnerabilities/CVE"}},

		// Custom actions: the analyst's choice comes before the types.
		{"built-in isolate action on a recon finding", &investigation.Finding{ID: "f-1", Types: []string{"Recon:EC2/Portscan"}, CustomActionARN: actionARN(CustomActionIsolate)},
			investigation.IsolationDecision{Action: isolate, Rule: "custom-action-isolate", Source: builtin, Matched: CustomActionIsolate}},
		{"built-in investigate action on a C&C finding", &investigation.Finding{ID: "f-1", Types: []string{"Backdoor:EC2/C&CActivity.B"}, CustomActionARN: actionARN(CustomActionInvestigate)},
			investigation.IsolationDecision{Action: none, Rule: "custom-action-investigate", Source: builtin, Matched: CustomActionInvestigate}},
		{"a custom action no rule knows: the types decide", &investigation.Finding{ID: "f-1", Types: []string{"Backdoor:EC2/C&CActivity.B"}, CustomActionARN: actionARN("SendToSoc")},
			investigation.IsolationDecision{Action: isolate, Rule: "command-and-control", Source: builtin, Matched: "Backdoor:EC2/C&CActivity.B"}},

		// No finding, or nothing to match.
		{"no finding", nil, investigation.IsolationDecision{Action: none, Rule: UnknownRule, Source: unknown}},
		{"a finding without types", finding(), investigation.IsolationDecision{Action: none, Rule: UnknownRule, Source: unknown}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Policy{}.Decide(tt.finding), "decision for %+v", tt.finding)
		})
	}
}

// mustParse parses a policy the test wrote.
func mustParse(t *testing.T, raw string) Policy {
	t.Helper()
	p, err := Parse([]byte(raw))
	require.NoError(t, err, "policy %s", raw)
	return p
}

func TestDecideWithConfigRules(t *testing.T) {
	cc := "TTPs/Command and Control/Backdoor:EC2-C&CActivity.B"
	recon := "Recon:EC2/PortProbeUnprotectedPort"
	tests := []struct {
		name    string
		policy  string
		finding *investigation.Finding
		want    investigation.IsolationDecision
	}{
		{
			name:    "a config rule turns a built-in ISOLATE into NONE",
			policy:  `{"rules":[{"name":"lab-cc-is-a-honeypot","typePattern":"*Backdoor:EC2?C&CActivity*","action":"NONE"}]}`,
			finding: finding(cc),
			want:    investigation.IsolationDecision{Action: none, Rule: "lab-cc-is-a-honeypot", Source: config, Matched: cc},
		},
		{
			name: "and a rule before it turns it back into ISOLATE, with a subset of the measures",
			policy: `{"rules":[
				{"name":"cc-dns-isolates","typePattern":"*C&CActivity.B!DNS","action":"ISOLATE","measures":["securityGroups","cordon"]},
				{"name":"lab-cc-is-a-honeypot","typePattern":"*Backdoor:EC2?C&CActivity*","action":"NONE"}]}`,
			finding: finding(cc + "!DNS"),
			want: investigation.IsolationDecision{Action: isolate, Rule: "cc-dns-isolates", Source: config, Matched: cc + "!DNS",
				Measures: []investigation.MeasureName{investigation.MeasureSecurityGroups, investigation.MeasureCordon}},
		},
		{
			name:    "the NONE rule still covers the other C&C types",
			policy:  `{"rules":[{"name":"cc-dns-isolates","typePattern":"*C&CActivity.B!DNS","action":"ISOLATE"},{"name":"lab-cc-is-a-honeypot","typePattern":"*Backdoor:EC2?C&CActivity*","action":"NONE"}]}`,
			finding: finding(cc),
			want:    investigation.IsolationDecision{Action: none, Rule: "lab-cc-is-a-honeypot", Source: config, Matched: cc},
		},
		{
			name:    "a config rule turns a built-in NONE into ISOLATE",
			policy:  `{"rules":[{"name":"probes-isolate","typePrefix":"Recon:EC2/PortProbe","action":"ISOLATE"}]}`,
			finding: finding(recon),
			want:    investigation.IsolationDecision{Action: isolate, Rule: "probes-isolate", Source: config, Matched: recon},
		},
		{
			name:    "builtinRules false drops the built-in rules",
			policy:  `{"builtinRules":false}`,
			finding: finding(cc),
			want:    investigation.IsolationDecision{Action: none, Rule: UnknownRule, Source: unknown},
		},
		{
			name:    "builtinRules false drops the built-in custom actions too",
			policy:  `{"builtinRules":false,"unknownAction":"NONE"}`,
			finding: &investigation.Finding{ID: "f-1", CustomActionARN: actionARN(CustomActionIsolate)},
			want:    investigation.IsolationDecision{Action: none, Rule: UnknownRule, Source: unknown},
		},
		{
			name:    "builtinRules false keeps the config rules",
			policy:  `{"builtinRules":false,"rules":[{"name":"only-mining","typePattern":"*CryptoCurrency:*","action":"ISOLATE"}]}`,
			finding: finding("Recon:EC2/Portscan", "CryptoCurrency:EC2/BitcoinTool.B"),
			want:    investigation.IsolationDecision{Action: isolate, Rule: "only-mining", Source: config, Matched: "CryptoCurrency:EC2/BitcoinTool.B"},
		},
		{
			name:    "unknownAction ISOLATE isolates an unknown type",
			policy:  `{"unknownAction":"ISOLATE"}`,
			finding: finding("Effects/Data Exposure/Acme-CustomerList"),
			want:    investigation.IsolationDecision{Action: isolate, Rule: UnknownRule, Source: unknown},
		},
		{
			name:    "unknownAction ISOLATE isolates a case without a finding",
			policy:  `{"unknownAction":"ISOLATE"}`,
			finding: nil,
			want:    investigation.IsolationDecision{Action: isolate, Rule: UnknownRule, Source: unknown},
		},
		{
			name:    "unknownAction ISOLATE leaves a known NONE type alone",
			policy:  `{"unknownAction":"ISOLATE"}`,
			finding: finding(recon),
			want:    investigation.IsolationDecision{Action: none, Rule: "reconnaissance", Source: builtin, Matched: recon},
		},
		{
			name:    "a config custom action",
			policy:  `{"rules":[{"name":"soc-contain-network","customAction":"ContainNetwork","action":"ISOLATE","measures":["securityGroups","networkPolicy"]}]}`,
			finding: &investigation.Finding{ID: "f-1", Types: []string{recon}, CustomActionARN: actionARN("ContainNetwork")},
			want: investigation.IsolationDecision{Action: isolate, Rule: "soc-contain-network", Source: config, Matched: "ContainNetwork",
				Measures: []investigation.MeasureName{investigation.MeasureSecurityGroups, investigation.MeasureNetworkPolicy}},
		},
		{
			name:    "a config rule for a built-in custom action comes first",
			policy:  `{"rules":[{"name":"isolate-network-only","customAction":"CasefileIsolate","action":"ISOLATE","measures":["securityGroups"]}]}`,
			finding: &investigation.Finding{ID: "f-1", CustomActionARN: actionARN(CustomActionIsolate)},
			want: investigation.IsolationDecision{Action: isolate, Rule: "isolate-network-only", Source: config, Matched: CustomActionIsolate,
				Measures: []investigation.MeasureName{investigation.MeasureSecurityGroups}},
		},
		{
			name: "measures of every isolating type together, in the contract's order",
			policy: `{"rules":[
				{"name":"mining-stop-scaling","typePattern":"*CryptoCurrency:*","action":"ISOLATE","measures":["autoScaling","securityGroups"]},
				{"name":"trojan-network","typePattern":"*Trojan:*","action":"ISOLATE","measures":["networkPolicy","securityGroups"]}]}`,
			finding: finding("Trojan:EC2/DropPoint", "CryptoCurrency:EC2/BitcoinTool.B"),
			want: investigation.IsolationDecision{Action: isolate, Rule: "trojan-network", Source: config, Matched: "Trojan:EC2/DropPoint",
				Measures: []investigation.MeasureName{investigation.MeasureSecurityGroups, investigation.MeasureAutoScaling, investigation.MeasureNetworkPolicy}},
		},
		{
			name:    "an isolating type that asks for all measures makes the union all",
			policy:  `{"rules":[{"name":"mining-stop-scaling","typePattern":"*CryptoCurrency:*","action":"ISOLATE","measures":["autoScaling"]}]}`,
			finding: finding("CryptoCurrency:EC2/BitcoinTool.B", "Backdoor:EC2/Spambot"),
			want:    investigation.IsolationDecision{Action: isolate, Rule: "mining-stop-scaling", Source: config, Matched: "CryptoCurrency:EC2/BitcoinTool.B"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustParse(t, tt.policy)
			assert.Equal(t, tt.want, p.Decide(tt.finding), "decision of %s for %+v", tt.policy, tt.finding)
		})
	}
}

func TestBuiltinRulesAreValidAndNamedOnce(t *testing.T) {
	p := Policy{Rules: Builtin()}
	require.LessOrEqual(t, len(p.Rules), MaxRules)
	assert.NoError(t, p.validate(nil), "the built-in rules pass the checks a config's rules pass")
	for _, r := range Builtin() {
		assert.NotEqual(t, UnknownRule, r.Name)
	}
}

// TestDecideDoesNotShareMeasures: the decision's measures are its own, so
// that a caller changing them cannot change the policy.
func TestDecideDoesNotShareMeasures(t *testing.T) {
	p := mustParse(t, `{"rules":[{"name":"net","customAction":"Net","action":"ISOLATE","measures":["securityGroups"]}]}`)
	f := &investigation.Finding{ID: "f-1", CustomActionARN: actionARN("Net")}

	d := p.Decide(f)
	require.Len(t, d.Measures, 1)
	d.Measures[0] = investigation.MeasureCordon

	assert.Equal(t, []investigation.MeasureName{investigation.MeasureSecurityGroups}, p.Decide(f).Measures)
}
