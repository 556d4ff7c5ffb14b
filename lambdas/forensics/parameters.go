package forensics

// Parameter names of the disk and memory forensics documents. Every value is
// a string; the documents in ssm-documents/ declare exactly these names.
const (
	// ParamForensicID is the case's forensic ID.
	ParamForensicID = "forensicId"
	// ParamResultsBucket is the results bucket.
	ParamResultsBucket = "resultsBucket"
	// ParamResultsPrefix is the case's results prefix in that bucket,
	// cases/<forensicId>/disk/ or cases/<forensicId>/memory/.
	ParamResultsPrefix = "resultsPrefix"
	// ParamKMSKeyARN is the KMS key the result uploads are encrypted with.
	ParamKMSKeyARN = "kmsKeyArn"
	// ParamExecutionTimeout is how many seconds the forensics may run.
	ParamExecutionTimeout = "executionTimeout"

	// ParamVolumeIDs lists the evidence volumes, comma-separated (DISK).
	ParamVolumeIDs = "volumeIds"

	// ParamDumpS3URI is the memory dump, s3://bucket/key (MEMORY).
	ParamDumpS3URI = "dumpS3Uri"
	// ParamDumpSHA256 is the dump's expected SHA-256 (MEMORY).
	ParamDumpSHA256 = "dumpSha256"
	// ParamDumpSizeBytes is the dump's expected size in bytes, in decimal
	// (MEMORY).
	ParamDumpSizeBytes = "dumpSizeBytes"
	// ParamDumpFormat is lime, avml, raw or crashdump (MEMORY).
	ParamDumpFormat = "dumpFormat"
	// ParamOperatingSystem is linux or windows (MEMORY).
	ParamOperatingSystem = "operatingSystem"
	// ParamKernelRelease is the kernel release recorded with a Linux dump;
	// empty for Windows (MEMORY).
	ParamKernelRelease = "kernelRelease"
	// ParamSymbolsS3URI is where the Volatility symbol tables are (MEMORY).
	ParamSymbolsS3URI = "symbolsS3Uri"
	// ParamScratchVolumeID is the instance's scratch volume, which the
	// document formats and copies the dump onto (MEMORY).
	ParamScratchVolumeID = "scratchVolumeId"
)
