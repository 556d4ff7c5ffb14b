// Package notify is the NotifySuccess and NotifyFailure steps: it records
// the investigation's final status and publishes one SNS message that says
// what happened and where the results and records are.
//
// The message is published with MessageStructure "json": the "default" and
// "email" entries are the text for people (Message.Text), while "email-json",
// "sqs", "lambda", "http" and "https" carry the JSON form (Message) for
// machines, so that each subscriber gets the form it can use from one
// Publish. The message attributes forensicId, forensicType, status and
// reason (when failed) let subscriptions filter without parsing the body.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/casefile-forensics/casefile/lambdas/caserecords"
	"github.com/casefile-forensics/casefile/lambdas/findingupdate"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// findingUpdateTimeout bounds the Security Hub update, so that the
// notification is published whatever Security Hub does.
const findingUpdateTimeout = 5 * time.Second

// Steps and the action of the custody event.
const (
	StepNotifySuccess      = "NotifySuccess"
	StepNotifyFailure      = "NotifyFailure"
	ActionNotificationSent = "notification-sent"
	// The actions of the custody event that says what became of the
	// Security Hub finding's update.
	ActionFindingUpdated       = "finding-updated"
	ActionFindingUpdateSkipped = "finding-update-skipped"
	ActionFindingUpdateFailed  = "finding-update-failed"
)

// Records is the part of the case store that notify uses.
type Records interface {
	UpdateInvestigation(ctx context.Context, u caserecords.InvestigationUpdate) error
	AppendEvent(ctx context.Context, e caserecords.Event) error
}

