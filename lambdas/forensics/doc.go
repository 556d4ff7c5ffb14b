// Package forensics runs Casefile's SSM documents on the forensic instance:
// the readiness probe that checks the SSM agent and the forensic tools, the
// disk and memory forensics commands, and the checks of how a command ended.
// Every handler takes and returns the workflow's investigation.State, which
// holds command IDs and statuses only, never command output.
package forensics
