package forensics

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const (
	dumpSHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	symbols = "s3://casefile-symbols/linux/"
)

func testStartConfig() StartConfig {
	return StartConfig{
		DiskDocument:     "casefile-disk",
		MemoryDocument:   "casefile-memory",
		ResultsBucket:    "casefile-results",
		ResultsKMSKeyARN: "arn:aws:kms:eu-west-1:111122223333:key/results",
		SymbolsS3URI:     symbols,
		CommandTimeout:   2 * time.Hour,
	}
}

func diskReady() investigation.State {
	st := runningState()
	st.Volumes = []investigation.Volume{
		{VolumeID: "vol-000000000000000e1", SnapshotID: "snap-0000000000000000a", Device: "/dev/sdf"},
		{VolumeID: "vol-000000000000000e2", SnapshotID: "snap-0000000000000000b", Device: "/dev/sdg"},
	}
	return st
}

func memoryReady(t *testing.T) investigation.State {
	t.Helper()
	return memoryCase(t, investigation.MemoryEvidence{
		S3URI: "s3://casefile-evidence/case-42/mem.lime", SHA256: dumpSHA, SizeBytes: 4 << 30,
		Format: "lime", KernelRelease: "6.1.0-28-cloud-amd64",
	})
}

func windowsMemoryReady(t *testing.T) investigation.State {
	t.Helper()
	return memoryCase(t, investigation.MemoryEvidence{
		S3URI: "s3://casefile-evidence/case-42/mem.dmp", SHA256: dumpSHA, SizeBytes: 8 << 30,
		OperatingSystem: investigation.OSWindows, Format: "crashdump",
	})
}

// memoryCase is a MEMORY case of dump, ready for its forensics.
func memoryCase(t *testing.T, dump investigation.MemoryEvidence) investigation.State {
	t.Helper()
	raw, err := json.Marshal(investigation.Request{
		ForensicID:   "case-42",
		ForensicType: investigation.ForensicTypeMemory,
		Resource:     investigation.Resource{AccountID: "444455556666", Region: "eu-west-1", InstanceID: "i-0123456789abcdef0"},
		Memory:       &dump,
	})
	require.NoError(t, err)
	st := runningState()
	st.ForensicType = investigation.ForensicTypeMemory
	st.Request = raw
	return st
}

