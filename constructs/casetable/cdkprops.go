package casetable

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// This file is the one place where Props become jsii values.

func (p Props) keyProps() *awskms.KeyProps {
	return &awskms.KeyProps{
		Description:       jsii.String("Casefile case records table"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     p.RemovalPolicy,
	}
}

func (p Props) tableProps(key awskms.IKey) *awsdynamodb.TableProps {
	return &awsdynamodb.TableProps{
		PartitionKey: stringKey(investigation.TableKeyPartition),
		SortKey:      stringKey(investigation.TableKeySort),
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		Encryption:         awsdynamodb.TableEncryption_CUSTOMER_MANAGED,
		EncryptionKey:      key,
		DeletionProtection: p.DeletionProtection,
		RemovalPolicy:      p.RemovalPolicy,
	}
}

// resourceIndexProps: only case items carry the index keys, so the index is
// sparse; it projects every attribute so that a query answers on its own.
func resourceIndexProps() *awsdynamodb.GlobalSecondaryIndexProps {
	return &awsdynamodb.GlobalSecondaryIndexProps{
		IndexName:      jsii.String(investigation.ResourceIndexName),
		PartitionKey:   stringKey(investigation.TableKeyResource),
		SortKey:        stringKey(investigation.TableKeyResourceSorted),
		ProjectionType: awsdynamodb.ProjectionType_ALL,
	}
}

func stringKey(name string) *awsdynamodb.Attribute {
	return &awsdynamodb.Attribute{Name: jsii.String(name), Type: awsdynamodb.AttributeType_STRING}
}
