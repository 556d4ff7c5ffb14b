// Package report is the report step: it builds a case report from the case
// records (the case and investigation items, the custody events and the
// artifacts) and the forensics' results.json files, and writes it under
// the case prefix as report.json (schema docs/report.schema.json),
// report.md and a self-contained report.html. A report that cannot be
// written is recorded on the case and does not fail the investigation.
package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Steps and actions of the custody events. The step is the workflow state
// that ran the handler.
const (
	StepWriteReport        = "WriteReport"
	StepWriteFailureReport = "WriteFailureReport"
	ActionReportWritten    = "report-written"
	ActionReportFailed     = "report-failed"
)

// ErrorReportFailed is the Step Functions error name of a report that
// could not be written. It is not an investigation Reason: the workflow
// records it at $.reportError and goes on.
const ErrorReportFailed investigation.Reason = "REPORT_FAILED"

// Records is the part of the case store that the report step uses.
type Records interface {
	AppendEvent(ctx context.Context, e caserecords.Event) error
}

// Config names the case table and the results bucket, and the keys that
// protect the evidence and results (optional, for the report's evidence
// section).
type Config struct {
	TableName        string
	ResultsBucket    string
	VolumeKMSKeyARN  string
	ResultsKMSKeyARN string
}

// Presigner is the part of the S3 presign client that the report step
// uses for the optional link to report.html.
type Presigner interface {
	PresignGetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
}

// Handler handles both report steps.
type Handler struct {
	db      caserecords.Querier
	records Records
	s3      S3
	cfg     Config
	now     func() time.Time

	presigner  Presigner
	linkExpiry time.Duration
}

// WithLink has the handler pre-sign a link to each report.html, valid for
// expiry, and put it in the state.
func (h *Handler) WithLink(p Presigner, expiry time.Duration) *Handler {
	h.presigner, h.linkExpiry = p, expiry
	return h
}

// New returns a Handler.
func New(db caserecords.Querier, records Records, client S3, cfg Config) *Handler {
	return &Handler{db: db, records: records, s3: client, cfg: cfg, now: time.Now}
}

// failureRecordTimeout bounds the report-failed custody event written
// after the step's own deadline has passed.
const failureRecordTimeout = 3 * time.Second

// Handle writes the report of the case in st and returns st with Report
// set. On the failure path (st.Error set) the report carries the reason
// under its limitations. Any error is recorded as a report-failed custody
// event and returned as ErrorReportFailed.
func (h *Handler) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	if st.Error != nil && investigation.ReasonOf(st.Error.Error) == investigation.ReasonDuplicateRequest {
		// Intake refused a second investigation of a case and type: the
		// execution that owns it writes the case's report.
		slog.InfoContext(ctx, "duplicate request refused; the report is left to the case's own execution",
			"executionName", st.ExecutionName)
		return st, nil
	}
	now := h.now()
	id, typ := caseOf(st)
	step := StepWriteReport
	if st.Error != nil {
		step = StepWriteFailureReport
	}
	written, err := h.write(ctx, st, id, typ, now)
	if err != nil {
		failure := investigation.Fail(ErrorReportFailed, "write the report of case %s: %w", id, err)
		// The failure may be the step's deadline itself: the event gets a
		// little time of its own, within the function's.
		recordCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), failureRecordTimeout)
		defer cancel()
		if evErr := h.records.AppendEvent(recordCtx, caserecords.Event{
			ForensicID: id, ForensicType: typ, Step: step, Action: ActionReportFailed,
			Detail: investigation.Truncate(failure.Err.Error(), MaxDetailBytes), Time: now,
		}); evErr != nil {
			return st, investigation.Fail(ErrorReportFailed, "%w; and %w", failure.Err, evErr)
		}
		return st, failure
	}

	uri := func(form string) string {
		return "s3://" + h.cfg.ResultsBucket + "/" + investigation.ReportKey(id, form)
	}
	located := &investigation.Report{
		JSONS3URI:     uri(investigation.ReportJSON),
		MarkdownS3URI: uri(investigation.ReportMarkdown),
		HTMLS3URI:     uri(investigation.ReportHTML),
	}
	detail := "case report written as JSON, Markdown and HTML, each uploaded with its SHA-256"
	resources := map[string]string{}
	if h.presigner != nil {
		// The link itself is a bearer credential: the custody log keeps
		// only its expiry.
		if err := h.link(ctx, located, id, now); err != nil {
			detail += "; no link to report.html: " + investigation.Truncate(err.Error(), 300)
		} else {
			resources["htmlLinkExpiresAt"] = located.HTMLLinkExpiresAt
		}
	}
	for _, w := range written {
		resources[w.form+"Key"] = w.key
		resources[w.form+"Sha256"] = w.sha256
		if w.version != "" {
			resources[w.form+"VersionId"] = w.version
		}
	}
	if err := h.records.AppendEvent(ctx, caserecords.Event{
		ForensicID: id, ForensicType: typ, Step: step, Action: ActionReportWritten,
		Resources: resources, Detail: detail, Time: now,
	}); err != nil {
		return st, investigation.Fail(ErrorReportFailed, "record the report of case %s: %w", id, err)
	}
	st.Report = located
	slog.InfoContext(ctx, "report written", "forensicId", id, "forensicType", typ, "s3Uri", st.Report.HTMLS3URI)
	return st, nil
}

