package caserecords

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

func TestUpdateInvestigation(t *testing.T) {
	const (
		guardActive = "attribute_not_exists(#status) OR #status IN (:from0, :from1)"
		baseSet     = "SET #updatedAt = :now, #createdAt = if_not_exists(#createdAt, :now), #forensicId = :forensicId, #forensicType = :forensicType"
	)
	tests := []struct {
		name       string
		update     InvestigationUpdate
		updateErr  func(t *testing.T) error
		wantCalls  int
		wantExpr   string
		wantCond   string
		wantValues map[string]string
		wantErr    string
		wantFinal  bool // errors.Is(err, ErrAlreadyFinal)
		wantFrom   investigation.Status
	}{
		{
			name: "in progress with instance",
			update: InvestigationUpdate{
				ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk,
				Status: investigation.StatusInProgress, InstanceID: "i-0a1b2c3d4e5f60718", Time: testNow,
			},
			wantCalls: 1,
			wantExpr:  baseSet + ", #status = :status, #instanceId = :instanceId",
			wantCond:  guardActive,
			wantValues: map[string]string{
				":status": "IN_PROGRESS", ":instanceId": "i-0a1b2c3d4e5f60718", ":from0": "RECEIVED", ":from1": "IN_PROGRESS",
				":now": "2026-03-14T09:26:53.589793000Z", ":forensicId": "case-1", ":forensicType": "DISK",
			},
		},
		{
			name: "failed sets reason and finishedAt",
			update: InvestigationUpdate{
				ForensicID: "case-1", ForensicType: investigation.ForensicTypeMemory, Status: investigation.StatusFailed,
				Reason: investigation.ReasonCommandFailed, ReasonDetail: "exit 3",
			},
			wantCalls: 1,
			wantExpr:  baseSet + ", #status = :status, #reason = :reason, #reasonDetail = :reasonDetail, #finishedAt = :now",
			wantCond:  guardActive,
			wantValues: map[string]string{
				":status": "FAILED", ":reason": "COMMAND_FAILED", ":reasonDetail": "exit 3",
				":now": "2026-03-14T09:26:53.589793000Z", ":forensicType": "MEMORY",
			},
		},
		{
			name: "succeeded with results",
			update: InvestigationUpdate{
				ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusSucceeded,
				ResultsS3URI: "s3://results/cases/case-1/disk/",
			},
			wantCalls:  1,
			wantExpr:   baseSet + ", #status = :status, #resultsS3Uri = :resultsS3Uri, #finishedAt = :now",
			wantCond:   guardActive,
			wantValues: map[string]string{":status": "SUCCEEDED", ":resultsS3Uri": "s3://results/cases/case-1/disk/"},
		},
		{
			name: "succeeded with an isolation that failed",
			update: InvestigationUpdate{
				ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusSucceeded,
				IsolationError: "ISOLATION_FAILED: record the isolation: throttled",
			},
			wantCalls:  1,
			wantExpr:   baseSet + ", #status = :status, #isolationError = :isolationError, #finishedAt = :now",
			wantCond:   guardActive,
			wantValues: map[string]string{":status": "SUCCEEDED", ":isolationError": "ISOLATION_FAILED: record the isolation: throttled"},
		},
		{
			name:       "field only update keeps the guard",
			update:     InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, CommandID: "c0ffee"},
			wantCalls:  1,
			wantExpr:   baseSet + ", #commandId = :commandId",
			wantCond:   guardActive,
			wantValues: map[string]string{":commandId": "c0ffee"},
		},
		{
			name:       "received only from received",
			update:     InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusReceived},
			wantCalls:  1,
			wantExpr:   baseSet + ", #status = :status",
			wantCond:   "attribute_not_exists(#status) OR #status IN (:from0)",
			wantValues: map[string]string{":from0": "RECEIVED"},
		},
		{
			name:      "final status is never left",
			update:    InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed, Reason: investigation.ReasonInternal},
			updateErr: func(t *testing.T) error { return conditionFailed(t, map[string]any{"status": "SUCCEEDED"}) },
			wantCalls: 1,
			wantErr:   "investigation case-1 DISK: status SUCCEEDED cannot change to FAILED",
			wantFinal: true, wantFrom: investigation.StatusSucceeded,
		},
		{
			name:      "refused without the old item still means final",
			update:    InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusSucceeded},
			updateErr: func(t *testing.T) error { return conditionFailed(t, nil) },
			wantCalls: 1,
			wantErr:   "investigation case-1 DISK: status unknown cannot change to SUCCEEDED",
			wantFinal: true,
		},
		{
			name:      "back to received is refused but not final",
			update:    InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusReceived},
			updateErr: func(t *testing.T) error { return conditionFailed(t, map[string]any{"status": "IN_PROGRESS"}) },
			wantCalls: 1,
			wantErr:   "investigation case-1 DISK: status IN_PROGRESS cannot change to RECEIVED",
			wantFrom:  investigation.StatusInProgress,
		},
		{
			name: "limited to this execution",
			update: InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
				Reason: investigation.ReasonInvalidRequest, Execution: "case-1-disk"},
			wantCalls: 1,
			wantExpr: baseSet + ", #status = :status, #reason = :reason, #finishedAt = :now" +
				", #executionName = if_not_exists(#executionName, :execution)",
			wantCond:   "attribute_not_exists(#pk) OR (#executionName = :execution AND #status IN (:from0, :from1))",
			wantValues: map[string]string{":status": "FAILED", ":execution": "case-1-disk", ":from0": "RECEIVED", ":from1": "IN_PROGRESS"},
		},
		{
			name: "another execution's running investigation is left alone",
			update: InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
				Reason: investigation.ReasonInvalidRequest, Execution: "manual-start"},
			updateErr: func(t *testing.T) error {
				return conditionFailed(t, map[string]any{"status": "IN_PROGRESS", "executionName": "case-1-disk"})
			},
			wantCalls: 1,
			wantErr:   "investigation case-1 DISK: recorded by execution case-1-disk with status IN_PROGRESS; left as it is",
			wantFrom:  investigation.StatusInProgress,
		},
		{
			name: "this execution's final record is kept",
			update: InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
				Reason: investigation.ReasonInvalidRequest, Execution: "case-1-disk"},
			updateErr: func(t *testing.T) error {
				return conditionFailed(t, map[string]any{"status": "FAILED", "executionName": "case-1-disk"})
			},
			wantCalls: 1,
			wantErr:   "investigation case-1 DISK: status FAILED cannot change to FAILED",
			wantFinal: true, wantFrom: investigation.StatusFailed,
		},
		{
			name: "limited update refused without the old item is not known to be final",
			update: InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusFailed,
				Reason: investigation.ReasonInvalidRequest, Execution: "case-1-disk"},
			updateErr: func(t *testing.T) error { return conditionFailed(t, nil) },
			wantCalls: 1,
			wantErr:   "investigation case-1 DISK: status unknown cannot change to FAILED",
		},
		{
			name:    "unknown status is refused before calling DynamoDB",
			update:  InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: "DONE"},
			wantErr: `update investigation case-1 DISK: unknown status "DONE"`,
		},
		{
			name:      "DynamoDB error",
			update:    InvestigationUpdate{ForensicID: "case-1", ForensicType: investigation.ForensicTypeDisk, Status: investigation.StatusInProgress},
			updateErr: func(*testing.T) error { return errors.New("timeout") },
			wantCalls: 1,
			wantErr:   "update investigation case-1 DISK: timeout",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := &fakeDB{}
			if tt.updateErr != nil {
				db.updateErr = func(*dynamodb.UpdateItemInput) error { return tt.updateErr(t) }
			}
			err := newTestStore(db).UpdateInvestigation(context.Background(), tt.update)

			require.Len(t, db.updates, tt.wantCalls)
			if tt.wantErr != "" {
				assert.EqualError(t, err, tt.wantErr)
				assert.Equal(t, tt.wantFinal, errors.Is(err, ErrAlreadyFinal), "errors.Is(err, ErrAlreadyFinal)")
				var terr *TransitionError
				if errors.As(err, &terr) {
					assert.Equal(t, tt.wantFrom, terr.From)
				}
				return
			}
			require.NoError(t, err)
			in := db.updates[0]
			assert.Equal(t, testTable, aws.ToString(in.TableName))
			key := plain(t, in.Key)
			assert.Equal(t, map[string]any{"pk": "CASE#case-1", "sk": "INVESTIGATION#" + string(tt.update.ForensicType)}, key)
			assert.Equal(t, tt.wantExpr, aws.ToString(in.UpdateExpression))
			assert.Equal(t, tt.wantCond, aws.ToString(in.ConditionExpression))
			values := plain(t, in.ExpressionAttributeValues)
			for k, want := range tt.wantValues {
				assert.Equal(t, want, values[k], "value %s", k)
			}
			for name, attr := range in.ExpressionAttributeNames {
				assert.Equal(t, name, "#"+attr, "names are #<attribute>")
			}
		})
	}
}
