package ec2isolation

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRequiredActions keeps RequiredActions equal to the calls the
// interfaces allow, plus iam:PassRole, which EC2 checks when the deny
// profile is associated.
func TestRequiredActions(t *testing.T) {
	want := []string{"iam:PassRole"}
	for prefix, api := range map[string]reflect.Type{
		"ec2":         reflect.TypeFor[EC2API](),
		"iam":         reflect.TypeFor[IAMAPI](),
		"autoscaling": reflect.TypeFor[AutoScalingAPI](),
	} {
		for i := range api.NumMethod() {
			want = append(want, prefix+":"+api.Method(i).Name)
		}
	}
	assert.ElementsMatch(t, want, RequiredActions)
}
