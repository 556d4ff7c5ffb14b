package functions_test

import (
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// TestReportLinkIsOffUnlessSet: only a set ReportLinkSeconds tells the
// report function to pre-sign a link, and it needs no other permission.
func TestReportLinkIsOffUnlessSet(t *testing.T) {
	_, p := shared.template.function(t, shared.stack, shared.functions, functions.Report)
	vars := cdktest.AsMap(cdktest.AsMap(p["Environment"])["Variables"])
	assert.NotContains(t, vars, investigation.EnvReportLinkSeconds, "no link by default")

	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(filepath.Join(t.TempDir(), "cdk.out"))})
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	props := validProps(stack, stubModule(t))
	props.ReportLinkSeconds = 900
	f := fixture{stack: stack, functions: functions.NewFunctions(stack, "Functions", props)}
	f.template = synth(stack)

	_, p = f.template.function(t, f.stack, f.functions, functions.Report)
	vars = cdktest.AsMap(cdktest.AsMap(p["Environment"])["Variables"])
	assert.Equal(t, "900", vars[investigation.EnvReportLinkSeconds])
	assert.ElementsMatch(t, cdktest.Actions(roleStatementsOf(t, shared.template, shared, functions.Report)),
		cdktest.Actions(roleStatementsOf(t, f.template, f, functions.Report)), "the link needs no other permission")
}
