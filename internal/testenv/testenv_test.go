package testenv_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/casefile-forensics/casefile/internal/testenv"
)

// recorder is a testing.TB that records how Missing ended the test.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper()                           {}
func (r *recorder) Skip(args ...any)                  { r.skipped, r.msg = true, args[0].(string) }
func (r *recorder) Fatalf(format string, args ...any) { r.failed, r.msg = true, format }

func TestMissing(t *testing.T) {
	tests := []struct {
		name        string
		require     string
		wantSkipped bool
		wantFailed  bool
	}{
		{name: "skips by default", require: "", wantSkipped: true},
		{name: "fails when required", require: "1", wantFailed: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(testenv.RequireVar, tt.require)
			r := &recorder{TB: t}

			testenv.Missing(r, "missing %s", "mke2fs")

			assert.Equal(t, tt.wantSkipped, r.skipped, "skipped")
			assert.Equal(t, tt.wantFailed, r.failed, "failed")
		})
	}
}
