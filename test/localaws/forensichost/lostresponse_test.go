package forensichost_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
)

// TestLostResponseAndClientToken loses the response of a CreateVolume that
// moto carried out: the SDK's retry carries the same client token and gets
// the first call's volume back, as from EC2, so only one volume exists.
// A call with another token makes another volume.
func TestLostResponseAndClientToken(t *testing.T) {
	h, direct, proxied := start(t)
	ctx := context.Background()
	h.LoseResponses(forensichost.LostResponse{Service: "ec2", Operation: "CreateVolume", Times: 1})

	create := func(token string) string {
		out, err := proxied.EC2.CreateVolume(ctx, &ec2.CreateVolumeInput{
			AvailabilityZone: aws.String(region + "a"), Size: aws.Int32(1), ClientToken: aws.String(token),
		})
		require.NoError(t, err, "CreateVolume with token %s (the SDK retries the lost response)", token)
		return aws.ToString(out.VolumeId)
	}
	first := create("token-1")
	assert.Equal(t, 1, h.LostResponseHits("ec2", "CreateVolume"), "responses lost")
	again := create("token-1")
	assert.Equal(t, first, again, "a call with the same client token gets the first volume")
	other := create("token-2")
	assert.NotEqual(t, first, other, "a call with another client token gets a new volume")

	vols, err := direct.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	require.NoError(t, err)
	var ids []string
	for _, v := range vols.Volumes {
		if v.State != ec2types.VolumeStateDeleted {
			ids = append(ids, aws.ToString(v.VolumeId))
		}
	}
	assert.ElementsMatch(t, []string{first, other}, ids, "volumes in moto: one per client token")
	assert.Equal(t, 2, h.CarriedOut("ec2", "CreateVolume"), "CreateVolume calls moto carried out")
	assert.Equal(t, 4, h.Calls("ec2", "CreateVolume"), "CreateVolume calls received, the SDK's retry included")

	h.Reset()
	assert.NotEqual(t, first, create("token-1"), "Reset forgets the client tokens")
}

// TestSecondAttachRefused: EC2 refuses to attach an attached volume again
// (moto would attach it again), which is what the SDK's retry of a lost
// AttachVolume response gets.
func TestSecondAttachRefused(t *testing.T) {
	_, direct, proxied := start(t)
	ctx := context.Background()
	instance := launch(t, direct)
	inst, err := direct.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{instance}})
	require.NoError(t, err)
	vol, err := direct.EC2.CreateVolume(ctx, &ec2.CreateVolumeInput{
		AvailabilityZone: inst.Reservations[0].Instances[0].Placement.AvailabilityZone, Size: aws.Int32(1),
	})
	require.NoError(t, err)
	attach := &ec2.AttachVolumeInput{VolumeId: vol.VolumeId, InstanceId: aws.String(instance), Device: aws.String("/dev/sdf")}

	_, err = proxied.EC2.AttachVolume(ctx, attach)
	require.NoError(t, err, "the first attachment")
	_, err = proxied.EC2.AttachVolume(ctx, attach)
	assert.Equal(t, "VolumeInUse", apiCode(err), "the second attachment: %v", err)
}