// Build reads the case records and results of the case in st and returns
// its report.
func (h *Handler) Build(ctx context.Context, st investigation.State) (Report, error) {
	id, typ := caseOf(st)
	return h.build(ctx, st, id, typ, h.now())
}

func (h *Handler) build(ctx context.Context, st investigation.State, id string, typ investigation.ForensicType, now time.Time) (Report, error) {
	records, err := caserecords.ReadCollection(ctx, h.db, h.cfg.TableName, id)
	if err != nil {
		return Report{}, err
	}
	b := &builder{
		st: st, forensicID: id, typ: typ, records: records, now: now,
		objects: objects{s3: h.s3, bucket: h.cfg.ResultsBucket}, keys: h.keys(),
	}
	return b.build(ctx), nil
}

// uploaded is one form of the report as written.
type uploaded struct {
	form, key, sha256, version string
}

// write builds, renders and uploads the report.
func (h *Handler) write(ctx context.Context, st investigation.State, id string, typ investigation.ForensicType, now time.Time) ([]uploaded, error) {
	r, err := h.build(ctx, st, id, typ, now)
	if err != nil {
		return nil, err
	}
	forms, err := Render(r)
	if err != nil {
		return nil, err
	}
	var written []uploaded
	var problems []error
	for _, f := range forms {
		u, err := h.upload(ctx, id, f)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		written = append(written, u)
	}
	return written, errors.Join(problems...)
}

// upload puts one form under the case prefix with its SHA-256 checksum,
// which S3 checks and an Object Lock bucket requires.
func (h *Handler) upload(ctx context.Context, id string, f Form) (uploaded, error) {
	key := investigation.ReportKey(id, f.Name)
	sum := sha256.Sum256(f.Content)
	out, err := h.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:            aws.String(h.cfg.ResultsBucket),
		Key:               aws.String(key),
		Body:              bytes.NewReader(f.Content),
		ContentLength:     aws.Int64(int64(len(f.Content))),
		ContentType:       aws.String(f.ContentType),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		ChecksumSHA256:    aws.String(base64.StdEncoding.EncodeToString(sum[:])),
	})
	if err != nil {
		return uploaded{}, fmt.Errorf("upload s3://%s/%s: %w", h.cfg.ResultsBucket, key, err)
	}
	return uploaded{form: f.Name, key: key, sha256: hex.EncodeToString(sum[:]), version: aws.ToString(out.VersionId)}, nil
}

// link pre-signs a GET of report.html into r.
func (h *Handler) link(ctx context.Context, r *investigation.Report, id string, now time.Time) error {
	req, err := h.presigner.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(h.cfg.ResultsBucket), Key: aws.String(investigation.ReportKey(id, investigation.ReportHTML)),
	}, s3.WithPresignExpires(h.linkExpiry))
	if err != nil {
		return fmt.Errorf("pre-sign the link to the report of case %s: %w", id, err)
	}
	r.HTMLLink, r.HTMLLinkExpiresAt = req.URL, now.Add(h.linkExpiry).UTC().Format(time.RFC3339)
	return nil
}

// keys lists the configured KMS keys.
func (h *Handler) keys() []KMSKey {
	var keys []KMSKey
	if h.cfg.VolumeKMSKeyARN != "" {
		keys = append(keys, KMSKey{ARN: h.cfg.VolumeKMSKeyARN, Use: "encrypts the case's evidence volumes made from the snapshots"})
	}
	if h.cfg.ResultsKMSKeyARN != "" {
		keys = append(keys, KMSKey{ARN: h.cfg.ResultsKMSKeyARN, Use: "encrypts the results and this report in the results bucket"})
	}
	return keys
}

// caseOf returns the case and evidence type of st, as notify finds them:
// the state's, else the valid request's, else those a rejected request is
// recorded under.
func caseOf(st investigation.State) (string, investigation.ForensicType) {
	if st.ForensicID != "" {
		return st.ForensicID, st.ForensicType
	}
	if req, err := investigation.ParseRequest(st.Request); err == nil {
		return req.ForensicID, req.ForensicType
	}
	return investigation.CaseID(st.Request, st.ExecutionName), caserecords.RejectedType(st.Request)
}
