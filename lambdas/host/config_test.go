package host

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestParseSubnetIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{in: "subnet-a", want: []string{"subnet-a"}},
		{in: "subnet-a,subnet-b", want: []string{"subnet-a", "subnet-b"}},
		{in: " subnet-a , ,subnet-b,", want: []string{"subnet-a", "subnet-b"}},
		{in: "", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, ParseSubnetIDs(tt.in))
		})
	}
}
