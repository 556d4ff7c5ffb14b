// Package awserr classifies AWS API errors by their error code, so that
// handlers can tell "already there", "not there" and "slow down" apart from
// real failures without depending on each service's typed errors.
package awserr

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// Code returns the AWS error code of err, such as
// "ConditionalCheckFailedException", or "" when err carries none.
func Code(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

// IsConditionalCheckFailed reports whether a DynamoDB condition expression
// refused a write.
func IsConditionalCheckFailed(err error) bool {
	return Code(err) == "ConditionalCheckFailedException"
}

// IsAlreadyExists reports whether the request created something that
// already exists, such as a Step Functions execution of the same name.
func IsAlreadyExists(err error) bool {
	switch code := Code(err); code {
	case "ExecutionAlreadyExists", "ResourceAlreadyExistsException", "AlreadyExistsException",
		"EntityAlreadyExists", "ResourceInUseException":
		return true
	default:
		return strings.HasSuffix(code, ".Duplicate")
	}
}

// IsNotFound reports whether the request named something that does not
// exist: an S3 key, a DynamoDB table, an EC2 resource (codes ending in
// ".NotFound"), an SSM parameter.
func IsNotFound(err error) bool {
	switch code := Code(err); code {
	case "NotFound", "NoSuchKey", "NoSuchBucket", "ResourceNotFoundException",
		"ParameterNotFound", "ExecutionDoesNotExist", "StateMachineDoesNotExist":
		return true
	default:
		return strings.HasSuffix(code, ".NotFound")
	}
}

// IsThrottling reports whether AWS refused the request for its rate.
func IsThrottling(err error) bool {
	switch Code(err) {
	case "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
		"RequestLimitExceeded", "RequestThrottled", "RequestThrottledException",
		"ProvisionedThroughputExceededException", "SlowDown":
		return true
	default:
		return false
	}
}
