package casetable

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// Props configures the case table. The zero value is a valid configuration:
// deletion protection on, table and key retained when the stack is deleted.
type Props struct {
	// DeletionProtection stops anyone deleting the table until it is turned
	// off. Default: true, unless RemovalPolicy is DESTROY, where it defaults
	// to false (a protected table cannot be destroyed).
	DeletionProtection *bool
	// RemovalPolicy says what happens to the table and its key when they
	// leave the stack. Default: awscdk.RemovalPolicy_RETAIN. DESTROY is meant
	// for tests and demonstrations.
	RemovalPolicy awscdk.RemovalPolicy
}

// withDefaults returns a copy of p with the defaults filled in. It panics,
// naming the fields, when they contradict each other.
func (p Props) withDefaults() Props {
	if p.RemovalPolicy == "" {
		p.RemovalPolicy = awscdk.RemovalPolicy_RETAIN
	}
	destroy := p.RemovalPolicy == awscdk.RemovalPolicy_DESTROY
	if p.DeletionProtection == nil {
		protect := !destroy
		p.DeletionProtection = &protect
	}
	if destroy && *p.DeletionProtection {
		panic(fmt.Sprintf("casetable: Props.DeletionProtection must be false when Props.RemovalPolicy is %s", p.RemovalPolicy))
	}
	return p
}
