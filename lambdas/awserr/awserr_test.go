package awserr

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
)

func apiError(code string) error {
	return fmt.Errorf("operation failed: %w", &smithy.GenericAPIError{Code: code, Message: "test"})
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name                                             string
		err                                              error
		wantCode                                         string
		conditional, alreadyExists, notFound, throttling bool
	}{
		{name: "nil error", err: nil},
		{name: "plain error", err: errors.New("boom")},
		{name: "conditional check", err: apiError("ConditionalCheckFailedException"), wantCode: "ConditionalCheckFailedException", conditional: true},
		{name: "execution exists", err: apiError("ExecutionAlreadyExists"), wantCode: "ExecutionAlreadyExists", alreadyExists: true},
		{name: "EC2 duplicate", err: apiError("InvalidGroup.Duplicate"), wantCode: "InvalidGroup.Duplicate", alreadyExists: true},
		{name: "S3 no such key", err: apiError("NoSuchKey"), wantCode: "NoSuchKey", notFound: true},
		{name: "EC2 volume not found", err: apiError("InvalidVolume.NotFound"), wantCode: "InvalidVolume.NotFound", notFound: true},
		{name: "SSM parameter not found", err: apiError("ParameterNotFound"), wantCode: "ParameterNotFound", notFound: true},
		{name: "DynamoDB throughput", err: apiError("ProvisionedThroughputExceededException"), wantCode: "ProvisionedThroughputExceededException", throttling: true},
		{name: "EC2 request limit", err: apiError("RequestLimitExceeded"), wantCode: "RequestLimitExceeded", throttling: true},
		{name: "access denied is none of them", err: apiError("AccessDenied"), wantCode: "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantCode, Code(tt.err), "Code")
			assert.Equal(t, tt.conditional, IsConditionalCheckFailed(tt.err), "IsConditionalCheckFailed")
			assert.Equal(t, tt.alreadyExists, IsAlreadyExists(tt.err), "IsAlreadyExists")
			assert.Equal(t, tt.notFound, IsNotFound(tt.err), "IsNotFound")
			assert.Equal(t, tt.throttling, IsThrottling(tt.err), "IsThrottling")
		})
	}
}
