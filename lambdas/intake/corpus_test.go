package intake

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/fixtures/requests"
)

// TestHandleRefusesTheCorpus sends every request of the bad-input corpus
// to intake, as the execution passes it: each is refused with
// INVALID_REQUEST naming its field, recorded once as rejected, and no case
// is created (so no later step runs). The snapshots of the fixture
// requests are owned by their account, as EC2 would show them.
func TestHandleRefusesTheCorpus(t *testing.T) {
	corpus, err := requests.Corpus()
	require.NoError(t, err)
	for _, bad := range corpus {
		t.Run(bad.File, func(t *testing.T) {
			records := &fakeRecords{}
			h := New(records, fixtureSnapshots(), evidenceBucket)

			_, err := h.Handle(context.Background(), investigation.State{Request: bad.Raw, ExecutionName: "corpus-run"})

			var f *investigation.Failure
			require.True(t, errors.As(err, &f), "want an investigation.Failure, got %v", err)
			assert.Equal(t, investigation.ReasonInvalidRequest, f.Reason)
			assert.Contains(t, err.Error(), bad.Field, "the error names the field")
			assert.Empty(t, records.creates, "no case is created")
			assert.Empty(t, records.events, "no custody event but the rejection")
			if assert.Len(t, records.rejections, 1, "the rejection is recorded once") {
				assert.Equal(t, bad.Field, records.rejections[0].verr.Field, "the record names the field")
				assert.Equal(t, string(bad.Raw), records.rejections[0].raw, "the request is recorded as sent")
			}
		})
	}
}
