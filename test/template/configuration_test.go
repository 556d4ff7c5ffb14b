package template_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/config"
	"github.com/casefile-forensics/casefile/constructs/deployment"
	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// environmentOf returns the environment variables of a function.
func environmentOf(t *testing.T, s synthesized, name functions.Name) map[string]any {
	t.Helper()
	fn, ok := s.Resources[s.logicalID(s.stack.Service.Functions.Function(name))]
	require.True(t, ok, "function %s", name)
	env := cdktest.AsMap(cdktest.AsMap(fn.Properties["Environment"])["Variables"])
	require.NotNil(t, env, "environment of %s", name)
	return env
}

// TestTheSymbolTablesDefaultToTheEvidenceBucket: with cdk.json's empty
// symbolsS3Uri, the memory forensics fetch the symbol tables from the
// evidence bucket's symbols/ prefix, which the instance may read and list.
func TestTheSymbolTablesDefaultToTheEvidenceBucket(t *testing.T) {
	s := stacks.defaults
	host := s.stack.Service.Host
	evidence := s.logicalID(s.stack.Service.Storage.EvidenceBucket)

	got := environmentOf(t, s, functions.StartForensics)[investigation.EnvSymbolsS3URI]

	assert.Equal(t, map[string]any{"Fn::Join": []any{"", []any{"s3://", map[string]any{"Ref": evidence}, "/symbols/"}}}, got)
	statements := s.RoleStatements(s.logicalID(host.InstanceRole))
	evidenceARN := `{"Fn::GetAtt":["` + evidence + `","Arn"]}`
	assert.True(t, slices.ContainsFunc(cdktest.WithAction(statements, "s3:GetObject"), func(st cdktest.Statement) bool {
		return slices.Contains(st.Resources, `{"Fn::Join":["",[`+evidenceARN+`,"/*"]]}`) && st.Conditions == nil
	}), "the instance reads every object of the evidence bucket, the symbol tables included")
	assert.True(t, slices.ContainsFunc(cdktest.WithAction(statements, "s3:ListBucket"), func(st cdktest.Statement) bool {
		return slices.Equal(st.Resources, []string{evidenceARN}) &&
			assert.ObjectsAreEqual(map[string]any{"StringLike": map[string]any{"s3:prefix": "symbols/*"}}, st.Conditions)
	}), "the instance lists the symbols/ prefix, so that a missing table is reported as missing")
}

func TestAGivenSymbolsLocationReachesTheMemoryForensics(t *testing.T) {
	got := environmentOf(t, stacks.existingVPC, functions.StartForensics)[investigation.EnvSymbolsS3URI]

	assert.Equal(t, "s3://casefile-symbols/linux/", got)
}

// TestApplicationAccountsMayPutAcquisitionEventsOnTheBus: each
// application account gets a statement in the event bus's policy, for the
// acquisition events only; without accounts the bus's policy is untouched.
func TestApplicationAccountsMayPutAcquisitionEventsOnTheBus(t *testing.T) {
	assert.Empty(t, stacks.defaults.OfType("AWS::Events::EventBusPolicy"), "cdk.json lists no application account")

	s := stacks.existingVPC
	policies := s.OfType("AWS::Events::EventBusPolicy")
	require.Len(t, policies, 2)
	for _, account := range []string{"111111111111", "222222222222"} {
		t.Run(account, func(t *testing.T) {
			cdktest.Check(t, func() {
				s.template.HasResourceProperties(jsii.String("AWS::Events::EventBusPolicy"), map[string]any{
					"EventBusName": "security",
					"StatementId":  "CasefileAcquisitionFrom" + account,
					"Statement": cdktest.Like(map[string]any{
						"Effect":    "Allow",
						"Action":    "events:PutEvents",
						"Principal": map[string]any{"AWS": map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":iam::" + account + ":root"}}}},
						"Resource":  cdktest.Like(map[string]any{"Fn::Join": []any{"", assertions.Match_ArrayWith(&[]any{":event-bus/security"})}}),
						"Condition": map[string]any{
							"ForAllValues:StringEquals": map[string]any{"events:source": []any{"casefile.acquisition"}},
							"StringEquals":              map[string]any{"events:detail-type": "Evidence Acquisition Completed"},
						},
					}),
				})
			})
		})
	}
}

