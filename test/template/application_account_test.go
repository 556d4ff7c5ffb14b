package template_test

import (
	"encoding/json"
	"maps"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/config"
	"github.com/casefile-forensics/casefile/constructs/deployment"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// applicationAccountStackName is app.go's name of the stack.
const applicationAccountStackName = "CasefileApplicationAccount"

const configuredForensicRoleARN = "arn:aws:iam::999999999999:role/casefile-isolate"

// applicationAccountSettings sets every isolation setting.
var applicationAccountSettings = map[string]any{
	config.KeyApplicationAccountStack:  true,
	config.KeyForensicIsolationRoleARN: configuredForensicRoleARN,
	config.KeyIsolationEKSClusterNames: []any{"prod", "payments"},
	config.KeyShareEvidence:            true,
	config.KeyIsolationRoleName:        "soc-isolation",
	config.KeyIsolationDenyProfileName: "soc-deny-all",
}

// synthesizedApplicationAccount is one synthesized application account
// stack.
type synthesizedApplicationAccount struct {
	stack *deployment.ApplicationAccountStack
	// template is the template as CloudFormation reads it.
	template map[string]any
	cdktest.Resources
	// file is the template in the cloud assembly.
	file string
}

// synthApplicationAccount builds the application account stack as app.go
// does, from context with settings on top, with the cdk-nag checks.
func synthApplicationAccount(outdir string, context, settings map[string]any) synthesizedApplicationAccount {
	ctx := maps.Clone(context)
	maps.Copy(ctx, settings)
	cfg, err := config.Load(func(key string) any { return ctx[key] })
	if err != nil {
		panic(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir), Context: &ctx})
	stack := deployment.NewApplicationAccountStack(app, applicationAccountStackName, deployment.ApplicationAccountProps{Config: cfg})
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(nil), nil)
	app.Synth(nil)

	tmpl := assertions.Template_FromStack(stack.Stack, nil)
	raw, err := json.Marshal(*tmpl.ToJSON())
	if err != nil {
		panic(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		panic(err)
	}
	resources, err := cdktest.ResourcesOf(tmpl)
	if err != nil {
		panic(err)
	}
	return synthesizedApplicationAccount{stack: stack, template: decoded, Resources: resources,
		file: filepath.Join(outdir, applicationAccountStackName+".template.json")}
}

func applicationAccountStacks() map[string]synthesizedApplicationAccount {
	return map[string]synthesizedApplicationAccount{
		"defaults": stacks.applicationAccountDefaults, "every setting": stacks.applicationAccount,
	}
}

func (s synthesizedApplicationAccount) isolationRoleID() string {
	return *s.stack.Stack.GetLogicalId(s.stack.Access.Role().Node().DefaultChild().(awscdk.CfnElement))
}

func (s synthesizedApplicationAccount) denyRoleID() string {
	return *s.stack.Stack.GetLogicalId(s.stack.Access.DenyRole().Node().DefaultChild().(awscdk.CfnElement))
}

// TestTheApplicationAccountTemplateServesAStackSet: one parameter, the
// forensic function's role, and nothing that needs a CDK bootstrap.
func TestTheApplicationAccountTemplateServesAStackSet(t *testing.T) {
	tests := []struct {
		name        string
		s           synthesizedApplicationAccount
		wantDefault any
	}{
		{"defaults", stacks.applicationAccountDefaults, nil},
		{"every setting", stacks.applicationAccount, configuredForensicRoleARN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parameters := cdktest.AsMap(tt.s.template["Parameters"])

			assert.Equal(t, []string{deployment.ParameterForensicIsolationRoleARN}, slices.Sorted(maps.Keys(parameters)),
				"the only parameter is the forensic role; no BootstrapVersion")
			parameter := cdktest.AsMap(parameters[deployment.ParameterForensicIsolationRoleARN])
			assert.Equal(t, "String", parameter["Type"])
			assert.Equal(t, tt.wantDefault, parameter["Default"])
			pattern, _ := parameter["AllowedPattern"].(string)
			allowed, err := regexp.Compile(pattern)
			require.NoError(t, err, "AllowedPattern %q", pattern)
			assert.Regexp(t, allowed, configuredForensicRoleARN)
			assert.Regexp(t, allowed, "arn:aws-cn:iam::999999999999:role/forensics/casefile-isolate")
			for _, bad := range []string{"arn:aws:iam::999999999999:user/casefile", "arn:aws:iam::999999999999:root", "casefile-isolate"} {
				assert.NotRegexp(t, allowed, bad, "the parameter refuses what is not a role ARN")
			}
			assert.Nil(t, tt.s.template["Rules"], "no bootstrap version rule")
			for id, r := range tt.s.Resources {
				assert.Contains(t, []string{"AWS::IAM::Role", "AWS::IAM::InstanceProfile", "AWS::EKS::AccessEntry", "AWS::CDK::Metadata"},
					r.Type, "resource %s: the stack holds the isolation identities only", id)
			}
		})
	}
}

