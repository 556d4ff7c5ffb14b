package forensichost_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestListCommandsByInstance sends a command to one of two instances:
// listing the other instance's commands finds none (moto would list it
// for both), listing the first's finds it once.
func TestListCommandsByInstance(t *testing.T) {
	_, direct, proxied := start(t)
	ctx := context.Background()
	first := launch(t, direct)
	inst, err := direct.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{first}})
	require.NoError(t, err)
	run, err := direct.EC2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: inst.Reservations[0].Instances[0].ImageId, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		InstanceType: ec2types.InstanceTypeT3Small, IamInstanceProfile: &ec2types.IamInstanceProfileSpecification{Name: aws.String("p")},
	})
	require.NoError(t, err)
	second := aws.ToString(run.Instances[0].InstanceId)
	for i := 0; i < 2; i++ { // the agents register at the second look
		_, err := proxied.SSM.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
			Filters: []ssmtypes.InstanceInformationStringFilter{{Key: aws.String("InstanceIds"), Values: []string{first, second}}},
		})
		require.NoError(t, err)
	}
	sent, err := proxied.SSM.SendCommand(ctx, &ssm.SendCommandInput{
		DocumentName: aws.String("Echo"), InstanceIds: []string{first}, Parameters: map[string][]string{"message": {"hello"}},
	})
	require.NoError(t, err)

	tests := []struct {
		name     string
		instance string
		want     []string
	}{
		{name: "the instance it was sent to", instance: first, want: []string{aws.ToString(sent.Command.CommandId)}},
		{name: "another instance", instance: second, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := proxied.SSM.ListCommands(ctx, &ssm.ListCommandsInput{InstanceId: aws.String(tc.instance)})
			require.NoError(t, err)
			var got []string
			for _, c := range out.Commands {
				got = append(got, aws.ToString(c.CommandId))
				assert.Equal(t, "Echo", aws.ToString(c.DocumentName), "document of %s", aws.ToString(c.CommandId))
				assert.Equal(t, []string{first}, c.InstanceIds, "instances of %s", aws.ToString(c.CommandId))
			}
			assert.Equal(t, tc.want, got, "commands listed for %s", tc.instance)
		})
	}
}
