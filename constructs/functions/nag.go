package functions

import (
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// wildcard is a kind of wildcard resource some roles need, with the reason
// recorded for cdk-nag's AwsSolutions-IAM5.
type wildcard struct {
	// pattern matches the finding, such as Resource::arn:...:instance/*.
	pattern string
	reason  string
	// functions are the roles that have it; nil means every role but start's.
	functions []Name
}

// ec2Wildcard matches a wildcard EC2 ARN of the given resource types, with
// or without an account (images and snapshots have none).
func ec2Wildcard(types ...string) string {
	return `/^Resource::arn:(<AWS::Partition>|[a-z-]+):ec2:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|[0-9]{12})?:(` +
		strings.Join(types, "|") + `)\/\*$/`
}

func wildcards() []wildcard {
	managed := "casefile:managed-by=casefile (" + investigation.TagManagedBy + ")"
	return []wildcard{
		{ec2Wildcard("instance", "volume", "security-group"),
			"Each case's instance, volumes and security group are created at run time, so their IDs cannot be named; " +
				"every statement on them requires the tag " + managed + ", as a request tag when creating and as a " +
				"resource tag (aws:ResourceTag or ssm:resourceTag) when using, changing or deleting.",
			[]Name{CreateInstance, CheckInstance, AttachEvidence, StartForensics, Release, Sweep}},
		{ec2Wildcard("network-interface"),
			"RunInstances creates the instance's network interface at launch; the subnets it may use are named.",
			[]Name{CreateInstance}},
		{ec2Wildcard("image"),
			"The forensic AMI ID is read from the SSM parameter at run time and may belong to another account.",
			[]Name{CreateInstance}},
		{ec2Wildcard("snapshot"),
			"Evidence snapshots are shared per case by the application accounts; their IDs arrive with the request. " +
				"The volumes created from them must carry the managed-by tag.",
			[]Name{AttachEvidence}},
		{`/^Resource::arn:(<AWS::Partition>|[a-z-]+):kms:(<AWS::Region>|[a-z0-9-]+):[0-9]{12}:key\/\*$/`,
			"Snapshots shared by the application accounts may be encrypted with any key of theirs, known only when the " +
				"evidence arrives; the statements name only those accounts and allow the keys' use only through EC2 " +
				"(kms:ViaService), for the volumes EC2 makes of the snapshots.",
			[]Name{AttachEvidence}},
		{`/^Resource::arn:(<AWS::Partition>|[a-z-]+):iam::\*:role\/[A-Za-z0-9+=,.@_-]+$/`,
			"Without applicationAccountIds the isolation may go to any account that holds a case's resource: it may " +
				"assume only the isolation role, by its one name, which each application account's role trusts for this " +
				"function's role alone. Listing the accounts (applicationAccountIds) names them instead.",
			[]Name{Isolate}},
		{`/^Resource::<[A-Za-z0-9]+\.Arn>\/index\/\*$/`,
			"The case table's grant covers its indexes: the handlers query the by-resource index.",
			nil},
		{`/^Resource::<[A-Za-z0-9]+\.Arn>\/` + strings.TrimSuffix(investigation.CasesPrefix, "/") + `\/\*$/`,
			"Results are written per case under " + investigation.CasesPrefix + "<forensicId>/; the cases prefix is the narrowest fixed scope.",
			[]Name{CollectResults, Report}},
		{`/^Resource::<[A-Za-z0-9]+\.Arn>\/` + strings.TrimSuffix(investigation.CasesPrefix, "/") + `\/\*\/report\.(json|md|html)$/`,
			"Each case's report is written to " + investigation.ReportKey("<forensicId>", "{json,md,html}") +
				"; the patterns name those three files in any case folder, and a Deny keeps the role out of the results and command-output folders.",
			[]Name{Report}},
	}
}

// suppressFindings records on the role of the function called name why its
// wildcard resources are needed.
func suppressFindings(role awsiam.Role, name Name) {
	unscoped := append([]string{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}, unscopedActions(name)...)
	suppressions := []*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("These actions are authorized on \"*\" only: " + strings.Join(unscoped, ", ") +
			". Each is named; none is a wildcard action."),
		AppliesTo: &[]any{"Resource::*"},
	}}
	for _, w := range wildcards() {
		applies := w.functions == nil && name != Start || slices.Contains(w.functions, name)
		if !applies {
			continue
		}
		suppressions = append(suppressions, &cdknag.NagPackSuppression{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String(w.reason),
			AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String(w.pattern)}},
		})
	}
	cdknag.NagSuppressions_AddResourceSuppressions(role, &suppressions, jsii.Bool(true))
}
