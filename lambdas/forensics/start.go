package forensics

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Custody-log names of the two start steps.
const (
	StepStartDiskForensics   = "StartDiskForensics"
	StepStartMemoryForensics = "StartMemoryForensics"
)

// DefaultCommandTimeout is how long the forensics may run when no limit is
// configured.
const DefaultCommandTimeout = time.Hour

// The documents' executionTimeout admits 10 seconds to 48 hours, the range
// of an aws:runShellScript step's timeoutSeconds.
const (
	minCommandTimeout = 10 * time.Second
	maxCommandTimeout = 48 * time.Hour
)

// deliveryTimeout is how long SSM may take to deliver a forensics command
// (SendCommand's TimeoutSeconds). The readiness check has just run the
// probe through the agent, so delivery is quick or not at all.
const deliveryTimeout = 10 * time.Minute

// CommandSender is the part of the SSM API that Starter calls.
type CommandSender interface {
	ListCommands(ctx context.Context, in *ssm.ListCommandsInput, optFns ...func(*ssm.Options)) (*ssm.ListCommandsOutput, error)
	SendCommand(ctx context.Context, in *ssm.SendCommandInput, optFns ...func(*ssm.Options)) (*ssm.SendCommandOutput, error)
}

// InstanceDescriber is the part of the EC2 API that Starter calls: it finds
// the scratch volume of a MEMORY case's instance.
type InstanceDescriber interface {
	DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
}

// StartConfig names the documents and where their results go.
type StartConfig struct {
	DiskDocument   string
	MemoryDocument string
	// ResultsBucket receives the results and the command output.
	ResultsBucket string
	// ResultsKMSKeyARN encrypts what the documents upload.
	ResultsKMSKeyARN string
	// SymbolsS3URI is where the Volatility symbol tables are.
	SymbolsS3URI string
	// CommandTimeout is how long the forensics may run on the instance
	// before the agent stops them (the documents' executionTimeout, which
	// their step's timeoutSeconds reads), kept within 10 s to 48 h; zero
	// means DefaultCommandTimeout.
	CommandTimeout time.Duration
	// CommandSecondsPerGiB is added to CommandTimeout for each GiB of the
	// case's evidence (investigation.Request.EvidenceGiB), so that a large
	// disk or dump gets the time reading it takes; 0 means no scaling.
	CommandSecondsPerGiB int
	// MaxCommandTimeout caps the scaled run limit (the workflow's command
	// checks must outlast it); zero means the documents' limit, 48 hours.
	MaxCommandTimeout time.Duration
}

// Starter is the StartDiskForensics and StartMemoryForensics step: it sends
// the document of the case's forensic type to the forensic instance.
type Starter struct {
	SSM      CommandSender
	EC2      InstanceDescriber
	Recorder Recorder
	Config   StartConfig
	// Now is the clock of the custody log; nil means time.Now.
	Now func() time.Time
}

// Handle starts the forensics command and sets st.Command (PENDING, no
// attempts yet). Any failure is COMMAND_START_FAILED.
func (s *Starter) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	if st.Instance == nil || st.Instance.InstanceID == "" {
		return st, investigation.Fail(investigation.ReasonCommandStart, "state names no forensic instance")
	}
	doc, step, params, err := s.command(ctx, st)
	if err != nil {
		return st, err
	}
	instance := st.Instance.InstanceID

	id, err := s.running(ctx, instance, doc)
	if err != nil {
		return st, err
	}
	reused := id != ""
	if !reused {
		if id, err = s.send(ctx, st, doc, params); err != nil {
			return st, err
		}
	}
	st.Command = &investigation.Command{CommandID: id, DocumentName: doc, Status: investigation.PollPending}
	slog.InfoContext(ctx, "forensics command started", "forensicId", st.ForensicID,
		"instanceId", instance, "documentName", doc, "commandId", id, "reused", reused)

	action, detail := "command-sent", strings.ToLower(string(st.ForensicType))+" forensics started; output under "+investigation.CommandOutputPrefix(st.ForensicID)
	if reused {
		action, detail = "command-reused", "a retry found the command an earlier attempt sent"
	}
	resources := map[string]string{"instanceId": instance, "commandId": id, "documentName": doc}
	// What the memory script checks the dump against before it reads it
	// (results.json records what it found), and the scratch volume it
	// copies the dump onto.
	for _, p := range []string{ParamDumpS3URI, ParamDumpSHA256, ParamDumpSizeBytes, ParamScratchVolumeID, ParamExecutionTimeout} {
		if v, ok := params[p]; ok && len(v) == 1 {
			resources[p] = v[0]
		}
	}
	trail := newCustody(s.Recorder, s.Now, st, step)
	if err := trail.Record(ctx, action, resources, detail); err != nil {
		return st, err
	}
	return st, trail.Update(ctx, caserecords.InvestigationUpdate{CommandID: id})
}

