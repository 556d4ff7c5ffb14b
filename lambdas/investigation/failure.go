package investigation

import (
	"errors"
	"fmt"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Failure is an error that ends an investigation for a named Reason.
type Failure struct {
	Reason Reason
	Err    error
}

// Fail returns a Failure for reason, with a message built like fmt.Errorf
// (so %w keeps the cause).
func Fail(reason Reason, format string, args ...any) *Failure {
	return &Failure{Reason: reason, Err: fmt.Errorf(format, args...)}
}

func (f *Failure) Error() string { return string(f.Reason) + ": " + f.Err.Error() }

// Unwrap returns the cause.
func (f *Failure) Unwrap() error { return f.Err }

// LambdaError converts err for the Lambda runtime so that Step Functions sees
// the Reason as the error name: a Failure keeps its Reason, any other error
// is returned unchanged (the runtime names it after its Go type).
func LambdaError(err error) error {
	if err == nil {
		return nil
	}
	var f *Failure
	if errors.As(err, &f) {
		return messages.InvokeResponse_Error{Type: string(f.Reason), Message: f.Err.Error()}
	}
	return err
}
