package appaccount_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/appaccount"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// obj is a JSON object in a template.
type obj = map[string]any

const forensicRoleARN = "arn:aws:iam::999999999999:role/casefile-isolate"

// fixture is a stack holding the isolation access.
type fixture struct {
	stack  awscdk.Stack
	access *appaccount.IsolationAccess
	cdktest.Resources
}

// synth builds the access after configure has changed the props (nil keeps
// them); without a ForensicFunctionRoleARN, the forensic role is a
// CfnParameter's value.
func synth(t *testing.T, configure func(*appaccount.Props)) fixture {
	t.Helper()
	stack := cdktest.NewStack()
	var props appaccount.Props
	if configure != nil {
		configure(&props)
	}
	if props.ForensicFunctionRoleARN == nil {
		props.ForensicFunctionRoleARN = awscdk.NewCfnParameter(stack, jsii.String("ForensicRole"), nil).ValueAsString()
	}
	access := appaccount.NewIsolationAccess(stack, "Access", &props)
	resources, err := cdktest.ResourcesOf(assertions.Template_FromStack(stack, nil))
	require.NoError(t, err)
	return fixture{stack: stack, access: access, Resources: resources}
}

// id is the logical ID of the role whose name is a Ref to it.
func (f fixture) id(roleName *string) string {
	ref, _ := f.stack.Resolve(roleName).(map[string]any)
	id, _ := ref["Ref"].(string)
	return id
}

func (f fixture) roleID() string     { return f.id(f.access.Role().RoleName()) }
func (f fixture) denyRoleID() string { return f.id(f.access.DenyRole().RoleName()) }

// statementsOf returns every statement of the role's policies and its trust
// policy, as EveryStatement reads them.
func (f fixture) statementsOf(roleID string) []cdktest.PolicyStatement {
	var out []cdktest.PolicyStatement
	for _, st := range f.EveryStatement() {
		if strings.HasPrefix(st.Source, "AWS::IAM::Role "+roleID+" ") {
			out = append(out, st)
		}
	}
	return out
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestTheIsolationRoleTrustsOnlyTheForensicFunctionRole(t *testing.T) {
	tests := []struct {
		name      string
		arn       *string
		principal any
	}{
		{"parameter", nil, obj{"Ref": "ForensicRole"}},
		{"literal ARN", jsii.String(forensicRoleARN), forensicRoleARN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := synth(t, func(p *appaccount.Props) { p.ForensicFunctionRoleARN = tt.arn })
			role := f.Resources[f.roleID()]

			assert.Equal(t, obj{"Version": "2012-10-17", "Statement": []any{obj{
				"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": obj{"AWS": tt.principal},
			}}}, role.Properties["AssumeRolePolicyDocument"], "one statement: sts:AssumeRole by the forensic function's role, nobody else")
		})
	}
}

func TestTheRoleAndProfileHaveTheFixedNamesTheForensicAccountLooksFor(t *testing.T) {
	tests := []struct {
		name                  string
		roleName, profileName string
		wantRole, wantProfile string
	}{
		{"defaults", "", "", investigation.DefaultIsolationRoleName, investigation.DefaultIsolationDenyProfile},
		{"configured", "soc-isolation", "soc-deny-all", "soc-isolation", "soc-deny-all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := synth(t, func(p *appaccount.Props) { p.RoleName, p.DenyProfileName = tt.roleName, tt.profileName })

			assert.Equal(t, tt.wantRole, f.Resources[f.roleID()].Properties["RoleName"])
			profiles := f.OfType("AWS::IAM::InstanceProfile")
			require.Len(t, profiles, 1, "one instance profile: the deny profile")
			for _, profile := range profiles {
				assert.Equal(t, tt.wantProfile, profile.Properties["InstanceProfileName"])
				assert.Equal(t, []any{obj{"Ref": f.denyRoleID()}}, profile.Properties["Roles"], "the deny profile carries the deny role")
			}
			assert.Nil(t, f.Resources[f.denyRoleID()].Properties["RoleName"], "the deny role's name is CloudFormation's")
		})
	}
}

