package investigation

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/test/fixtures/requests"
)

const fixtureDir = "../../test/fixtures/requests"

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, name))
	require.NoError(t, err)
	return raw
}

// fixtureWith returns the fixture name decoded, changed by edit, encoded.
func fixtureWith(t *testing.T, name string, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(readFixture(t, name), &m))
	edit(m)
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	return raw
}

// obj returns m[key] as an object, for edits of nested fields.
func obj(m map[string]any, path ...string) map[string]any {
	for _, k := range path {
		m = m[k].(map[string]any)
	}
	return m
}

// snapshot returns the i-th snapshot of a disk request.
func snapshot(m map[string]any, i int) map[string]any {
	return obj(m, "disk")["snapshots"].([]any)[i].(map[string]any)
}

// fixtureEvidenceBucket is the evidence bucket of the fixture requests.
const fixtureEvidenceBucket = "casefile-evidence-111122223333"

func TestParseRequestFixtures(t *testing.T) {
	// Every valid file in the fixture folder must be listed here, with what
	// it describes; the invalid ones are the bad-input corpus, whose index
	// names the field each gets wrong (TestParseRequestRefusesTheCorpus).
	tests := map[string]func(t *testing.T, req Request){
		"disk-ec2.json": func(t *testing.T, req Request) {
			assert.Equal(t, ForensicTypeDisk, req.ForensicType)
			assert.Equal(t, "ec2#111122223333#eu-west-1#i-0a1b2c3d4e5f60718", req.Resource.Key())
			assert.Equal(t, []string{"TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS"}, req.Finding.Types)
			require.Len(t, req.Disk.Snapshots, 2)
			assert.Equal(t, int32(100), req.Disk.Snapshots[1].SizeGiB)
		},
		"memory-ec2.json": func(t *testing.T, req Request) {
			assert.Equal(t, ForensicTypeMemory, req.ForensicType)
			assert.Equal(t, "lime", req.Memory.Format)
			assert.Equal(t, int64(4294967296), req.Memory.SizeBytes)
			assert.Nil(t, req.Disk)
		},
		"memory-windows.json": func(t *testing.T, req Request) {
			assert.Equal(t, OSWindows, req.Memory.OS())
			assert.Equal(t, "crashdump", req.Memory.Format)
			assert.Empty(t, req.Memory.KernelRelease, "a Windows dump's kernel is found in the dump")
		},
		"disk-ec2-custom-action.json": func(t *testing.T, req Request) {
			assert.Equal(t, "arn:aws:securityhub:eu-west-1:111122223333:action/custom/CasefileIsolate", req.Finding.CustomActionARN)
			assert.Equal(t, "CasefileIsolate", req.Finding.CustomActionID())
			assert.Equal(t, []string{"TTPs/Discovery/Recon:EC2-PortProbeUnprotectedPort"}, req.Finding.Types)
		},
		"disk-eks.json": func(t *testing.T, req Request) {
			assert.Equal(t, "eks#111122223333#eu-west-1#payments-prod", req.Resource.Key())
			assert.Equal(t, "i-0c3d4e5f60718293a", req.Resource.TargetInstanceID())
			assert.Equal(t, "cart-api-7d9f8b6c5d-x2kqp", req.Resource.EKS.PodName)
		},
	}
	names, err := requests.Names()
	require.NoError(t, err)
	valid := 0
	for _, name := range names {
		if strings.HasPrefix(name, "invalid-") {
			continue
		}
		valid++
		t.Run(name, func(t *testing.T) {
			check, ok := tests[name]
			require.True(t, ok, "fixture %s has no expectation in this test", name)
			req, err := ParseRequest(readFixture(t, name))
			require.NoError(t, err)
			require.NoError(t, req.CheckEvidenceBucket(fixtureEvidenceBucket))
			check(t, req)
		})
	}
	assert.Equal(t, len(tests), valid, "every expectation has a fixture file")
}

