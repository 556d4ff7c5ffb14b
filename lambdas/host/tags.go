package host

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Tags that only the EC2 steps use: where an evidence volume came from.
const (
	tagSourceSnapshot = "casefile:source-snapshot-id"
	tagSourceVolume   = "casefile:source-volume-id"
)

// caseTags returns the tags of a resource that st's case creates in the
// given role, followed by extra tags.
func caseTags(st investigation.State, role string, extra ...types.Tag) []types.Tag {
	tags := []types.Tag{
		{Key: aws.String(investigation.TagForensicID), Value: aws.String(st.ForensicID)},
		{Key: aws.String(investigation.TagForensicType), Value: aws.String(string(st.ForensicType))},
		{Key: aws.String(investigation.TagRole), Value: aws.String(role)},
		{Key: aws.String(investigation.TagManagedBy), Value: aws.String(investigation.ManagedByValue)},
		{Key: aws.String("Name"), Value: aws.String("casefile-" + executionName(st))},
	}
	return append(tags, extra...)
}

// tagSpec tags a resource of type rt at creation.
func tagSpec(rt types.ResourceType, tags []types.Tag) types.TagSpecification {
	return types.TagSpecification{ResourceType: rt, Tags: tags}
}

// caseFilters selects what st's investigation created. The forensic type is
// part of the filter because a case's DISK and MEMORY investigations run
// side by side and must not release each other's resources.
func caseFilters(st investigation.State, more ...types.Filter) []types.Filter {
	filters := []types.Filter{
		tagFilter(investigation.TagForensicID, st.ForensicID),
		tagFilter(investigation.TagForensicType, string(st.ForensicType)),
		tagFilter(investigation.TagManagedBy, investigation.ManagedByValue),
	}
	return append(filters, more...)
}

func tagFilter(key string, values ...string) types.Filter {
	return filter("tag:"+key, values...)
}

func filter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

// executionName is the workflow execution of st, or the name it would have
// when the state lacks it (a direct invocation).
func executionName(st investigation.State) string {
	if st.ExecutionName != "" {
		return st.ExecutionName
	}
	return investigation.ExecutionName(st.ForensicID, st.ForensicType)
}