func TestStartForensics(t *testing.T) {
	common := map[string][]string{
		ParamForensicID:    {"case-42"},
		ParamResultsBucket: {"casefile-results"},
		ParamKMSKeyARN:     {"arn:aws:kms:eu-west-1:111122223333:key/results"},
		// testStartConfig's CommandTimeout, 2 hours.
		ParamExecutionTimeout: {"7200"},
	}
	with := func(extra map[string][]string) map[string][]string {
		out := map[string][]string{}
		for k, v := range common {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name       string
		state      func(t *testing.T) investigation.State
		wantDoc    string
		wantStep   string
		wantParams map[string][]string
	}{
		{
			name:     "disk",
			state:    func(*testing.T) investigation.State { return diskReady() },
			wantDoc:  "casefile-disk",
			wantStep: StepStartDiskForensics,
			wantParams: with(map[string][]string{
				ParamResultsPrefix: {"cases/case-42/disk/"},
				ParamVolumeIDs:     {"vol-000000000000000e1,vol-000000000000000e2"},
			}),
		},
		{
			name:     "memory",
			state:    memoryReady,
			wantDoc:  "casefile-memory",
			wantStep: StepStartMemoryForensics,
			wantParams: with(map[string][]string{
				ParamResultsPrefix:   {"cases/case-42/memory/"},
				ParamDumpS3URI:       {"s3://casefile-evidence/case-42/mem.lime"},
				ParamDumpSHA256:      {dumpSHA},
				ParamDumpSizeBytes:   {"4294967296"},
				ParamDumpFormat:      {"lime"},
				ParamOperatingSystem: {"linux"},
				ParamKernelRelease:   {"6.1.0-28-cloud-amd64"},
				ParamSymbolsS3URI:    {symbols},
				ParamScratchVolumeID: {scratchVolume},
			}),
		},
		{
			name:     "windows memory: no kernel release",
			state:    windowsMemoryReady,
			wantDoc:  "casefile-memory",
			wantStep: StepStartMemoryForensics,
			wantParams: with(map[string][]string{
				ParamResultsPrefix:   {"cases/case-42/memory/"},
				ParamDumpS3URI:       {"s3://casefile-evidence/case-42/mem.dmp"},
				ParamDumpSHA256:      {dumpSHA},
				ParamDumpSizeBytes:   {"8589934592"},
				ParamDumpFormat:      {"crashdump"},
				ParamOperatingSystem: {"windows"},
				ParamSymbolsS3URI:    {symbols},
				ParamScratchVolumeID: {scratchVolume},
			}),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, ec2, rec := &fakeSSM{commandID: "cmd-forensics"}, newFakeEC2(), &fakeRecorder{}
			s := &Starter{SSM: fake, EC2: ec2, Recorder: rec, Config: testStartConfig(), Now: testClock}

			got, err := s.Handle(context.Background(), tt.state(t))
			require.NoError(t, err)

			assert.Equal(t, &investigation.Command{CommandID: "cmd-forensics", DocumentName: tt.wantDoc, Status: investigation.PollPending}, got.Command)
			require.Len(t, fake.sent, 1)
			in := fake.sent[0]
			assert.Equal(t, tt.wantDoc, aws.ToString(in.DocumentName))
			assert.Equal(t, []string{testInstance}, in.InstanceIds)
			assert.Equal(t, tt.wantParams, in.Parameters)
			assert.Equal(t, "casefile-results", aws.ToString(in.OutputS3BucketName))
			assert.Equal(t, "cases/case-42/ssm/", aws.ToString(in.OutputS3KeyPrefix))
			assert.Equal(t, int32(600), aws.ToInt32(in.TimeoutSeconds), "delivery timeout")
			require.NotNil(t, in.CloudWatchOutputConfig)
			assert.False(t, in.CloudWatchOutputConfig.CloudWatchOutputEnabled, "CloudWatch output")

			assert.Equal(t, []string{"command-sent"}, rec.actions())
			assert.Equal(t, tt.wantStep, rec.events[0].Step)
			assert.Equal(t, "cmd-forensics", rec.events[0].Resources["commandId"])
			if tt.wantParams[ParamDumpS3URI] != nil {
				for _, p := range []string{ParamDumpS3URI, ParamDumpSHA256, ParamDumpSizeBytes} {
					assert.Equal(t, tt.wantParams[p][0], rec.events[0].Resources[p], "custody event's %s: what the script checks the dump against", p)
				}
				assert.Equal(t, scratchVolume, rec.events[0].Resources[ParamScratchVolumeID], "custody event's scratch volume")
				require.Len(t, ec2.described, 1, "instances described")
				assert.Equal(t, []string{testInstance}, ec2.described[0].InstanceIds, "instance described")
			} else {
				assert.Empty(t, ec2.described, "a disk case has no scratch volume to find")
				assert.NotContains(t, rec.events[0].Resources, ParamScratchVolumeID, "custody event")
			}
			require.Len(t, rec.updates, 1)
			assert.Equal(t, "cmd-forensics", rec.updates[0].CommandID)
			assert.Empty(t, rec.updates[0].Status, "status is left as it is")
		})
	}
}

func TestStartForensicsRetryReusesTheCommand(t *testing.T) {
	tests := []struct {
		name     string
		commands []types.Command
		wantID   string
		wantSent int
	}{
		{
			name:     "earlier command in progress",
			commands: []types.Command{{CommandId: aws.String("cmd-probe"), DocumentName: aws.String(probeDoc), Status: types.CommandStatusSuccess}, {CommandId: aws.String("cmd-first"), DocumentName: aws.String("casefile-disk"), Status: types.CommandStatusInProgress}},
			wantID:   "cmd-first",
		},
		{
			name:     "earlier command failed",
			commands: []types.Command{{CommandId: aws.String("cmd-first"), DocumentName: aws.String("casefile-disk"), Status: types.CommandStatusFailed}},
			wantID:   "cmd-new",
			wantSent: 1,
		},
		{
			name:     "only the probe ran",
			commands: []types.Command{{CommandId: aws.String("cmd-probe"), DocumentName: aws.String(probeDoc), Status: types.CommandStatusSuccess}},
			wantID:   "cmd-new",
			wantSent: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := &fakeSSM{commandID: "cmd-new", commands: tt.commands}, &fakeRecorder{}
			s := &Starter{SSM: fake, Recorder: rec, Config: testStartConfig(), Now: testClock}

			got, err := s.Handle(context.Background(), diskReady())
			require.NoError(t, err)

			assert.Equal(t, tt.wantID, got.Command.CommandID, "command of the case")
			assert.Len(t, fake.sent, tt.wantSent, "commands sent")
			require.Len(t, fake.listed, 1)
			assert.Equal(t, testInstance, aws.ToString(fake.listed[0].InstanceId), "commands listed for")
		})
	}
}