func TestTheIsolationRoleAllowsExactlyWhatIsolationCalls(t *testing.T) {
	tests := []struct {
		name          string
		shareEvidence *bool
		want          []string
	}{
		{"default", nil, appaccount.IsolationActions()},
		{"no evidence sharing", jsii.Bool(false), appaccount.IsolationActions()},
		{"evidence sharing", jsii.Bool(true), slices.Sorted(slices.Values(append(appaccount.IsolationActions(), appaccount.EvidenceSharingActions()...)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := synth(t, func(p *appaccount.Props) { p.ShareEvidence = tt.shareEvidence })

			got := cdktest.Actions(f.RoleStatements(f.roleID()))

			assert.Equal(t, tt.want, got, "allowed actions of the isolation role")
		})
	}
	assert.True(t, slices.IsSorted(appaccount.IsolationActions()), "IsolationActions is sorted")
	assert.True(t, slices.IsSorted(appaccount.EvidenceSharingActions()), "EvidenceSharingActions is sorted")
}

// TestNoAllowHasAWildcardActionAndOnlyDescribesHaveEveryResource walks
// every statement of every policy of the template.
func TestNoAllowHasAWildcardActionAndOnlyDescribesHaveEveryResource(t *testing.T) {
	f := synth(t, func(p *appaccount.Props) { p.ShareEvidence, p.EKSClusterNames = jsii.Bool(true), []string{"prod"} })
	require.Empty(t, f.UnreadPolicies(), "every policy of the template is read")

	statements := f.EveryStatement()
	require.NotEmpty(t, statements)
	for _, st := range statements {
		assert.Empty(t, st.NotActions, "%s %s uses NotAction", st.Source, st.Sid)
		if st.Effect != "Allow" {
			continue
		}
		for _, action := range st.Actions {
			assert.NotContains(t, action, "*", "%s %s allows a wildcard action", st.Source, st.Sid)
			assert.NotContains(t, action, "?", "%s %s allows a wildcard action", st.Source, st.Sid)
		}
		for _, resource := range st.Resources {
			switch {
			case resource == "*":
				for _, action := range st.Actions {
					assert.Contains(t, action, ":Describe", "%s %s: only Describe actions may have Resource *", st.Source, st.Sid)
				}
			case strings.Contains(resource, ":snapshot/*"):
				// Snapshot ARNs hold no account.
			case strings.Contains(st.Source, " trust"):
			case strings.HasPrefix(resource, `{"Fn::GetAtt":[`):
				// A resource of this stack.
			default:
				assert.Contains(t, resource, `{"Ref":"AWS::AccountId"}`, "%s %s: a resource outside the account", st.Source, st.Sid)
			}
		}
	}
}

func TestPassRoleIsOnlyForTheDenyRoleAndOnlyToEC2(t *testing.T) {
	f := synth(t, nil)

	passes := cdktest.WithAction(f.RoleStatements(f.roleID()), "iam:PassRole")

	require.Len(t, passes, 1)
	assert.Equal(t, []string{"iam:PassRole"}, passes[0].Actions, "PassRole in a statement of its own")
	assert.Equal(t, []string{jsonOf(t, obj{"Fn::GetAtt": []any{f.denyRoleID(), "Arn"}})}, passes[0].Resources)
	assert.Equal(t, obj{"StringEquals": obj{"iam:PassedToService": "ec2.amazonaws.com"}}, passes[0].Conditions)
}

func TestIAMWritesOnCasefileIdentitiesAreDenied(t *testing.T) {
	f := synth(t, nil)

	var deny *cdktest.PolicyStatement
	for _, st := range f.statementsOf(f.roleID()) {
		if st.Sid == "ProtectCasefileIdentities" {
			deny = &st
		}
	}

	require.NotNil(t, deny, "the isolation role's policy has the protection statement")
	assert.Equal(t, "Deny", deny.Effect)
	for _, action := range []string{"iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRolePolicy",
		"iam:RemoveRoleFromInstanceProfile", "iam:AddRoleToInstanceProfile"} {
		assert.Contains(t, deny.Actions, action)
	}
	resources := deny.ResourcesJSON()
	assert.Contains(t, resources, `":role/casefile-isolation"`, "the isolation role itself")
	assert.Contains(t, resources, jsonOf(t, obj{"Fn::GetAtt": []any{f.denyRoleID(), "Arn"}}), "the deny role")
	assert.Contains(t, resources, `":instance-profile/casefile-isolation-deny-all"`, "the deny profile")
	for _, admin := range []string{`":role/aws-service-role/*"`, `":role/aws-reserved/*"`,
		`":role/AWSCloudFormationStackSetExecutionRole"`, `":role/OrganizationAccountAccessRole"`} {
		assert.Contains(t, resources, admin, "the account's administrative roles")
	}
	assert.Len(t, deny.Resources, 7)
	puts := cdktest.WithAction(f.RoleStatements(f.roleID()), "iam:PutRolePolicy")
	require.Len(t, puts, 1)
	assert.Contains(t, puts[0].ResourcesJSON(), `":role/*"`, "the role revokes the sessions of the account's roles")
}

func TestTheDenyRoleIsForEC2AndDeniesEverything(t *testing.T) {
	f := synth(t, nil)
	deny := f.Resources[f.denyRoleID()]

	assert.Equal(t, obj{"Version": "2012-10-17", "Statement": []any{obj{
		"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": obj{"Service": "ec2.amazonaws.com"},
	}}}, deny.Properties["AssumeRolePolicyDocument"])
	assert.Equal(t, []any{obj{"PolicyName": appaccount.PolicyDenyAll, "PolicyDocument": obj{"Version": "2012-10-17", "Statement": []any{
		obj{"Sid": "DenyEverything", "Effect": "Deny", "Action": "*", "Resource": "*"},
	}}}}, deny.Properties["Policies"])
	assert.Nil(t, deny.Properties["ManagedPolicyArns"], "no managed policy adds anything")
}

func TestEachNamedClusterGetsAnAccessEntryForTheIsolationGroup(t *testing.T) {
	tests := []struct {
		name     string
		clusters []string
	}{
		{"none", nil},
		{"two", []string{"prod", "payments_eu-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := synth(t, func(p *appaccount.Props) { p.EKSClusterNames = tt.clusters })

			entries := f.OfType("AWS::EKS::AccessEntry")

			require.Len(t, entries, len(tt.clusters))
			require.Len(t, f.access.AccessEntries(), len(tt.clusters))
			var got []string
			for _, e := range entries {
				got = append(got, e.Properties["ClusterName"].(string))
				assert.Equal(t, []any{investigation.KubernetesIsolationGroup}, e.Properties["KubernetesGroups"])
				assert.Equal(t, "STANDARD", e.Properties["Type"])
				assert.Equal(t, obj{"Fn::GetAtt": []any{f.roleID(), "Arn"}}, e.Properties["PrincipalArn"])
				assert.Nil(t, e.Properties["AccessPolicies"], "the group's RBAC, not an EKS access policy, decides what the role may do")
			}
			assert.ElementsMatch(t, tt.clusters, got)
		})
	}
}

func TestSnapshotsAreSharedWithTheForensicAccountOnly(t *testing.T) {
	tests := []struct {
		name        string
		arn         *string
		wantAccount any
	}{
		{"parameter", nil, obj{"Fn::Select": []any{4.0, obj{"Fn::Split": []any{":", obj{"Ref": "ForensicRole"}}}}}},
		{"literal ARN", jsii.String(forensicRoleARN), "999999999999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := synth(t, func(p *appaccount.Props) {
				p.ShareEvidence, p.ForensicFunctionRoleARN = jsii.Bool(true), tt.arn
			})
			bySid := map[string]cdktest.PolicyStatement{}
			for _, st := range f.statementsOf(f.roleID()) {
				bySid[st.Sid] = st
			}

			share := bySid["ShareSnapshotsWithTheForensicAccount"]
			assert.Equal(t, "Allow", share.Effect)
			assert.Equal(t, []string{"ec2:ModifySnapshotAttribute"}, share.Actions)
			assert.Equal(t, obj{"StringEquals": obj{"ec2:Add/userId": tt.wantAccount}}, share.Conditions)
			never := bySid["NeverShareSnapshotsWithGroups"]
			assert.Equal(t, "Deny", never.Effect)
			assert.Equal(t, obj{"Null": obj{"ec2:Add/group": "false"}}, never.Conditions, "adding a group (all) is denied")
			tag := bySid["TagNewSnapshots"]
			assert.Equal(t, obj{"StringEquals": obj{"ec2:CreateAction": []any{"CreateSnapshot", "CreateSnapshots"}}}, tag.Conditions,
				"snapshots are tagged only as they are created")
		})
	}
}

