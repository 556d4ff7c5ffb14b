package caserecords

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// conditionFailedItem returns the item that made a condition fail, when
// DynamoDB returned it (ReturnValuesOnConditionCheckFailure ALL_OLD).
func conditionFailedItem(err error) map[string]types.AttributeValue {
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return ccf.Item
	}
	return nil
}
