package forensichost_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
	"github.com/casefile-forensics/casefile/test/localaws/moto"
)

const region = "eu-west-1"

// echoDocument declares Echo's parameters as SSM would read them: message
// is required, exitCode has a default.
const echoDocument = `{
  "schemaVersion": "2.2",
  "description": "Prints a message and exits with a code.",
  "parameters": {
    "message": {"type": "String", "allowedPattern": "^[a-z]{1,20}$"},
    "exitCode": {"type": "String", "allowedPattern": "^[0-9]$", "default": "0"}
  },
  "mainSteps": [{"action": "aws:runShellScript", "name": "echo",
    "inputs": {"runCommand": ["echo {{ message }}; exit {{ exitCode }}"]}}]
}`

// start runs moto and a host whose document "Echo" prints its parameter
// and exits with the code it is given; Echo is registered in moto.
func start(t *testing.T) (*forensichost.Host, fixture.Clients, fixture.Clients) {
	t.Helper()
	if err := moto.Available(); err != nil {
		testenv.Missing(t, "%v", err)
	}
	ctx := context.Background()
	srv, err := moto.Start(ctx, t.TempDir())
	require.NoError(t, err)
	t.Cleanup(srv.Stop)
	direct, err := fixture.NewClients(ctx, srv.URL, region)
	require.NoError(t, err)
	_, err = direct.SSM.CreateDocument(ctx, &ssm.CreateDocumentInput{
		Name: aws.String("Echo"), Content: aws.String(echoDocument),
		DocumentType: ssmtypes.DocumentTypeCommand, DocumentFormat: ssmtypes.DocumentFormatJson,
	})
	require.NoError(t, err)
	echo := func(_ context.Context, cmd forensichost.Command, stdout, _ io.Writer) (int, error) {
		fmt.Fprintf(stdout, "said %s", cmd.Param("message"))
		var code int
		_, _ = fmt.Sscan(cmd.Param("exitCode"), &code)
		return code, nil
	}
	h, err := forensichost.Start(forensichost.Options{
		Upstream: srv.URL, EC2: direct.EC2, S3: direct.S3, AgentRegistrationChecks: 1, StatusWait: 5 * time.Second,
		Documents: map[string]forensichost.Document{"Echo": {Step: "echo", Run: echo}},
	})
	require.NoError(t, err)
	t.Cleanup(h.Close)
	proxied, err := fixture.NewClients(ctx, h.URL(), region)
	require.NoError(t, err)
	return h, direct, proxied
}

func launch(t *testing.T, c fixture.Clients) string {
	t.Helper()
	ctx := context.Background()
	_, err := c.IAM.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("p")})
	require.NoError(t, err)
	img, err := c.EC2.RegisterImage(ctx, &ec2.RegisterImageInput{Name: aws.String("img"), RootDeviceName: aws.String("/dev/xvda")})
	require.NoError(t, err)
	out, err := c.EC2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: img.ImageId, MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Small,
		IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("p")},
	})
	require.NoError(t, err)
	return aws.ToString(out.Instances[0].InstanceId)
}

func apiCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func TestAgent(t *testing.T) {
	_, direct, proxied := start(t)
	ctx := context.Background()
	id := launch(t, direct)

	info, err := proxied.SSM.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
		Filters: []ssmtypes.InstanceInformationStringFilter{{Key: aws.String("InstanceIds"), Values: []string{id}}},
	})
	require.NoError(t, err)
	assert.Empty(t, info.InstanceInformationList, "the agent has not registered at the first look")

	info, err = proxied.SSM.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
		Filters: []ssmtypes.InstanceInformationStringFilter{{Key: aws.String("InstanceIds"), Values: []string{id}}},
	})
	require.NoError(t, err)
	require.Len(t, info.InstanceInformationList, 1)
	assert.Equal(t, ssmtypes.PingStatusOnline, info.InstanceInformationList[0].PingStatus)

	_, err = proxied.SSM.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: aws.String("Unknown"), InstanceIds: []string{id}})
	assert.Equal(t, "InvalidDocument", apiCode(err), "a document the host cannot run: %v", err)

	tests := []struct {
		name       string
		exitCode   string
		wantStatus ssmtypes.CommandInvocationStatus
		wantCode   int32
	}{
		{name: "success", exitCode: "0", wantStatus: ssmtypes.CommandInvocationStatusSuccess},
		{name: "failure", exitCode: "3", wantStatus: ssmtypes.CommandInvocationStatusFailed, wantCode: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sent, err := proxied.SSM.SendCommand(ctx, &ssm.SendCommandInput{
				DocumentName: aws.String("Echo"), InstanceIds: []string{id},
				Parameters: map[string][]string{"message": {"hello"}, "exitCode": {tc.exitCode}},
			})
			require.NoError(t, err)
			assert.Equal(t, ssmtypes.CommandStatusPending, sent.Command.Status, "a sent command is pending")
			inv, err := proxied.SSM.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{
				CommandId: sent.Command.CommandId, InstanceId: aws.String(id),
			})
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, inv.Status, "status")
			assert.Equal(t, tc.wantCode, inv.ResponseCode, "response code")
			assert.Equal(t, "said hello", aws.ToString(inv.StandardOutputContent), "stdout")

			_, err = proxied.SSM.GetCommandInvocation(ctx, &ssm.GetCommandInvocationInput{
				CommandId: sent.Command.CommandId, InstanceId: aws.String("i-0000000000000000f"),
			})
			assert.Equal(t, "InvocationDoesNotExist", apiCode(err), "another instance: %v", err)
		})
	}
}

func TestSendCommandBeforeRegistration(t *testing.T) {
	_, direct, proxied := start(t)
	id := launch(t, direct)
	_, err := proxied.SSM.SendCommand(context.Background(), &ssm.SendCommandInput{
		DocumentName: aws.String("Echo"), InstanceIds: []string{id}, Parameters: map[string][]string{"message": {"hi"}},
	})
	assert.Equal(t, "InvalidInstanceId", apiCode(err), "an agent that has not registered: %v", err)
}

func TestFault(t *testing.T) {
	h, _, proxied := start(t)
	ctx := context.Background()
	h.Inject(forensichost.Fault{Service: "ec2", Operation: "DescribeVolumes", Code: "RequestLimitExceeded", Message: "slow down", Times: 1})

	_, err := proxied.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{}, func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
	assert.Equal(t, "RequestLimitExceeded", apiCode(err), "the injected fault: %v", err)
	_, err = proxied.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	assert.NoError(t, err, "the fault applies once")
	assert.Equal(t, 1, h.FaultHits("ec2", "DescribeVolumes"))
}

// TestSendCommandChecksParameters sends commands whose parameters the
// registered document refuses: SSM answers InvalidParameters and runs
// nothing.
func TestSendCommandChecksParameters(t *testing.T) {
	h, direct, proxied := start(t)
	ctx := context.Background()
	id := launch(t, direct)
	_, err := proxied.SSM.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{})
	require.NoError(t, err, "the agent's first look")

	tests := []struct {
		name    string
		doc     string
		params  map[string][]string
		wantErr string // the error code; "" for none
		wantMsg string
	}{
		{name: "value outside allowedPattern", doc: "Echo", params: map[string][]string{"message": {"hello world"}},
			wantErr: "InvalidParameters", wantMsg: `"message" value "hello world"`},
		{name: "quote in a value", doc: "Echo", params: map[string][]string{"message": {"a'b"}},
			wantErr: "InvalidParameters", wantMsg: "^[a-z]{1,20}$"},
		{name: "undeclared parameter", doc: "Echo", params: map[string][]string{"message": {"hi"}, "extra": {"x"}},
			wantErr: "InvalidParameters", wantMsg: `"extra" is not defined`},
		{name: "required parameter missing", doc: "Echo", params: map[string][]string{"exitCode": {"0"}},
			wantErr: "InvalidParameters", wantMsg: `"message" is required`},
		{name: "two values for a String", doc: "Echo", params: map[string][]string{"message": {"a", "b"}},
			wantErr: "InvalidParameters", wantMsg: "takes one value"},
		{name: "default stands for a missing parameter", doc: "Echo", params: map[string][]string{"message": {"hi"}}},
		{name: "document the host runs but SSM does not hold", doc: "Unregistered", params: nil, wantErr: "InvalidDocument"},
	}
	h.SetDocuments(map[string]forensichost.Document{
		"Echo":         {Step: "echo", Run: func(context.Context, forensichost.Command, io.Writer, io.Writer) (int, error) { return 0, nil }},
		"Unregistered": {Step: "echo", Run: func(context.Context, forensichost.Command, io.Writer, io.Writer) (int, error) { return 0, nil }},
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(h.Commands())
			_, err := proxied.SSM.SendCommand(ctx, &ssm.SendCommandInput{
				DocumentName: aws.String(tc.doc), DocumentVersion: aws.String("$LATEST"), InstanceIds: []string{id}, Parameters: tc.params,
			})
			if tc.wantErr == "" {
				require.NoError(t, err)
				assert.Len(t, h.Commands(), before+1, "the command runs")
				return
			}
			assert.Equal(t, tc.wantErr, apiCode(err), "error of %v", err)
			assert.ErrorContains(t, err, tc.wantMsg)
			assert.Len(t, h.Commands(), before, "nothing runs")
		})
	}
}
