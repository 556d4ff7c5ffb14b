package caserecords

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestRejectedType(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want investigation.ForensicType
	}{
		{name: "disk", raw: `{"forensicType":"DISK"}`, want: investigation.ForensicTypeDisk},
		{name: "memory", raw: `{"forensicType":"MEMORY","forensicId":7}`, want: investigation.ForensicTypeMemory},
		{name: "lower case is unknown", raw: `{"forensicType":"disk"}`, want: ForensicTypeUnknown},
		{name: "number", raw: `{"forensicType":1}`, want: ForensicTypeUnknown},
		{name: "missing", raw: `{}`, want: ForensicTypeUnknown},
		{name: "not JSON", raw: `forensicType=DISK`, want: ForensicTypeUnknown},
		{name: "only the exact key counts", raw: `{"forensicType":"DISK","FORENSICTYPE":"MEMORY"}`, want: investigation.ForensicTypeDisk},
		{name: "case variant alone", raw: `{"ForensicType":"DISK"}`, want: ForensicTypeUnknown},
		{name: "given twice", raw: `{"forensicType":"DISK","forensicType":"MEMORY"}`, want: ForensicTypeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, RejectedType([]byte(tt.raw)))
		})
	}
}

func TestRecordRejected(t *testing.T) {
	long := `{"forensicId":"case-9","forensicType":"DISK","x":"` + strings.Repeat("a", 10_000) + `"}`
	tests := []struct {
		name         string
		caseID       string
		raw          string
		verr         *investigation.ValidationError
		putErr       func(t *testing.T) func(*dynamodb.PutItemInput) error
		wantExisted  bool
		wantErr      string
		wantPuts     int
		wantInvSK    string
		wantRawBytes int
	}{
		{
			name:   "invalid field of a typed request",
			caseID: "case-9", raw: `{"forensicId":"case-9","forensicType":"DISK","disk":{"snapshots":[]}}`,
			verr:      &investigation.ValidationError{Field: "disk.snapshots", Problem: "must list at least one snapshot"},
			wantPuts:  2,
			wantInvSK: "INVESTIGATION#DISK",
		},
		{
			name:   "unknown type and no usable ID",
			caseID: "invalid-exec-1", raw: `{"forensicId":"../../etc","forensicType":"SWAP"}`,
			verr:      &investigation.ValidationError{Field: "forensicId", Problem: "must be 3 to 64 letters"},
			wantPuts:  2,
			wantInvSK: "INVESTIGATION#UNKNOWN",
		},
		{
			name: "oversized request is truncated", caseID: "case-9", raw: long,
			verr:      &investigation.ValidationError{Field: "x", Problem: "is not a known field"},
			wantPuts:  2,
			wantInvSK: "INVESTIGATION#DISK", wantRawBytes: MaxRawRequestBytes,
		},
		{
			name: "existing investigation is left alone", caseID: "case-9", raw: `{"forensicId":"case-9","forensicType":"DISK"}`,
			verr: &investigation.ValidationError{Field: "resource.accountId", Problem: "must be 12 digits"},
			putErr: func(t *testing.T) func(*dynamodb.PutItemInput) error {
				return func(in *dynamodb.PutItemInput) error {
					if strings.HasPrefix(sortKey(in.Item), investigation.SortInvestigationPrefix) {
						return conditionFailed(t, map[string]any{"status": "IN_PROGRESS"})
					}
					return nil
				}
			},
			wantPuts: 2, wantExisted: true, wantInvSK: "INVESTIGATION#DISK",
		},
		{
			name: "no validation error", caseID: "case-9", raw: `{}`,
			wantErr: "record rejected request: no validation error given",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{}
			if tt.putErr != nil {
				db.putErr = tt.putErr(t)
			}
			existed, err := newTestStore(db).RecordRejected(context.Background(), tt.caseID, []byte(tt.raw), tt.verr, "exec-1", testNow)

			require.Len(t, db.puts, tt.wantPuts)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantExisted, existed)

			wantRaw := tt.raw
			if tt.wantRawBytes > 0 {
				wantRaw = tt.raw[:tt.wantRawBytes]
			}
			inv := plain(t, db.puts[0].Item)
			assert.Equal(t, "attribute_not_exists(#pk)", aws.ToString(db.puts[0].ConditionExpression))
			assert.Equal(t, "CASE#"+tt.caseID, inv["pk"])
			assert.Equal(t, tt.wantInvSK, inv["sk"])
			assert.Equal(t, "FAILED", inv["status"])
			assert.Equal(t, "INVALID_REQUEST", inv["reason"])
			assert.Equal(t, tt.verr.Field+": "+tt.verr.Problem, inv["reasonDetail"])
			assert.Equal(t, tt.verr.Field, inv["invalidField"])
			assert.Equal(t, wantRaw, inv["rawRequest"])
			assert.Equal(t, float64(len(tt.raw)), inv["rawRequestBytes"])
			assert.Equal(t, "2026-03-14T09:26:53.589793000Z", inv["finishedAt"])

			ev := plain(t, db.puts[1].Item)
			assert.Equal(t, "attribute_not_exists(#sk)", aws.ToString(db.puts[1].ConditionExpression))
			assert.Equal(t, "EVENT#"+strings.TrimPrefix(tt.wantInvSK, "INVESTIGATION#")+"#2026-03-14T09:26:53.589793000Z#RecordCase#request-rejected", ev["sk"])
			assert.Equal(t, wantRaw, ev["rawRequest"])
			assert.Equal(t, tt.verr.Field+": "+tt.verr.Problem, ev["detail"])
		})
	}
}

func TestTruncateUTF8(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{name: "short", in: "abc", max: 5, want: "abc"},
		{name: "cut on ASCII", in: "abcdef", max: 4, want: "abcd"},
		{name: "never splits a character", in: "ab\u00e9\u00e9", max: 3, want: "ab"},
		{name: "invalid bytes replaced", in: "a\xffb", max: 10, want: "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, truncateUTF8(tt.in, tt.max))
		})
	}
}
