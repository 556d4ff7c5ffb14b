package functions_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/internal/cdktest"
)

// TestApplicationAccountKeysAreUsableThroughEC2Only: with application
// accounts, the attach function may have EC2 use those accounts' keys (to
// make volumes of snapshots encrypted with them), and nothing else may;
// without any, no statement names another account's keys.
func TestApplicationAccountKeysAreUsableThroughEC2Only(t *testing.T) {
	accounts := []string{"444455556666", "777788889999"}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(t.TempDir(), "cdk.out"))})
	stack := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111122223333"), Region: jsii.String("eu-west-1")},
	})
	p := validProps(stack, stubModule(t))
	p.ApplicationAccountIDs = accounts
	f := fixture{stack: stack, functions: functions.NewFunctions(stack, "Functions", p)}
	f.template = synth(stack)

	via := map[string]any{"kms:ViaService": "ec2.eu-west-1.amazonaws.com"}
	want := []struct {
		actions    []string
		conditions map[string]any
	}{
		{[]string{"kms:Decrypt", "kms:DescribeKey", "kms:ReEncryptFrom"}, map[string]any{"StringEquals": via}},
		{[]string{"kms:CreateGrant"}, map[string]any{"StringEquals": via, "Bool": map[string]any{"kms:GrantIsForAWSResource": "true"}}},
	}
	var keyStatements []cdktest.Statement
	for _, st := range roleStatementsOf(t, f.template, f, functions.AttachEvidence) {
		if strings.Contains(st.ResourcesJSON(), ":444455556666:key/") {
			keyStatements = append(keyStatements, st)
		}
	}
	require.Len(t, keyStatements, len(want), "statements on the application accounts' keys")
	for i, w := range want {
		st := keyStatements[i]
		assert.ElementsMatch(t, w.actions, st.Actions, "actions of statement %d", i)
		assert.Equal(t, w.conditions, st.Conditions, "conditions of statement %d", i)
		require.Len(t, st.Resources, len(accounts), "one key pattern per application account: %v", st.Resources)
		for j, account := range accounts {
			assert.Contains(t, st.Resources[j], `":kms:eu-west-1:`+account+`:key/*"`, "the keys of %s in the stack's Region", account)
		}
	}
	for _, name := range functions.Names() {
		if name == functions.AttachEvidence || name == functions.Isolate {
			continue
		}
		for _, st := range roleStatementsOf(t, f.template, f, name) {
			assert.NotContains(t, st.ResourcesJSON(), ":444455556666:", "%s may not use the application account's resources", name)
		}
	}
	for _, st := range shared.template.AllStatements() {
		assert.NotRegexp(t, `:kms:[^:]*:[0-9]{12}:key/\*`, st.ResourcesJSON(), "without application accounts no key of another account is named")
	}

	// The isolation may assume the isolation role of those accounts, and
	// no other role.
	isolate := roleStatementsOf(t, f.template, f, functions.Isolate)
	var assume []cdktest.Statement
	for _, st := range isolate {
		if slices.Contains(st.Actions, "sts:AssumeRole") {
			assume = append(assume, st)
		}
	}
	require.Len(t, assume, 1)
	require.Len(t, assume[0].Resources, len(accounts))
	for j, account := range accounts {
		assert.Contains(t, assume[0].Resources[j], `":iam::`+account+`:role/casefile-isolation"`)
	}
}

// TestWithoutApplicationAccountsIsolationAssumesTheRoleByName: the isolate
// function may assume the isolation role, by its name, in any account.
func TestWithoutApplicationAccountsIsolationAssumesTheRoleByName(t *testing.T) {
	var resources []string
	for _, st := range roleStatementsOf(t, shared.template, shared, functions.Isolate) {
		if slices.Contains(st.Actions, "sts:AssumeRole") {
			resources = append(resources, st.Resources...)
		}
	}
	require.Len(t, resources, 1)
	assert.Contains(t, resources[0], `":iam::*:role/casefile-isolation"`)
}

func TestApplicationAccountIDsAreChecked(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(t.TempDir())})
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	p := validProps(stack, stubModule(t))
	p.ApplicationAccountIDs = []string{"444455556666", "4444-5555-6666"}

	assert.PanicsWithError(t, `functions: Props.ApplicationAccountIDs[1] must be a 12-digit account ID, got "4444-5555-6666"`,
		func() { functions.NewFunctions(stack, "Functions", p) })
}
