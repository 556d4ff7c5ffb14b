package ec2isolation

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Tags that the isolation puts on the instance.
const (
	// TagIsolatedBy names the case that first isolated the instance.
	TagIsolatedBy = "casefile:isolated-by"
	// TagOriginalPrefix, followed by a measure's name, holds that
	// measure's record: the case, the original settings and, once
	// applied, what it set. A record longer than one tag value continues
	// in the tags named "...#2", "...#3" and so on.
	TagOriginalPrefix = "casefile:original:"
)

// maxTagValue is EC2's limit on the length of a tag value.
const maxTagValue = 256

// record is one measure's record on the instance. A record without a
// status was written before the measure changed anything: its Original is
// the settings from before, whatever the instance has now.
type record struct {
	Case   string                      `json:"case"`
	Status investigation.MeasureStatus `json:"status,omitempty"`
	// Target is set when it is not the instance, such as a role's ARN.
	Target   string            `json:"target,omitempty"`
	Original map[string]string `json:"original,omitempty"`
	Applied  map[string]string `json:"applied,omitempty"`
}

func (rec record) targetOr(instanceID string) string {
	if rec.Target != "" {
		return rec.Target
	}
	return instanceID
}

// readRecords finds the measures' records in the instance's tags. A record
// that cannot be read is ignored: its measure runs again.
func readRecords(tags map[string]string) map[investigation.MeasureName]record {
	records := map[investigation.MeasureName]record{}
	for _, name := range investigation.EC2Measures {
		key := TagOriginalPrefix + string(name)
		first, ok := tags[key]
		if !ok {
			continue
		}
		var raw strings.Builder
		raw.WriteString(first)
		for i := 2; ; i++ {
			part, ok := tags[key+"#"+strconv.Itoa(i)]
			if !ok {
				break
			}
			raw.WriteString(part)
		}
		// Decode reads the first JSON value only: a record shorter than
		// the one it replaced may leave a stale continuation tag behind.
		var rec record
		if err := json.NewDecoder(strings.NewReader(raw.String())).Decode(&rec); err == nil {
			records[name] = rec
		}
	}
	return records
}

// recordTags are the tags that hold rec as name's record.
func recordTags(name investigation.MeasureName, rec record) ([]types.Tag, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return nil, fmt.Errorf("encode the record of measure %s: %w", name, err)
	}
	value := strings.TrimSuffix(buf.String(), "\n")
	key := TagOriginalPrefix + string(name)
	var tags []types.Tag
	for i, part := range chunks(value, maxTagValue) {
		k := key
		if i > 0 {
			k += "#" + strconv.Itoa(i+1)
		}
		tags = append(tags, types.Tag{Key: aws.String(k), Value: aws.String(part)})
	}
	return tags, nil
}

// chunks cuts s into pieces of at most size bytes, never inside a UTF-8
// sequence.
func chunks(s string, size int) []string {
	var out []string
	for len(s) > size {
		cut := size
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return append(out, s)
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// already reports whether an earlier run's record covers m, whose current
// settings the measure found isolated. m then is that run's: APPLIED with
// the recorded originals, "already isolated by case X". A record of an
// isolation that is no longer in place (an operator restored the
// settings) is dropped: the current settings are the originals now.
func (r *run) already(ctx context.Context, m *investigation.Measure, isolated bool) bool {
	rec, ok := r.records[m.Name]
	if !ok {
		return false
	}
	if !isolated {
		if rec.Status != "" {
			delete(r.records, m.Name)
		}
		return false
	}
	m.Status = investigation.MeasureApplied
	m.Target = rec.targetOr(m.Target)
	m.Reason = "already isolated by case " + rec.Case
	m.Original = rec.Original
	if len(rec.Applied) > 0 {
		m.Applied = rec.Applied
	}
	if rec.Status == "" {
		// The earlier run changed the settings and stopped before it
		// could record that it had.
		r.write(ctx, m, record{Case: rec.Case, Status: m.Status, Target: rec.Target, Original: m.Original, Applied: m.Applied})
	}
	return true
}

// before is called by a measure that has read the current settings into
// m.Original and is about to change them. When an earlier run recorded
// the originals and then did not finish, those are the real originals and
// take precedence over the current settings; otherwise the originals are
// recorded now, before anything changes.
func (r *run) before(ctx context.Context, m *investigation.Measure) {
	if rec, ok := r.records[m.Name]; ok && rec.Status == "" && len(rec.Original) > 0 {
		merged := maps.Clone(m.Original)
		if merged == nil {
			merged = map[string]string{}
		}
		maps.Copy(merged, rec.Original)
		m.Original = merged
		return
	}
	r.write(ctx, m, record{Case: r.target.ForensicID, Target: r.ownTarget(m), Original: m.Original, Applied: m.Applied})
}

// after records that m was applied, with what it set.
func (r *run) after(ctx context.Context, m *investigation.Measure) {
	r.write(ctx, m, record{
		Case: r.target.ForensicID, Status: m.Status, Target: r.ownTarget(m),
		Original: m.Original, Applied: m.Applied,
	})
}

func (r *run) ownTarget(m *investigation.Measure) string {
	if m.Target == r.inst.id {
		return ""
	}
	return m.Target
}

// write tags the instance with rec. A record that cannot be written does
// not stop the measure, whose own Measure still carries the originals; the
// measure's Reason says that a later run will not find them.
func (r *run) write(ctx context.Context, m *investigation.Measure, rec record) {
	tags, err := recordTags(m.Name, rec)
	if err == nil {
		_, err = r.iso.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{r.inst.id}, Tags: tags})
	}
	if err != nil {
		note := "the original settings could not be tagged on the instance, so a later run cannot find them: " + errorMessage(err)
		if !strings.Contains(m.Reason, note) {
			m.Reason = joinReasons(m.Reason, note)
		}
		return
	}
	r.records[m.Name] = rec
}

// markIsolated tags the instance with the case that isolated it, once any
// measure is in place and no earlier case has tagged it.
func (r *run) markIsolated(ctx context.Context, measures []investigation.Measure) {
	if _, ok := r.inst.tags[TagIsolatedBy]; ok {
		return
	}
	if !slices.ContainsFunc(measures, func(m investigation.Measure) bool { return m.Status == investigation.MeasureApplied }) {
		return
	}
	_, err := r.iso.EC2.CreateTags(ctx, &ec2.CreateTagsInput{
		Resources: []string{r.inst.id},
		Tags:      []types.Tag{{Key: aws.String(TagIsolatedBy), Value: aws.String(r.target.ForensicID)}},
	})
	if err != nil {
		// The measures' own records are what a later run reads; this tag
		// is for the people looking at the instance.
		r.iso.logger().WarnContext(ctx, "tag the isolated instance", "instanceId", r.inst.id, "error", err)
	}
}

// joinReasons joins the non-empty reasons with "; ".
func joinReasons(reasons ...string) string {
	return strings.Join(slices.DeleteFunc(reasons, func(s string) bool { return s == "" }), "; ")
}
