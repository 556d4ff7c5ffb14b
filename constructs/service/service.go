// Package service composes the whole Casefile investigation service:
// storage, case records, notifications, the forensic host, the Lambda
// functions and the workflow, from one Props.
//
//	svc := service.NewService(stack, "Casefile", service.Props{
//		AMIID:      "ami-0123456789abcdef0",
//		ModuleRoot: ".",
//	})
//	svc.Workflow.StateMachine.GrantStartExecution(acquisitionRole)
package service

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/casefile-forensics/casefile/constructs/casetable"
	"github.com/casefile-forensics/casefile/constructs/forensichost"
	"github.com/casefile-forensics/casefile/constructs/functions"
	"github.com/casefile-forensics/casefile/constructs/notification"
	"github.com/casefile-forensics/casefile/constructs/storage"
	"github.com/casefile-forensics/casefile/constructs/workflow"
)

// Construct IDs of the parts. They are stable: the stateful resources'
// logical IDs derive from them.
const (
	idStorage       = "Storage"
	idCases         = "Cases"
	idNotifications = "Notifications"
	idHost          = "ForensicHost"
	idSymbolsBucket = "SymbolsBucket"
	idFunctions     = "Functions"
	idWorkflow      = "Workflow"
)

// Service is the Casefile investigation service and its parts.
type Service struct {
	// Storage holds the evidence and results buckets and their keys.
	Storage *storage.Storage
	// Cases is the case records table.
	Cases *casetable.Table
	// Notifications is the topic that announces results and failures.
	Notifications *notification.Topic
	// Host is what the forensic instance needs: network, role, AMI
	// parameter, volume key, SSM documents.
	Host *forensichost.Host
	// Functions are the Lambda functions of the workflow and its trigger.
	Functions *functions.Functions
	// Workflow is the investigation state machine and its EventBridge rule.
	Workflow *workflow.Workflow
}

