package stacktemplate

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Resolver resolves CloudFormation tokens to the values a deployment would
// have given them.
type Resolver struct {
	Partition string
	Region    string
	AccountID string
	// Refs maps a logical ID to the value of {"Ref": id}.
	Refs map[string]string
	// Attrs maps "LogicalID.Attribute" to the value of Fn::GetAtt.
	Attrs map[string]string
}

// Resolve returns the string value of a template value: a JSON string, or
// a Ref, Fn::GetAtt, Fn::Join, Fn::Select or Fn::Sub of values it can
// resolve. It fails naming the first token it cannot resolve.
func (r Resolver) Resolve(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	var fn map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fn); err != nil || len(fn) != 1 {
		return "", fmt.Errorf("cannot resolve %s: not a string or an intrinsic function", raw)
	}
	for name, arg := range fn {
		switch name {
		case "Ref":
			return r.ref(arg)
		case "Fn::GetAtt":
			return r.getAtt(arg)
		case "Fn::Join":
			return r.join(arg)
		case "Fn::Select":
			return r.selectItem(arg)
		case "Fn::Sub":
			return r.sub(arg)
		}
	}
	return "", fmt.Errorf("cannot resolve %s: unsupported intrinsic function", raw)
}

func (r Resolver) ref(arg json.RawMessage) (string, error) {
	var id string
	if err := json.Unmarshal(arg, &id); err != nil {
		return "", fmt.Errorf("Ref %s: %w", arg, err)
	}
	switch id {
	case "AWS::Partition":
		return r.Partition, nil
	case "AWS::Region":
		return r.Region, nil
	case "AWS::AccountId":
		return r.AccountID, nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::NoValue":
		return "", nil
	}
	if v, ok := r.Refs[id]; ok {
		return v, nil
	}
	return "", fmt.Errorf("cannot resolve {\"Ref\": %q}: no local value for it", id)
}

func (r Resolver) getAtt(arg json.RawMessage) (string, error) {
	var parts []string
	if err := json.Unmarshal(arg, &parts); err != nil {
		var dotted string
		if err := json.Unmarshal(arg, &dotted); err != nil {
			return "", fmt.Errorf("Fn::GetAtt %s: %w", arg, err)
		}
		id, attr, _ := strings.Cut(dotted, ".")
		parts = []string{id, attr}
	}
	if len(parts) != 2 {
		return "", fmt.Errorf("Fn::GetAtt %s: want [id, attribute]", arg)
	}
	key := parts[0] + "." + parts[1]
	if v, ok := r.Attrs[key]; ok {
		return v, nil
	}
	return "", fmt.Errorf("cannot resolve {\"Fn::GetAtt\": [%q, %q]}: no local value for it", parts[0], parts[1])
}

func (r Resolver) join(arg json.RawMessage) (string, error) {
	var args []json.RawMessage
	if err := json.Unmarshal(arg, &args); err != nil || len(args) != 2 {
		return "", fmt.Errorf("Fn::Join %s: want [delimiter, [values]]", arg)
	}
	var delim string
	if err := json.Unmarshal(args[0], &delim); err != nil {
		return "", fmt.Errorf("Fn::Join delimiter %s: %w", args[0], err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(args[1], &items); err != nil {
		return "", fmt.Errorf("Fn::Join values %s: %w", args[1], err)
	}
	values := make([]string, 0, len(items))
	for _, item := range items {
		v, err := r.Resolve(item)
		if err != nil {
			return "", err
		}
		values = append(values, v)
	}
	return strings.Join(values, delim), nil
}

func (r Resolver) selectItem(arg json.RawMessage) (string, error) {
	var args []json.RawMessage
	if err := json.Unmarshal(arg, &args); err != nil || len(args) != 2 {
		return "", fmt.Errorf("Fn::Select %s: want [index, list]", arg)
	}
	indexText, err := r.Resolve(args[0])
	if err != nil {
		return "", err
	}
	var index int
	if _, err := fmt.Sscan(indexText, &index); err != nil {
		return "", fmt.Errorf("Fn::Select index %s: %w", args[0], err)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(args[1], &items); err != nil {
		// A list-valued token such as Fn::Split or Fn::GetAZs.
		return "", fmt.Errorf("cannot resolve Fn::Select over %s", args[1])
	}
	if index < 0 || index >= len(items) {
		return "", fmt.Errorf("Fn::Select index %d out of range", index)
	}
	return r.Resolve(items[index])
}

var subVariable = regexp.MustCompile(`\$\{([^!}][^}]*)\}`)

func (r Resolver) sub(arg json.RawMessage) (string, error) {
	var text string
	vars := map[string]json.RawMessage{}
	if err := json.Unmarshal(arg, &text); err != nil {
		var args []json.RawMessage
		if err := json.Unmarshal(arg, &args); err != nil || len(args) != 2 {
			return "", fmt.Errorf("Fn::Sub %s: want a string or [string, {vars}]", arg)
		}
		if err := json.Unmarshal(args[0], &text); err != nil {
			return "", fmt.Errorf("Fn::Sub %s: %w", args[0], err)
		}
		if err := json.Unmarshal(args[1], &vars); err != nil {
			return "", fmt.Errorf("Fn::Sub variables %s: %w", args[1], err)
		}
	}
	var firstErr error
	out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
		name := m[2 : len(m)-1]
		var v string
		var err error
		switch raw, ok := vars[name]; {
		case ok:
			v, err = r.Resolve(raw)
		case strings.Contains(name, "."):
			id, attr, _ := strings.Cut(name, ".")
			v, err = r.getAtt(mustJSON([]string{id, attr}))
		default:
			v, err = r.ref(mustJSON(name))
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	})
	if firstErr != nil {
		return "", firstErr
	}
	return strings.ReplaceAll(out, "${!", "${"), nil
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}
