package forensichost_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	dynamodbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/test/localaws/fixture"
	"github.com/casefile-forensics/casefile/test/localaws/forensichost"
)

// TestFaultsAnswerInTheProtocolOfTheCall checks that the SDK reads the
// injected error's code for each protocol the handlers use: JSON
// (DynamoDB, SSM), EC2's query errors, the wrapped query errors (SNS) and
// REST-XML (S3).
func TestFaultsAnswerInTheProtocolOfTheCall(t *testing.T) {
	h, _, proxied := start(t)
	ctx := context.Background()
	tests := []struct {
		service, operation, code string
		call                     func(c fixture.Clients) error
	}{
		{"dynamodb", "PutItem", "AccessDeniedException", func(c fixture.Clients) error {
			_, err := c.DynamoDB.PutItem(ctx, putItem("t"))
			return err
		}},
		{"ssm", "SendCommand", "InvalidDocument", func(c fixture.Clients) error {
			_, err := c.SSM.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: aws.String("Echo")})
			return err
		}},
		{"ec2", "RunInstances", "UnauthorizedOperation", func(c fixture.Clients) error {
			_, err := c.EC2.RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
			return err
		}},
		{"sns", "Publish", "AuthorizationError", func(c fixture.Clients) error {
			_, err := c.SNS.Publish(ctx, &sns.PublishInput{Message: aws.String("m"), TopicArn: aws.String("arn:aws:sns:eu-west-1:123456789012:t")})
			return err
		}},
		{"s3", "ListObjectsV2", "AccessDenied", func(c fixture.Clients) error {
			_, err := c.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("b")})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.service+" "+tc.operation, func(t *testing.T) {
			h.Inject(forensichost.Fault{Service: tc.service, Operation: tc.operation, Code: tc.code, Message: "injected", Times: 1})
			err := tc.call(proxied)
			var api smithy.APIError
			require.ErrorAs(t, err, &api, "an API error: %v", err)
			assert.Equal(t, tc.code, api.ErrorCode(), "error code")
			assert.Equal(t, 1, h.FaultHits(tc.service, tc.operation), "fault hits")
		})
	}
}

func TestAFaultCanBeLimitedToADocumentOrABody(t *testing.T) {
	h, _, proxied := start(t)
	ctx := context.Background()
	h.Inject(forensichost.Fault{Service: "ssm", Operation: "SendCommand", Document: "Other", Code: "InvalidDocument", Times: 1})
	h.Inject(forensichost.Fault{Service: "dynamodb", Operation: "PutItem", BodyContains: "chosen", Code: "AccessDeniedException", Times: 1})

	_, err := proxied.SSM.SendCommand(ctx, &ssm.SendCommandInput{DocumentName: aws.String("Other")})
	assert.ErrorContains(t, err, "InvalidDocument", "the fault's document")
	assert.Equal(t, 1, h.FaultHits("ssm", "SendCommand"))
	_, err = proxied.DynamoDB.PutItem(ctx, putItem("another"))
	assert.NotContains(t, errorCode(err), "AccessDeniedException", "another body passes")
	_, err = proxied.DynamoDB.PutItem(ctx, putItem("chosen"))
	assert.Equal(t, "AccessDeniedException", errorCode(err), "the fault's body")
}

func TestAHungCallLastsUntilTheCallerGivesUp(t *testing.T) {
	h, _, proxied := start(t)
	h.Inject(forensichost.Fault{Service: "ec2", Operation: "DescribeVolumes", Hang: true, Times: 1})

	started := time.Now() // before the deadline starts, so that a held call cannot measure less than it
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := proxied.EC2.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the caller's deadline ends the call")
	assert.GreaterOrEqual(t, time.Since(started), 300*time.Millisecond, "the call was held")
	assert.Equal(t, 1, h.FaultHits("ec2", "DescribeVolumes"))

	_, err = proxied.EC2.DescribeVolumes(context.Background(), &ec2.DescribeVolumesInput{})
	assert.NoError(t, err, "the next call is answered")
}

func putItem(table string) *dynamodb.PutItemInput {
	return &dynamodb.PutItemInput{TableName: aws.String(table),
		Item: map[string]dynamodbtypes.AttributeValue{"pk": &dynamodbtypes.AttributeValueMemberS{Value: "x"}}}
}

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}