func TestStartForensicsFails(t *testing.T) {
	tests := []struct {
		name string
		ssm  *fakeSSM
		// ec2 is the instance's EC2; nil means newFakeEC2.
		ec2       *fakeEC2
		config    func(c *StartConfig)
		state     func(t *testing.T) investigation.State
		wantInMsg string
		// wantSent is how many SendCommand calls were tried.
		wantSent int
	}{
		{
			name:      "no results key configured",
			ssm:       &fakeSSM{commandID: "cmd-1"},
			config:    func(c *StartConfig) { c.ResultsKMSKeyARN = "" },
			state:     func(*testing.T) investigation.State { return diskReady() },
			wantInMsg: investigation.EnvResultsKMSKeyARN,
		},
		{
			name:      "no symbols configured for a memory case",
			ssm:       &fakeSSM{commandID: "cmd-1"},
			config:    func(c *StartConfig) { c.SymbolsS3URI = "" },
			state:     memoryReady,
			wantInMsg: investigation.EnvSymbolsS3URI,
		},
		{
			name:      "agent lost the instance",
			ssm:       &fakeSSM{sendErr: apiErr("InvalidInstanceId")},
			state:     func(*testing.T) investigation.State { return diskReady() },
			wantInMsg: "send casefile-disk to instance " + testInstance,
			wantSent:  1,
		},
		{
			name:      "document parameters refused",
			ssm:       &fakeSSM{sendErr: apiErr("InvalidParameters")},
			state:     memoryReady,
			wantInMsg: "InvalidParameters",
			wantSent:  1,
		},
		{
			name:      "listing fails",
			ssm:       &fakeSSM{listErr: apiErr("AccessDeniedException")},
			state:     func(*testing.T) investigation.State { return diskReady() },
			wantInMsg: "list the commands of instance " + testInstance,
		},
		{
			name:      "disk without volumes",
			ssm:       &fakeSSM{commandID: "cmd-1"},
			state:     func(*testing.T) investigation.State { return runningState() },
			wantInMsg: "no evidence volume",
		},
		{
			name: "memory request unreadable",
			ssm:  &fakeSSM{commandID: "cmd-1"},
			state: func(t *testing.T) investigation.State {
				st := memoryReady(t)
				st.Request = json.RawMessage(`{}`)
				return st
			},
			wantInMsg: "read the request",
		},
		{
			name:      "memory instance without a scratch volume",
			ssm:       &fakeSSM{commandID: "cmd-1"},
			ec2:       &fakeEC2{devices: map[string]map[string]string{testInstance: {"/dev/xvda": "vol-0000000000000000a"}}},
			state:     memoryReady,
			wantInMsg: "instance " + testInstance + " has no scratch volume at /dev/sdz",
		},
		{
			name:      "memory instance cannot be described",
			ssm:       &fakeSSM{commandID: "cmd-1"},
			ec2:       &fakeEC2{err: apiErr("UnauthorizedOperation")},
			state:     memoryReady,
			wantInMsg: "describe instance " + testInstance + " for its scratch volume: api error UnauthorizedOperation",
		},
		{
			name: "no instance",
			ssm:  &fakeSSM{commandID: "cmd-1"},
			state: func(*testing.T) investigation.State {
				st := diskReady()
				st.Instance = nil
				return st
			},
			wantInMsg: "no forensic instance",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &fakeRecorder{}
			cfg := testStartConfig()
			if tt.config != nil {
				tt.config(&cfg)
			}
			ec2 := tt.ec2
			if ec2 == nil {
				ec2 = newFakeEC2()
			}
			s := &Starter{SSM: tt.ssm, EC2: ec2, Recorder: rec, Config: cfg, Now: testClock}

			got, err := s.Handle(context.Background(), tt.state(t))

			require.Error(t, err)
			assert.Len(t, tt.ssm.sent, tt.wantSent, "commands sent")
			assert.Equal(t, investigation.ReasonCommandStart, reasonOf(err), "reason of %v", err)
			assert.ErrorContains(t, err, tt.wantInMsg)
			assert.Nil(t, got.Command, "command in the state")
			assert.Empty(t, rec.events, "events")
		})
	}
}