// NewService builds the service under a construct named id. It panics,
// naming the field, when props are invalid.
func NewService(scope constructs.Construct, id string, props Props) *Service {
	p, err := props.withDefaults()
	if err != nil {
		panic(err)
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	s := &Service{}

	s.Storage = storage.NewStorage(c, idStorage, storage.Props{
		ObjectLockMode: p.ObjectLockMode,
		ObjectLockDays: p.ObjectLockDays,
		RemovalPolicy:  p.RemovalPolicy,
	})
	s.Cases = casetable.NewTable(c, idCases, casetable.Props{RemovalPolicy: p.RemovalPolicy})
	s.Notifications = notification.NewTopic(c, idNotifications, notification.Props{
		Email:         optional(p.NotificationEmail),
		RemovalPolicy: p.RemovalPolicy,
	})
	s.Host = forensichost.NewHost(c, idHost, p.hostProps(c, s.Storage))
	s.Functions = functions.NewFunctions(c, idFunctions, p.functionsProps(s))
	s.Workflow = workflow.NewWorkflow(c, idWorkflow, p.workflowProps(s.Functions))
	s.Functions.ConnectStateMachine(s.Workflow.StateMachine)
	return s
}

func (p Props) hostProps(scope constructs.Construct, st *storage.Storage) forensichost.Props {
	hp := forensichost.Props{
		AMIID:           p.AMIID,
		EvidenceBucket:  st.EvidenceBucket,
		ResultsBucket:   st.ResultsBucket,
		ExistingNetwork: p.ExistingNetwork,
		InstanceType:    p.InstanceType,
		RemovalPolicy:   p.RemovalPolicy,
	}
	if p.SymbolsS3URI != "" {
		bucket, prefix, _ := splitSymbolsURI(p.SymbolsS3URI) // checked by withDefaults
		hp.SymbolsBucket = awss3.Bucket_FromBucketName(scope, jsii.String(idSymbolsBucket), jsii.String(bucket))
		hp.SymbolsPrefix = prefix
	}
	return hp
}

func (p Props) functionsProps(s *Service) functions.Props {
	h := s.Host
	return functions.Props{
		ModuleRoot:         p.ModuleRoot,
		Table:              s.Cases.Table,
		Topic:              s.Notifications.Topic,
		ResultsBucket:      s.Storage.ResultsBucket,
		EvidenceBucket:     s.Storage.EvidenceBucket,
		ResultsKey:         s.Storage.ResultsKey,
		AMIParameter:       h.AMIParameter,
		InstanceRole:       h.InstanceRole,
		InstanceProfileARN: *h.InstanceProfile.InstanceProfileArn(),
		VolumeKey:          h.VolumeKey,
		Network:            functions.Network{VPCID: *h.Vpc.VpcId(), SubnetIDs: h.SubnetIDs},
		Documents: functions.Documents{
			Probe:  *h.ProbeDocument.Ref(),
			Disk:   *h.DiskDocument.Ref(),
			Memory: *h.MemoryDocument.Ref(),
		},
		Grants: functions.Grants{
			Record:            s.Cases.GrantRecord,
			ReadResults:       s.Storage.GrantReadResults,
			ReadResultObjects: s.Storage.GrantReadResultObjects,
			WriteReport:       s.Storage.GrantWriteReport,
			Publish:           s.Notifications.GrantPublish,
		},
		ApplicationAccountIDs: p.ApplicationAccountIDs,
		IsolationPolicy:       p.IsolationPolicy,
		IsolationRoleName:     p.IsolationRoleName,
		IsolationDenyProfile:  p.IsolationDenyProfile,
		InstanceType:          &h.InstanceType,
		LargeInstanceType:     stringOrNil(p.LargeInstanceType),
		SymbolsS3URI:          h.SymbolsS3URI,
		CommandTimeoutSeconds: p.CommandTimeoutSeconds,
		CommandSecondsPerGiB:  p.CommandSecondsPerGiB,
		ReportLinkSeconds:     p.ReportLinkSeconds,
		// The scaled run limit must end before the workflow stops checking.
		MaxCommandTimeoutSeconds: ptr(min(functions.MaxCommandTimeoutSeconds,
			valueOr(p.WaitCommandSeconds, workflow.DefaultWaitCommandSeconds)*valueOr(p.MaxCommandChecks, workflow.DefaultMaxCommandChecks))),
		LargeEvidenceGiB: p.LargeEvidenceGiB,
		ScratchMinGiB:    p.ScratchMinGiB,
		ScratchMaxGiB:    p.ScratchMaxGiB,
		LogRemovalPolicy: p.RemovalPolicy,
	}
}

func (p Props) workflowProps(f *functions.Functions) workflow.Props {
	return workflow.Props{
		Tasks: workflow.Tasks{
			Intake: f.Intake, Isolate: f.Isolate, CreateInstance: f.CreateInstance, CheckInstance: f.CheckInstance,
			AttachEvidence: f.AttachEvidence, StartForensics: f.StartForensics, CheckCommand: f.CheckCommand,
			CollectResults: f.CollectResults, Release: f.Release, Report: f.Report, Notify: f.Notify,
		},
		Start:               f.Start,
		Sweep:               f.Sweep,
		EventBus:            p.EventBus,
		SenderAccountIDs:    p.ApplicationAccountIDs,
		WaitInstanceSeconds: p.WaitInstanceSeconds,
		WaitCommandSeconds:  p.WaitCommandSeconds,
		MaxInstanceChecks:   p.MaxInstanceChecks,
		MaxCommandChecks:    p.MaxCommandChecks,
		Timeout:             p.ExecutionTimeout,
		LogRemovalPolicy:    p.RemovalPolicy,
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ptr[T any](v T) *T { return &v }

// valueOr returns *p, or def when p is nil.
func valueOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

// stringOrNil returns nil for "" (the default), else a pointer to s.
func stringOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