// TestParseRequestRefusesTheCorpus runs every request of the bad-input
// corpus through the checks intake makes without AWS: ParseRequest, then
// CheckEvidenceBucket with fixtureEvidenceBucket. Each is refused by the
// check its index line names, with a *ValidationError naming its field;
// one that only intake's snapshot check refuses passes both (the intake
// tests refuse it).
func TestParseRequestRefusesTheCorpus(t *testing.T) {
	corpus, err := requests.Corpus()
	require.NoError(t, err)
	for _, bad := range corpus {
		t.Run(bad.File, func(t *testing.T) {
			req, parseErr := ParseRequest(bad.Raw)
			if bad.Check != requests.CheckParse {
				require.NoError(t, parseErr, "%s is refused by the %s check, after ParseRequest", bad.File, bad.Check)
			}
			err := parseErr
			if err == nil {
				err = req.CheckEvidenceBucket(fixtureEvidenceBucket)
			}
			if bad.Check == requests.CheckSnapshotOwner {
				assert.NoError(t, err, "only intake's snapshot check refuses %s", bad.File)
				return
			}
			var verr *ValidationError
			require.True(t, errors.As(err, &verr), "want a *ValidationError, got %v", err)
			assert.Equal(t, bad.Field, verr.Field, "field named by %q", verr.Error())
			assert.NotEmpty(t, verr.Problem)
			if parseErr != nil {
				assert.Equal(t, Request{}, req, "an invalid request decodes to nothing")
			}
		})
	}
}