// Publisher is the part of the SNS client that notify uses.
type Publisher interface {
	Publish(ctx context.Context, params *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// FindingUpdater tells the Security Hub finding behind a case how the case
// ended (findingupdate.Updater).
type FindingUpdater interface {
	Update(ctx context.Context, finding *investigation.Finding, c findingupdate.Case) findingupdate.Outcome
}

// Config names the topic and the case table.
type Config struct {
	TopicARN  string
	TableName string
	// Findings, when set, updates the finding of each case that came from
	// one; nil leaves findings alone.
	Findings FindingUpdater
}

// Handler handles both notify steps.
type Handler struct {
	records Records
	sns     Publisher
	cfg     Config
	now     func() time.Time
}

// New returns a Handler.
func New(records Records, publisher Publisher, cfg Config) *Handler {
	return &Handler{records: records, sns: publisher, cfg: cfg, now: time.Now}
}

// Handle records the outcome in st (SUCCEEDED when st.Error is nil, else
// FAILED with the reason and detail of st.Error), publishes the
// notification and returns st unchanged. A record that is already final
// (a retry, a request that intake rejected) or that another execution made
// (an invalid request naming a running case) is kept, and the outcome is
// notified all the same. A DUPLICATE_REQUEST (intake refused a second
// investigation of the case and type) is neither recorded nor notified.
func (h *Handler) Handle(ctx context.Context, st investigation.State) (investigation.State, error) {
	if st.Error != nil && investigation.ReasonOf(st.Error.Error) == investigation.ReasonDuplicateRequest {
		// Intake refused a second investigation of a case and type: the
		// one that runs or ran owns the record and its notification.
		slog.InfoContext(ctx, "duplicate request refused; nothing recorded or notified",
			"executionName", st.ExecutionName, "detail", Detail(st.Error))
		return st, nil
	}
	now := h.now()
	msg, finding := h.message(st, now)

	update := caserecords.InvestigationUpdate{
		ForensicID:     msg.ForensicID,
		ForensicType:   msg.ForensicType,
		Status:         msg.Status,
		Reason:         msg.Reason,
		ReasonDetail:   msg.Detail,
		CleanupError:   msg.CleanupError,
		IsolationError: msg.IsolationError,
		Time:           now,
		// When intake refused the request, the key may name another
		// execution's investigation, which must not change.
		Execution: st.ExecutionName,
	}
	if st.Results != nil {
		update.ResultsS3URI = st.Results.S3URI
	}
	kept := false
	if err := h.records.UpdateInvestigation(ctx, update); err != nil {
		var terr *caserecords.TransitionError
		if !errors.As(err, &terr) {
			return st, err
		}
		kept = true
		slog.InfoContext(ctx, "investigation already recorded; record kept", "forensicId", msg.ForensicID,
			"forensicType", msg.ForensicType, "error", err)
	}

	findingEvent := h.updateFinding(ctx, &msg, finding, now)

	messageID, err := h.publish(ctx, msg)
	if err != nil {
		return st, err
	}

	step := StepNotifySuccess
	if msg.Status == investigation.StatusFailed {
		step = StepNotifyFailure
	}
	detail := fmt.Sprintf("notified %s", msg.Status)
	if kept {
		detail += "; the investigation record was already there and was kept"
	}
	h.recordPublished(ctx, caserecords.Event{
		ForensicID:   msg.ForensicID,
		ForensicType: msg.ForensicType,
		Step:         step,
		Action:       ActionNotificationSent,
		Resources:    map[string]string{"topicArn": h.cfg.TopicARN, "messageId": messageID},
		Detail:       detail,
		Time:         now,
	})
	if findingEvent != nil {
		h.recordPublished(ctx, *findingEvent)
	}
	slog.InfoContext(ctx, "notification sent", "forensicId", msg.ForensicID, "forensicType", msg.ForensicType,
		"status", msg.Status, "reason", msg.Reason, "messageId", messageID)
	return st, nil
}

// recordPublished appends a custody event of a notification already
// published. Its failure is logged, not returned: the step's retry would
// publish the notification (and update the finding) a second time.
func (h *Handler) recordPublished(ctx context.Context, e caserecords.Event) {
	if err := h.records.AppendEvent(ctx, e); err != nil {
		slog.ErrorContext(ctx, "custody event of a published notification not recorded", "forensicId", e.ForensicID,
			"forensicType", e.ForensicType, "action", e.Action, "error", err)
	}
}

// updateFinding tells the case's finding how the case ended, when there is
// a finding and an updater, puts the outcome in msg and returns the custody
// event that records it. A failed update is recorded, never returned.
func (h *Handler) updateFinding(ctx context.Context, msg *Message, finding *investigation.Finding, now time.Time) *caserecords.Event {
	if h.cfg.Findings == nil || finding == nil {
		return nil
	}
	c := findingupdate.Case{
		ForensicID: msg.ForensicID, ForensicType: msg.ForensicType, Status: msg.Status, Reason: msg.Reason,
	}
	if msg.Results != nil {
		c.ResultsS3URI = msg.Results.S3URI
	}
	if msg.Report != nil {
		c.ReportS3URI = msg.Report.HTMLS3URI
	}
	// A Security Hub that does not answer must leave the publish its time.
	updateCtx, cancel := context.WithTimeout(ctx, findingUpdateTimeout)
	defer cancel()
	out := h.cfg.Findings.Update(updateCtx, finding, c)
	msg.FindingUpdate = &out

	action := ActionFindingUpdated
	switch out.Status {
	case findingupdate.StatusSkipped:
		action = ActionFindingUpdateSkipped
	case findingupdate.StatusFailed:
		action = ActionFindingUpdateFailed
		slog.WarnContext(ctx, "Security Hub finding not updated", "forensicId", msg.ForensicID,
			"findingId", out.FindingID, "detail", out.Detail)
	}
	step := StepNotifySuccess
	if msg.Status == investigation.StatusFailed {
		step = StepNotifyFailure
	}
	detail := out.Note
	if out.Detail != "" {
		detail = out.Detail
	}
	return &caserecords.Event{
		ForensicID:   msg.ForensicID,
		ForensicType: msg.ForensicType,
		Step:         step,
		Action:       action,
		Resources:    map[string]string{"findingId": out.FindingID, "productArn": out.ProductARN},
		Detail:       detail,
		Time:         now,
	}
}

// message builds the notification of st, and returns the finding of its
// request when the request is valid.
func (h *Handler) message(st investigation.State, now time.Time) (Message, *investigation.Finding) {
	m := Message{
		SchemaVersion: SchemaVersion,
		Status:        investigation.StatusSucceeded,
		ExecutionName: st.ExecutionName,
		Results:       st.Results,
		Cleanup:       boundedCleanup(st.Cleanup),
		Time:          now.UTC().Format(time.RFC3339),
	}
	if st.Error != nil {
		m.Status = investigation.StatusFailed
		m.Reason = investigation.ReasonOf(st.Error.Error)
		m.Detail = Detail(st.Error)
	}
	if st.CleanupError != nil {
		m.CleanupError = investigation.Truncate(st.CleanupError.Error+": "+Detail(st.CleanupError), MaxDetailBytes)
	}
	if st.Report != nil {
		r := *st.Report
		if len(r.HTMLLink) > maxLinkBytes {
			// Not a link the report step makes; leave it out rather
			// than let it grow the message.
			r.HTMLLink, r.HTMLLinkExpiresAt = "", ""
		}
		m.Report = &r
	}
	if st.ReportError != nil {
		m.ReportError = investigation.Truncate(st.ReportError.Error+": "+Detail(st.ReportError), MaxDetailBytes)
	}
	if st.Isolation != nil {
		iso := *st.Isolation
		iso.Rule = investigation.Truncate(iso.Rule, maxRuleBytes)
		m.Isolation = &iso
	}
	if st.IsolationError != nil {
		m.IsolationError = investigation.Truncate(st.IsolationError.Error+": "+Detail(st.IsolationError), MaxDetailBytes)
	}

	req, err := investigation.ParseRequest(st.Request)
	valid := err == nil
	switch {
	case st.ForensicID != "":
		m.ForensicID, m.ForensicType = st.ForensicID, st.ForensicType
	case valid:
		m.ForensicID, m.ForensicType = req.ForensicID, req.ForensicType
	default:
		// The request was rejected: it is recorded under this key.
		m.ForensicID = investigation.CaseID(st.Request, st.ExecutionName)
		m.ForensicType = caserecords.RejectedType(st.Request)
	}
	var finding *investigation.Finding
	if valid {
		m.Resource = &req.Resource
		if req.Finding != nil {
			m.FindingID = req.Finding.ID
			finding = req.Finding
		}
	}

	pk := investigation.CasePartition(m.ForensicID)
	m.Records = RecordKeys{
		TableName:     h.cfg.TableName,
		Investigation: ItemKey{PK: pk, SK: investigation.InvestigationSortKey(m.ForensicType)},
	}
	if st.Isolation != nil {
		m.Records.Isolation = &ItemKey{PK: pk, SK: investigation.IsolationSortKey(m.ForensicType)}
	}
	if m.Resource != nil {
		m.Records.Case = &ItemKey{PK: pk, SK: investigation.SortCase}
	}
	if m.Results != nil {
		m.Records.Artifacts = &KeyPrefix{PK: pk,
			SKPrefix: investigation.SortArtifactPrefix + investigation.ResultsPrefix(m.ForensicID, m.ForensicType)}
	}
	return m, finding
}

// publish sends msg to the topic and returns the message ID.
func (h *Handler) publish(ctx context.Context, msg Message) (string, error) {
	machine, err := json.Marshal(msg)
	if err != nil {
		return "", fmt.Errorf("encode notification of %s: %w", msg.ForensicID, err)
	}
	text := msg.Text()
	body, err := json.Marshal(map[string]string{
		"default":    text,
		"email":      text,
		"email-json": string(machine),
		"sqs":        string(machine),
		"lambda":     string(machine),
		"http":       string(machine),
		"https":      string(machine),
	})
	if err != nil {
		return "", fmt.Errorf("encode notification of %s: %w", msg.ForensicID, err)
	}
	attrs := map[string]types.MessageAttributeValue{
		"forensicId":   stringAttr(msg.ForensicID),
		"forensicType": stringAttr(string(msg.ForensicType)),
		"status":       stringAttr(string(msg.Status)),
	}
	if msg.Reason != "" {
		attrs["reason"] = stringAttr(string(msg.Reason))
	}
	out, err := h.sns.Publish(ctx, &sns.PublishInput{
		TopicArn:          aws.String(h.cfg.TopicARN),
		Subject:           aws.String(msg.Subject()),
		Message:           aws.String(string(body)),
		MessageStructure:  aws.String("json"),
		MessageAttributes: attrs,
	})
	if err != nil {
		return "", fmt.Errorf("publish notification of %s %s: %w", msg.ForensicID, msg.ForensicType, err)
	}
	return aws.ToString(out.MessageId), nil
}

func stringAttr(v string) types.MessageAttributeValue {
	return types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
}
