package report

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/internal/testenv"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws/repo"
)

// pageRun is what headless Chromium did with one page.
type pageRun struct {
	// Served are the paths the local server was asked for; Requests the
	// URLs Chromium asked for, as its DevTools protocol reports them.
	Served   []string
	Requests []string
	// Problems are console errors and warnings, uncaught exceptions and
	// browser log entries of level warning or error.
	Problems []string
	// Text is the page's rendered text (innerText).
	Text       string
	Screenshot []byte
}

// chromiumPath returns Debian's chromium, or skips (fails under
// CASEFILE_REQUIRE_TOOLS).
func chromiumPath(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		testenv.Missing(t, "chromium is missing (apt-get install -y chromium)")
	}
	return path
}

// openInChromium serves page alone from a local HTTP server at
// /report.html, opens it in headless Chromium (a fresh profile, no
// background networking), and returns what Chromium requested and logged,
// the page's text and a full-page PNG screenshot.
func openInChromium(t *testing.T, page []byte) pageRun {
	t.Helper()
	exe := chromiumPath(t)
	var mu sync.Mutex
	var run pageRun
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		run.Served = append(run.Served, r.URL.Path)
		mu.Unlock()
		if r.URL.Path != "/report.html" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true), chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()

	record := func(list *[]string, s string) {
		mu.Lock()
		*list = append(*list, s)
		mu.Unlock()
	}
	require.NoError(t, chromedp.Listen(bctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			record(&run.Requests, e.Request.URL)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				record(&run.Problems, fmt.Sprintf("console %s: %v", e.Type, e.Args))
			}
		case *runtime.EventExceptionThrown:
			text := e.ExceptionDetails.Text
			if ex := e.ExceptionDetails.Exception; ex != nil {
				text += " " + ex.Description
			}
			record(&run.Problems, "exception: "+text)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
				record(&run.Problems, fmt.Sprintf("log %s (%s): %s %s", e.Entry.Level, e.Entry.Source, e.Entry.Text, e.Entry.URL))
			}
		}
	}), "start chromium and listen to the page")

	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(srv.URL+"/report.html")), "open the page")
	text, err := chromedp.Run(bctx, chromedp.Evaluate[string]("document.body.innerText"))
	require.NoError(t, err, "read the rendered text")
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	require.NoError(t, err, "take the screenshot")
	// Events that were on their way when the screenshot returned.
	time.Sleep(200 * time.Millisecond)

	mu.Lock()
	defer mu.Unlock()
	run.Text, run.Screenshot = text, shot
	return run
}

func TestHTMLReportRendersInChromiumWithoutErrorsOrExternalRequests(t *testing.T) {
	r := realResults(t)
	page := r.forms[investigation.ReportHTML]
	require.NotEmpty(t, page)

	run := openInChromium(t, page)

	assert.Empty(t, run.Problems, "console errors, exceptions and warnings")
	assert.Equal(t, []string{"/report.html"}, run.Served, "the local server was asked for the report alone")
	require.Len(t, run.Requests, 1, "Chromium made one request: %v", run.Requests)
	assert.True(t, strings.HasSuffix(run.Requests[0], "/report.html"), "the one request is the report's: %s", run.Requests[0])

	for _, want := range []string{"Casefile case report: " + realCase, "Custody timeline", "Limitations",
		"/etc/cron.d/sysupdate", "/usr/local/bin/pkexec-helper", "history -c"} {
		assert.True(t, strings.Contains(run.Text, want), "the rendered page shows %q", want)
	}

	img, err := png.Decode(bytes.NewReader(run.Screenshot))
	require.NoError(t, err, "the screenshot is a PNG")
	b := img.Bounds()
	assert.GreaterOrEqual(t, b.Dx(), 1000, "screenshot width")
	assert.GreaterOrEqual(t, b.Dy(), 2000, "screenshot height: the whole report")
	assert.Greater(t, len(run.Screenshot), 50<<10, "the screenshot has content")
	root, err := repo.Root()
	require.NoError(t, err)
	out := filepath.Join(root, "out")
	require.NoError(t, os.MkdirAll(out, 0o755))
	path := filepath.Join(out, "report-screenshot.png")
	require.NoError(t, os.WriteFile(path, run.Screenshot, 0o644))
	t.Logf("screenshot of the report: %s (%dx%d)", path, b.Dx(), b.Dy())
}

// TestChromiumHarnessSeesRequestsAndErrors shows that the checks above can
// fail: a page that loads an image and throws is caught, and the report's
// Content-Security-Policy stops the load before it leaves the browser.
func TestChromiumHarnessSeesRequestsAndErrors(t *testing.T) {
	const body = `<link rel="icon" href="data:,"><body><p>x</p><img src="/external.png" alt=""><script>throw new Error("planted failure")</script></body>`
	tests := []struct {
		name         string
		head         string
		wantServed   []string
		wantProblems []string
	}{
		{
			name:         "without a policy the load reaches the server",
			wantServed:   []string{"/report.html", "/external.png"},
			wantProblems: []string{"planted failure"},
		},
		{
			name:         "the report's policy blocks the load and the script",
			head:         `<meta http-equiv="Content-Security-Policy" content="` + ContentSecurityPolicy + `">`,
			wantServed:   []string{"/report.html"},
			wantProblems: []string{"Content Security Policy"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := openInChromium(t, []byte("<!DOCTYPE html><html><head>"+tt.head+"</head>"+body+"</html>"))

			assert.Equal(t, tt.wantServed, run.Served, "paths served")
			joined := strings.Join(run.Problems, "\n")
			for _, want := range tt.wantProblems {
				assert.True(t, strings.Contains(joined, want), "problems name %q; got %v", want, run.Problems)
			}
		})
	}
}
