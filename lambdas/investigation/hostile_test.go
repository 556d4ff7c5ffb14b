package investigation

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diskTemplate and memoryTemplate are minimal valid requests that the
// hostile cases and the fuzz seeds edit by string replacement, so that
// they can hold what encoding/json would never write (duplicate keys).
const (
	diskTemplate = `{"forensicId":"cf-1","forensicType":"DISK",` +
		`"resource":{"accountId":"111122223333","region":"eu-west-1","instanceId":"i-0a1b2c3d4e5f60718"},` +
		`"disk":{"snapshots":[{"snapshotId":"snap-0a1b2c3d4e5f60718","sourceVolumeId":"vol-0a1b2c3d4e5f60718","sizeGiB":8}]}}`
	memoryTemplate = `{"forensicId":"cf-1","forensicType":"MEMORY",
"resource":{"accountId":"111122223333","region":"eu-west-1","instanceId":"i-0a1b2c3d4e5f60718"},
"memory":{"s3Uri":"s3://casefile-evidence/memory/dump.lime","sha256":"5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
"sizeBytes":4096,"format":"lime","kernelRelease":"6.1.0-28-cloud-amd64"}}`
)

// TestParseRequestHostile lists requests that an adversarial review found
// accepted, or refused without naming the field, although the SSM
// documents' allowedPattern, the scripts' refusal of "..", S3's bucket
// naming rules or the contract (exact field names, errors name the field)
// say otherwise. Each must be refused naming the field.
func TestParseRequestHostile(t *testing.T) {
	d := func(old, new string) string {
		out := strings.Replace(diskTemplate, old, new, 1)
		require.NotEqual(t, diskTemplate, out, "the edit %q applies", old)
		return out
	}
	m := func(old, new string) string {
		out := strings.Replace(memoryTemplate, old, new, 1)
		require.NotEqual(t, memoryTemplate, out, "the edit %q applies", old)
		return out
	}
	tests := []struct {
		name, raw, wantField string
	}{
		// Refused later by the scripts (cf_require_match: no '..').
		{"forensicId with ..", d(`"cf-1"`, `"case..0005"`), "forensicId"},
		{"forensicId ending with ..", d(`"cf-1"`, `"case-0005.."`), "forensicId"},
		{"dump key with .. inside a segment", m(`memory/dump.lime`, `memory/web-01..dump/memory.lime`), "memory.s3Uri"},
		{"dump key ending with ..", m(`memory/dump.lime`, `memory/dump..`), "memory.s3Uri"},
		{"kernelRelease with ..", m(`6.1.0-28-cloud-amd64`, `6.1..0`), "memory.kernelRelease"},
		// Refused later by SendCommand (dumpS3Uri allowedPattern).
		{"dump key with an apostrophe", m(`memory/dump.lime`, `memory/it's.lime`), "memory.s3Uri"},
		{"dump key of 1001 bytes", m(`memory/dump.lime`, strings.Repeat("k", 1001)), "memory.s3Uri"},
		{"dump key of 1024 bytes", m(`memory/dump.lime`, strings.Repeat("k", 1024)), "memory.s3Uri"},
		// Buckets S3 cannot have.
		{"bucket in IP form", m(`casefile-evidence`, `192.168.1.1`), "memory.s3Uri"},
		{"bucket with xn-- prefix", m(`casefile-evidence`, `xn--evidence`), "memory.s3Uri"},
		{"bucket with sthree- prefix", m(`casefile-evidence`, `sthree-evidence`), "memory.s3Uri"},
		{"bucket with amzn-s3-demo- prefix", m(`casefile-evidence`, `amzn-s3-demo-evidence`), "memory.s3Uri"},
		{"bucket with -s3alias suffix", m(`casefile-evidence`, `evidence-s3alias`), "memory.s3Uri"},
		{"bucket with --ol-s3 suffix", m(`casefile-evidence`, `evidence--ol-s3`), "memory.s3Uri"},
		{"bucket with .mrap suffix", m(`casefile-evidence`, `evidence.mrap`), "memory.s3Uri"},
		{"bucket with --x-s3 suffix", m(`casefile-evidence`, `evidence--x-s3`), "memory.s3Uri"},
		{"bucket with --table-s3 suffix", m(`casefile-evidence`, `evidence--table-s3`), "memory.s3Uri"},
		{"bucket with ..", m(`casefile-evidence`, `casefile..evidence`), "memory.s3Uri"},
		// Keys that are not the documented field names.
		{"upper-case duplicate of forensicId", d(`"forensicId":"cf-1"`, `"forensicId":"cf-1","FORENSICID":"cf-evil"`), "FORENSICID"},
		{"long-s spelling of forensicId", d(`"forensicId":"cf-1"`, `"forenſicId":"cf-1"`), `"foren\u017ficId"`},
		{"forensicId given twice", d(`"forensicId":"cf-1"`, `"forensicId":"cf-1","forensicId":"cf-2"`), "forensicId"},
		{"nested key given twice", d(`"region":"eu-west-1"`, `"region":"eu-west-1","region":"us-east-1"`), "resource.region"},
		{"nested case variant", d(`"instanceId"`, `"InstanceId"`), "resource.InstanceId"},
		{"case variant in an array element", d(`"sizeGiB":8`, `"sizeGiB":8,"SizeGiB":9`), "disk.snapshots[0].SizeGiB"},
		// Errors that name no field, or a field without its index.
		{"empty key", d(`"forensicId"`, `"":1,"forensicId"`), `""`},
		{"empty nested key", d(`"region"`, `"":1,"region"`), `resource.""`},
		{"key with a space", d(`"forensicId"`, `"forensic Id":1,"forensicId"`), `"forensic Id"`},
		{"key with a dot", d(`"region"`, `"a.b":1,"region"`), `resource."a.b"`},
		{"key with a control character", d(`"forensicId"`, `"a\u0000\nb":1,"forensicId"`), `"a\x00\nb"`},
		{"unknown nested field", d(`"region":"eu-west-1"`, `"region":"eu-west-1","x":1`), "resource.x"},
		{"wrong type in an array element", d(`"sizeGiB":8`, `"sizeGiB":"8"`), "disk.snapshots[0].sizeGiB"},
		{"not an object", `"cf-1"`, RequestField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest([]byte(tt.raw))

			var verr *ValidationError
			require.True(t, errors.As(err, &verr), "want a *ValidationError; accepted forensicId=%q memory=%+v", req.ForensicID, req.Memory)
			assert.Equal(t, tt.wantField, verr.Field, "%v", err)
			assert.NotEmpty(t, verr.Problem)
			assert.NotContains(t, verr.Field, "\n", "the field is printable")
			assert.Equal(t, Request{}, req)
		})
	}
}

func TestUnknownKeyNamesTheFieldItResembles(t *testing.T) {
	_, err := ParseRequest([]byte(strings.Replace(diskTemplate, `"forensicType"`, `"forensictype"`, 1)))

	var verr *ValidationError
	require.True(t, errors.As(err, &verr), "want a *ValidationError, got %v", err)
	assert.Equal(t, "forensictype", verr.Field)
	assert.Equal(t, "is not a known field (field names are case-sensitive: forensicType)", verr.Problem)
}
