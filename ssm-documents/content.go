package ssmdocuments

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// SchemaVersion is the schema version of every Casefile document.
const SchemaVersion = "2.2"

// Content is an SSM Command document (schema 2.2) with the fields Casefile
// uses. Its JSON form is the document content that SSM takes.
type Content struct {
	SchemaVersion string               `json:"schemaVersion" yaml:"schemaVersion"`
	Description   string               `json:"description,omitempty" yaml:"description"`
	Parameters    map[string]Parameter `json:"parameters,omitempty" yaml:"parameters"`
	MainSteps     []Step               `json:"mainSteps" yaml:"mainSteps"`
}

// Parameter is a document parameter. Casefile's are all Strings with an
// allowedPattern, passed to the shell as environment variables.
type Parameter struct {
	Type              string  `json:"type" yaml:"type"`
	Description       string  `json:"description,omitempty" yaml:"description"`
	AllowedPattern    string  `json:"allowedPattern,omitempty" yaml:"allowedPattern"`
	InterpolationType string  `json:"interpolationType,omitempty" yaml:"interpolationType"`
	Default           *string `json:"default,omitempty" yaml:"default"`
}

// Step is one step of mainSteps.
type Step struct {
	Action       string              `json:"action" yaml:"action"`
	Name         string              `json:"name" yaml:"name"`
	Precondition map[string][]string `json:"precondition,omitempty" yaml:"precondition"`
	Inputs       StepInputs          `json:"inputs" yaml:"inputs"`
}

// StepInputs are the inputs of an aws:runShellScript step.
type StepInputs struct {
	TimeoutSeconds Timeout  `json:"timeoutSeconds,omitempty" yaml:"timeoutSeconds"`
	RunCommand     []string `json:"runCommand" yaml:"runCommand"`
}

// Timeout is a step's timeoutSeconds: a number of seconds, or a reference
// to a parameter ("{{ executionTimeout }}") that SSM resolves when it runs
// the command.
type Timeout string

// timeoutReference matches a timeoutSeconds that names a parameter.
var timeoutReference = regexp.MustCompile(`^\{\{ ?([A-Za-z][A-Za-z0-9]{0,63}) ?\}\}$`)

// Parameter returns the name of the parameter t refers to, or "".
func (t Timeout) Parameter() string {
	if m := timeoutReference.FindStringSubmatch(string(t)); m != nil {
		return m[1]
	}
	return ""
}

// MarshalJSON writes a number of seconds as a JSON number, a reference as
// a string.
func (t Timeout) MarshalJSON() ([]byte, error) {
	if n, err := strconv.Atoi(string(t)); err == nil {
		return json.Marshal(n)
	}
	return json.Marshal(string(t))
}

// JSON returns the document content as SSM takes it.
func (d Document) JSON() ([]byte, error) {
	b, err := json.Marshal(d.Content)
	if err != nil {
		return nil, fmt.Errorf("encoding document %s: %w", d.Name, err)
	}
	return b, nil
}

// Size returns the length of the document's JSON content in bytes.
func (d Document) Size() (int, error) {
	b, err := d.JSON()
	return len(b), err
}

// Map returns the document content as a generic JSON value, for APIs such
// as the CDK's CfnDocument that take the content as a map.
func (d Document) Map() (map[string]any, error) {
	b, err := d.JSON()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("decoding document %s: %w", d.Name, err)
	}
	return m, nil
}

// parseContent decodes a YAML document, refusing fields Content lacks so
// that nothing written in the file is silently dropped.
func parseContent(raw []byte) (Content, error) {
	var c Content
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return Content{}, fmt.Errorf("decoding YAML: %w", err)
	}
	return c, nil
}

var parameterNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,63}$`)

// digitsOnlyPattern matches an allowedPattern built of digits, digit
// classes, repeat counts, groups and alternatives only.
var digitsOnlyPattern = regexp.MustCompile(`^\^[0-9\[\]{}(),|-]+\$$`)

// validate checks what SSM would accept and what Casefile's safety rests
// on: schema 2.2, shell steps only, and on every parameter a String type,
// an anchored allowedPattern that compiles, and environment interpolation.
func (c Content) validate() error {
	if c.SchemaVersion != SchemaVersion {
		return fmt.Errorf("schemaVersion is %q, want %q", c.SchemaVersion, SchemaVersion)
	}
	if len(c.MainSteps) == 0 {
		return errors.New("no mainSteps")
	}
	timeouts := map[string]bool{} // parameters that only set a timeout
	for _, s := range c.MainSteps {
		if s.Action != "aws:runShellScript" {
			return fmt.Errorf("step %s: action %q is not aws:runShellScript", s.Name, s.Action)
		}
		if len(s.Inputs.RunCommand) == 0 {
			return fmt.Errorf("step %s: empty runCommand", s.Name)
		}
		if t := s.Inputs.TimeoutSeconds; t != "" {
			if name := t.Parameter(); name != "" {
				if _, ok := c.Parameters[name]; !ok {
					return fmt.Errorf("step %s: timeoutSeconds names no parameter: %s", s.Name, t)
				}
				timeouts[name] = true
			} else if n, err := strconv.Atoi(string(t)); err != nil || n <= 0 {
				return fmt.Errorf("step %s: timeoutSeconds %q is neither seconds nor a {{ parameter }}", s.Name, t)
			}
		}
	}
	for name := range timeouts {
		for _, s := range c.MainSteps {
			for _, line := range s.Inputs.RunCommand {
				if strings.Contains(line, "{{ "+name+" }}") || strings.Contains(line, "{{"+name+"}}") || strings.Contains(line, "SSM_"+name) {
					return fmt.Errorf("parameter %s sets a timeout and must not reach the shell (step %s)", name, s.Name)
				}
			}
		}
		if !digitsOnlyPattern.MatchString(c.Parameters[name].AllowedPattern) {
			return fmt.Errorf("parameter %s sets a timeout: its allowedPattern must admit digits only", name)
		}
	}
	for name, p := range c.Parameters {
		if !parameterNamePattern.MatchString(name) {
			return fmt.Errorf("parameter %q: name must be letters and digits", name)
		}
		if p.Type != "String" {
			return fmt.Errorf("parameter %s: type %q is not String", name, p.Type)
		}
		if p.InterpolationType != "ENV_VAR" && !timeouts[name] {
			return fmt.Errorf("parameter %s: interpolationType must be ENV_VAR", name)
		}
		if len(p.AllowedPattern) < 2 || p.AllowedPattern[0] != '^' || p.AllowedPattern[len(p.AllowedPattern)-1] != '$' {
			return fmt.Errorf("parameter %s: allowedPattern must be anchored with ^ and $", name)
		}
		if _, err := regexp.Compile(p.AllowedPattern); err != nil {
			return fmt.Errorf("parameter %s: allowedPattern: %w", name, err)
		}
	}
	return nil
}
