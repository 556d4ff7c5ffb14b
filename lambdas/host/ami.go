package host

import (
	"context"
	"regexp"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// ParameterReader reads the SSM parameter that names the forensic AMI.
type ParameterReader interface {
	GetParameter(ctx context.Context, in *ssm.GetParameterInput, optFns ...func(*ssm.Options)) (*ssm.GetParameterOutput, error)
}

var amiIDPattern = regexp.MustCompile(`^ami-[0-9a-f]{8}([0-9a-f]{9})?$`)

// image is the forensic AMI: its ID and the device name and size of its
// root volume, which the launch needs to encrypt that volume with the case
// key.
type image struct {
	id         string
	rootDevice string
	// rootGiB is the root volume's size in the AMI, 0 when unknown.
	rootGiB int32
}

// forensicImage reads the AMI ID from the configured parameter and looks the
// image up. Any problem fails the case with AMI_UNAVAILABLE.
func (l *Launcher) forensicImage(ctx context.Context) (image, error) {
	param := l.Config.AMIParameter
	out, err := l.SSM.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(param)})
	if err != nil {
		return image{}, investigation.Fail(investigation.ReasonAMIUnavailable, "read AMI ID from SSM parameter %s: %w", param, err)
	}
	var id string
	if out.Parameter != nil {
		id = aws.ToString(out.Parameter.Value)
	}
	if !amiIDPattern.MatchString(id) {
		return image{}, investigation.Fail(investigation.ReasonAMIUnavailable,
			"SSM parameter %s holds %q, not an AMI ID such as ami-0123456789abcdef0", param, truncate(id))
	}

	imgs, err := l.EC2.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{id}})
	if err != nil {
		return image{}, investigation.Fail(investigation.ReasonAMIUnavailable, "describe AMI %s from SSM parameter %s: %w", id, param, err)
	}
	if len(imgs.Images) == 0 {
		return image{}, investigation.Fail(investigation.ReasonAMIUnavailable, "AMI %s from SSM parameter %s does not exist", id, param)
	}
	img := imgs.Images[0]
	if img.State != "" && img.State != types.ImageStateAvailable {
		return image{}, investigation.Fail(investigation.ReasonAMIUnavailable, "AMI %s from SSM parameter %s is %s, not available", id, param, img.State)
	}
	if aws.ToString(img.RootDeviceName) == "" {
		return image{}, investigation.Fail(investigation.ReasonAMIUnavailable, "AMI %s from SSM parameter %s names no root device", id, param)
	}
	found := image{id: id, rootDevice: aws.ToString(img.RootDeviceName)}
	for _, bdm := range img.BlockDeviceMappings {
		if aws.ToString(bdm.DeviceName) == found.rootDevice && bdm.Ebs != nil {
			found.rootGiB = aws.ToInt32(bdm.Ebs.VolumeSize)
		}
	}
	return found, nil
}

// truncate shortens untrusted text before it goes into a message.
func truncate(s string) string {
	const limit = 64
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
