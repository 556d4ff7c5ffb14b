// Package stacktemplate reads the synthesized Casefile CloudFormation
// template: it finds the Lambda functions and the state machine, and
// resolves the CloudFormation tokens in their settings so that the
// definition and the handlers can run on this machine against an emulator.
package stacktemplate

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// Resource types this package reads.
const (
	TypeFunction     = "AWS::Lambda::Function"
	TypeStateMachine = "AWS::StepFunctions::StateMachine"
	TypeDocument     = "AWS::SSM::Document"
)

// cdkPathKey is the metadata entry that holds a resource's construct path.
const cdkPathKey = "aws:cdk:path"

// assetPathKey is the metadata entry that names a resource's asset folder
// in the cloud assembly, relative to the template.
const assetPathKey = "aws:asset:path"

// Template is the part of a CloudFormation template this package reads.
type Template struct {
	Resources map[string]Resource `json:"Resources"`
}

// Resource is one resource of the template.
type Resource struct {
	Type       string                     `json:"Type"`
	Properties json.RawMessage            `json:"Properties"`
	Metadata   map[string]json.RawMessage `json:"Metadata"`
}

// CDKPath returns the resource's construct path, or "".
func (r Resource) CDKPath() string {
	var p string
	_ = json.Unmarshal(r.Metadata[cdkPathKey], &p)
	return p
}

// AssetPath returns the resource's asset folder, relative to the template's
// folder, or "" when the template does not say.
func (r Resource) AssetPath() string {
	var p string
	_ = json.Unmarshal(r.Metadata[assetPathKey], &p)
	return p
}

// Load reads a template file.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read template %s: %w", path, err)
	}
	var t Template
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("decode template %s: %w", path, err)
	}
	return &t, nil
}

// LogicalIDs returns the logical IDs of the resources of type typ, sorted.
func (t *Template) LogicalIDs(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Function is a Lambda function of the template that runs one of
// Casefile's handlers.
type Function struct {
	LogicalID string
	// Handler is the handler's name: its folder under lambdas/cmd.
	Handler string
	// Env holds the function's environment variables as the template has
	// them: JSON strings or CloudFormation tokens.
	Env       map[string]json.RawMessage
	Timeout   time.Duration
	MemoryMiB int
	// AssetPath is the folder of the function's code in the cloud
	// assembly, relative to the template's folder; "" when unknown.
	AssetPath string
	// Architectures are the function's instruction set architectures.
	Architectures []string
}

type functionProperties struct {
	Architectures []string `json:"Architectures"`
	Timeout       int      `json:"Timeout"`
	MemorySize    int      `json:"MemorySize"`
	Environment   struct {
		Variables map[string]json.RawMessage `json:"Variables"`
	} `json:"Environment"`
}

// Functions returns the template's functions that run one of the handlers
// named in handlers, matched by the construct path segment that names the
// handler (such as Casefile/Functions/intake/Resource). Functions CDK adds
// for itself match no handler and are left out. It fails when a handler has
// no function or more than one.
func (t *Template) Functions(handlers []string) ([]Function, error) {
	byHandler := map[string]Function{}
	for _, id := range t.LogicalIDs(TypeFunction) {
		r := t.Resources[id]
		handler := matchHandler(r.CDKPath(), handlers)
		if handler == "" {
			continue
		}
		if prev, dup := byHandler[handler]; dup {
			return nil, fmt.Errorf("handler %s matches two functions: %s and %s", handler, prev.LogicalID, id)
		}
		var props functionProperties
		if err := json.Unmarshal(r.Properties, &props); err != nil {
			return nil, fmt.Errorf("decode the properties of function %s: %w", id, err)
		}
		timeout := props.Timeout
		if timeout == 0 {
			timeout = 3
		}
		byHandler[handler] = Function{
			LogicalID: id,
			Handler:   handler,
			Env:       props.Environment.Variables,
			Timeout:   time.Duration(timeout) * time.Second,
			MemoryMiB: props.MemorySize,
			AssetPath: r.AssetPath(), Architectures: props.Architectures,
		}
	}
	var fns []Function
	var missing []string
	for _, h := range handlers {
		fn, ok := byHandler[h]
		if !ok {
			missing = append(missing, h)
			continue
		}
		fns = append(fns, fn)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no function in the template runs handler(s) %s", strings.Join(missing, ", "))
	}
	return fns, nil
}

// matchHandler returns the handler that a construct path names: a path
// segment equal to the handler's name (case-insensitive, ignoring '-' and
// '_'), or else the longest handler name a segment starts with.
func matchHandler(cdkPath string, handlers []string) string {
	segments := strings.Split(cdkPath, "/")
	if len(segments) > 0 {
		segments = segments[:len(segments)-1] // the last one is "Resource"
	}
	norm := func(s string) string {
		return strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s))
	}
	best := ""
	for _, seg := range segments {
		seg = norm(seg)
		for _, h := range handlers {
			nh := norm(h)
			if seg == nh {
				return h
			}
			if strings.HasPrefix(seg, nh) && len(h) > len(best) {
				best = h
			}
		}
	}
	return best
}

