package functions

import "github.com/casefile-forensics/casefile/lambdas/investigation"

// environment returns the settings the handler called name reads, keyed by
// the investigation.Env* constants. The start function's state machine ARN
// is added by ConnectStateMachine.
func environment(name Name, p Props) map[string]string {
	env := map[string]string{}
	if name != Start {
		env[investigation.EnvTableName] = *p.Table.TableName()
	}
	switch name {
	case Start, Intake:
		env[investigation.EnvEvidenceBucket] = *p.EvidenceBucket.BucketName()
	case CreateInstance:
		env[investigation.EnvAMIParameter] = *p.AMIParameter.ParameterName()
		env[investigation.EnvInstanceProfileARN] = p.InstanceProfileARN
		env[investigation.EnvInstanceType] = *p.InstanceType
		env[investigation.EnvLargeInstanceType] = *p.LargeInstanceType
		env[investigation.EnvLargeEvidenceGiB] = itoa(p.LargeEvidenceGiB)
		env[investigation.EnvVPCID] = p.Network.VPCID
		env[investigation.EnvSubnetIDs] = p.Network.subnetList()
		env[investigation.EnvVolumeKMSKeyARN] = *p.VolumeKey.KeyArn()
		env[investigation.EnvScratchMinGiB] = itoa(p.ScratchMinGiB)
		env[investigation.EnvScratchMaxGiB] = itoa(p.ScratchMaxGiB)
	case Isolate:
		env[investigation.EnvIsolationRoleName] = p.IsolationRoleName
		env[investigation.EnvIsolationDenyProfile] = p.IsolationDenyProfile
		if p.IsolationPolicy != "" {
			env[investigation.EnvIsolationPolicy] = p.IsolationPolicy
		}
	case CheckInstance:
		env[investigation.EnvProbeDocument] = p.Documents.Probe
	case AttachEvidence:
		env[investigation.EnvVolumeKMSKeyARN] = *p.VolumeKey.KeyArn()
	case StartForensics:
		env[investigation.EnvDiskDocument] = p.Documents.Disk
		env[investigation.EnvMemoryDocument] = p.Documents.Memory
		env[investigation.EnvResultsBucket] = *p.ResultsBucket.BucketName()
		env[investigation.EnvCommandTimeout] = itoa(p.CommandTimeoutSeconds)
		env[investigation.EnvCommandSecondsPerGiB] = itoa(p.CommandSecondsPerGiB)
		env[investigation.EnvMaxCommandTimeout] = itoa(p.MaxCommandTimeoutSeconds)
		if p.SymbolsS3URI != nil {
			env[investigation.EnvSymbolsS3URI] = *p.SymbolsS3URI
		}
		if p.ResultsKey != nil {
			env[investigation.EnvResultsKMSKeyARN] = *p.ResultsKey.KeyArn()
		}
	case CollectResults:
		env[investigation.EnvResultsBucket] = *p.ResultsBucket.BucketName()
	case Report:
		env[investigation.EnvResultsBucket] = *p.ResultsBucket.BucketName()
		env[investigation.EnvVolumeKMSKeyARN] = *p.VolumeKey.KeyArn()
		if p.ResultsKey != nil {
			env[investigation.EnvResultsKMSKeyARN] = *p.ResultsKey.KeyArn()
		}
		if p.ReportLinkSeconds > 0 {
			env[investigation.EnvReportLinkSeconds] = itoa(&p.ReportLinkSeconds)
		}
	case Notify, Sweep:
		env[investigation.EnvTopicARN] = *p.Topic.TopicArn()
	}
	return env
}
