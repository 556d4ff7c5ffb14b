package investigation

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	ssmdocuments "github.com/casefile-forensics/casefile/ssm-documents"
)

// requestParameters are the forensics documents' parameters whose values
// are built from request fields, with how the forensics step builds each.
var requestParameters = map[string]func(Request) string{
	ssmdocuments.ParamForensicID:      func(r Request) string { return r.ForensicID },
	ssmdocuments.ParamResultsPrefix:   func(r Request) string { return ResultsPrefix(r.ForensicID, r.ForensicType) },
	ssmdocuments.ParamDumpS3URI:       func(r Request) string { return r.Memory.S3URI },
	ssmdocuments.ParamDumpSHA256:      func(r Request) string { return r.Memory.SHA256 },
	ssmdocuments.ParamDumpSizeBytes:   func(r Request) string { return strconv.FormatInt(r.Memory.SizeBytes, 10) },
	ssmdocuments.ParamDumpFormat:      func(r Request) string { return r.Memory.Format },
	ssmdocuments.ParamOperatingSystem: func(r Request) string { return r.Memory.OS() },
	ssmdocuments.ParamKernelRelease:   func(r Request) string { return r.Memory.KernelRelease },
}

// deploymentParameters are the parameters whose values come from the
// deployment or from IDs that AWS assigns, never from the request.
var deploymentParameters = []string{
	ssmdocuments.ParamVolumeIDs, ssmdocuments.ParamResultsBucket,
	ssmdocuments.ParamKMSKeyARN, ssmdocuments.ParamSymbolsS3URI, ssmdocuments.ParamExecutionTimeout,
	ssmdocuments.ParamScratchVolumeID,
}

// documentPatterns returns the allowedPattern of every parameter of the
// document that investigates each forensic type.
func documentPatterns(tb testing.TB) map[ForensicType]map[string]*regexp.Regexp {
	tb.Helper()
	out := map[ForensicType]map[string]*regexp.Regexp{}
	for ft, render := range map[ForensicType]func() (ssmdocuments.Document, error){
		ForensicTypeDisk: ssmdocuments.Disk, ForensicTypeMemory: ssmdocuments.Memory,
	} {
		doc, err := render()
		if err != nil {
			tb.Fatalf("render the %s document: %v", ft, err)
		}
		out[ft] = map[string]*regexp.Regexp{}
		for name, p := range doc.Content.Parameters {
			out[ft][name] = regexp.MustCompile(p.AllowedPattern)
		}
	}
	return out
}

// documentProblem returns why the forensics document of an accepted
// request would refuse one of the parameters built from it (its
// allowedPattern, or the scripts' refusal of any value holding ".."), or
// "" when it would take them all.
func documentProblem(req Request, patterns map[ForensicType]map[string]*regexp.Regexp) string {
	params := patterns[req.ForensicType]
	names := make([]string, 0, len(params))
	for name := range params {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		value, ok := requestParameters[name]
		if !ok {
			continue
		}
		v := value(req)
		if !params[name].MatchString(v) {
			return fmt.Sprintf("ParseRequest accepted %s=%q but the %s document's allowedPattern %s refuses it", name, v, req.ForensicType, params[name])
		}
		if strings.Contains(v, "..") {
			return fmt.Sprintf("ParseRequest accepted %s=%q but the scripts (common.sh cf_require_match) refuse '..'", name, v)
		}
	}
	return ""
}

func TestEveryDocumentParameterIsClassified(t *testing.T) {
	for ft, params := range documentPatterns(t) {
		for name := range params {
			_, fromRequest := requestParameters[name]
			fromDeployment := false
			for _, d := range deploymentParameters {
				fromDeployment = fromDeployment || d == name
			}
			assert.True(t, fromRequest != fromDeployment,
				"parameter %s of the %s document is listed in exactly one of requestParameters and deploymentParameters", name, ft)
		}
	}
}

