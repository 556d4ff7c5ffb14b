package ssmdocuments

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostile are values that must never pass any parameter's allowedPattern:
// each would break out of the fallback's single quotes or run a command.
var hostile = []string{
	"",
	"a'b",
	`a"b`,
	"a b",
	"$(id)",
	"`id`",
	"a;id",
	"a|id",
	"a&id",
	"a\nb",
	"a\\b",
	"a>b",
	"{{ forensicId }}",
	"a$b",
}

func TestAllowedPatterns(t *testing.T) {
	tests := []struct {
		param string
		good  []string
		bad   []string
	}{
		{ParamForensicID, []string{"case-001", "INC.2024_07", "abc"}, []string{"ab", "-case", "case/1", "a..b"}},
		{ParamVolumeIDs, []string{"vol-0123456789abcdef0", "vol-01234567,vol-0123456789abcdef0"}, []string{"vol-0123", "vol-0123456789abcdef0,", "vol-0123456789ABCDEF0", "/dev/sdf"}},
		{ParamResultsBucket, []string{"casefile-results-123", "a.b.c"}, []string{"Results", "-bucket", "ab"}},
		{ParamResultsPrefix, []string{"cases/case-001/disk/", "cases/c/memory"}, []string{"/cases", "cases/*"}},
		{ParamKMSKeyARN, []string{"arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c-aaaa-bbbb-cccc-0123456789ab", "arn:aws-us-gov:kms:us-gov-west-1:123456789012:alias/casefile"}, []string{"arn:aws:s3:::bucket", "alias/casefile"}},
		{ParamDumpS3URI, []string{"s3://evidence/dumps/i-0abc/mem.lime", "s3://evidence-1/a(1).raw"}, []string{"s3://evidence", "https://x/y", "s3://evidence/a'b"}},
		{ParamDumpSHA256, []string{"3410cefaeb3b71fd63b809a4846fa0e7d32ea081cf05f60abd242da07e3e03d4"}, []string{"3410CEFAEB3B71FD63B809A4846FA0E7D32EA081CF05F60ABD242DA07E3E03D4", "abc"}},
		{ParamDumpSizeBytes, []string{"1", "1048576", "18446744073709551615"}, []string{"-1", "1e6", "0x10", "1,000", "123456789012345678901"}},
		{ParamDumpFormat, []string{"lime", "avml", "raw", "crashdump"}, []string{"padded", "LIME", "lime ", "aff4"}},
		{ParamOperatingSystem, []string{"linux", "windows"}, []string{"Linux", "macos", "linux "}},
		// Empty for a Windows dump, whose kernel is found in the dump.
		{ParamKernelRelease, []string{"6.1.0-28-cloud-amd64", "5.10.228-219.884.amzn2.x86_64", "6.8.0-1021-aws", ""}, []string{"-6.1", "6.1/../x"}},
		{ParamSymbolsS3URI, []string{"s3://casefile-symbols", "s3://casefile-symbols/linux/"}, []string{"s3://", "s3://Symbols"}},
		{ParamScratchVolumeID, []string{"vol-0123456789abcdef0", "vol-01234567"}, []string{"vol-0123", "vol-0123456789ABCDEF0", "vol-01234567,vol-0123456789abcdef0", "/dev/sdz", "vol-0123456789abcdef0 "}},
	}
	patterns := documentPatterns(t)
	for _, tt := range tests {
		t.Run(tt.param, func(t *testing.T) {
			re, ok := patterns[tt.param]
			require.True(t, ok, "a document declares %s", tt.param)
			for _, v := range tt.good {
				assert.True(t, re.MatchString(v), "%q should pass %s", v, re)
			}
			for _, v := range append(tt.bad, hostile...) {
				if tt.param == ParamForensicID && v == "a..b" {
					// The pattern allows it; the script refuses '..' itself.
					continue
				}
				if v == "" && slices.Contains(tt.good, "") {
					continue
				}
				assert.False(t, re.MatchString(v), "%q should fail %s", v, re)
			}
		})
	}
}

// TestScriptPatternsMatchDocuments checks that common.sh validates each
// parameter with the same pattern as the documents' allowedPattern.
func TestScriptPatternsMatchDocuments(t *testing.T) {
	scriptVar := map[string]string{
		ParamForensicID:      "CF_RE_FORENSIC_ID",
		ParamVolumeIDs:       "CF_RE_VOLUME_IDS",
		ParamResultsBucket:   "CF_RE_BUCKET",
		ParamResultsPrefix:   "CF_RE_PREFIX",
		ParamKMSKeyARN:       "CF_RE_KMS_ARN",
		ParamDumpS3URI:       "CF_RE_S3_URI",
		ParamDumpSHA256:      "CF_RE_SHA256",
		ParamDumpSizeBytes:   "CF_RE_SIZE_BYTES",
		ParamDumpFormat:      "CF_RE_DUMP_FORMAT",
		ParamKernelRelease:   "CF_RE_KERNEL_RELEASE",
		ParamOperatingSystem: "CF_RE_OS",
		ParamSymbolsS3URI:    "CF_RE_S3_FOLDER",
		ParamScratchVolumeID: "CF_RE_VOLUME_ID",
	}
	common, err := os.ReadFile("scripts/common.sh")
	require.NoError(t, err)
	patterns := documentPatterns(t)
	for param, variable := range scriptVar {
		t.Run(param, func(t *testing.T) {
			m := regexp.MustCompile(`(?m)^readonly ` + variable + `='([^']*)'$`).FindSubmatch(common)
			require.NotNil(t, m, "common.sh defines %s", variable)
			assert.Equal(t, patterns[param].String(), string(m[1]), "%s in common.sh vs allowedPattern of %s", variable, param)
		})
	}
}

// documentPatterns returns every parameter's allowedPattern across the
// documents, failing when two documents disagree on one.
func documentPatterns(t *testing.T) map[string]*regexp.Regexp {
	t.Helper()
	out := map[string]*regexp.Regexp{}
	for _, render := range []func() (Document, error){Probe, Disk, Memory} {
		doc, err := render()
		require.NoError(t, err)
		for name, p := range doc.Content.Parameters {
			if prev, ok := out[name]; ok {
				require.Equal(t, prev.String(), p.AllowedPattern, "documents agree on %s", name)
			}
			out[name] = regexp.MustCompile(p.AllowedPattern)
		}
	}
	return out
}
