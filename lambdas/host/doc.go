// Package host does the EC2 work of an investigation: it launches the
// forensic instance and its case security group, checks that the instance is
// running, creates and attaches the evidence volumes, and releases everything
// the case created. Each step is a handler that takes and returns the
// workflow's investigation.State and talks to EC2 through the small
// interfaces declared beside it.
package host
