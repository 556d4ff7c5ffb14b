package forensics

import "github.com/casefile-forensics/casefile/lambdas/awserr"

// isInvalidInstanceID reports whether SSM refused a command because the
// instance is not (yet) a managed node: right after launch, until the agent
// registers.
func isInvalidInstanceID(err error) bool { return awserr.Code(err) == "InvalidInstanceId" }

// isInvocationDoesNotExist reports whether SSM has no invocation of the
// command on the instance yet, as happens right after SendCommand.
func isInvocationDoesNotExist(err error) bool {
	return awserr.Code(err) == "InvocationDoesNotExist"
}
