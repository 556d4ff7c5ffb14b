package isolation

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPartitionOf(t *testing.T) {
	tests := map[string]string{
		"eu-west-1": "aws", "cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov",
		"us-iso-east-1": "aws-iso", "us-isob-east-1": "aws-iso-b",
	}
	for region, want := range tests {
		assert.Equal(t, want, partitionOf(region), region)
	}
}

func TestSessionName(t *testing.T) {
	assert.Equal(t, "casefile-cf-2026-0001", sessionName("cf-2026-0001"))
	long := sessionName("c234567890123456789012345678901234567890123456789012345678901234")
	assert.Len(t, long, maxSessionName, "STS's limit")
}
