package ec2isolation

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// instance is what the measures need to know of the instance to isolate.
type instance struct {
	id    string
	vpcID string
	spot  bool
	// interfaces are the instance's network interfaces, in device order.
	interfaces []networkInterface
	tags       map[string]string
}

type networkInterface struct {
	id     string
	groups []string
}

// describeInstance reads the instance. An instance that cannot be found,
// is gone, or cannot be described cannot be isolated at all.
func (iso *Isolator) describeInstance(ctx context.Context, id string) (instance, error) {
	out, err := iso.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return instance{}, fmt.Errorf("describe instance %s: %w", id, err)
	}
	for _, res := range out.Reservations {
		for _, in := range res.Instances {
			if aws.ToString(in.InstanceId) != id {
				continue
			}
			if in.State != nil && (in.State.Name == types.InstanceStateNameTerminated || in.State.Name == types.InstanceStateNameShuttingDown) {
				return instance{}, fmt.Errorf("instance %s is %s", id, in.State.Name)
			}
			return fromEC2(in), nil
		}
	}
	return instance{}, fmt.Errorf("instance %s not found", id)
}

func fromEC2(in types.Instance) instance {
	inst := instance{
		id:    aws.ToString(in.InstanceId),
		vpcID: aws.ToString(in.VpcId),
		spot:  in.InstanceLifecycle == types.InstanceLifecycleTypeSpot,
		tags:  map[string]string{},
	}
	for _, t := range in.Tags {
		inst.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	// Device order, so that the primary interface comes first.
	enis := slices.Clone(in.NetworkInterfaces)
	slices.SortStableFunc(enis, func(a, b types.InstanceNetworkInterface) int {
		return cmp.Compare(deviceIndex(a), deviceIndex(b))
	})
	for _, eni := range enis {
		ni := networkInterface{id: aws.ToString(eni.NetworkInterfaceId)}
		for _, g := range eni.Groups {
			ni.groups = append(ni.groups, aws.ToString(g.GroupId))
		}
		if inst.vpcID == "" {
			inst.vpcID = aws.ToString(eni.VpcId)
		}
		inst.interfaces = append(inst.interfaces, ni)
	}
	return inst
}

func deviceIndex(eni types.InstanceNetworkInterface) int32 {
	if eni.Attachment == nil {
		return 0
	}
	return aws.ToInt32(eni.Attachment.DeviceIndex)
}

// interfaceIDs lists the IDs of the instance's network interfaces.
func (inst instance) interfaceIDs() []string {
	ids := make([]string, 0, len(inst.interfaces))
	for _, ni := range inst.interfaces {
		ids = append(ids, ni.id)
	}
	return ids
}
