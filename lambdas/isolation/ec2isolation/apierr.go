package ec2isolation

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
)

// errorMessage is what a FAILED measure's Reason says of err: its context,
// with an SDK operation error shortened to the API's code and message
// (without the request ID and HTTP status).
func errorMessage(err error) string {
	var op *smithy.OperationError
	if errors.As(err, &op) {
		return strings.Replace(err.Error(), op.Error(), apiMessage(op), 1)
	}
	return err.Error()
}

// apiMessage is the API's code and message when err carries them.
func apiMessage(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
	}
	return err.Error()
}

// isCode reports whether err is an AWS API error with the code code.
func isCode(err error, code string) bool {
	return err != nil && awserr.Code(err) == code
}