// command picks the document, custody step and parameters for st's type.
func (s *Starter) command(ctx context.Context, st investigation.State) (doc, step string, params map[string][]string, err error) {
	if s.Config.ResultsKMSKeyARN == "" {
		return "", "", nil, investigation.Fail(investigation.ReasonCommandStart, "no results KMS key configured (%s)", investigation.EnvResultsKMSKeyARN)
	}
	req, err := s.request(st)
	if err != nil {
		return "", "", nil, err
	}
	gib := int64(0)
	if s.Config.CommandSecondsPerGiB > 0 {
		gib = req.EvidenceGiB()
	}
	params = map[string][]string{
		ParamForensicID:       {st.ForensicID},
		ParamResultsBucket:    {s.Config.ResultsBucket},
		ParamResultsPrefix:    {investigation.ResultsPrefix(st.ForensicID, st.ForensicType)},
		ParamKMSKeyARN:        {s.Config.ResultsKMSKeyARN},
		ParamExecutionTimeout: {strconv.Itoa(int(s.timeout(gib).Seconds()))},
	}
	switch st.ForensicType {
	case investigation.ForensicTypeDisk:
		if len(st.Volumes) == 0 {
			return "", "", nil, investigation.Fail(investigation.ReasonCommandStart, "state lists no evidence volume for case %s", st.ForensicID)
		}
		ids := make([]string, 0, len(st.Volumes))
		for _, v := range st.Volumes {
			ids = append(ids, v.VolumeID)
		}
		params[ParamVolumeIDs] = []string{strings.Join(ids, ",")}
		return s.Config.DiskDocument, StepStartDiskForensics, params, nil
	case investigation.ForensicTypeMemory:
		if req.Memory == nil {
			return "", "", nil, investigation.Fail(investigation.ReasonCommandStart, "request of case %s has no memory evidence", st.ForensicID)
		}
		if s.Config.SymbolsS3URI == "" {
			return "", "", nil, investigation.Fail(investigation.ReasonCommandStart, "no symbol table location configured (%s)", investigation.EnvSymbolsS3URI)
		}
		params[ParamDumpS3URI] = []string{req.Memory.S3URI}
		params[ParamDumpSHA256] = []string{req.Memory.SHA256}
		params[ParamDumpSizeBytes] = []string{strconv.FormatInt(req.Memory.SizeBytes, 10)}
		params[ParamDumpFormat] = []string{req.Memory.Format}
		params[ParamOperatingSystem] = []string{req.Memory.OS()}
		if req.Memory.KernelRelease != "" {
			// A Windows dump has none: the document's default is empty.
			params[ParamKernelRelease] = []string{req.Memory.KernelRelease}
		}
		params[ParamSymbolsS3URI] = []string{s.Config.SymbolsS3URI}
		scratch, err := s.scratchVolume(ctx, st.Instance.InstanceID)
		if err != nil {
			return "", "", nil, err
		}
		params[ParamScratchVolumeID] = []string{scratch}
		return s.Config.MemoryDocument, StepStartMemoryForensics, params, nil
	default:
		return "", "", nil, investigation.Fail(investigation.ReasonCommandStart, "case %s has forensic type %q", st.ForensicID, st.ForensicType)
	}
}

// scratchVolume returns the ID of the scratch volume that the launch
// mapped at investigation.ScratchDeviceName on the instance.
func (s *Starter) scratchVolume(ctx context.Context, instance string) (string, error) {
	out, err := s.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{instance}})
	if err != nil {
		return "", investigation.Fail(investigation.ReasonCommandStart, "describe instance %s for its scratch volume: %w", instance, err)
	}
	for _, r := range out.Reservations {
		for _, inst := range r.Instances {
			if aws.ToString(inst.InstanceId) != instance {
				continue
			}
			for _, m := range inst.BlockDeviceMappings {
				if aws.ToString(m.DeviceName) == investigation.ScratchDeviceName && m.Ebs != nil && aws.ToString(m.Ebs.VolumeId) != "" {
					return aws.ToString(m.Ebs.VolumeId), nil
				}
			}
		}
	}
	return "", investigation.Fail(investigation.ReasonCommandStart,
		"instance %s has no scratch volume at %s: the memory dump would have nowhere to go (was the instance launched by this version of Casefile's CreateInstance?)",
		instance, investigation.ScratchDeviceName)
}

