package cdktest

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NewGrantee returns a role that Lambda can assume, for a test to grant
// access to.
func NewGrantee(scope constructs.Construct, id string) awsiam.Role {
	return awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
}

// CheckRolePolicy checks that template holds an AWS::IAM::Policy attached
// to the role roleRef alone (the role's resolved name, such as
// {"Ref": logicalID}) whose statements are exactly want, in that order.
func CheckRolePolicy(t testing.TB, template assertions.Template, roleRef any, want []any) {
	t.Helper()
	Check(t, func() {
		template.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"Roles":          []any{roleRef},
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayEquals(&want)},
		})
	})
}
