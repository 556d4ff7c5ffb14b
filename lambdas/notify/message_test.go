package notify

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/findingupdate"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestSubject(t *testing.T) {
	tests := []struct {
		name string
		msg  Message
		want string
	}{
		{
			name: "success",
			msg:  Message{ForensicID: "cf-1", ForensicType: investigation.ForensicTypeMemory, Status: investigation.StatusSucceeded},
			want: "Casefile SUCCEEDED: cf-1 MEMORY",
		},
		{
			name: "longest ID is cut to 100",
			msg: Message{ForensicID: strings.Repeat("a", 64), ForensicType: investigation.ForensicTypeMemory,
				Status: investigation.StatusFailed, Reason: investigation.ReasonCommandNotComplete},
			want: ("Casefile FAILED: " + strings.Repeat("a", 64) + " MEMORY (COMMAND_NOT_COMPLETE)")[:100],
		},
		{
			name: "non-ASCII and control characters are replaced",
			msg:  Message{ForensicID: "caf\u00e9\n", ForensicType: "DISK", Status: investigation.StatusFailed},
			want: "Casefile FAILED: caf??? DISK",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.msg.Subject()
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, len(got), 100)
		})
	}
}

// TestMessageStaysSmall publishes the largest notification a state can
// produce and checks it stays under half of SNS's 256 KiB: every part is
// bounded, though the JSON form is sent once per protocol.
func TestMessageStaysSmall(t *testing.T) {
	ids := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s-%017x", prefix, i)
		}
		return out
	}
	st := investigation.State{
		Request:       fixture(t, "disk-eks.json"),
		ExecutionName: strings.Repeat("e", 80),
		Results:       &investigation.Results{S3URI: "s3://" + strings.Repeat("b", 63) + "/cases/" + strings.Repeat("c", 64) + "/disk/", ArtifactCount: 100000},
		Cleanup: &investigation.Cleanup{
			TerminatedInstances: ids("i", 500), DeletedVolumes: ids("vol", 500), DeletedGroups: ids("sg", 500),
		},
		Error:        &investigation.StepError{Error: "COMMAND_FAILED", Cause: strings.Repeat("x", 200000)},
		CleanupError: &investigation.StepError{Error: "CLEANUP_FAILED", Cause: strings.Repeat("y", 200000)},
		Report: &investigation.Report{
			JSONS3URI: "s3://" + strings.Repeat("b", 63) + "/cases/" + strings.Repeat("c", 64) + "/report.json",
			// A pre-signed link with a session token is a few KiB.
			HTMLLink: "https://" + strings.Repeat("l", maxLinkBytes-len("https://")), HTMLLinkExpiresAt: "2026-03-14T12:30:00Z",
		},
		ReportError: &investigation.StepError{Error: "REPORT_FAILED", Cause: strings.Repeat("z", 200000)},
		Isolation: &investigation.Isolation{Action: investigation.IsolationIsolate, Rule: strings.Repeat("r", 100000),
			Status: investigation.IsolationStatusPartial, Applied: 9, Failed: 1},
		IsolationError: &investigation.StepError{Error: "ISOLATION_FAILED", Cause: strings.Repeat("w", 200000)},
	}
	records, publisher := &fakeRecords{}, &fakeSNS{}
	// The largest outcome findingupdate returns: a note and a detail at
	// their bounds.
	findings := &fakeFindings{out: findingupdate.Outcome{
		Status: findingupdate.StatusFailed, FindingID: strings.Repeat("f", 512), ProductARN: strings.Repeat("p", 512),
		Note: strings.Repeat("n", 512), Detail: strings.Repeat("d", 1024),
	}}
	h := New(records, publisher, Config{TopicARN: testTopic, TableName: testTable, Findings: findings})
	_, err := h.Handle(context.Background(), st)
	require.NoError(t, err)
	require.Len(t, publisher.inputs, 1)

	size := len(aws.ToString(publisher.inputs[0].Message)) + len(aws.ToString(publisher.inputs[0].Subject))
	assert.Less(t, size, 128*1024, "published bytes")
	_, msg := published(t, publisher.inputs[0])
	require.NotNil(t, msg.Cleanup)
	assert.Len(t, msg.Cleanup.DeletedVolumes, maxListed+1)
	assert.Equal(t, "... 450 more", msg.Cleanup.DeletedVolumes[maxListed])
	assert.Len(t, st.Cleanup.DeletedVolumes, 500, "the state itself is not changed")
	require.NotNil(t, msg.FindingUpdate, "the finding's outcome is in the message")
	require.NotNil(t, msg.Records.Artifacts, "the artifact items are named")
	require.NotNil(t, msg.Report, "the report is named")
	assert.Len(t, msg.Report.HTMLLink, maxLinkBytes, "a link at the bound is kept")
	assert.Len(t, msg.ReportError, MaxDetailBytes, "the report error is bounded")
	require.NotNil(t, msg.Isolation, "the isolation is in the message")
	assert.Len(t, msg.Isolation.Rule, maxRuleBytes, "the rule name is bounded")
	assert.Len(t, msg.IsolationError, MaxDetailBytes, "the isolation error is bounded")
}

func TestMessageNamesTheIsolation(t *testing.T) {
	tests := []struct {
		name      string
		isolation *investigation.Isolation
		stepError *investigation.StepError
		wantText  []string
		wantItem  bool
	}{
		{
			name: "isolated",
			isolation: &investigation.Isolation{Action: investigation.IsolationIsolate, Rule: "backdoor",
				Status: investigation.IsolationStatusIsolated, Applied: 8, Skipped: 2},
			wantText: []string{"Isolation:     ISOLATED (policy rule backdoor): 8 measures applied, 2 skipped, 0 impossible, 0 failed",
				"isolation item: pk=CASE#cf-2026-03-14-0002 sk=ISOLATION#DISK"},
			wantItem: true,
		},
		{
			name:      "not isolated",
			isolation: &investigation.Isolation{Action: investigation.IsolationNone, Rule: "reconnaissance", Status: investigation.IsolationStatusNotIsolated},
			wantText:  []string{"Isolation:     NOT_ISOLATED: not isolated (policy rule reconnaissance)"},
			wantItem:  true,
		},
		{
			name:      "the step failed",
			stepError: &investigation.StepError{Error: "ISOLATION_FAILED", Cause: `{"errorMessage":"record the isolation: throttled"}`},
			wantText:  []string{"Isolation:     step failed: ISOLATION_FAILED: record the isolation: throttled"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := investigation.State{Request: fixture(t, "disk-eks.json"), ForensicID: "cf-2026-03-14-0002",
				ForensicType: investigation.ForensicTypeDisk, Isolation: tc.isolation, IsolationError: tc.stepError}
			records, publisher := &fakeRecords{}, &fakeSNS{}
			_, err := New(records, publisher, Config{TopicARN: testTopic, TableName: testTable}).Handle(context.Background(), st)
			require.NoError(t, err)
			require.Len(t, publisher.inputs, 1)
			text, msg := published(t, publisher.inputs[0])
			for _, want := range tc.wantText {
				assert.Contains(t, text, want)
			}
			assert.Equal(t, tc.isolation, msg.Isolation)
			assert.Equal(t, tc.wantItem, msg.Records.Isolation != nil, "the isolation item is named when there is one")
		})
	}
}
