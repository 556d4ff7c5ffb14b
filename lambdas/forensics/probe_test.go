package forensics

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const (
	testInstance = "i-0123456789abcdef0"
	probeDoc     = "casefile-probe"
	allPresent   = `{"tools":[{"name":"fls","version":"4.12.1","present":true},{"name":"vol","version":"2.7.0","present":true}],"ready":true}`
	volMissing   = `{"tools":[{"name":"fls","version":"4.12.1","present":true},{"name":"vol","present":false}],"ready":false}`
)

func runningState() investigation.State {
	return investigation.State{
		ForensicID:   "case-42",
		ForensicType: investigation.ForensicTypeDisk,
		Instance:     &investigation.Instance{InstanceID: testInstance, AvailabilityZone: "eu-west-1a"},
	}
}

func TestProberCheck(t *testing.T) {
	sent := investigation.Readiness{Status: investigation.PollPending, Attempts: 3, ProbeCommandID: "cmd-probe"}
	tests := []struct {
		name       string
		ssm        *fakeSSM
		readiness  investigation.Readiness
		wantStatus investigation.PollStatus
		wantProbe  string
		// wantDetail is a part of the Detail.
		wantDetail  string
		wantReason  investigation.Reason
		wantErrPart string
		wantActions []string
		wantSent    int
	}{
		{
			name:       "agent not registered",
			ssm:        &fakeSSM{},
			wantStatus: investigation.PollPending,
			wantDetail: "has not registered",
		},
		{
			name:       "agent connection lost",
			ssm:        &fakeSSM{ping: types.PingStatusConnectionLost},
			wantStatus: investigation.PollPending,
			wantDetail: "ConnectionLost",
		},
		{
			name:        "agent lookup fails",
			ssm:         &fakeSSM{describeErr: apiErr("InternalServerError")},
			wantErrPart: "describe SSM agent of instance " + testInstance,
		},
		{
			name:        "probe sent",
			ssm:         &fakeSSM{ping: types.PingStatusOnline, commandID: "cmd-probe"},
			wantStatus:  investigation.PollPending,
			wantProbe:   "cmd-probe",
			wantDetail:  "sent",
			wantActions: []string{"probe-sent"},
			wantSent:    1,
		},
		{
			name:       "probe refused right after launch",
			ssm:        &fakeSSM{ping: types.PingStatusOnline, sendErr: apiErr("InvalidInstanceId")},
			wantStatus: investigation.PollPending,
			wantDetail: "cannot send commands",
			wantSent:   1,
		},
		{
			name:        "probe send fails otherwise",
			ssm:         &fakeSSM{ping: types.PingStatusOnline, sendErr: apiErr("InvalidDocument")},
			wantErrPart: "send readiness probe " + probeDoc,
			wantSent:    1,
		},
		{
			name:       "probe invocation not visible yet",
			ssm:        &fakeSSM{ping: types.PingStatusOnline, invocationErr: apiErr("InvocationDoesNotExist")},
			readiness:  sent,
			wantStatus: investigation.PollPending,
			wantProbe:  "cmd-probe",
			wantDetail: "not visible yet",
		},
		{
			name:       "probe in progress",
			ssm:        &fakeSSM{ping: types.PingStatusOnline, invocation: invocation(types.CommandInvocationStatusInProgress, "InProgress", -1, "")},
			readiness:  sent,
			wantStatus: investigation.PollPending,
			wantProbe:  "cmd-probe",
			wantDetail: "InProgress",
		},
		{
			name:        "all tools present",
			ssm:         &fakeSSM{ping: types.PingStatusOnline, invocation: invocation(types.CommandInvocationStatusSuccess, "Success", 0, allPresent)},
			readiness:   sent,
			wantStatus:  investigation.PollReady,
			wantProbe:   "cmd-probe",
			wantDetail:  "fls 4.12.1, vol 2.7.0",
			wantActions: []string{"instance-ready"},
		},
		{
			name:        "a tool missing, probe succeeded",
			ssm:         &fakeSSM{ping: types.PingStatusOnline, invocation: invocation(types.CommandInvocationStatusSuccess, "Success", 0, volMissing)},
			readiness:   sent,
			wantReason:  investigation.ReasonToolsMissing,
			wantErrPart: "lacks vol",
			wantActions: []string{"tools-missing"},
		},
		{
			name:        "a tool missing, probe exited non-zero",
			ssm:         &fakeSSM{ping: types.PingStatusOnline, invocation: invocation(types.CommandInvocationStatusFailed, "Failed", 1, volMissing)},
			readiness:   sent,
			wantReason:  investigation.ReasonToolsMissing,
			wantErrPart: "lacks vol",
			wantActions: []string{"tools-missing"},
		},
		{
			name:        "probe timed out",
			ssm:         &fakeSSM{ping: types.PingStatusOnline, invocation: invocation(types.CommandInvocationStatusTimedOut, "Execution Timed Out", -1, "")},
			readiness:   sent,
			wantReason:  investigation.ReasonInstanceNotReady,
			wantErrPart: "ended TimedOut (Execution Timed Out), response code -1",
			wantActions: []string{"probe-failed"},
		},
		{
			name:        "probe undeliverable",
			ssm:         &fakeSSM{ping: types.PingStatusOnline, invocation: invocation(types.CommandInvocationStatusFailed, "Undeliverable", -1, "")},
			readiness:   sent,
			wantReason:  investigation.ReasonInstanceNotReady,
			wantErrPart: "Undeliverable",
			wantActions: []string{"probe-failed"},
		},
		{
			name:        "probe succeeded without a report",
			ssm:         &fakeSSM{ping: types.PingStatusOnline, invocation: invocation(types.CommandInvocationStatusSuccess, "Success", 0, "")},
			readiness:   sent,
			wantReason:  investigation.ReasonInstanceNotReady,
			wantErrPart: "printed no report",
			wantActions: []string{"probe-failed"},
		},
		{
			name:        "probe reports not ready with every tool present",
			ssm:         &fakeSSM{ping: types.PingStatusOnline, invocation: invocation(types.CommandInvocationStatusSuccess, "Success", 0, `{"tools":[],"ready":false}`)},
			readiness:   sent,
			wantReason:  investigation.ReasonInstanceNotReady,
			wantErrPart: "not ready",
			wantActions: []string{"probe-failed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fakeRecorder{}
			p := &Prober{SSM: tt.ssm, Document: probeDoc, Recorder: rec, Now: testClock}

			got, err := p.Check(context.Background(), runningState(), tt.readiness)

			if tt.wantErrPart != "" {
				require.Error(t, err)
				assert.ErrorContains(t, err, tt.wantErrPart)
				assert.Equal(t, tt.wantReason, reasonOf(err), "reason of %v", err)
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.wantStatus, got.Status, "status")
				assert.Equal(t, tt.wantProbe, got.ProbeCommandID, "probe command")
				assert.Contains(t, got.Detail, tt.wantDetail, "detail")
			}
			assert.Equal(t, tt.wantActions, rec.actions(), "recorded events")
			assert.Len(t, tt.ssm.sent, tt.wantSent, "commands sent")
			assert.Equal(t, tt.readiness.Attempts, got.Attempts, "Check must leave the attempt count to its caller")
		})
	}
}

