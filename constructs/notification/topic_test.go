package notification_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/constructs/notification"
	"github.com/casefile-forensics/casefile/internal/cdktest"
)

// obj is a JSON object in a template matcher.
type obj = map[string]any

func TestNewTopic_EncryptedWithItsKeyAndTLSOnly(t *testing.T) {
	stack := cdktest.NewStack()
	topic := notification.NewTopic(stack, "Notifications", notification.Props{})
	template := assertions.Template_FromStack(stack, nil)

	cdktest.Check(t, func() {
		template.HasResourceProperties(jsii.String("AWS::SNS::Topic"), obj{
			"KmsMasterKeyId": stack.Resolve(topic.Key.KeyArn()),
			"TopicName":      assertions.Match_Absent(),
		})
	})
	cdktest.Check(t, func() {
		template.HasResourceProperties(jsii.String("AWS::KMS::Key"), obj{
			"EnableKeyRotation": true,
			"KeyPolicy": obj{"Statement": cdktest.ArrayWith(cdktest.Like(obj{
				"Effect":    "Allow",
				"Principal": obj{"Service": "sns.amazonaws.com"},
				"Action":    []any{"kms:GenerateDataKey", "kms:Decrypt"},
				"Condition": obj{"StringEquals": obj{"aws:SourceAccount": obj{"Ref": "AWS::AccountId"}}},
			}))},
		})
	})
	cdktest.Check(t, func() {
		template.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), obj{
			"Topics": []any{stack.Resolve(topic.Topic.TopicArn())},
			"PolicyDocument": obj{"Statement": cdktest.ArrayWith(cdktest.Like(obj{
				"Effect":    "Deny",
				"Condition": obj{"Bool": obj{"aws:SecureTransport": "false"}},
			}))},
		})
	})
}

func TestNewTopic_EmailSubscription(t *testing.T) {
	tests := []struct {
		name     string
		email    *string
		wantSubs int
	}{
		{name: "none without an address", email: nil, wantSubs: 0},
		{name: "one for an address", email: cdktest.Ptr("soc@example.com"), wantSubs: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			topic := notification.NewTopic(stack, "Notifications", notification.Props{Email: tt.email})
			template := assertions.Template_FromStack(stack, nil)

			cdktest.Check(t, func() {
				template.ResourceCountIs(jsii.String("AWS::SNS::Subscription"), jsii.Number(tt.wantSubs))
			})
			if tt.email != nil {
				cdktest.Check(t, func() {
					template.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), obj{
						"Protocol": "email",
						"Endpoint": *tt.email,
						"TopicArn": stack.Resolve(topic.Topic.TopicArn()),
					})
				})
			}
		})
	}
}

func TestNewTopic_EmailFromAParameter(t *testing.T) {
	stack := cdktest.NewStack()
	email := awscdk.NewCfnParameter(stack, jsii.String("Email"), nil).ValueAsString()

	notification.NewTopic(stack, "Notifications", notification.Props{Email: email})

	template := assertions.Template_FromStack(stack, nil)
	cdktest.Check(t, func() {
		template.HasResourceProperties(jsii.String("AWS::SNS::Subscription"), obj{
			"Protocol": "email",
			"Endpoint": obj{"Ref": "Email"},
		})
	})
}

func TestTopic_GrantPublish(t *testing.T) {
	stack := cdktest.NewStack()
	topic := notification.NewTopic(stack, "Notifications", notification.Props{})
	role := cdktest.NewGrantee(stack, "Publisher")

	topic.GrantPublish(role)

	template := assertions.Template_FromStack(stack, nil)
	want := []any{
		obj{"Effect": "Allow", "Action": "sns:Publish", "Resource": stack.Resolve(topic.Topic.TopicArn())},
		obj{"Effect": "Allow", "Action": []any{"kms:GenerateDataKey", "kms:Decrypt"}, "Resource": stack.Resolve(topic.Key.KeyArn())},
	}
	cdktest.CheckRolePolicy(t, template, stack.Resolve(role.RoleName()), want)
}

func TestNewTopic_InvalidPropsPanic(t *testing.T) {
	tests := []struct {
		name  string
		email string
	}{
		{name: "empty", email: ""},
		{name: "no at sign", email: "soc.example.com"},
		{name: "display name", email: "SOC <soc@example.com>"},
		{name: "two addresses", email: "a@example.com, b@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			want := `notification: Props.Email must be a bare e-mail address such as soc@example.com, got "` + tt.email + `"`
			assert.PanicsWithValue(t, want, func() {
				notification.NewTopic(stack, "Notifications", notification.Props{Email: &tt.email})
			})
		})
	}
}

func TestNewTopic_PassesAWSSolutionsChecks(t *testing.T) {
	stack := cdktest.NewStack()
	notification.NewTopic(stack, "Notifications", notification.Props{Email: cdktest.Ptr("soc@example.com")})

	cdktest.AssertNoNagFindings(t, stack)
}
