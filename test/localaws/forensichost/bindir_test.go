package forensichost

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinDirWhileVolRuns installs the vol stand-in again and again while
// other goroutines run it, as commands that run together do: no run finds
// the file busy or half written.
func TestBinDirWhileVolRuns(t *testing.T) {
	s := Scripts{WorkDir: t.TempDir()}
	dir, err := s.binDir()
	require.NoError(t, err)
	vol := filepath.Join(dir, "vol")

	const rounds = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*rounds)
	for range rounds {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := s.binDir(); err != nil {
				errs <- err
			}
		}()
		go func() {
			defer wg.Done()
			// --help prints the usage and fails; only a failure to run
			// the file at all matters here.
			var exit *exec.ExitError
			if err := exec.Command(vol, "--help").Run(); err != nil && !assert.ErrorAs(t, err, &exit) {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("install or run vol: %v", err)
	}
	got, err := os.ReadFile(vol)
	require.NoError(t, err)
	assert.Equal(t, volStandIn, got, "the installed stand-in")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "only vol is left in %s", dir)
}
