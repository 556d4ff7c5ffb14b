package cdktest

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
)

// Resource is one resource of a synthesized template, decoded from JSON.
type Resource struct {
	Type       string
	Properties map[string]any
	Metadata   map[string]any
}

// Resources are the resources of a synthesized template, by logical ID.
type Resources map[string]Resource

// ResourcesOf decodes the resources of tmpl.
func ResourcesOf(tmpl assertions.Template) (Resources, error) {
	raw, err := json.Marshal(*tmpl.ToJSON())
	if err != nil {
		return nil, fmt.Errorf("encode template: %w", err)
	}
	var decoded struct {
		Resources Resources
	}
	if err := json.Unmarshal(raw, &decoded); err != nil {
		return nil, fmt.Errorf("decode template resources: %w", err)
	}
	return decoded.Resources, nil
}

// OfType returns the resources of CloudFormation type typ.
func (r Resources) OfType(typ string) Resources {
	out := Resources{}
	for id, res := range r {
		if res.Type == typ {
			out[id] = res
		}
	}
	return out
}

// AsMap returns v as a JSON object, or nil when it is not one.
func AsMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// Strings flattens a template value to strings: a string as itself, an
// array element by element, and anything else (such as Fn::Join or Ref)
// as its JSON.
func Strings(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			out = append(out, Strings(e)...)
		}
		return out
	default:
		b, _ := json.Marshal(v)
		return []string{string(b)}
	}
}
