package template_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// TestDumpsAreAcceptedInTheEvidenceBucketOnly: the start and intake
// functions know the stack's evidence bucket, the only bucket the forensic
// instance can read, and refuse a memory dump anywhere else.
func TestDumpsAreAcceptedInTheEvidenceBucketOnly(t *testing.T) {
	s := stacks.defaults
	want := map[string]any{"Ref": s.logicalID(s.stack.Service.Storage.EvidenceBucket)}

	for _, name := range []functions.Name{functions.Start, functions.Intake} {
		assert.Equal(t, want, environmentOf(t, s, name)[investigation.EnvEvidenceBucket], "evidence bucket of %s", name)
	}
}
