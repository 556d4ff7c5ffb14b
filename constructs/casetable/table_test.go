package casetable_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/casefile-forensics/casefile/constructs/casetable"
	"github.com/casefile-forensics/casefile/internal/cdktest"
	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// obj is a JSON object in a template matcher.
type obj = map[string]any

func TestNewTable_Schema(t *testing.T) {
	stack := cdktest.NewStack()
	table := casetable.NewTable(stack, "Cases", casetable.Props{})
	template := assertions.Template_FromStack(stack, nil)

	cdktest.Check(t, func() { template.ResourceCountIs(jsii.String("AWS::DynamoDB::Table"), jsii.Number(1)) })
	cdktest.Check(t, func() {
		template.HasResourceProperties(jsii.String("AWS::DynamoDB::Table"), obj{
			"KeySchema": []any{
				obj{"AttributeName": investigation.TableKeyPartition, "KeyType": "HASH"},
				obj{"AttributeName": investigation.TableKeySort, "KeyType": "RANGE"},
			},
			"AttributeDefinitions": assertions.Match_ArrayEquals(&[]any{
				obj{"AttributeName": investigation.TableKeyPartition, "AttributeType": "S"},
				obj{"AttributeName": investigation.TableKeySort, "AttributeType": "S"},
				obj{"AttributeName": investigation.TableKeyResource, "AttributeType": "S"},
				obj{"AttributeName": investigation.TableKeyResourceSorted, "AttributeType": "S"},
			}),
			"BillingMode":                      "PAY_PER_REQUEST",
			"PointInTimeRecoverySpecification": obj{"PointInTimeRecoveryEnabled": true},
			"SSESpecification": obj{
				"SSEEnabled":     true,
				"SSEType":        "KMS",
				"KMSMasterKeyId": stack.Resolve(table.Key.KeyArn()),
			},
			"GlobalSecondaryIndexes": []any{obj{
				"IndexName": investigation.ResourceIndexName,
				"KeySchema": []any{
					obj{"AttributeName": investigation.TableKeyResource, "KeyType": "HASH"},
					obj{"AttributeName": investigation.TableKeyResourceSorted, "KeyType": "RANGE"},
				},
				"Projection": obj{"ProjectionType": "ALL"},
			}},
			"TableName": assertions.Match_Absent(),
		})
	})
	cdktest.Check(t, func() {
		template.HasResourceProperties(jsii.String("AWS::KMS::Key"), obj{"EnableKeyRotation": true})
	})
}

func TestNewTable_Protection(t *testing.T) {
	tests := []struct {
		name           string
		props          casetable.Props
		wantPolicy     string
		wantProtection bool
	}{
		{name: "retained and protected by default", props: casetable.Props{},
			wantPolicy: "Retain", wantProtection: true},
		{name: "destroy turns protection off", props: casetable.Props{RemovalPolicy: awscdk.RemovalPolicy_DESTROY},
			wantPolicy: "Delete", wantProtection: false},
		{name: "retained without protection", props: casetable.Props{DeletionProtection: cdktest.Ptr(false)},
			wantPolicy: "Retain", wantProtection: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			casetable.NewTable(stack, "Cases", tt.props)
			template := assertions.Template_FromStack(stack, nil)

			cdktest.Check(t, func() {
				template.HasResource(jsii.String("AWS::DynamoDB::Table"), obj{
					"DeletionPolicy": tt.wantPolicy,
					"Properties":     cdktest.Like(obj{"DeletionProtectionEnabled": tt.wantProtection}),
				})
			})
			keys := *template.FindResources(jsii.String("AWS::KMS::Key"), nil)
			require.Len(t, keys, 1)
			for id, key := range keys {
				assert.Equal(t, tt.wantPolicy, (*key)["DeletionPolicy"], "DeletionPolicy of key %s", id)
			}
		})
	}
}

func TestTable_Grants(t *testing.T) {
	tests := []struct {
		name          string
		grant         func(*casetable.Table, awsiam.IGrantable)
		wantTableActs []any
		wantKeyActs   []any
	}{
		{
			name:          "record",
			grant:         (*casetable.Table).GrantRecord,
			wantTableActs: []any{"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"},
			wantKeyActs:   []any{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"},
		},
		{
			name:          "read",
			grant:         (*casetable.Table).GrantRead,
			wantTableActs: []any{"dynamodb:GetItem", "dynamodb:Query"},
			wantKeyActs:   []any{"kms:Decrypt", "kms:DescribeKey"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			table := casetable.NewTable(stack, "Cases", casetable.Props{})
			role := cdktest.NewGrantee(stack, "Grantee")

			tt.grant(table, role)

			template := assertions.Template_FromStack(stack, nil)
			tableARN := stack.Resolve(table.Table.TableArn())
			indexARNs := obj{"Fn::Join": []any{"", []any{tableARN, "/index/*"}}}
			want := []any{
				obj{"Effect": "Allow", "Action": tt.wantTableActs, "Resource": []any{tableARN, indexARNs}},
				obj{"Effect": "Allow", "Action": tt.wantKeyActs, "Resource": stack.Resolve(table.Key.KeyArn())},
			}
			cdktest.CheckRolePolicy(t, template, stack.Resolve(role.RoleName()), want)
		})
	}
}

func TestNewTable_InvalidPropsPanic(t *testing.T) {
	tests := []struct {
		name  string
		props casetable.Props
		want  string
	}{
		{name: "protected table cannot be destroyed",
			props: casetable.Props{RemovalPolicy: awscdk.RemovalPolicy_DESTROY, DeletionProtection: cdktest.Ptr(true)},
			want:  "casetable: Props.DeletionProtection must be false when Props.RemovalPolicy is DESTROY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := cdktest.NewStack()
			assert.PanicsWithValue(t, tt.want, func() { casetable.NewTable(stack, "Cases", tt.props) })
		})
	}
}

func TestNewTable_PassesAWSSolutionsChecks(t *testing.T) {
	stack := cdktest.NewStack()
	casetable.NewTable(stack, "Cases", casetable.Props{})

	cdktest.AssertNoNagFindings(t, stack)
}
