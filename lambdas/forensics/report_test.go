package forensics

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseProbeReport(t *testing.T) {
	tests := []struct {
		name        string
		stdout      string
		wantErr     bool
		wantMissing []string
		wantReady   bool
		wantVers    string
	}{
		{
			name:      "all present",
			stdout:    `{"tools":[{"name":"fls","version":"4.12.1","present":true},{"name":"vol","version":"2.7.0","present":true}],"ready":true}`,
			wantReady: true,
			wantVers:  "fls 4.12.1, vol 2.7.0",
		},
		{
			name:        "one missing, after shell noise",
			stdout:      "checking tools...\n{not json}\n" + `{"tools":[{"name":"fls","version":"4.12.1","present":true},{"name":"vol","present":false}],"ready":false}` + "\n",
			wantMissing: []string{"vol"},
			wantVers:    "fls 4.12.1",
		},
		{
			name:        "the probe script's form: null version of a missing tool",
			stdout:      `{"tools":[{"name":"fls","present":true,"version":"4.12.1"},{"name":"vol","present":false,"version":null}],"ready":false}` + "\n",
			wantMissing: []string{"vol"},
			wantVers:    "fls 4.12.1",
		},
		{name: "empty output", stdout: "", wantErr: true},
		{name: "no JSON", stdout: "tools ok\n", wantErr: true},
		{name: "truncated JSON", stdout: `{"tools":[{"name":"fls"`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProbeReport(tt.stdout)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantMissing, got.Missing(), "missing tools")
			assert.Equal(t, tt.wantReady, got.Ready, "ready")
			assert.Equal(t, tt.wantVers, got.Versions(), "versions")
		})
	}
}

func TestJoinNamesIsBounded(t *testing.T) {
	names := make([]string, 30)
	for i := range names {
		names[i] = "t"
	}
	got := joinNames(names)
	assert.Equal(t, maxToolsInMessage, strings.Count(got, "t"), "names in %q", got)
	assert.True(t, strings.HasSuffix(got, ", ..."), "%q should end with an ellipsis", got)
	assert.Equal(t, "a, b", joinNames([]string{"a", "b"}))
}

func TestScriptStatus(t *testing.T) {
	tests := []struct {
		name   string
		stdout string
		want   string
	}{
		{name: "summary last", stdout: "log line\n{\"status\":\"HASH_MISMATCH\",\"forensicId\":\"c-1\",\"errors\":1}\n", want: "HASH_MISMATCH"},
		{name: "succeeded", stdout: `{"status":"SUCCEEDED","forensicId":"c-1","results":"s3://r/p/","errors":0}`, want: "SUCCEEDED"},
		{name: "the last summary wins", stdout: "{\"status\":\"SUCCEEDED\"}\n{\"status\":\"UPLOAD_FAILED\"}", want: "UPLOAD_FAILED"},
		{name: "no output", stdout: "", want: ""},
		{name: "no summary", stdout: "DUMP_COPY_FAILED: get s3://x/y: not found\n", want: ""},
		{name: "status that is not a status name", stdout: `{"status":"rm -rf / ; SUCCEEDED"}`, want: ""},
		{name: "status of another type", stdout: `{"status":3}`, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ScriptStatus(tt.stdout))
		})
	}
}