func TestStartForensicsTimeoutIsClamped(t *testing.T) {
	tests := []struct {
		configured time.Duration
		want       string
	}{
		{configured: 0, want: "3600"},
		{configured: time.Second, want: "10"},
		{configured: time.Hour, want: "3600"},
		{configured: 90 * 24 * time.Hour, want: "172800"},
	}
	for _, tt := range tests {
		t.Run(tt.configured.String(), func(t *testing.T) {
			fake := &fakeSSM{commandID: "cmd-1"}
			cfg := testStartConfig()
			cfg.CommandTimeout = tt.configured
			s := &Starter{SSM: fake, Recorder: &fakeRecorder{}, Config: cfg, Now: testClock}

			_, err := s.Handle(context.Background(), diskReady())
			require.NoError(t, err)

			require.Len(t, fake.sent, 1)
			assert.Equal(t, []string{tt.want}, fake.sent[0].Parameters[ParamExecutionTimeout], "the documents' run limit")
			assert.Equal(t, int32(600), aws.ToInt32(fake.sent[0].TimeoutSeconds), "the delivery timeout does not follow it")
		})
	}
}

// TestStartForensicsTimeoutScalesWithTheEvidence: the run limit grows by
// the configured seconds per GiB of evidence, within the cap and the
// documents' 48 hours, and is recorded in the custody log.
func TestStartForensicsTimeoutScalesWithTheEvidence(t *testing.T) {
	diskOf := func(t *testing.T, sizes ...int32) investigation.State {
		var snaps []investigation.Snapshot
		for i, size := range sizes {
			snaps = append(snaps, investigation.Snapshot{SnapshotID: fmt.Sprintf("snap-0a1b2c3d4e5f6071%d", i),
				SourceVolumeID: fmt.Sprintf("vol-0a1b2c3d4e5f6071%d", i), SizeGiB: size})
		}
		raw, err := json.Marshal(investigation.Request{
			ForensicID: "case-42", ForensicType: investigation.ForensicTypeDisk,
			Resource: investigation.Resource{AccountID: "444455556666", Region: "eu-west-1", InstanceID: "i-0123456789abcdef0"},
			Disk:     &investigation.DiskEvidence{Snapshots: snaps},
		})
		require.NoError(t, err)
		st := diskReady()
		st.Request = raw
		return st
	}
	tests := []struct {
		name    string
		state   func(t *testing.T) investigation.State
		perGiB  int
		ceiling time.Duration
		want    string
	}{
		{name: "disks of 8 and 100 GiB at 20 s per GiB", state: func(t *testing.T) investigation.State { return diskOf(t, 8, 100) },
			perGiB: 20, want: "9360"}, // 7200 + 108 × 20
		{name: "a 4 GiB dump", state: memoryReady, perGiB: 30, want: "7320"}, // 7200 + 4 × 30
		{name: "capped by the workflow's checks", state: func(t *testing.T) investigation.State { return diskOf(t, 4000) },
			perGiB: 20, ceiling: 10 * time.Hour, want: "36000"},
		{name: "capped at the documents' 48 hours", state: func(t *testing.T) investigation.State { return diskOf(t, 16000) },
			perGiB: 60, want: "172800"},
		{name: "no scaling configured", state: func(t *testing.T) investigation.State { return diskOf(t, 4000) },
			perGiB: 0, want: "7200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, rec := &fakeSSM{commandID: "cmd-1"}, &fakeRecorder{}
			ec2 := &fakeEC2{devices: map[string]map[string]string{testInstance: {investigation.ScratchDeviceName: "vol-0000000000000000c"}}}
			cfg := testStartConfig()
			cfg.CommandSecondsPerGiB, cfg.MaxCommandTimeout = tt.perGiB, tt.ceiling
			s := &Starter{SSM: fake, EC2: ec2, Recorder: rec, Config: cfg, Now: testClock}

			_, err := s.Handle(context.Background(), tt.state(t))

			require.NoError(t, err)
			require.Len(t, fake.sent, 1)
			assert.Equal(t, []string{tt.want}, fake.sent[0].Parameters[ParamExecutionTimeout])
			require.NotEmpty(t, rec.events)
			assert.Equal(t, tt.want, rec.events[0].Resources[ParamExecutionTimeout], "run limit in the custody log")
		})
	}
}

func TestStartForensicsScalingNeedsAReadableRequest(t *testing.T) {
	fake := &fakeSSM{commandID: "cmd-1"}
	cfg := testStartConfig()
	cfg.CommandSecondsPerGiB = 20
	s := &Starter{SSM: fake, Recorder: &fakeRecorder{}, Config: cfg, Now: testClock}

	_, err := s.Handle(context.Background(), diskReady()) // request {}

	var f *investigation.Failure
	require.ErrorAs(t, err, &f)
	assert.Equal(t, investigation.ReasonCommandStart, f.Reason)
	assert.Empty(t, fake.sent, "nothing sent")
}
