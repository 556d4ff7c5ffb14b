package forensics

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

// AgentLister reads the SSM agent's registration of an instance.
type AgentLister interface {
	DescribeInstanceInformation(ctx context.Context, in *ssm.DescribeInstanceInformationInput, optFns ...func(*ssm.Options)) (*ssm.DescribeInstanceInformationOutput, error)
}

// agentPing returns the SSM agent's PingStatus for the instance, or "" when
// the agent has not registered it yet.
func agentPing(ctx context.Context, api AgentLister, instanceID string) (types.PingStatus, error) {
	out, err := api.DescribeInstanceInformation(ctx, &ssm.DescribeInstanceInformationInput{
		Filters: []types.InstanceInformationStringFilter{{
			Key:    aws.String("InstanceIds"),
			Values: []string{instanceID},
		}},
	})
	if err != nil {
		return "", fmt.Errorf("describe SSM agent of instance %s: %w", instanceID, err)
	}
	for _, info := range out.InstanceInformationList {
		if aws.ToString(info.InstanceId) == instanceID {
			return info.PingStatus, nil
		}
	}
	return "", nil
}
