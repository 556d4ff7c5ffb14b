// Package strictjson checks that a JSON document is exactly the JSON form
// of a Go type before encoding/json decodes it: every key the exact
// (case-sensitive) name of a field at its place, no key twice, every value
// of its field's kind, integers within their field's range, nothing after
// the document. encoding/json alone matches keys without regard to case
// and keeps the last of duplicate keys, so that a document could mean one
// thing to a person reading it and another to the program.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// Options change what a Shape accepts.
type Options struct {
	// NullIsUnset accepts null for any field, leaving it unset for the
	// caller's own validation; otherwise null is a value of the wrong kind.
	NullIsUnset bool
}

// Problem says where a document departs from its type's JSON form, and
// how.
type Problem struct {
	// Path is the value's place, such as resource.eks.clusterName or
	// rules[2].action, after the prefix given to Check; the prefix alone
	// (empty when there is none) means the document as a whole.
	Path   string
	Detail string
}

func (p *Problem) Error() string {
	if p.Path == "" {
		return p.Detail
	}
	return p.Path + ": " + p.Detail
}

// Shape is the JSON form of a Go type, read from its json tags so that it
// cannot drift from the type. It is never changed once made.
type Shape struct {
	root *node
	opts Options
}

// ShapeOf returns the JSON form of t.
func ShapeOf(t reflect.Type, opts Options) Shape {
	return Shape{root: nodeOf(t), opts: opts}
}

// kind is the kind of JSON value that a field takes.
type kind int

const (
	kindAny kind = iota
	kindObject
	kindArray
	kindString
	kindInteger
	kindNumber
	kindBool
)

// node is the JSON form of one Go type: an object's exact field names, an
// array's element, an integer's range.
type node struct {
	kind     kind
	fields   map[string]*node
	elem     *node
	min, max int64
}

func nodeOf(t reflect.Type) *node {
	switch t.Kind() {
	case reflect.Pointer:
		return nodeOf(t.Elem())
	case reflect.Struct:
		n := &node{kind: kindObject, fields: map[string]*node{}}
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				n.fields[name] = nodeOf(t.Field(i).Type)
			}
		}
		return n
	case reflect.Slice, reflect.Array:
		return &node{kind: kindArray, elem: nodeOf(t.Elem())}
	case reflect.String:
		return &node{kind: kindString}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return &node{kind: kindInteger, min: -1 << (bits - 1), max: 1<<(bits-1) - 1}
	case reflect.Float32, reflect.Float64:
		return &node{kind: kindNumber}
	case reflect.Bool:
		return &node{kind: kindBool}
	}
	return &node{kind: kindAny}
}

// Check reads raw as a stream of JSON tokens and returns the first place
// where it is not the shape's JSON form, or nil. Paths start with prefix
// ("" for none).
func (s Shape) Check(raw []byte, prefix string) *Problem {
	w := walker{dec: json.NewDecoder(bytes.NewReader(raw)), opts: s.opts, prefix: prefix}
	w.dec.UseNumber()
	if p := w.value(s.root, prefix); p != nil {
		return p
	}
	if _, err := w.dec.Token(); !errors.Is(err, io.EOF) {
		return &Problem{Path: prefix, Detail: "has data after the JSON " + kindWord(s.root.kind)}
	}
	return nil
}

// walker is one Check.
type walker struct {
	dec    *json.Decoder
	opts   Options
	prefix string
}

func (w walker) problem(path, format string, args ...any) *Problem {
	return &Problem{Path: path, Detail: fmt.Sprintf(format, args...)}
}

// value checks the value that starts at the decoder's next token against n.
func (w walker) value(n *node, path string) *Problem {
	tok, err := w.dec.Token()
	if err != nil {
		return w.syntax(err)
	}
	if tok == nil && w.opts.NullIsUnset {
		return nil
	}
	switch n.kind {
	case kindObject:
		if tok == json.Delim('{') {
			return w.object(n, path)
		}
	case kindArray:
		if tok == json.Delim('[') {
			return w.array(n, path)
		}
	case kindString:
		if _, ok := tok.(string); ok {
			return nil
		}
	case kindInteger:
		if num, ok := tok.(json.Number); ok {
			return w.integer(num, n, path)
		}
	case kindNumber:
		if _, ok := tok.(json.Number); ok {
			return nil
		}
	case kindBool:
		if _, ok := tok.(bool); ok {
			return nil
		}
	case kindAny:
		return w.skip(tok)
	}
	return w.problem(path, "must be %s, not %s", kindName(n.kind), tokenKind(tok))
}