func TestTheApplicationAccountRoleTrustsOnlyTheForensicFunctionRole(t *testing.T) {
	for name, s := range applicationAccountStacks() {
		t.Run(name, func(t *testing.T) {
			var trust []cdktest.PolicyStatement
			for _, st := range s.EveryStatement() {
				if st.Source == "AWS::IAM::Role "+s.isolationRoleID()+" trust" {
					trust = append(trust, st)
				}
			}

			require.Len(t, trust, 1, "one trust statement")
			assert.Equal(t, "Allow", trust[0].Effect)
			assert.Equal(t, []string{"sts:AssumeRole"}, trust[0].Actions)
			assert.Equal(t, map[string]any{"AWS": map[string]any{"Ref": deployment.ParameterForensicIsolationRoleARN}}, trust[0].Principal)
			assert.Nil(t, trust[0].Conditions)
		})
	}
}

func TestTheApplicationAccountNamesTheRoleAndProfileAsConfigured(t *testing.T) {
	tests := []struct {
		name                  string
		s                     synthesizedApplicationAccount
		wantRole, wantProfile string
	}{
		{"defaults", stacks.applicationAccountDefaults, investigation.DefaultIsolationRoleName, investigation.DefaultIsolationDenyProfile},
		{"every setting", stacks.applicationAccount, "soc-isolation", "soc-deny-all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantRole, tt.s.Resources[tt.s.isolationRoleID()].Properties["RoleName"])
			profiles := tt.s.OfType("AWS::IAM::InstanceProfile")
			require.Len(t, profiles, 1)
			for _, p := range profiles {
				assert.Equal(t, tt.wantProfile, p.Properties["InstanceProfileName"])
			}
		})
	}
}

func TestTheApplicationAccountAllowsNoWildcardAction(t *testing.T) {
	for name, s := range applicationAccountStacks() {
		t.Run(name, func(t *testing.T) {
			require.Empty(t, s.UnreadPolicies(), "every policy of the template is read")
			statements := s.EveryStatement()
			require.NotEmpty(t, statements)

			for _, st := range statements {
				assert.Empty(t, st.NotActions, "%s %s uses NotAction", st.Source, st.Sid)
				if st.Effect != "Allow" {
					continue
				}
				for _, action := range st.Actions {
					assert.False(t, strings.ContainsAny(action, "*?"), "%s %s allows the wildcard action %s", st.Source, st.Sid, action)
				}
			}
		})
	}
}

func TestTheApplicationAccountPassesOnlyTheDenyRoleToEC2(t *testing.T) {
	for name, s := range applicationAccountStacks() {
		t.Run(name, func(t *testing.T) {
			passes := cdktest.WithAction(s.AllStatements(), "iam:PassRole")

			require.Len(t, passes, 1)
			assert.Equal(t, []string{`{"Fn::GetAtt":["` + s.denyRoleID() + `","Arn"]}`}, passes[0].Resources)
			assert.Equal(t, map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ec2.amazonaws.com"}}, passes[0].Conditions)
		})
	}
}

func TestTheApplicationAccountGivesEachClusterTheIsolationGroup(t *testing.T) {
	entries := stacks.applicationAccount.OfType("AWS::EKS::AccessEntry")

	var clusters []string
	for _, e := range entries {
		clusters = append(clusters, e.Properties["ClusterName"].(string))
		assert.Equal(t, []any{investigation.KubernetesIsolationGroup}, e.Properties["KubernetesGroups"])
		assert.Equal(t, "STANDARD", e.Properties["Type"])
	}
	assert.ElementsMatch(t, []string{"prod", "payments"}, clusters)
	assert.Empty(t, stacks.applicationAccountDefaults.OfType("AWS::EKS::AccessEntry"), "no cluster configured, no access entry")
}

func TestTheApplicationAccountPassesCDKNag(t *testing.T) {
	for name, s := range applicationAccountStacks() {
		t.Run(name, func(t *testing.T) {
			errs, warnings := cdktest.NagMessages(s.stack.Stack, "*")
			for _, finding := range append(errs, warnings...) {
				assert.Fail(t, "cdk-nag finding", finding)
			}
			for id, r := range s.Resources {
				nag, _ := r.Metadata["cdk_nag"].(map[string]any)
				rules, _ := nag["rules_to_suppress"].([]any)
				for _, rule := range rules {
					m, _ := rule.(map[string]any)
					reason, _ := m["reason"].(string)
					assert.GreaterOrEqual(t, len(reason), 40, "reason of the %v suppression on %s: %q", m["id"], id, reason)
				}
			}
		})
	}
}

func TestCFNLintAcceptsTheApplicationAccountTemplates(t *testing.T) {
	lint := lookTool(t, "cfn-lint")
	for name, s := range applicationAccountStacks() {
		t.Run(name, func(t *testing.T) {
			cmd := exec.Command(lint, s.file)
			cmd.Dir = repoRoot

			out, err := cmd.CombinedOutput()

			require.NoError(t, err, "cfn-lint %s:\n%s", s.file, out)
		})
	}
}
