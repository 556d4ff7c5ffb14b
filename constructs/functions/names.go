package functions

// Name identifies one of Casefile's Lambda functions. It is also the
// directory of the function's main package under lambdas/cmd and the stem
// of its construct ID.
type Name string

// The Casefile functions, one per handler in lambdas/cmd.
const (
	Start  Name = "start"
	Intake Name = "intake"
	// Isolate contains the compromised resource as the isolation policy
	// decides, through the application account's isolation role.
	Isolate        Name = "isolate"
	CreateInstance Name = "createinstance"
	CheckInstance  Name = "checkinstance"
	AttachEvidence Name = "attachevidence"
	StartForensics Name = "startforensics"
	CheckCommand   Name = "checkcommand"
	CollectResults Name = "collectresults"
	Release        Name = "release"
	Notify         Name = "notify"
	// Report writes the case report on both the success and the failure
	// path.
	Report Name = "report"
	// Sweep ends an investigation whose execution timed out or was stopped
	// (outside the state machine, from the execution's status change).
	Sweep Name = "sweep"
)

// Names lists every function, in the order the workflow first uses them.
func Names() []Name {
	return []Name{
		Start, Intake, Isolate, CreateInstance, CheckInstance, AttachEvidence,
		StartForensics, CheckCommand, CollectResults, Release, Report, Notify, Sweep,
	}
}

// CommandDir is where the function's main package lives, relative to the
// module root.
const CommandDir = "lambdas/cmd"

// PackagePath returns the function's main package as a relative Go package
// path, such as ./lambdas/cmd/start.
func (n Name) PackagePath() string { return "./" + CommandDir + "/" + string(n) }
