package policy

import "github.com/casefile-forensics/casefile/lambdas/investigation"

// The built-in custom actions: an analyst who picks one in Security Hub
// decides for the case.
const (
	// CustomActionIsolate isolates whatever the finding's types say.
	CustomActionIsolate = "CasefileIsolate"
	// CustomActionInvestigate investigates without isolating.
	CustomActionInvestigate = "CasefileInvestigate"
)

// Builtin returns Casefile's built-in rules, in the order they are
// checked. Each type pattern starts with '*' and names GuardDuty's threat
// purpose with its ':' so that it matches both GuardDuty's own type, such
// as Backdoor:EC2/C&CActivity.B!DNS, and the Security Hub (ASFF) form of
// it, such as TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS,
// where the '/' after the resource type became '-' ('?' stands for it).
func Builtin() []Rule {
	isolate := func(name, pattern string) Rule {
		return Rule{Name: name, TypePattern: pattern, Action: investigation.IsolationIsolate}
	}
	none := func(name, pattern string) Rule {
		return Rule{Name: name, TypePattern: pattern, Action: investigation.IsolationNone}
	}
	return []Rule{
		{Name: "custom-action-isolate", CustomAction: CustomActionIsolate, Action: investigation.IsolationIsolate},
		{Name: "custom-action-investigate", CustomAction: CustomActionInvestigate, Action: investigation.IsolationNone},

		// Backdoor:EC2/C&CActivity.B, Backdoor:Runtime/C&CActivity.B!DNS.
		isolate("command-and-control", "*Backdoor:*C&CActivity*"),
		// Backdoor:EC2/Spambot, Backdoor:EC2/DenialOfService.Tcp, ...
		isolate("backdoor", "*Backdoor:*"),
		// Trojan:EC2/DNSDataExfiltration, Trojan:Runtime/DropPoint, ...
		isolate("trojan", "*Trojan:*"),
		// CryptoCurrency:EC2/BitcoinTool.B!DNS, CryptoCurrency:Runtime/BitcoinTool.B.
		isolate("crypto-mining", "*CryptoCurrency:*"),
		// Impact:Runtime/CryptoMinerExecuted.
		isolate("crypto-miner-executed", "*Impact:Runtime?CryptoMinerExecuted"),
		// UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS
		// and .InsideAWS: the instance's role credentials are used elsewhere.
		isolate("credential-exfiltration", "*UnauthorizedAccess:IAMUser?InstanceCredentialExfiltration.*"),
		// PrivilegeEscalation:Kubernetes/PrivilegedContainer (retired, still
		// in older findings) and its successor
		// PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer,
		// ...RoleBindingCreated, ...RoleCreated.
		isolate("kubernetes-privilege-escalation", "*PrivilegeEscalation:Kubernetes?*"),
		// CredentialAccess:Kubernetes/MaliciousIPCaller, .../SuccessfulAnonymousAccess,
		// .../TorIPCaller, .../AnomalousBehavior.SecretsAccessed: secrets read
		// by a caller that should not have them.
		isolate("kubernetes-credential-access", "*CredentialAccess:Kubernetes?*"),
		// PrivilegeEscalation:Runtime/RuncContainerEscape, .../DockerSocketAccessed,
		// .../ContainerMountsHostDirectory, .../ElevationToRoot, ...
		isolate("runtime-privilege-escalation", "*PrivilegeEscalation:Runtime?*"),
		// Execution:Runtime/ReverseShell.
		isolate("reverse-shell", "*Execution:Runtime?ReverseShell"),
		// Execution:Runtime/MaliciousFileExecuted, and Malware Protection's
		// Execution:EC2/MaliciousFile, Execution:Kubernetes/MaliciousFile,
		// Execution:ECS/MaliciousFile, Execution:Container/MaliciousFile.
		isolate("malicious-file", "*Execution:*MaliciousFile*"),
		// DefenseEvasion:Runtime/ProcessInjection.Proc, .Ptrace, .VirtualMemoryWrite.
		isolate("process-injection", "*DefenseEvasion:Runtime?ProcessInjection.*"),
		// DefenseEvasion:Runtime/FilelessExecution.
		isolate("fileless-execution", "*DefenseEvasion:Runtime?FilelessExecution"),

		// Recon:EC2/PortProbeUnprotectedPort, Recon:IAMUser/MaliciousIPCaller, ...
		none("reconnaissance", "*Recon:*"),
		// Discovery:Kubernetes/SuccessfulAnonymousAccess, Discovery:S3/MaliciousIPCaller, ...
		none("discovery", "*Discovery:*"),
		// Policy:Kubernetes/AdminAccessToDefaultServiceAccount,
		// Policy:S3/BucketBlockPublicAccessDisabled, ...
		none("policy", "*Policy:*"),
		// Stealth:S3/ServerAccessLoggingDisabled, Stealth:IAMUser/CloudTrailLoggingDisabled.
		none("stealth", "*Stealth:*"),
		// Amazon Inspector's package and code vulnerabilities.
		{Name: "vulnerabilities", TypePrefix: "Software and Configuration Checks/Vulnerabilities/", Action: investigation.IsolationNone},
	}
}
