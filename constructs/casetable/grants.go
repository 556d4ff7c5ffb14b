package casetable

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// GrantRecord lets grantee read and write items (dynamodb:GetItem, Query,
// PutItem, UpdateItem, ConditionCheckItem on the table and its index) and use
// the table's key for that. It cannot delete items, scan, or change the
// table.
func (t *Table) GrantRecord(grantee awsiam.IGrantable) {
	t.grant(grantee, append(readActions(), writeActions()...), append(keyReadActions(), keyWriteActions()...))
}

// GrantRead lets grantee read items (dynamodb:GetItem and Query on the table
// and its index) and decrypt them with the table's key.
func (t *Table) GrantRead(grantee awsiam.IGrantable) {
	t.grant(grantee, readActions(), keyReadActions())
}

func (t *Table) grant(grantee awsiam.IGrantable, tableActions, keyActions []string) {
	t.Table.Grant(grantee, *jsii.Strings(tableActions...)...)
	t.Key.Grant(grantee, *jsii.Strings(keyActions...)...)
}

// The exact actions granted, never wildcards: reading a case or querying a
// collection or the resource index; writing items conditionally; and the
// key actions DynamoDB performs with the caller's permissions.

func readActions() []string { return []string{"dynamodb:GetItem", "dynamodb:Query"} }

func writeActions() []string {
	return []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"}
}

func keyReadActions() []string { return []string{"kms:Decrypt", "kms:DescribeKey"} }

func keyWriteActions() []string { return []string{"kms:Encrypt", "kms:GenerateDataKey"} }
