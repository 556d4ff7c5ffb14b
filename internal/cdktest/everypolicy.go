package cdktest

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
)

// PolicyStatement is one statement of any policy document of a template:
// identity, trust, resource or key policy.
type PolicyStatement struct {
	// Source is the resource type and logical ID of the policy, and for an
	// inline or trust policy of a role which one.
	Source     string
	Sid        string
	Effect     string
	Actions    []string
	NotActions []string
	Resources  []string
	// Principal is the statement's Principal as written (nil for identity
	// policies), NotPrincipal set when it uses that.
	Principal    any
	NotPrincipal bool
	Conditions   map[string]any
}

// ResourcesJSON returns the statement's resources as one string, for
// substring checks on ARNs built from tokens.
func (s PolicyStatement) ResourcesJSON() string { return strings.Join(s.Resources, " ") }

// policyProperties are, by resource type, the properties that hold a
// policy document (for a role: its inline policies and its trust policy).
var policyProperties = map[string][]string{
	"AWS::IAM::Policy":             {"PolicyDocument"},
	"AWS::IAM::ManagedPolicy":      {"PolicyDocument"},
	"AWS::IAM::Role":               {"Policies", "AssumeRolePolicyDocument"},
	"AWS::S3::BucketPolicy":        {"PolicyDocument"},
	"AWS::SNS::TopicPolicy":        {"PolicyDocument"},
	"AWS::SQS::QueuePolicy":        {"PolicyDocument"},
	"AWS::KMS::Key":                {"KeyPolicy"},
	"AWS::EC2::VPCEndpoint":        {"PolicyDocument"},
	"AWS::Events::EventBusPolicy":  {"Statement"},
	"AWS::Logs::ResourcePolicy":    {"PolicyDocument"},
	"AWS::IAM::InstanceProfile":    nil,
	"AWS::Lambda::Permission":      nil,
	"AWS::StepFunctions::Activity": nil,
}

// policyLikeKeys are property names that hold a policy in CloudFormation.
var policyLikeKeys = []string{"PolicyDocument", "KeyPolicy", "AssumeRolePolicyDocument", "Policies", "Statement", "ResourcePolicy"}

// UnreadPolicies returns the logical IDs of resources that have a property
// named like a policy but whose type EveryStatement does not read, so that
// a test over every statement cannot miss a new kind of policy.
func (r Resources) UnreadPolicies() []string {
	var out []string
	for id, res := range r {
		if _, known := policyProperties[res.Type]; known {
			continue
		}
		for _, k := range policyLikeKeys {
			if _, ok := res.Properties[k]; ok {
				out = append(out, id+" ("+res.Type+"."+k+")")
			}
		}
	}
	sort.Strings(out)
	return out
}

// EveryStatement returns every statement of every policy document of the
// template: the identity policies (AWS::IAM::Policy, AWS::IAM::ManagedPolicy,
// a role's inline policies), the roles' trust policies, and the resource and
// key policies of buckets, topics, queues, keys, VPC endpoints, event buses
// and log groups. It is sorted by Source.
func (r Resources) EveryStatement() []PolicyStatement {
	var out []PolicyStatement
	for id, res := range r {
		for _, prop := range policyProperties[res.Type] {
			source := res.Type + " " + id
			v := res.Properties[prop]
			switch {
			case res.Type == "AWS::IAM::Role" && prop == "Policies":
				list, _ := v.([]any)
				for _, p := range list {
					m := AsMap(p)
					name, _ := m["PolicyName"].(string)
					out = append(out, statementsIn(source+" inline "+name, m["PolicyDocument"])...)
				}
			case res.Type == "AWS::IAM::Role":
				out = append(out, statementsIn(source+" trust", v)...)
			case res.Type == "AWS::Events::EventBusPolicy":
				out = append(out, statementsIn(source, map[string]any{"Statement": []any{v}})...)
			default:
				out = append(out, statementsIn(source, v)...)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b PolicyStatement) int {
		switch {
		case a.Source < b.Source:
			return -1
		case a.Source > b.Source:
			return 1
		}
		return 0
	})
	return out
}

// statementsIn returns the statements of a policy document, which may be
// given as a JSON string (AWS::Logs::ResourcePolicy).
func statementsIn(source string, doc any) []PolicyStatement {
	if s, ok := doc.(string); ok {
		var decoded any
		if json.Unmarshal([]byte(s), &decoded) == nil {
			doc = decoded
		}
	}
	var list []any
	switch st := AsMap(doc)["Statement"].(type) {
	case []any:
		list = st
	case map[string]any:
		list = []any{st}
	}
	out := make([]PolicyStatement, 0, len(list))
	for _, e := range list {
		st := AsMap(e)
		sid, _ := st["Sid"].(string)
		effect, _ := st["Effect"].(string)
		cond, _ := st["Condition"].(map[string]any)
		principal, notPrincipal := st["Principal"], false
		if np, ok := st["NotPrincipal"]; ok {
			principal, notPrincipal = np, true
		}
		out = append(out, PolicyStatement{
			Source: source, Sid: sid, Effect: effect,
			Actions: Strings(st["Action"]), NotActions: Strings(st["NotAction"]),
			Resources: Strings(st["Resource"]), Principal: principal, NotPrincipal: notPrincipal, Conditions: cond,
		})
	}
	return out
}
