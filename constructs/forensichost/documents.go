package forensichost

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	ssmdocuments "github.com/casefile-forensics/casefile/ssm-documents"
)

// Construct IDs of the documents.
const (
	idProbeDocument  = "ProbeDocument"
	idDiskDocument   = "DiskDocument"
	idMemoryDocument = "MemoryDocument"
)

// documents are the SSM Command documents run on the forensic instance.
type documents struct {
	probe, disk, memory awsssm.CfnDocument
}

// newDocuments creates the three documents from package ssmdocuments. They
// have no Name, so CloudFormation names them; a change of content becomes a
// new version of the same document rather than a replacement. It panics if a
// document does not render: that is a defect of the build, found at synth.
func newDocuments(scope constructs.Construct) documents {
	return documents{
		probe:  newDocument(scope, idProbeDocument, ssmdocuments.Probe),
		disk:   newDocument(scope, idDiskDocument, ssmdocuments.Disk),
		memory: newDocument(scope, idMemoryDocument, ssmdocuments.Memory),
	}
}

func newDocument(scope constructs.Construct, id string, render func() (ssmdocuments.Document, error)) awsssm.CfnDocument {
	doc, err := render()
	if err != nil {
		panic(fmt.Sprintf("forensichost: rendering the %s: %v", id, err))
	}
	content, err := doc.Map()
	if err != nil {
		panic(fmt.Sprintf("forensichost: encoding the %s: %v", id, err))
	}
	return awsssm.NewCfnDocument(scope, jsii.String(id), &awsssm.CfnDocumentProps{
		Content:        content,
		DocumentType:   jsii.String("Command"),
		DocumentFormat: jsii.String("JSON"),
		TargetType:     jsii.String("/AWS::EC2::Instance"),
		UpdateMethod:   jsii.String("NewVersion"),
	})
}

// documentARN is arn:<partition>:ssm:<region>:<account>:document/<name>.
func documentARN(doc awsssm.CfnDocument) string {
	return *awscdk.Stack_Of(doc).FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("ssm"),
		Resource:     jsii.String("document"),
		ResourceName: doc.Ref(),
	})
}
