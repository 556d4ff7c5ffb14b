package notification

import (
	"fmt"
	"net/mail"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// Props configures the notification topic. The zero value is a valid
// configuration: a topic with no subscription, its key retained when the
// stack is deleted.
type Props struct {
	// Email, when set, subscribes this address to the topic (SNS sends it a
	// confirmation message first). A bare address such as soc@example.com;
	// a CloudFormation token is accepted as is. Default: no subscription.
	Email *string
	// RemovalPolicy says what happens to the topic's key when it leaves the
	// stack. Default: awscdk.RemovalPolicy_RETAIN.
	RemovalPolicy awscdk.RemovalPolicy
}

// withDefaults returns a copy of p with the defaults filled in. It panics,
// naming the field, when a value is invalid.
func (p Props) withDefaults() Props {
	if p.Email != nil && !*awscdk.Token_IsUnresolved(*p.Email) {
		if addr, err := mail.ParseAddress(*p.Email); err != nil || addr.Address != *p.Email {
			panic(fmt.Sprintf("notification: Props.Email must be a bare e-mail address such as soc@example.com, got %q", *p.Email))
		}
	}
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	return p
}