func TestParseRequestInvalid(t *testing.T) {
	disk := func(edit func(m map[string]any)) []byte { return fixtureWith(t, "disk-ec2.json", edit) }
	memory := func(edit func(m map[string]any)) []byte { return fixtureWith(t, "memory-ec2.json", edit) }
	eks := func(edit func(m map[string]any)) []byte { return fixtureWith(t, "disk-eks.json", edit) }
	set := func(path []string, key string, v any) func(m map[string]any) {
		return func(m map[string]any) { obj(m, path...)[key] = v }
	}
	del := func(path []string, key string) func(m map[string]any) {
		return func(m map[string]any) { delete(obj(m, path...), key) }
	}
	all := func(edits ...func(m map[string]any)) func(m map[string]any) {
		return func(m map[string]any) {
			for _, edit := range edits {
				edit(m)
			}
		}
	}
	top := []string(nil)
	resource := []string{"resource"}
	manySnapshots := make([]any, MaxSnapshots+1)
	for i := range manySnapshots {
		manySnapshots[i] = map[string]any{"snapshotId": "snap-0a1b2c3d4e5f6071" + string(rune('a'+i%6)), "sourceVolumeId": "vol-0a1b2c3d4e5f60718", "sizeGiB": 8}
	}

	tests := []struct {
		name      string
		raw       []byte
		wantField string
	}{
		{name: "empty body", raw: []byte("  "), wantField: "(request)"},
		{name: "JSON null", raw: []byte("null"), wantField: "(request)"},
		{name: "array instead of object", raw: []byte(`[{"forensicId":"cf-1"}]`), wantField: "(request)"},
		{name: "truncated JSON", raw: []byte(`{"forensicId": "cf-1",`), wantField: "(request)"},
		{name: "trailing second object", raw: append(readFixture(t, "disk-ec2.json"), []byte(`{"forensicType":"MEMORY"}`)...), wantField: "(request)"},
		{name: "oversized", raw: disk(set(top, "padding", strings.Repeat("A", MaxRequestBytes))), wantField: "(request)"},
		{name: "unknown field", raw: disk(set(top, "command", "rm -rf /")), wantField: "command"},
		{name: "unknown nested field", raw: disk(set(resource, "x", 1)), wantField: "resource.x"},
		{name: "unknown field of a snapshot", raw: disk(func(m map[string]any) { snapshot(m, 1)["size"] = 8 }), wantField: "disk.snapshots[1].size"},
		{name: "snapshot is a string", raw: disk(func(m map[string]any) { obj(m, "disk")["snapshots"].([]any)[1] = "snap-0a1b2c3d" }), wantField: "disk.snapshots[1]"},
		{name: "finding type is a number", raw: disk(set([]string{"finding"}, "types", []any{"a", "b", 3})), wantField: "finding.types[2]"},
		{name: "snapshot size with a fraction", raw: []byte(strings.Replace(string(readFixture(t, "disk-ec2.json")), `"sizeGiB": 100`, `"sizeGiB": 100.0`, 1)), wantField: "disk.snapshots[1].sizeGiB"},
		{name: "snapshot size beyond 32 bits", raw: disk(func(m map[string]any) { snapshot(m, 0)["sizeGiB"] = 1 << 40 }), wantField: "disk.snapshots[0].sizeGiB"},
		{name: "dump size beyond 64 bits", raw: []byte(strings.Replace(string(readFixture(t, "memory-ec2.json")), `4294967296`, `9223372036854775808`, 1)), wantField: "memory.sizeBytes"},
		{name: "missing forensicId", raw: disk(del(top, "forensicId")), wantField: "forensicId"},
		{name: "forensicId is a number", raw: disk(set(top, "forensicId", 42)), wantField: "forensicId"},
		{name: "forensicId with semicolon and space", raw: disk(set(top, "forensicId", "cf-1; rm -rf /")), wantField: "forensicId"},
		{name: "forensicId with command substitution", raw: disk(set(top, "forensicId", "$(reboot)")), wantField: "forensicId"},
		{name: "forensicId with backticks", raw: disk(set(top, "forensicId", "cf-`id`")), wantField: "forensicId"},
		{name: "forensicId path traversal", raw: disk(set(top, "forensicId", "../../etc/passwd")), wantField: "forensicId"},
		{name: "forensicId starting with a dot", raw: disk(set(top, "forensicId", ".hidden")), wantField: "forensicId"},
		{name: "forensicId too short", raw: disk(set(top, "forensicId", "cf")), wantField: "forensicId"},
		{name: "forensicId too long", raw: disk(set(top, "forensicId", strings.Repeat("a", 65))), wantField: "forensicId"},
		{name: "missing forensicType", raw: disk(del(top, "forensicType")), wantField: "forensicType"},
		{name: "unknown forensicType", raw: disk(set(top, "forensicType", "NETWORK")), wantField: "forensicType"},
		{name: "lower-case forensicType", raw: disk(set(top, "forensicType", "disk")), wantField: "forensicType"},
		{name: "forensicType is a list", raw: disk(set(top, "forensicType", []any{"DISK"})), wantField: "forensicType"},
		{name: "resource is a string", raw: disk(set(top, "resource", "i-0a1b2c3d4e5f60718")), wantField: "resource"},
		{name: "account ID of 11 digits", raw: disk(set(resource, "accountId", "11112222333")), wantField: "resource.accountId"},
		{name: "account ID is a number", raw: disk(set(resource, "accountId", 111122223333)), wantField: "resource.accountId"},
		{name: "upper-case region", raw: disk(set(resource, "region", "EU-WEST-1")), wantField: "resource.region"},
		{name: "region with a pipe", raw: disk(set(resource, "region", "eu-west-1|id")), wantField: "resource.region"},
		{name: "short instance ID", raw: disk(set(resource, "instanceId", "i-0a1b2c")), wantField: "resource.instanceId"},
		{name: "instance ID with upper-case hex", raw: disk(set(resource, "instanceId", "i-0A1B2C3D4E5F60718")), wantField: "resource.instanceId"},
		{name: "instance ID of 16 hex", raw: disk(set(resource, "instanceId", "i-0a1b2c3d4e5f6071")), wantField: "resource.instanceId"},
		{name: "neither instance nor EKS", raw: disk(del(resource, "instanceId")), wantField: "resource"},
		{name: "both instance and EKS", raw: eks(set(resource, "instanceId", "i-0a1b2c3d4e5f60718")), wantField: "resource"},
		{name: "EKS cluster name with a slash", raw: eks(set([]string{"resource", "eks"}, "clusterName", "prod/../x")), wantField: "resource.eks.clusterName"},
		{name: "EKS node is not an instance", raw: eks(set([]string{"resource", "eks"}, "nodeInstanceId", "ip-10-0-0-1")), wantField: "resource.eks.nodeInstanceId"},
		{name: "EKS namespace upper case", raw: eks(set([]string{"resource", "eks"}, "namespace", "Checkout")), wantField: "resource.eks.namespace"},
		{name: "EKS namespace with a dot", raw: eks(set([]string{"resource", "eks"}, "namespace", "check.out")), wantField: "resource.eks.namespace"},
		{name: "EKS pod name with an empty label", raw: eks(set([]string{"resource", "eks"}, "podName", "cart..api")), wantField: "resource.eks.podName"},
		{name: "EKS pod name too long", raw: eks(set([]string{"resource", "eks"}, "podName", strings.Repeat("a", 254))), wantField: "resource.eks.podName"},
		{name: "EKS pod name with semicolon", raw: eks(set([]string{"resource", "eks"}, "podName", "cart;reboot")), wantField: "resource.eks.podName"},
		{name: "finding ID empty", raw: disk(set([]string{"finding"}, "id", "")), wantField: "finding.id"},
		{name: "finding type with a newline", raw: disk(set([]string{"finding"}, "types", []any{"Backdoor:EC2/C&CActivity.B\nINJECTED"})), wantField: "finding.types[0]"},
		{name: "unknown severity", raw: disk(set([]string{"finding"}, "severity", "SEVERE")), wantField: "finding.severity"},
		{name: "product ARN of another service", raw: disk(set([]string{"finding"}, "productArn", "arn:aws:guardduty:eu-west-1::product/aws/guardduty")), wantField: "finding.productArn"},
		{name: "product ARN without a Region", raw: disk(set([]string{"finding"}, "productArn", "arn:aws:securityhub:::product/aws/guardduty")), wantField: "finding.productArn"},
		{name: "product ARN with a quote", raw: disk(set([]string{"finding"}, "productArn", "arn:aws:securityhub:eu-west-1::product/aws/guard'duty")), wantField: "finding.productArn"},
		{name: "custom action ARN of a product", raw: disk(set([]string{"finding"}, "customActionArn", "arn:aws:securityhub:eu-west-1::product/aws/guardduty")), wantField: "finding.customActionArn"},
		{name: "custom action ARN without an account", raw: disk(set([]string{"finding"}, "customActionArn", "arn:aws:securityhub:eu-west-1::action/custom/CasefileIsolate")), wantField: "finding.customActionArn"},
		{name: "custom action ID of 21", raw: disk(set([]string{"finding"}, "customActionArn", "arn:aws:securityhub:eu-west-1:111122223333:action/custom/"+strings.Repeat("A", 21))), wantField: "finding.customActionArn"},
		{name: "custom action ID with a dash", raw: disk(set([]string{"finding"}, "customActionArn", "arn:aws:securityhub:eu-west-1:111122223333:action/custom/Casefile-Isolate")), wantField: "finding.customActionArn"},
		{name: "custom action ARN is a list", raw: disk(set([]string{"finding"}, "customActionArn", []any{"arn:aws:securityhub:eu-west-1:111122223333:action/custom/CasefileIsolate"})), wantField: "finding.customActionArn"},
		{name: "DISK without disk", raw: disk(del(top, "disk")), wantField: "disk"},
		{name: "DISK with memory too", raw: disk(func(m map[string]any) { m["memory"] = obj(decode(t, readFixture(t, "memory-ec2.json")), "memory") }), wantField: "memory"},
		{name: "no snapshots", raw: disk(set([]string{"disk"}, "snapshots", []any{})), wantField: "disk.snapshots"},
		{name: "too many snapshots", raw: disk(set([]string{"disk"}, "snapshots", manySnapshots)), wantField: "disk.snapshots"},
		{name: "snapshot ID of wrong shape", raw: disk(func(m map[string]any) { snapshot(m, 0)["snapshotId"] = "snap-zz" }), wantField: "disk.snapshots[0].snapshotId"},
		{name: "volume ID given as snapshot", raw: disk(func(m map[string]any) { snapshot(m, 1)["snapshotId"] = "vol-0b2c3d4e5f6071829" }), wantField: "disk.snapshots[1].snapshotId"},
		{name: "duplicate snapshots", raw: disk(func(m map[string]any) { snapshot(m, 1)["snapshotId"] = snapshot(m, 0)["snapshotId"] }), wantField: "disk.snapshots[1].snapshotId"},
		{name: "source volume with traversal", raw: disk(func(m map[string]any) { snapshot(m, 0)["sourceVolumeId"] = "vol-../../dev/sda" }), wantField: "disk.snapshots[0].sourceVolumeId"},
		{name: "snapshot size zero", raw: disk(func(m map[string]any) { snapshot(m, 0)["sizeGiB"] = 0 }), wantField: "disk.snapshots[0].sizeGiB"},
		{name: "snapshot size too large", raw: disk(func(m map[string]any) { snapshot(m, 0)["sizeGiB"] = MaxSnapshotGiB + 1 }), wantField: "disk.snapshots[0].sizeGiB"},
		{name: "MEMORY without memory", raw: memory(del(top, "memory")), wantField: "memory"},
		{name: "MEMORY with disk too", raw: memory(func(m map[string]any) { m["disk"] = obj(decode(t, readFixture(t, "disk-ec2.json")), "disk") }), wantField: "disk"},
		{name: "dump URI over HTTPS", raw: memory(set([]string{"memory"}, "s3Uri", "https://bucket.example/dump.lime")), wantField: "memory.s3Uri"},
		{name: "dump key with traversal", raw: memory(set([]string{"memory"}, "s3Uri", "s3://evidence/memory/../../secrets")), wantField: "memory.s3Uri"},
		{name: "dump key with shell characters", raw: memory(set([]string{"memory"}, "s3Uri", "s3://evidence/dump;rm -rf $HOME")), wantField: "memory.s3Uri"},
		{name: "dump key longer than the document allows", raw: memory(set([]string{"memory"}, "s3Uri", "s3://evidence/"+strings.Repeat("k", MaxS3KeyBytes+1))), wantField: "memory.s3Uri"},
		{name: "dump bucket upper case", raw: memory(set([]string{"memory"}, "s3Uri", "s3://Evidence/dump.lime")), wantField: "memory.s3Uri"},
		{name: "upper-case SHA-256", raw: memory(set([]string{"memory"}, "sha256", strings.Repeat("A", 64))), wantField: "memory.sha256"},
		{name: "short SHA-256", raw: memory(set([]string{"memory"}, "sha256", "5f70bf18")), wantField: "memory.sha256"},
		{name: "negative dump size", raw: memory(set([]string{"memory"}, "sizeBytes", -1)), wantField: "memory.sizeBytes"},
		{name: "unknown dump format", raw: memory(set([]string{"memory"}, "format", "vmem")), wantField: "memory.format"},
		{name: "kernel release with shell characters", raw: memory(set([]string{"memory"}, "kernelRelease", "6.1.0 && curl x|sh")), wantField: "memory.kernelRelease"},
		{name: "Linux dump without kernel release", raw: memory(del([]string{"memory"}, "kernelRelease")), wantField: "memory.kernelRelease"},
		{name: "unknown operating system", raw: memory(set([]string{"memory"}, "operatingSystem", "macos")), wantField: "memory.operatingSystem"},
		{name: "operating system in capitals", raw: memory(set([]string{"memory"}, "operatingSystem", "Windows")), wantField: "memory.operatingSystem"},
		{name: "Linux crash dump", raw: memory(set([]string{"memory"}, "format", "crashdump")), wantField: "memory.format"},
		{name: "Windows dump with a kernel release", raw: memory(all(set([]string{"memory"}, "operatingSystem", "windows"), set([]string{"memory"}, "format", "raw"))), wantField: "memory.kernelRelease"},
		{name: "Windows AVML", raw: memory(all(set([]string{"memory"}, "operatingSystem", "windows"), set([]string{"memory"}, "format", "avml"), del([]string{"memory"}, "kernelRelease"))), wantField: "memory.format"},
	}
	require.GreaterOrEqual(t, len(tests), 25)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest(tt.raw)

			var verr *ValidationError
			require.True(t, errors.As(err, &verr), "want a *ValidationError, got %v", err)
			assert.Equal(t, tt.wantField, verr.Field, "field named by %q", verr.Error())
			assert.NotEmpty(t, verr.Problem)
			assert.Contains(t, verr.Error(), tt.wantField)
			assert.Equal(t, Request{}, req)
		})
	}
}

