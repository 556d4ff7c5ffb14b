// Package casetable defines the DynamoDB table that holds the case records:
// one item collection per case (see lambdas/investigation/layout.go).
package casetable

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Construct IDs of the children; stable, as both are stateful.
const (
	idKey   = "Key"
	idTable = "Table"
)

// Table is the case table and its customer-managed KMS key. The table is
// on-demand, with point-in-time recovery, keyed by
// investigation.TableKeyPartition and investigation.TableKeySort, and has the
// investigation.ResourceIndexName index that finds cases by resource.
type Table struct {
	// Table holds the case, investigation, custody event and artifact items.
	Table awsdynamodb.ITable
	// Key encrypts Table.
	Key awskms.IKey
}

// NewTable creates the table and its key under a construct named id. It
// panics if props contradict each other.
func NewTable(scope constructs.Construct, id string, props Props) *Table {
	p := props.withDefaults()
	c := constructs.NewConstruct(scope, jsii.String(id))

	key := awskms.NewKey(c, jsii.String(idKey), p.keyProps())
	table := awsdynamodb.NewTable(c, jsii.String(idTable), p.tableProps(key))
	table.AddGlobalSecondaryIndex(resourceIndexProps())

	return &Table{Table: table, Key: key}
}