// request parses st's request when the command needs it (a MEMORY case's
// dump, or a run limit that follows the evidence); else it returns the
// zero Request.
func (s *Starter) request(st investigation.State) (investigation.Request, error) {
	if st.ForensicType != investigation.ForensicTypeMemory && s.Config.CommandSecondsPerGiB <= 0 {
		return investigation.Request{}, nil
	}
	req, err := investigation.ParseRequest(st.Request)
	if err != nil {
		return req, investigation.Fail(investigation.ReasonCommandStart, "read the request of case %s: %w", st.ForensicID, err)
	}
	return req, nil
}

// timeout is the run limit for gib GiB of evidence: the configured limit
// plus the configured seconds per GiB, within the cap and the documents'
// range.
func (s *Starter) timeout(gib int64) time.Duration {
	base := s.Config.CommandTimeout
	if base == 0 {
		base = DefaultCommandTimeout
	}
	ceiling := maxCommandTimeout
	if s.Config.MaxCommandTimeout > 0 {
		ceiling = min(ceiling, s.Config.MaxCommandTimeout)
	}
	// gib is at most 16 snapshots of 16 TiB: no overflow.
	scaled := base + time.Duration(gib)*time.Duration(s.Config.CommandSecondsPerGiB)*time.Second
	return min(max(scaled, minCommandTimeout), max(ceiling, minCommandTimeout))
}

// running returns the ID of a command of doc that an earlier attempt of
// this step already sent to the instance and that has not failed, or "".
// The instance belongs to one case and type, so such a command is ours;
// SendCommand has no idempotency token to do this for us.
func (s *Starter) running(ctx context.Context, instance, doc string) (string, error) {
	pages := ssm.NewListCommandsPaginator(s.SSM, &ssm.ListCommandsInput{InstanceId: aws.String(instance)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return "", investigation.Fail(investigation.ReasonCommandStart, "list the commands of instance %s: %w", instance, err)
		}
		for _, c := range out.Commands {
			if aws.ToString(c.DocumentName) != doc {
				continue
			}
			switch c.Status {
			case types.CommandStatusPending, types.CommandStatusInProgress, types.CommandStatusSuccess:
				return aws.ToString(c.CommandId), nil
			}
		}
	}
	return "", nil
}

// send sends doc to the instance with its output in the results bucket.
func (s *Starter) send(ctx context.Context, st investigation.State, doc string, params map[string][]string) (string, error) {
	instance := st.Instance.InstanceID
	out, err := s.SSM.SendCommand(ctx, &ssm.SendCommandInput{
		DocumentName: aws.String(doc),
		// The documents are updated as new versions; run the newest, not $DEFAULT.
		DocumentVersion:        aws.String("$LATEST"),
		InstanceIds:            []string{instance},
		Parameters:             params,
		OutputS3BucketName:     aws.String(s.Config.ResultsBucket),
		OutputS3KeyPrefix:      aws.String(investigation.CommandOutputPrefix(st.ForensicID)),
		TimeoutSeconds:         aws.Int32(int32(deliveryTimeout.Seconds())),
		CloudWatchOutputConfig: &types.CloudWatchOutputConfig{CloudWatchOutputEnabled: false},
		Comment:                aws.String(comment("forensics", st)),
	})
	if err != nil {
		// InvalidInstanceId is not "not yet" here: the readiness check
		// saw the agent Online and ran the probe through it.
		return "", investigation.Fail(investigation.ReasonCommandStart, "send %s to instance %s: %w", doc, instance, err)
	}
	if out.Command == nil || aws.ToString(out.Command.CommandId) == "" {
		return "", investigation.Fail(investigation.ReasonCommandStart, "send %s to instance %s: SSM returned no command ID", doc, instance)
	}
	return aws.ToString(out.Command.CommandId), nil
}