func TestProberSendsTheProbeDocument(t *testing.T) {
	fake := &fakeSSM{ping: types.PingStatusOnline, commandID: "cmd-probe"}
	rec := &fakeRecorder{}
	p := &Prober{SSM: fake, Document: probeDoc, Recorder: rec, Now: testClock}

	_, err := p.Check(context.Background(), runningState(), investigation.Readiness{})
	require.NoError(t, err)

	require.Len(t, fake.sent, 1)
	in := fake.sent[0]
	assert.Equal(t, probeDoc, aws.ToString(in.DocumentName))
	assert.Equal(t, []string{testInstance}, in.InstanceIds)
	require.NotNil(t, in.CloudWatchOutputConfig)
	assert.False(t, in.CloudWatchOutputConfig.CloudWatchOutputEnabled, "CloudWatch output")
	require.Len(t, rec.events, 1)
	assert.Equal(t, StepCheckInstance, rec.events[0].Step)
	assert.Equal(t, map[string]string{"instanceId": testInstance, "commandId": "cmd-probe", "documentName": probeDoc}, rec.events[0].Resources)
	assert.Equal(t, testTime, rec.events[0].Time)
}

func TestProberReadsTheProbeOnTheInstance(t *testing.T) {
	fake := &fakeSSM{ping: types.PingStatusOnline, invocation: invocation(types.CommandInvocationStatusSuccess, "Success", 0, allPresent)}
	p := &Prober{SSM: fake, Document: probeDoc, Recorder: &fakeRecorder{}, Now: testClock}

	_, err := p.Check(context.Background(), runningState(), investigation.Readiness{ProbeCommandID: "cmd-probe"})
	require.NoError(t, err)

	require.Len(t, fake.got, 1)
	assert.Equal(t, "cmd-probe", aws.ToString(fake.got[0].CommandId))
	assert.Equal(t, testInstance, aws.ToString(fake.got[0].InstanceId))
	assert.Empty(t, fake.sent, "a probe already sent must not be sent again")
}
