package investigation

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

// jsonKind is the kind of JSON value that a field of the request takes.
type jsonKind int

const (
	kindAny jsonKind = iota
	kindObject
	kindArray
	kindString
	kindInteger
	kindNumber
	kindBool
)

// shape is the JSON form of a Go type of the request: for an object its
// exact field names, for an array its element, for an integer its range.
type shape struct {
	kind     jsonKind
	fields   map[string]*shape
	elem     *shape
	min, max int64
}

// requestShape is the JSON form of a Request, read once from its json tags
// so that it cannot drift from the type. It is never changed.
var requestShape = shapeOf(reflect.TypeFor[Request]())

func shapeOf(t reflect.Type) *shape {
	switch t.Kind() {
	case reflect.Pointer:
		return shapeOf(t.Elem())
	case reflect.Struct:
		s := &shape{kind: kindObject, fields: map[string]*shape{}}
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name != "" && name != "-" {
				s.fields[name] = shapeOf(t.Field(i).Type)
			}
		}
		return s
	case reflect.Slice, reflect.Array:
		return &shape{kind: kindArray, elem: shapeOf(t.Elem())}
	case reflect.String:
		return &shape{kind: kindString}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		bits := t.Bits()
		return &shape{kind: kindInteger, min: -1 << (bits - 1), max: 1<<(bits-1) - 1}
	case reflect.Float32, reflect.Float64:
		return &shape{kind: kindNumber}
	case reflect.Bool:
		return &shape{kind: kindBool}
	}
	return &shape{kind: kindAny}
}

// checkShape reads raw as a stream of JSON tokens and returns the first
// place where it is not the JSON form of a Request: a key that is not the
// exact (case-sensitive) name of a field at that place, a key given twice,
// a value of the wrong kind, an integer that does not fit its field, or
// anything after the request object. encoding/json would accept the first
// two (it matches keys without regard to case and keeps the last of
// duplicates), so that a request could mean one thing to a reader and
// another to the workflow.
func checkShape(raw []byte) *ValidationError {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return syntaxProblem(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return invalid(RequestField, "must be a JSON object, not %s", tokenKind(tok))
	}
	if verr := walkObject(dec, requestShape, ""); verr != nil {
		return verr
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid(RequestField, "has data after the JSON object")
	}
	return nil
}

// walkValue checks the value that starts at the decoder's next token
// against s. path is the value's place in the request.
func walkValue(dec *json.Decoder, s *shape, path string) *ValidationError {
	tok, err := dec.Token()
	if err != nil {
		return syntaxProblem(err)
	}
	if tok == nil {
		// null leaves the field unset, for Validate to judge.
		return nil
	}
	switch s.kind {
	case kindObject:
		if d, ok := tok.(json.Delim); ok && d == '{' {
			return walkObject(dec, s, path)
		}
	case kindArray:
		if d, ok := tok.(json.Delim); ok && d == '[' {
			return walkArray(dec, s, path)
		}
	case kindString:
		if _, ok := tok.(string); ok {
			return nil
		}
	case kindInteger:
		if n, ok := tok.(json.Number); ok {
			return checkInteger(n, s, path)
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
		return skipRest(dec, tok)
	}
	return invalid(path, "must be %s, not %s", kindName(s.kind), tokenKind(tok))
}

// walkObject checks the members of an object whose '{' was just read.
func walkObject(dec *json.Decoder, s *shape, path string) *ValidationError {
	seen := make(map[string]bool, len(s.fields))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return syntaxProblem(err)
		}
		key, _ := tok.(string) // the decoder refuses an object key that is not a string
		child := memberPath(path, key)
		if seen[key] {
			return invalid(child, "is given more than once")
		}
		seen[key] = true
		fs, ok := s.fields[key]
		if !ok {
			return invalid(child, "is not a known field%s", suggestion(s, key))
		}
		if verr := walkValue(dec, fs, child); verr != nil {
			return verr
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return syntaxProblem(err)
	}
	return nil
}

// walkArray checks the elements of an array whose '[' was just read.
func walkArray(dec *json.Decoder, s *shape, path string) *ValidationError {
	for i := 0; dec.More(); i++ {
		if verr := walkValue(dec, s.elem, fmt.Sprintf("%s[%d]", path, i)); verr != nil {
			return verr
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return syntaxProblem(err)
	}
	return nil
}

func checkInteger(n json.Number, s *shape, path string) *ValidationError {
	v, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return invalid(path, "must be a whole number, not %s", truncate(n.String()))
	}
	if err != nil || v < s.min || v > s.max {
		return invalid(path, "must be a whole number from %d to %d", s.min, s.max)
	}
	return nil
}

// skipRest reads the rest of a value whose first token was tok.
func skipRest(dec *json.Decoder, tok json.Token) *ValidationError {
	if _, ok := tok.(json.Delim); !ok {
		return nil
	}
	for depth := 1; depth > 0; {
		next, err := dec.Token()
		if err != nil {
			return syntaxProblem(err)
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

// suggestion names the field that key differs from only by case (or
// Unicode folding), which encoding/json would have taken it for.
func suggestion(s *shape, key string) string {
	for name := range s.fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf(" (field names are case-sensitive: %s)", name)
		}
	}
	return ""
}

func syntaxProblem(err error) *ValidationError {
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &syntaxErr):
		return invalid(RequestField, "is not valid JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return invalid(RequestField, "is not valid JSON: it ends too early")
	}
	return invalid(RequestField, "is not valid JSON: %v", err)
}

// plainKey is a key that a path shows as it is; any other key is shown
// quoted, in ASCII, so that the path stays unambiguous and printable.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// memberPath returns the path of the member key of the object at path:
// "resource.region", or with a key that is empty or holds other than ASCII
// letters, digits, '_' and '-', "resource.\"x y\"" (a Go-quoted ASCII
// string, so "" for the empty key).
func memberPath(path, key string) string {
	if !plainKey.MatchString(key) {
		key = strconv.QuoteToASCII(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func kindName(k jsonKind) string {
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