func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	return m
}

func TestParseRequestValid(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		want Request
	}{
		{
			name: "minimal EC2 disk request",
			raw: []byte(`{"forensicId":"cf-1","forensicType":"DISK",
				"resource":{"accountId":"111122223333","region":"eu-west-1","instanceId":"i-0a1b2c3d4e5f60718"},
				"disk":{"snapshots":[{"snapshotId":"snap-0a1b2c3d4e5f60718","sourceVolumeId":"vol-0a1b2c3d4e5f60718","sizeGiB":16384}]}}`),
			want: Request{
				ForensicID: "cf-1", ForensicType: ForensicTypeDisk,
				Resource: Resource{AccountID: "111122223333", Region: "eu-west-1", InstanceID: "i-0a1b2c3d4e5f60718"},
				Disk: &DiskEvidence{Snapshots: []Snapshot{
					{SnapshotID: "snap-0a1b2c3d4e5f60718", SourceVolumeID: "vol-0a1b2c3d4e5f60718", SizeGiB: 16384},
				}},
			},
		},
		{
			name: "short legacy IDs and a GuardDuty finding type with & and !",
			raw: []byte(`{"forensicId":"INC_2026.03-07","forensicType":"DISK",
				"resource":{"accountId":"111122223333","region":"us-gov-west-1","instanceId":"i-0a1b2c3d"},
				"finding":{"id":"f1","types":["TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS"]},
				"disk":{"snapshots":[{"snapshotId":"snap-0a1b2c3d","sourceVolumeId":"vol-0a1b2c3d","sizeGiB":1}]}}`),
			want: Request{
				ForensicID: "INC_2026.03-07", ForensicType: ForensicTypeDisk,
				Resource: Resource{AccountID: "111122223333", Region: "us-gov-west-1", InstanceID: "i-0a1b2c3d"},
				Finding:  &Finding{ID: "f1", Types: []string{"TTPs/Command and Control/Backdoor:EC2-C&CActivity.B!DNS"}},
				Disk: &DiskEvidence{Snapshots: []Snapshot{
					{SnapshotID: "snap-0a1b2c3d", SourceVolumeID: "vol-0a1b2c3d", SizeGiB: 1},
				}},
			},
		},
		{
			name: "EKS memory request without namespace or pod",
			raw: []byte(`{"forensicId":"cf-2","forensicType":"MEMORY",
				"resource":{"accountId":"111122223333","region":"eu-west-1","eks":{"clusterName":"prod","nodeInstanceId":"i-0c3d4e5f60718293a"}},
				"memory":{"s3Uri":"s3://casefile-evidence/memory/node.avml","sha256":"5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
				"sizeBytes":1,"format":"avml","kernelRelease":"5.10.228-219.884.amzn2.x86_64"}}`),
			want: Request{
				ForensicID: "cf-2", ForensicType: ForensicTypeMemory,
				Resource: Resource{AccountID: "111122223333", Region: "eu-west-1", EKS: &EKSWorkload{ClusterName: "prod", NodeInstanceID: "i-0c3d4e5f60718293a"}},
				Memory: &MemoryEvidence{
					S3URI: "s3://casefile-evidence/memory/node.avml", SHA256: "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef",
					SizeBytes: 1, Format: "avml", KernelRelease: "5.10.228-219.884.amzn2.x86_64",
				},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseRequest(tt.raw)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRequestAcceptsTheLimits(t *testing.T) {
	memory := func(edit func(m map[string]any)) []byte { return fixtureWith(t, "memory-ec2.json", edit) }
	tests := []struct {
		name string
		raw  []byte
	}{
		{name: "dump key of exactly the document's limit", raw: memory(func(m map[string]any) {
			obj(m, "memory")["s3Uri"] = "s3://casefile-evidence/" + strings.Repeat("k", MaxS3KeyBytes)
		})},
		{name: "dump key with every allowed punctuation", raw: memory(func(m map[string]any) {
			obj(m, "memory")["s3Uri"] = "s3://casefile-evidence/memory/web-01_(2026)!*.v1/dump.lime"
		})},
		{name: "bucket with dots", raw: memory(func(m map[string]any) { obj(m, "memory")["s3Uri"] = "s3://evidence.example.org/dump.lime" })},
		{name: "forensicId of 64 characters with single dots", raw: memory(func(m map[string]any) { m["forensicId"] = "a." + strings.Repeat("b", 62) })},
		{name: "null finding", raw: memory(func(m map[string]any) { m["finding"] = nil })},
		{name: "EKS pod name of 253 characters", raw: fixtureWith(t, "disk-eks.json", func(m map[string]any) {
			obj(m, "resource", "eks")["podName"] = strings.Repeat("a", 63) + "." + strings.Repeat("b", 189)
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequest(tt.raw)
			assert.NoError(t, err)
		})
	}
}

func TestValidationErrorIsBounded(t *testing.T) {
	key := strings.Repeat("\u0085", (MaxRequestBytes-200)/2)
	raw := []byte(`{"forensicId":"case-9","forensicType":"DISK","` + key + `":1}`)
	require.Less(t, len(raw), MaxRequestBytes)

	_, err := ParseRequest(raw)

	var verr *ValidationError
	require.True(t, errors.As(err, &verr), "want a *ValidationError, got %v", err)
	assert.LessOrEqual(t, len(verr.Field), MaxFieldBytes, "field")
	assert.LessOrEqual(t, len(verr.Problem), MaxProblemBytes, "problem")
	assert.True(t, strings.HasPrefix(verr.Field, `"\u0085\u0085`), "the key is quoted in ASCII: %.40s", verr.Field)
	assert.True(t, strings.HasSuffix(verr.Field, "…"), "a cut field ends with an ellipsis: %s", verr.Field)
	assert.True(t, utf8.ValidString(verr.Error()))
	assert.LessOrEqual(t, len(verr.Error()), len("invalid request: ")+MaxFieldBytes+2+MaxProblemBytes)

	direct := &ValidationError{Field: strings.Repeat("é", 1000), Problem: strings.Repeat("x", 1000)}
	assert.LessOrEqual(t, len(direct.Error()), len("invalid request: ")+MaxFieldBytes+2+MaxProblemBytes,
		"Error is bounded even for a ValidationError built by hand")
	assert.Equal(t, "invalid request: (request): empty field", (&ValidationError{Problem: "empty field"}).Error())
}

func TestBound(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{name: "short", in: "abc", max: 8, want: "abc"},
		{name: "exactly max", in: "abcdefgh", max: 8, want: "abcdefgh"},
		{name: "cut with ellipsis", in: "abcdefghij", max: 8, want: "abcde…"},
		{name: "never inside a character", in: "abcdéfghij", max: 8, want: "abcd…"},
		{name: "invalid UTF-8 replaced", in: "a\xffb", max: 8, want: "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bound(tt.in, tt.max)
			assert.Equal(t, tt.want, got)
			assert.LessOrEqual(t, len(got), tt.max)
		})
	}
}

func TestCheckEvidenceBucket(t *testing.T) {
	memory, err := ParseRequest(readFixture(t, "memory-ec2.json"))
	require.NoError(t, err)
	disk, err := ParseRequest(readFixture(t, "disk-ec2.json"))
	require.NoError(t, err)

	assert.NoError(t, memory.CheckEvidenceBucket(fixtureEvidenceBucket), "dump in the evidence bucket")
	assert.NoError(t, disk.CheckEvidenceBucket(fixtureEvidenceBucket), "a DISK request names no bucket")

	err = memory.CheckEvidenceBucket("casefile-evidence-other")
	var verr *ValidationError
	require.True(t, errors.As(err, &verr), "want a *ValidationError, got %v", err)
	assert.Equal(t, "memory.s3Uri", verr.Field)
	assert.Equal(t, "must name an object in the evidence bucket casefile-evidence-other, not in "+fixtureEvidenceBucket, verr.Problem)
}

// quoted returns raw as a JSON string, as the starter passes a request it
// judged invalid.
func quoted(t *testing.T, raw []byte) []byte {
	t.Helper()
	out, err := json.Marshal(string(raw))
	require.NoError(t, err)
	return out
}

func TestParseRequestQuoted(t *testing.T) {
	tests := []struct {
		name        string
		raw         []byte
		wantField   string
		wantProblem string
	}{
		{
			name: "a valid request in a string is still refused", raw: quoted(t, readFixture(t, "disk-ec2.json")),
			wantField: RequestField, wantProblem: "is a JSON string holding a request, not a JSON object",
		},
		{
			name: "an invalid one names its field", raw: quoted(t, readFixture(t, "invalid-duplicate-key.json")),
			wantField: "forensicId", wantProblem: "is given more than once",
		},
		{
			name: "text that is not JSON", raw: quoted(t, []byte("forensicId=x")),
			wantField: RequestField, wantProblem: "is not valid JSON at byte 2: invalid character 'o' in literal false (expecting 'a')",
		},
		{
			name: "a string in a string", raw: quoted(t, quoted(t, readFixture(t, "disk-ec2.json"))),
			wantField: RequestField, wantProblem: "must be a JSON object, not a string",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := ParseRequest(tt.raw)

			var verr *ValidationError
			require.True(t, errors.As(err, &verr), "want a *ValidationError, got %v", err)
			assert.Equal(t, tt.wantField, verr.Field)
			assert.Equal(t, tt.wantProblem, verr.Problem)
			assert.Equal(t, Request{}, req)
		})
	}
}

func TestRequestText(t *testing.T) {
	raw := readFixture(t, "invalid-duplicate-key.json")

	text, isQuoted := RequestText(quoted(t, raw))
	assert.True(t, isQuoted)
	assert.Equal(t, string(raw), string(text), "the request as it was sent")

	text, isQuoted = RequestText(raw)
	assert.False(t, isQuoted)
	assert.Equal(t, string(raw), string(text))

	id, typ := RequestHead(quoted(t, readFixture(t, "invalid-case-variant-key.json")))
	assert.Equal(t, "cf-2026-03-14-0009", id, "the head of a quoted request")
	assert.Equal(t, "DISK", typ)
	assert.Equal(t, "cf-2026-03-14-0009", CaseID(quoted(t, readFixture(t, "invalid-case-variant-key.json")), "x"))
}

func TestFindingCustomAction(t *testing.T) {
	tests := []struct {
		name, arn, wantID string
	}{
		{name: "built-in action", arn: "arn:aws:securityhub:eu-west-1:111122223333:action/custom/CasefileIsolate", wantID: "CasefileIsolate"},
		{name: "GovCloud, ID of 20", arn: "arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:action/custom/A1234567890123456789", wantID: "A1234567890123456789"},
		{name: "China partition", arn: "arn:aws-cn:securityhub:cn-north-1:111122223333:action/custom/Isolate", wantID: "Isolate"},
		{name: "none", arn: "", wantID: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Finding{ID: "f1", CustomActionARN: tt.arn}
			assert.NoError(t, f.validate(), "custom action ARN %q", tt.arn)
			assert.Equal(t, tt.wantID, f.CustomActionID())
		})
	}
}

func TestFindingProductARN(t *testing.T) {
	tests := []struct {
		name, productARN string
	}{
		{name: "AWS product", productARN: "arn:aws:securityhub:eu-west-1::product/aws/guardduty"},
		{name: "custom integration", productARN: "arn:aws:securityhub:us-gov-west-1:111122223333:product/111122223333/default"},
		{name: "China partition", productARN: "arn:aws-cn:securityhub:cn-north-1::product/aws/inspector"},
		{name: "none", productARN: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.NoError(t, Finding{ID: "f1", ProductARN: tt.productARN}.validate(), "product ARN %q", tt.productARN)
		})
	}
}
