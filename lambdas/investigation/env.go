package investigation

// Environment variable keys set on the Lambda functions by the functions
// construct and read by the handlers' configuration.
const (
	EnvTableName          = "CASEFILE_TABLE_NAME"
	EnvTopicARN           = "CASEFILE_TOPIC_ARN"
	EnvResultsBucket      = "CASEFILE_RESULTS_BUCKET"
	EnvEvidenceBucket     = "CASEFILE_EVIDENCE_BUCKET"
	EnvAMIParameter       = "CASEFILE_AMI_PARAMETER"
	EnvInstanceProfileARN = "CASEFILE_INSTANCE_PROFILE_ARN"
	EnvInstanceType       = "CASEFILE_INSTANCE_TYPE"
	EnvVPCID              = "CASEFILE_VPC_ID"
	EnvSubnetIDs          = "CASEFILE_SUBNET_IDS" // comma-separated
	EnvVolumeKMSKeyARN    = "CASEFILE_VOLUME_KMS_KEY_ARN"
	EnvScratchMinGiB      = "CASEFILE_SCRATCH_MIN_GIB"
	EnvScratchMaxGiB      = "CASEFILE_SCRATCH_MAX_GIB"
	EnvResultsKMSKeyARN   = "CASEFILE_RESULTS_KMS_KEY_ARN"
	EnvProbeDocument      = "CASEFILE_PROBE_DOCUMENT"
	EnvDiskDocument       = "CASEFILE_DISK_DOCUMENT"
	EnvMemoryDocument     = "CASEFILE_MEMORY_DOCUMENT"
	EnvSymbolsS3URI       = "CASEFILE_SYMBOLS_S3_URI"
	EnvCommandTimeout     = "CASEFILE_COMMAND_TIMEOUT_SECONDS"
	// EnvLargeInstanceType is the instance type of cases whose evidence
	// holds at least EnvLargeEvidenceGiB GiB.
	EnvLargeInstanceType = "CASEFILE_LARGE_INSTANCE_TYPE"
	EnvLargeEvidenceGiB  = "CASEFILE_LARGE_EVIDENCE_GIB"
	// EnvCommandSecondsPerGiB is added to the command timeout per GiB of
	// evidence, up to EnvMaxCommandTimeout seconds.
	EnvCommandSecondsPerGiB = "CASEFILE_COMMAND_SECONDS_PER_GIB"
	EnvMaxCommandTimeout    = "CASEFILE_MAX_COMMAND_TIMEOUT_SECONDS"
	EnvStateMachineARN      = "CASEFILE_STATE_MACHINE_ARN"
	// EnvReportLinkSeconds, when set, is how long the pre-signed link to a
	// case's report.html is valid.
	EnvReportLinkSeconds = "CASEFILE_REPORT_LINK_SECONDS"
	// EnvIsolationPolicy is the deployment's isolation policy as JSON
	// (lambdas/isolation/policy); empty means the built-in rules only.
	EnvIsolationPolicy = "CASEFILE_ISOLATION_POLICY"
	// EnvIsolationRoleName is the name of the role in each application
	// account that the isolation step assumes.
	EnvIsolationRoleName = "CASEFILE_ISOLATION_ROLE_NAME"
	// EnvIsolationDenyProfile is the name of the instance profile in each
	// application account whose role denies everything.
	EnvIsolationDenyProfile = "CASEFILE_ISOLATION_DENY_PROFILE"
)

// Defaults of the application account's isolation resources. They have
// fixed names, the same in every application account, so that the forensic
// account can find them; both stacks take other names from configuration.
const (
	DefaultIsolationRoleName    = "casefile-isolation"
	DefaultIsolationDenyProfile = "casefile-isolation-deny-all"
	// KubernetesIsolationGroup is the Kubernetes group that an EKS access
	// entry gives the isolation role; docs/eks-isolation-rbac.yaml binds
	// it to the few verbs the isolation uses.
	KubernetesIsolationGroup = "casefile:isolation"
)

// Tags that Casefile puts on everything a case creates in EC2, so that the
// release step can find them even when the workflow state lost an ID.
const (
	TagForensicID   = "casefile:forensic-id"
	TagForensicType = "casefile:forensic-type"
	TagRole         = "casefile:role"
	// TagManagedBy marks every Casefile-created resource; IAM conditions on
	// ssm:SendCommand and ec2:TerminateInstances use it.
	TagManagedBy   = "casefile:managed-by"
	ManagedByValue = "casefile"
)

// ScratchDeviceName is the device name under which the launch maps a
// MEMORY case's scratch volume and by which the start of the memory
// forensics finds that volume's ID in the instance's block device mappings.
// The instance itself finds the device by the volume ID (its NVMe serial),
// never by this name, which Nitro instances do not keep. It is far from
// the evidence volumes' /dev/sdf, /dev/sdg, ...
const ScratchDeviceName = "/dev/sdz"

// Values of TagRole.
const (
	RoleForensicInstance = "forensic-instance"
	RoleEvidenceVolume   = "evidence-volume"
	RoleCaseGroup        = "case-security-group"
)