// TestParserAgreesWithTheDocuments edits one request field at a time and
// checks that whatever ParseRequest accepts, the document that will run
// accepts too (and the scripts, which refuse ".."), so that a case can
// never launch an instance and fail late on its own request.
func TestParserAgreesWithTheDocuments(t *testing.T) {
	patterns := documentPatterns(t)
	tests := []struct {
		field  string
		values map[string]bool // value -> accepted by ParseRequest
	}{
		{field: "forensicId", values: map[string]bool{
			"cf-1": true, "abc": true, "INC_2026.03-07": true, "a.b.c": true, "case-0005.": true, strings.Repeat("a", 64): true,
			"ab": false, strings.Repeat("a", 65): false, "case..0005": false, "a..": false, "..a": false, ".ab": false,
			"-ab": false, "_ab": false, "a b": false, "a'b": false, "a/b": false, "ab\n": false, "é-case": false, "a+b": false,
		}},
		{field: "s3Uri", values: map[string]bool{
			"s3://casefile-evidence/memory/dump.lime":             true,
			"s3://casefile-evidence/" + strings.Repeat("k", 1000): true,
			"s3://casefile-evidence/a(1)!*_-.x":                   true,
			"s3://a.b.c/k":                                        true,
			"s3://" + strings.Repeat("b", 63) + "/k":              true,
			"s3://" + strings.Repeat("b", 64) + "/k":              false,
			"s3://casefile-evidence/" + strings.Repeat("k", 1001): false,
			"s3://casefile-evidence/memory/it's.lime":             false,
			"s3://casefile-evidence/memory/a..b":                  false,
			"s3://casefile-evidence/memory/../x":                  false,
			"s3://casefile-evidence/memory/./x":                   false,
			"s3://casefile-evidence/memory//x":                    false,
			"s3://casefile-evidence/memory/":                      false,
			"s3://casefile-evidence/a b":                          false,
			"s3://casefile-evidence/a~b":                          false,
			"s3://casefile-evidence/a+b":                          false,
			"s3://casefile-evidence/%2e%2e/x":                     false,
			"s3://casefile-evidence/é":                            false,
			"s3://casefile-evidence":                              false,
			"s3://Casefile/k":                                     false,
			"s3://ab/k":                                           false,
			"s3://192.168.1.1/k":                                  false,
			"s3://xn--evidence/k":                                 false,
			"s3://evidence-s3alias/k":                             false,
			"s3://a..b/k":                                         false,
			"s3://-ab/k":                                          false,
			"https://casefile-evidence/k":                         false,
		}},
		{field: "sha256", values: map[string]bool{
			strings.Repeat("0f", 32): true,
			strings.Repeat("0F", 32): false, strings.Repeat("0", 63): false, strings.Repeat("0", 65): false,
		}},
		{field: "sizeBytes", values: map[string]bool{
			"1": true, "4096": true, "9223372036854775807": true,
			"0": false, "-1": false, "9223372036854775808": false, "1.5": false, "1e3": false, `"4096"`: false,
		}},
		{field: "format", values: map[string]bool{"lime": true, "avml": true, "raw": true, "LIME": false, "padded": false, "lime ": false}},
		{field: "kernelRelease", values: map[string]bool{
			"6.1.0-28-cloud-amd64": true, "5.10.228-219.884.amzn2.x86_64": true, "6.8.0+deb13~1": true, "a": true,
			strings.Repeat("a", 128): true, strings.Repeat("a", 129): false,
			"6.1..0": false, "-6.1": false, ".6.1": false, "6.1/../x": false, "6.1 0": false, "6.1'0": false,
		}},
	}
	for _, tt := range tests {
		for value, wantAccepted := range tt.values {
			t.Run(tt.field+"="+value, func(t *testing.T) {
				requests := []string{strings.Replace(memoryTemplate, `"`+memoryTemplateValue(t, tt.field)+`"`, quote(value), 1)}
				if tt.field == "sizeBytes" {
					requests = []string{strings.Replace(memoryTemplate, `"sizeBytes":4096`, `"sizeBytes":`+value, 1)}
				}
				if tt.field == "forensicId" {
					requests = append(requests, strings.Replace(diskTemplate, `"cf-1"`, quote(value), 1))
				}
				for _, raw := range requests {
					req, err := ParseRequest([]byte(raw))
					assert.Equal(t, wantAccepted, err == nil, "accepted by ParseRequest (error: %v)", err)
					if err == nil {
						assert.Empty(t, documentProblem(req, patterns))
					}
				}
			})
		}
	}
}

// memoryTemplateValue returns the value of field in memoryTemplate.
func memoryTemplateValue(t *testing.T, field string) string {
	t.Helper()
	req, err := ParseRequest([]byte(memoryTemplate))
	require.NoError(t, err)
	v := map[string]string{
		"forensicId": req.ForensicID, "s3Uri": req.Memory.S3URI, "sha256": req.Memory.SHA256, "sizeBytes": "4096",
		"format": req.Memory.Format, "kernelRelease": req.Memory.KernelRelease,
	}[field]
	require.NotEmpty(t, v, "memoryTemplate has %s", field)
	return v
}

// quote returns s as a JSON string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// TestWindowsRequestsPassTheDocument checks that the memory document takes
// every Windows request ParseRequest accepts: no kernel release, the
// Windows formats.
func TestWindowsRequestsPassTheDocument(t *testing.T) {
	patterns := documentPatterns(t)
	for _, format := range []string{"raw", "crashdump"} {
		t.Run(format, func(t *testing.T) {
			raw := fixtureWith(t, "memory-windows.json", func(m map[string]any) { obj(m, "memory")["format"] = format })
			req, err := ParseRequest(raw)
			require.NoError(t, err)
			assert.Equal(t, OSWindows, req.Memory.OS())
			assert.Empty(t, documentProblem(req, patterns))
		})
	}
}
