package caserecords

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/casefile-forensics/casefile/lambdas/awserr"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// TransitionError says that the investigation's recorded status does not
// allow the update. It matches ErrAlreadyFinal when that status is final.
type TransitionError struct {
	ForensicID   string
	ForensicType investigation.ForensicType
	// From is the recorded status ("" when DynamoDB did not return it).
	From investigation.Status
	// To is the status the update asked for ("" for a field-only update).
	To investigation.Status
	// Execution is the execution that recorded the item, when DynamoDB
	// returned it and the update was limited to another execution.
	Execution string
	// limited: the update named an execution (InvestigationUpdate.Execution);
	// foreign: the item was recorded by another one.
	limited, foreign bool
}

func (e *TransitionError) Error() string {
	from := string(e.From)
	if from == "" {
		from = "unknown"
	}
	if e.foreign {
		by := "another execution"
		if e.Execution != "" {
			by = "execution " + e.Execution
		}
		return fmt.Sprintf("investigation %s %s: recorded by %s with status %s; left as it is",
			e.ForensicID, e.ForensicType, by, from)
	}
	to := string(e.To)
	if to == "" {
		to = "(unchanged)"
	}
	return fmt.Sprintf("investigation %s %s: status %s cannot change to %s", e.ForensicID, e.ForensicType, from, to)
}

// Is makes errors.Is(err, ErrAlreadyFinal) true when the recorded status is
// final. When DynamoDB did not return it, only a final status can have
// refused an update not limited to an execution, other than one back to
// RECEIVED.
func (e *TransitionError) Is(target error) bool {
	if target != ErrAlreadyFinal {
		return false
	}
	return isFinal(e.From) || (e.From == "" && !e.limited && e.To != investigation.StatusReceived)
}

func isFinal(s investigation.Status) bool {
	return s == investigation.StatusSucceeded || s == investigation.StatusFailed
}

// allowedFrom lists the recorded statuses from which an update may set to
// ("" for an update that leaves the status as it is). A final status is
// never left; RECEIVED is never returned to.
func allowedFrom(to investigation.Status) ([]investigation.Status, error) {
	switch to {
	case investigation.StatusReceived:
		return []investigation.Status{investigation.StatusReceived}, nil
	case "", investigation.StatusInProgress, investigation.StatusSucceeded, investigation.StatusFailed:
		return []investigation.Status{investigation.StatusReceived, investigation.StatusInProgress}, nil
	default:
		return nil, fmt.Errorf("unknown status %q", to)
	}
}

// UpdateInvestigation applies u to the investigation item of its case and
// type, guarded by a condition expression: a SUCCEEDED or FAILED
// investigation never changes again (the error then matches
// ErrAlreadyFinal). It sets updatedAt, and finishedAt when the new status is
// final. An item that does not exist yet is created (createdAt is set
// once), so that a failure before intake recorded the case still leaves a
// record. With Execution set, an item recorded by another execution is left
// as it is (a *TransitionError naming that execution).
func (s *Store) UpdateInvestigation(ctx context.Context, u InvestigationUpdate) error {
	from, err := allowedFrom(u.Status)
	if err != nil {
		return fmt.Errorf("update investigation %s %s: %w", u.ForensicID, u.ForensicType, err)
	}
	at := timestamp(s.orNow(u.Time))
	names := map[string]string{
		"#status": attrStatus, "#updatedAt": attrUpdatedAt, "#createdAt": "createdAt",
		"#forensicId": "forensicId", "#forensicType": "forensicType",
	}
	values := map[string]types.AttributeValue{
		":now":          str(at),
		":forensicId":   str(u.ForensicID),
		":forensicType": str(string(u.ForensicType)),
	}
	sets := []string{
		"#updatedAt = :now", "#createdAt = if_not_exists(#createdAt, :now)",
		"#forensicId = :forensicId", "#forensicType = :forensicType",
	}
	set := func(attr, value string) {
		if value == "" {
			return
		}
		names["#"+attr] = attr
		values[":"+attr] = str(value)
		sets = append(sets, fmt.Sprintf("#%s = :%s", attr, attr))
	}
	set(attrStatus, string(u.Status))
	set(attrReason, string(u.Reason))
	set(attrReasonDetail, u.ReasonDetail)
	set(attrCleanupError, u.CleanupError)
	set(attrIsolationError, u.IsolationError)
	set(attrInstanceID, u.InstanceID)
	set(attrCommandID, u.CommandID)
	set(attrResultsS3URI, u.ResultsS3URI)
	if isFinal(u.Status) {
		names["#"+attrFinishedAt] = attrFinishedAt
		sets = append(sets, "#finishedAt = :now")
	}

	allowed := make([]string, len(from))
	for i, st := range from {
		allowed[i] = fmt.Sprintf(":from%d", i)
		values[allowed[i]] = str(string(st))
	}
	guard := fmt.Sprintf("#status IN (%s)", strings.Join(allowed, ", "))
	condition := "attribute_not_exists(#status) OR " + guard
	if u.Execution != "" {
		names["#pk"] = investigation.TableKeyPartition
		names["#executionName"] = attrExecutionName
		values[":execution"] = str(u.Execution)
		sets = append(sets, "#executionName = if_not_exists(#executionName, :execution)")
		condition = "attribute_not_exists(#pk) OR (#executionName = :execution AND " + guard + ")"
	}

	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           aws.String(s.table),
		Key:                                 itemKey(investigation.CasePartition(u.ForensicID), investigation.InvestigationSortKey(u.ForensicType)),
		UpdateExpression:                    aws.String("SET " + strings.Join(sets, ", ")),
		ConditionExpression:                 aws.String(condition),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	if awserr.IsConditionalCheckFailed(err) {
		terr := &TransitionError{ForensicID: u.ForensicID, ForensicType: u.ForensicType, To: u.Status, limited: u.Execution != ""}
		var prev investigationItem
		if old := conditionFailedItem(err); old != nil && unmarshalItem(old, &prev) == nil {
			terr.From = prev.Status
			if u.Execution != "" && prev.ExecutionName != u.Execution {
				terr.Execution, terr.foreign = prev.ExecutionName, true
			}
		}
		return terr
	}
	if err != nil {
		return fmt.Errorf("update investigation %s %s: %w", u.ForensicID, u.ForensicType, err)
	}
	return nil
}

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }
