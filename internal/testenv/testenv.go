// Package testenv decides what a test does when this machine lacks what it
// needs (root, a Debian tool, moto, the pinned Node tools): skip, as on a
// developer's laptop, or fail, as in `make test` and CI, where the set-up
// installs everything and a skip would hide a test that never ran.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// RequireVar is the environment variable that turns a missing
// prerequisite into a failure. `make test` sets it.
const RequireVar = "CASEFILE_REQUIRE_TOOLS"

// Required reports whether missing prerequisites fail tests.
func Required() bool { return os.Getenv(RequireVar) != "" }

// Missing skips tb, or fails it when Required, saying what is missing.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		tb.Fatalf("%s (%s is set: a missing prerequisite fails the test)", msg, RequireVar)
	} else {
		tb.Skip("skipped: " + msg)
	}
}