// StateMachine returns the logical ID and the properties of the template's
// only state machine.
func (t *Template) StateMachine() (string, Resource, error) {
	ids := t.LogicalIDs(TypeStateMachine)
	if len(ids) != 1 {
		return "", Resource{}, fmt.Errorf("the template has %d state machines (%s), want 1", len(ids), strings.Join(ids, ", "))
	}
	return ids[0], t.Resources[ids[0]], nil
}

type stateMachineProperties struct {
	DefinitionString        json.RawMessage            `json:"DefinitionString"`
	Definition              json.RawMessage            `json:"Definition"`
	DefinitionSubstitutions map[string]json.RawMessage `json:"DefinitionSubstitutions"`
}

// Definition returns the state machine's definition as plain Amazon States
// Language, its tokens resolved by r.
func (t *Template) Definition(r Resolver) (json.RawMessage, error) {
	id, res, err := t.StateMachine()
	if err != nil {
		return nil, err
	}
	var props stateMachineProperties
	if err := json.Unmarshal(res.Properties, &props); err != nil {
		return nil, fmt.Errorf("decode state machine %s: %w", id, err)
	}
	var text string
	switch {
	case len(props.DefinitionString) > 0:
		text, err = r.Resolve(props.DefinitionString)
		if err != nil {
			return nil, fmt.Errorf("resolve the definition of %s: %w", id, err)
		}
	case len(props.Definition) > 0:
		text = string(props.Definition)
	default:
		return nil, fmt.Errorf("state machine %s has no DefinitionString", id)
	}
	for key, raw := range props.DefinitionSubstitutions {
		value, err := r.Resolve(raw)
		if err != nil {
			return nil, fmt.Errorf("resolve definition substitution %s of %s: %w", key, id, err)
		}
		text = strings.ReplaceAll(text, "${"+key+"}", value)
	}
	if !json.Valid([]byte(text)) {
		return nil, fmt.Errorf("the resolved definition of %s is not JSON", id)
	}
	return json.RawMessage(text), nil
}

// Document is an SSM document of the template.
type Document struct {
	LogicalID string
	// Content is the document as JSON (CloudFormation takes the content as
	// an object).
	Content        json.RawMessage
	DocumentType   string
	DocumentFormat string
}

// Document returns the SSM document with the logical ID id.
func (t *Template) Document(id string) (Document, error) {
	r, ok := t.Resources[id]
	if !ok || r.Type != TypeDocument {
		return Document{}, fmt.Errorf("the template has no SSM document %s", id)
	}
	var props struct {
		Content        json.RawMessage `json:"Content"`
		DocumentType   string          `json:"DocumentType"`
		DocumentFormat string          `json:"DocumentFormat"`
	}
	if err := json.Unmarshal(r.Properties, &props); err != nil {
		return Document{}, fmt.Errorf("decode SSM document %s: %w", id, err)
	}
	d := Document{LogicalID: id, Content: props.Content, DocumentType: props.DocumentType, DocumentFormat: props.DocumentFormat}
	if d.DocumentType == "" {
		d.DocumentType = "Command"
	}
	if d.DocumentFormat == "" {
		d.DocumentFormat = "JSON"
	}
	return d, nil
}

// RefTarget returns the logical ID that a {"Ref": id} token names, or "".
func RefTarget(raw json.RawMessage) string {
	var ref struct {
		Ref string `json:"Ref"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		return ""
	}
	return ref.Ref
}