// TestThePlaceholderAMIIsWarnedAbout: cdk.json's AMI ID deploys, but no
// investigation could run, so synthesis says so, naming the context key.
func TestThePlaceholderAMIIsWarnedAbout(t *testing.T) {
	warnings := func(s synthesized) []string {
		var out []string
		found := assertions.Annotations_FromStack(s.stack.Stack).FindWarning(jsii.String("*"),
			assertions.Match_StringLikeRegexp(jsii.String(deployment.WarningPlaceholderAMI)))
		for _, m := range *found {
			raw, err := json.Marshal(m.Entry.Data)
			require.NoError(t, err)
			out = append(out, string(raw))
		}
		return out
	}

	got := warnings(stacks.defaults)

	require.Len(t, got, 1, "cdk.json's placeholder AMI")
	for _, want := range []string{config.KeyForensicAMIID, config.PlaceholderForensicAMIID, string(investigation.ReasonAMIUnavailable)} {
		assert.True(t, strings.Contains(got[0], want), "the warning %s names %s", got[0], want)
	}
	assert.Empty(t, warnings(stacks.existingVPC), "another AMI ID")
}

// TestSynthesisWarnsOnlyOfThePlaceholderAMI: an existing VPC given without
// route tables (as in the existing-VPC stack) gives no CDK warning, and
// nothing else warns either.
func TestSynthesisWarnsOnlyOfThePlaceholderAMI(t *testing.T) {
	for name, s := range map[string]synthesized{"defaults": stacks.defaults, "existing VPC": stacks.existingVPC} {
		t.Run(name, func(t *testing.T) {
			found := assertions.Annotations_FromStack(s.stack.Stack).FindWarning(jsii.String("*"), assertions.Match_AnyValue())
			for _, m := range *found {
				if data, _ := m.Entry.Data.(string); !strings.Contains(data, deployment.WarningPlaceholderAMI) {
					assert.Fail(t, "synthesis warning", "%s: %v", *m.Id, m.Entry.Data)
				}
			}
		})
	}
}

// TestTheInstanceAndTheRunLimitScaleWithTheEvidence: the sizing settings
// reach the launch and the start of the forensics, and the scaled run
// limit is capped where the workflow stops checking the command
// (waitCommandSeconds × maxCommandChecks), within the documents' 48 hours.
func TestTheInstanceAndTheRunLimitScaleWithTheEvidence(t *testing.T) {
	tests := []struct {
		name                   string
		s                      synthesized
		wantLarge, wantGiB     string
		wantPerGiB, wantMaxRun string
	}{
		{name: "cdk.json", s: stacks.defaults, wantLarge: "m6i.2xlarge", wantGiB: "500", wantPerGiB: "20", wantMaxRun: "10800"},    // 120 × 90
		{name: "configured", s: stacks.existingVPC, wantLarge: "r7i.4xlarge", wantGiB: "64", wantPerGiB: "45", wantMaxRun: "6000"}, // 60 × 100
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			launch := environmentOf(t, tt.s, functions.CreateInstance)
			assert.Equal(t, tt.wantLarge, launch[investigation.EnvLargeInstanceType])
			assert.Equal(t, tt.wantGiB, launch[investigation.EnvLargeEvidenceGiB])
			start := environmentOf(t, tt.s, functions.StartForensics)
			assert.Equal(t, tt.wantPerGiB, start[investigation.EnvCommandSecondsPerGiB])
			assert.Equal(t, tt.wantMaxRun, start[investigation.EnvMaxCommandTimeout])
		})
	}
}
