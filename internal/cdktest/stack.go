package cdktest

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// NewStack returns a stack called Test in a new app of its own.
func NewStack() awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
}

// Ptr returns a pointer to a copy of v, for optional props.
func Ptr[T any](v T) *T { return &v }
