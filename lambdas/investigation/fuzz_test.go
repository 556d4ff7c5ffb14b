package investigation

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"

	ssmdocuments "github.com/casefile-forensics/casefile/ssm-documents"
	"github.com/casefile-forensics/casefile/test/fixtures/requests"
)

// Step Functions execution names: 1 to 80 characters, none of whitespace,
// < > { } [ ] ? * " # % \ ^ | ~ ` $ & , ; : / or control characters.
var sfnNameOK = regexp.MustCompile(`^[^\s<>{}\[\]?*"#%\\^|~` + "`" + `$&,;:/\x00-\x1f\x7f-\x9f]{1,80}$`)

// Tag values portable across AWS services (EC2 itself allows any
// character): at most 256 of letters, digits, spaces and + - = . _ : / @.
var tagValueOK = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$`)

// checkAccepted fails unless every value of an accepted request that later
// reaches an execution name, an S3 key, an EC2 tag or an SSM document
// parameter is acceptable there, so that the case cannot fail late for
// something intake could have refused.
func checkAccepted(t *testing.T, raw []byte, req Request, patterns map[ForensicType]map[string]*regexp.Regexp) {
	t.Helper()
	if err := req.Validate(); err != nil {
		t.Fatalf("an accepted request does not re-validate: %v", err)
	}
	if err := req.CheckSnapshotOwners(ownedBy(req, req.Resource.AccountID)); err != nil {
		t.Fatalf("snapshots owned by the request's account are refused: %v", err)
	}
	// The steps after intake parse the request again.
	again, err := ParseRequest(raw)
	if err != nil || !reflect.DeepEqual(again, req) {
		t.Fatalf("a second parse differs: %v", err)
	}
	re, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	round, err := ParseRequest(re)
	if err != nil {
		t.Fatalf("the re-encoded request %s does not parse: %v", re, err)
	}
	if !reflect.DeepEqual(round, req) {
		t.Fatalf("the re-encoded request %s parses to %+v", re, round)
	}
	if got := CaseID(raw, "x"); got != req.ForensicID {
		t.Fatalf("CaseID = %q, forensicId = %q", got, req.ForensicID)
	}
	name := ExecutionName(req.ForensicID, req.ForensicType)
	if !sfnNameOK.MatchString(name) {
		t.Fatalf("execution name %q is not acceptable to Step Functions", name)
	}
	if id, typ, ok := ParseExecutionName(name); !ok || id != req.ForensicID || typ != req.ForensicType {
		t.Fatalf("ParseExecutionName(%q) = %q %q %v", name, id, typ, ok)
	}
	if !tagValueOK.MatchString(req.ForensicID) {
		t.Fatalf("forensicId %q is not a valid tag value", req.ForensicID)
	}
	if req.Memory != nil {
		if b, k, err := SplitS3URI(req.Memory.S3URI); err != nil || "s3://"+b+"/"+k != req.Memory.S3URI {
			t.Fatalf("SplitS3URI(%q) does not round-trip: %v", req.Memory.S3URI, err)
		}
	}
	if problem := documentProblem(req, patterns); problem != "" {
		t.Fatal(problem)
	}
}

// checkRefused fails unless a refusal is a bounded *ValidationError that
// names a printable field and leaves nothing decoded.
func checkRefused(t *testing.T, raw []byte, req Request, err error) {
	t.Helper()
	var verr *ValidationError
	if !errors.As(err, &verr) || verr.Problem == "" {
		t.Fatalf("the error is not a *ValidationError with a problem: %#v", err)
	}
	if verr.Field == "" {
		t.Fatalf("the validation error names no field: %#v", verr)
	}
	if len(verr.Field) > MaxFieldBytes || len(verr.Problem) > MaxProblemBytes {
		t.Fatalf("the validation error is not bounded: field %d bytes, problem %d bytes", len(verr.Field), len(verr.Problem))
	}
	for _, r := range verr.Field {
		if !unicode.IsPrint(r) {
			t.Fatalf("the field name %q holds a character that is not printable", verr.Field)
		}
	}
	if !documentedField.MatchString(verr.Field) && !strings.HasPrefix(verr.Problem, "is not a known field") {
		t.Fatalf("the rejection names %q, neither a field of the request nor an unknown key: %v", verr.Field, err)
	}
	if !reflect.DeepEqual(req, Request{}) {
		t.Fatalf("an invalid request decoded to %+v", req)
	}
	id := CaseID(raw, "exec-name")
	if !ValidForensicID(id) && !strings.HasPrefix(id, "invalid-") {
		t.Fatalf("CaseID = %q", id)
	}
}

// FuzzParseRequest seeds with every fixture request (the valid ones and
// the bad-input corpus), hostileSeeds and the inputs under
// testdata/fuzz/FuzzParseRequest, and checks that ParseRequest never
// panics, that what it accepts re-validates and can be used everywhere
// later steps put it (checkAccepted), and that what it refuses is refused
// naming a field (checkRefused).
func FuzzParseRequest(f *testing.F) {
	names, err := requests.Names()
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range names {
		raw, err := requests.Read(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
		// As the starter passes a request it judged invalid.
		quoted, err := json.Marshal(string(raw))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(quoted)
	}
	for _, s := range hostileSeeds {
		f.Add([]byte(s))
	}
	patterns := documentPatterns(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		req, err := ParseRequest(raw)
		if err != nil {
			checkRefused(t, raw, req, err)
			return
		}
		checkAccepted(t, raw, req, patterns)
	})
}

// FuzzSplitS3URI checks that any URI SplitS3URI accepts is also accepted
// by the memory document's dumpS3Uri pattern and by the scripts' '..' rule.
func FuzzSplitS3URI(f *testing.F) {
	for _, s := range []string{
		"s3://casefile-evidence/memory/dump.lime", "s3://a/b", "s3://bucket//x", "s3:///x",
		"s3://bucket/./x", "s3://bucket/x/..", "s3://bucket/%2e%2e/x", "s3://192.168.1.1/k",
		"s3://bucket/it's", "s3://bucket/a..b", "s3://xn--bucket/k", "s3://bucket/" + strings.Repeat("k", 1001),
		"s3://bucket-s3alias/k", "s3://a.b-c/(x)!*_", "s3://bucket/k/",
	} {
		f.Add(s)
	}
	pattern := documentPatterns(f)[ForensicTypeMemory][ssmdocuments.ParamDumpS3URI]
	f.Fuzz(func(t *testing.T, uri string) {
		b, k, err := SplitS3URI(uri)
		if err != nil {
			return
		}
		if "s3://"+b+"/"+k != uri {
			t.Fatalf("split %q into %q %q", uri, b, k)
		}
		if !validBucketName(b) {
			t.Fatalf("accepted bucket %q breaks S3's naming rules", b)
		}
		if !pattern.MatchString(uri) {
			t.Fatalf("SplitS3URI accepts %q but dumpS3Uri's allowedPattern %s refuses it", uri, pattern)
		}
		if strings.Contains(uri, "..") {
			t.Fatalf("SplitS3URI accepts %q but the scripts refuse '..'", uri)
		}
	})
}

// documentedField matches the path of every field of a Request, as a
// ValidationError names it, and RequestField.
var documentedField = regexp.MustCompile(`^(\(request\)|forensicId|forensicType|` +
	`resource(\.(accountId|region|instanceId|eks(\.(clusterName|nodeInstanceId|namespace|podName))?))?|` +
	`finding(\.(id|types(\[[0-9]+\])?|productName|severity|productArn|customActionArn))?|` +
	`disk(\.snapshots(\[[0-9]+\](\.(snapshotId|sourceVolumeId|sizeGiB))?)?)?|` +
	`memory(\.(s3Uri|sha256|sizeBytes|operatingSystem|format|kernelRelease))?)$`)

// ownedBy returns every snapshot of req as owned by account.
func ownedBy(req Request, account string) map[string]string {
	owners := map[string]string{}
	if req.Disk != nil {
		for _, s := range req.Disk.Snapshots {
			owners[s.SnapshotID] = account
		}
	}
	return owners
}

var hostileSeeds = []string{
	`{}`, `[]`, `null`, `"x"`, `1e999`, `{"forensicId":null}`,
	`{"forensicId":"cf-1","forensicId":"cf-2"}`,
	`{"forensicId":"a\u0000b"}`,
	`{"FORENSICID":"cf-1","forensicType":"DISK"}`,
	`{"forenſicId":"cf-1"}`,
	`{"":0}`,
	diskTemplate,
	memoryTemplate,
	strings.Replace(diskTemplate, `"sizeGiB":8`, `"sizeGiB":8,"SizeGiB":9`, 1),
	strings.Replace(diskTemplate, `"region":"eu-west-1"`, `"region":"eu-west-1","region":"us-east-1"`, 1),
	strings.Replace(memoryTemplate, `"cf-1"`, `"a..b"`, 1),
	strings.Replace(memoryTemplate, `memory/dump.lime`, `memory/it's.lime`, 1),
	strings.Replace(memoryTemplate, `memory/dump.lime`, `memory/a..b.lime`, 1),
	strings.Replace(memoryTemplate, `memory/dump.lime`, `memory/*`, 1),
	strings.Replace(memoryTemplate, `casefile-evidence`, `192.168.1.1`, 1),
	strings.Replace(memoryTemplate, `6.1.0-28-cloud-amd64`, `6.1..0`, 1),
	strings.Replace(memoryTemplate, `4096`, `9223372036854775807`, 1),
	strings.Replace(memoryTemplate, `4096`, `9223372036854775808`, 1),
	strings.Replace(memoryTemplate, `4096`, `-0`, 1),
	strings.Replace(memoryTemplate, `4096`, `4096.0`, 1),
	strings.Replace(memoryTemplate, `"memory":{`, `"memory":{"s3Uri":"s3://other/x",`, 1),
	strings.Replace(memoryTemplate, `"memory":{`, `"memory":[{`, 1),
	strings.Replace(memoryTemplate, `"cf-1"`, `"`+strings.Repeat("a", 64)+`"`, 1),
	// Keys longer than MaxFieldBytes once quoted; TestValidationErrorIsBounded
	// takes them to MaxRequestBytes (seeds that large make minimizing slow).
	`{"` + strings.Repeat("x", 2000) + `":1}`,
	`{"` + strings.Repeat(`\u0085`, 500) + `":1}`,
	// Deep nesting, a long array, a number where an object goes.
	`{"disk":{"snapshots":` + strings.Repeat("[", 2000) + strings.Repeat("]", 2000) + `}}`,
	`{"finding":{"id":"f","types":[` + strings.Repeat(`"t",`, 100) + `"t"]}}`,
	strings.Replace(diskTemplate, `"resource":{`, `"resource":1,"x":{`, 1),
}
