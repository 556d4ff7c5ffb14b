// Package notification defines the SNS topic that tells people and machines
// where an investigation's results are, or why it failed.
package notification

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Construct IDs of the children.
const (
	idKey   = "Key"
	idTopic = "Topic"
)

// Topic is the notification topic and the customer-managed KMS key that
// encrypts it. The topic policy denies every request not made over TLS.
type Topic struct {
	// Topic receives the success and failure notifications.
	Topic awssns.ITopic
	// Key encrypts the messages at rest. Its policy lets the account's IAM
	// policies grant its use, and lets SNS itself use it for this account.
	Key awskms.IKey
}

// NewTopic creates the key, the topic and, when props.Email is set, the
// e-mail subscription, under a construct named id. It panics if props are
// invalid.
func NewTopic(scope constructs.Construct, id string, props Props) *Topic {
	p := props.withDefaults()
	c := constructs.NewConstruct(scope, jsii.String(id))

	key := awskms.NewKey(c, jsii.String(idKey), p.keyProps())
	key.AddToResourcePolicy(snsMayUseKey(), nil)
	topic := awssns.NewTopic(c, jsii.String(idTopic), p.topicProps(key))
	if p.Email != nil {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(p.Email, nil))
	}
	return &Topic{Topic: topic, Key: key}
}

// GrantPublish lets grantee publish to the topic: sns:Publish on the topic,
// and kms:GenerateDataKey and kms:Decrypt on its key, which SNS needs from
// the publisher of an encrypted topic.
func (t *Topic) GrantPublish(grantee awsiam.IGrantable) {
	awsiam.Grant_AddToPrincipal(&awsiam.GrantOnPrincipalOptions{
		Grantee:      grantee,
		Actions:      jsii.Strings("sns:Publish"),
		ResourceArns: jsii.Strings(*t.Topic.TopicArn()),
	})
	t.Key.Grant(grantee, jsii.String("kms:GenerateDataKey"), jsii.String("kms:Decrypt"))
}