// object checks the members of an object whose '{' was just read.
func (w walker) object(n *node, path string) *Problem {
	seen := make(map[string]bool, len(n.fields))
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return w.syntax(err)
		}
		key, _ := tok.(string) // the decoder refuses an object key that is not a string
		child := memberPath(path, key)
		if seen[key] {
			return w.problem(child, "is given more than once")
		}
		seen[key] = true
		field, ok := n.fields[key]
		if !ok {
			return w.problem(child, "is not a known field%s", suggestion(n, key))
		}
		if p := w.value(field, child); p != nil {
			return p
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing '}'
		return w.syntax(err)
	}
	return nil
}

// array checks the elements of an array whose '[' was just read.
func (w walker) array(n *node, path string) *Problem {
	for i := 0; w.dec.More(); i++ {
		if p := w.value(n.elem, fmt.Sprintf("%s[%d]", path, i)); p != nil {
			return p
		}
	}
	if _, err := w.dec.Token(); err != nil { // the closing ']'
		return w.syntax(err)
	}
	return nil
}

// maxNumberText bounds how much of a refused number a problem quotes.
const maxNumberText = 32

func (w walker) integer(num json.Number, n *node, path string) *Problem {
	v, err := strconv.ParseInt(num.String(), 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		text := num.String()
		if len(text) > maxNumberText {
			text = text[:maxNumberText] + "..."
		}
		return w.problem(path, "must be a whole number, not %s", text)
	}
	if err != nil || v < n.min || v > n.max {
		return w.problem(path, "must be a whole number from %d to %d", n.min, n.max)
	}
	return nil
}

// skip reads the rest of a value whose first token was tok.
func (w walker) skip(tok json.Token) *Problem {
	if _, ok := tok.(json.Delim); !ok {
		return nil
	}
	for depth := 1; depth > 0; {
		next, err := w.dec.Token()
		if err != nil {
			return w.syntax(err)
		}
		switch next {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func (w walker) syntax(err error) *Problem {
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &syntaxErr):
		return w.problem(w.prefix, "is not valid JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return w.problem(w.prefix, "is not valid JSON: it ends too early")
	}
	return w.problem(w.prefix, "is not valid JSON: %v", err)
}

// suggestion names the field that key differs from only by case (or
// Unicode folding), which encoding/json would have taken it for.
func suggestion(n *node, key string) string {
	for name := range n.fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf(" (field names are case-sensitive: %s)", name)
		}
	}
	return ""
}

// plainKey is a key that a path shows as it is; any other key is shown
// quoted, in ASCII, so that the path stays unambiguous and printable.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// memberPath returns the path of the member key of the object at path:
// "resource.region", or with a key that is empty or holds other than
// ASCII letters, digits, '_' and '-', "resource.\"x y\"" (a Go-quoted
// ASCII string, so "" for the empty key). A path can be long: callers
// bound what they show of it.
func memberPath(path, key string) string {
	if !plainKey.MatchString(key) {
		key = strconv.QuoteToASCII(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindWord(k kind) string {
	switch k {
	case kindObject:
		return "object"
	case kindArray:
		return "array"
	}
	return "value"
}

func kindName(k kind) string {
	switch k {
	case kindObject:
		return "a JSON object"
	case kindArray:
		return "a JSON array"
	case kindString:
		return "a JSON string"
	case kindInteger:
		return "a whole number"
	case kindNumber:
		return "a JSON number"
	case kindBool:
		return "true or false"
	}
	return "a JSON value"
}

func tokenKind(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "an object"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "another kind of value"
}