func TestWithoutEvidenceSharingNoSnapshotIsTouched(t *testing.T) {
	f := synth(t, nil)

	for _, st := range f.RoleStatements(f.roleID()) {
		assert.NotContains(t, st.ResourcesJSON(), "snapshot", "statement %v", st.Actions)
	}
}

func TestCDKNagFindsNothingUnsuppressed(t *testing.T) {
	for name, configure := range map[string]func(*appaccount.Props){
		"defaults":             nil,
		"evidence and EKS":     func(p *appaccount.Props) { p.ShareEvidence, p.EKSClusterNames = jsii.Bool(true), []string{"prod"} },
		"literal forensic ARN": func(p *appaccount.Props) { p.ForensicFunctionRoleARN = jsii.String(forensicRoleARN) },
	} {
		t.Run(name, func(t *testing.T) {
			f := synth(t, configure)

			cdktest.AssertNoNagFindings(t, f.stack)
		})
	}
}

func TestBadPropsPanicNamingTheField(t *testing.T) {
	tests := []struct {
		name  string
		props appaccount.Props
		want  string
	}{
		{"no forensic role", appaccount.Props{}, "appaccount: Props.ForensicFunctionRoleARN is required"},
		{"forensic role not a role ARN", appaccount.Props{ForensicFunctionRoleARN: jsii.String("arn:aws:iam::999999999999:user/x")},
			`appaccount: Props.ForensicFunctionRoleARN must be an IAM role ARN such as arn:aws:iam::111111111111:role/name, got "arn:aws:iam::999999999999:user/x"`},
		{"role name with a space", appaccount.Props{ForensicFunctionRoleARN: jsii.String(forensicRoleARN), RoleName: "casefile isolation"},
			`appaccount: Props.RoleName must be an IAM role name (1 to 64 of A-Z a-z 0-9 _+=,.@-), got "casefile isolation"`},
		{"role name too long", appaccount.Props{ForensicFunctionRoleARN: jsii.String(forensicRoleARN), RoleName: strings.Repeat("r", 65)},
			`appaccount: Props.RoleName must be an IAM role name (1 to 64 of A-Z a-z 0-9 _+=,.@-), got "` + strings.Repeat("r", 65) + `"`},
		{"profile name with a slash", appaccount.Props{ForensicFunctionRoleARN: jsii.String(forensicRoleARN), DenyProfileName: "a/b"},
			`appaccount: Props.DenyProfileName must be an instance profile name (1 to 128 of A-Z a-z 0-9 _+=,.@-), got "a/b"`},
		{"cluster name", appaccount.Props{ForensicFunctionRoleARN: jsii.String(forensicRoleARN), EKSClusterNames: []string{"-prod"}},
			`appaccount: Props.EKSClusterNames must hold EKS cluster names (a letter or digit, then up to 99 of A-Z a-z 0-9 _-), got "-prod"`},
		{"cluster twice", appaccount.Props{ForensicFunctionRoleARN: jsii.String(forensicRoleARN), EKSClusterNames: []string{"prod", "prod"}},
			`appaccount: Props.EKSClusterNames names a cluster twice: ["prod" "prod"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()

			assert.PanicsWithValue(t, tt.want, func() { appaccount.NewIsolationAccess(stack, "Access", &tt.props) })
		})
	}
}

// TestOnlyCasefileGroupsGetRulesAndOnlyCasefileTagsAreWritten: the role
// cannot open the account's other security groups, nor change tags that
// are not Casefile's.
func TestOnlyCasefileGroupsGetRulesAndOnlyCasefileTagsAreWritten(t *testing.T) {
	f := synth(t, nil)
	bySid := map[string]cdktest.PolicyStatement{}
	for _, st := range f.statementsOf(f.roleID()) {
		bySid[st.Sid] = st
	}
	managedBy := obj{"StringEquals": obj{"aws:ResourceTag/" + investigation.TagManagedBy: investigation.ManagedByValue}}

	rules := bySid["SetIsolationGroupRules"]
	assert.Equal(t, []string{"ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupEgress"}, rules.Actions)
	assert.Equal(t, managedBy, rules.Conditions, "rules only on groups tagged as Casefile's")
	require.Len(t, rules.Resources, 1)
	assert.Contains(t, rules.Resources[0], ":security-group/*")
	ruleResources := bySid["SetIsolationGroupRuleResources"]
	require.Len(t, ruleResources.Resources, 1)
	assert.Contains(t, ruleResources.Resources[0], ":security-group-rule/*", "the unconditioned statement names the rules, not the groups")
	create := bySid["CreateIsolationGroups"]
	assert.Equal(t, obj{"StringEquals": obj{"aws:RequestTag/" + investigation.TagManagedBy: investigation.ManagedByValue}},
		create.Conditions, "a group is created with Casefile's tag, or not at all")
	require.Len(t, create.Resources, 1)
	assert.Contains(t, create.Resources[0], ":security-group/*")
	instances := bySid["TagIsolatedInstances"]
	assert.Equal(t, obj{"ForAllValues:StringLike": obj{"aws:TagKeys": appaccount.CasefileTagKeys}}, instances.Conditions)
	require.Len(t, instances.Resources, 1)
	assert.Contains(t, instances.Resources[0], ":instance/*", "instances only: tagging a group Casefile's would open it")
	groups := bySid["TagIsolationGroupsAtCreation"]
	assert.Equal(t, obj{"StringEquals": obj{"ec2:CreateAction": "CreateSecurityGroup"},
		"ForAllValues:StringLike": obj{"aws:TagKeys": appaccount.CasefileTagKeys}}, groups.Conditions,
		"a group is tagged only as it is created")
	require.Len(t, groups.Resources, 1)
	assert.Contains(t, groups.Resources[0], ":security-group/*")
	for _, key := range []string{investigation.TagManagedBy, investigation.TagForensicID, investigation.TagForensicType, investigation.TagRole} {
		assert.True(t, strings.HasPrefix(key, strings.TrimSuffix(appaccount.CasefileTagKeys, "*")), "tag %s matches %s", key, appaccount.CasefileTagKeys)
	}
}

// TestCreateSecurityGroupsRequestTagConditionsOnlyTheGroup: IAM evaluates
// CreateSecurityGroup on the VPC and on the new group, and the request's
// tags are a condition key of the group only. A tag condition on the VPC's
// resource would never be met, and every creation would be refused.
func TestCreateSecurityGroupsRequestTagConditionsOnlyTheGroup(t *testing.T) {
	f := synth(t, nil)

	var onVPC, onGroup []cdktest.PolicyStatement
	for _, st := range f.statementsOf(f.roleID()) {
		if st.Effect != "Allow" || !slices.Contains(st.Actions, "ec2:CreateSecurityGroup") {
			continue
		}
		for _, resource := range st.Resources {
			switch {
			case strings.Contains(resource, ":vpc/*"):
				onVPC = append(onVPC, st)
			case strings.Contains(resource, ":security-group/*"):
				onGroup = append(onGroup, st)
			default:
				assert.Failf(t, "unexpected resource", "%s allows CreateSecurityGroup on %s", st.Sid, resource)
			}
		}
	}

	require.Len(t, onVPC, 1, "one statement allows CreateSecurityGroup on the account's VPCs")
	assert.Equal(t, "CreateIsolationGroupsInVpcs", onVPC[0].Sid)
	assert.Equal(t, []string{"ec2:CreateSecurityGroup"}, onVPC[0].Actions)
	assert.Len(t, onVPC[0].Resources, 1, "the VPC statement names the VPCs only")
	assert.Empty(t, onVPC[0].Conditions, "no request-tag (or other) condition on the VPC")
	assert.Contains(t, onVPC[0].Resources[0], `{"Ref":"AWS::AccountId"}`, "the account's VPCs only")
	require.Len(t, onGroup, 1, "one statement allows CreateSecurityGroup on the new group")
	assert.Equal(t, obj{"StringEquals": obj{"aws:RequestTag/" + investigation.TagManagedBy: investigation.ManagedByValue}},
		onGroup[0].Conditions, "the group is created with Casefile's tag")
}
