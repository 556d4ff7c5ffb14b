package policy

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

// shape is the JSON form of a Go type of the policy: an object's exact
// field names, an array's element, or a string or a boolean.
type shape struct {
	kind   reflect.Kind // reflect.Struct, Slice, String or Bool
	fields map[string]*shape
	elem   *shape
}

// policyShape is the JSON form of a Policy, read from its json tags so
// that it cannot drift from the type. It is never changed.
var policyShape = shapeOf(reflect.TypeFor[Policy]())

func shapeOf(t reflect.Type) *shape {
	switch t.Kind() {
	case reflect.Pointer:
		return shapeOf(t.Elem())
	case reflect.Struct:
		s := &shape{kind: reflect.Struct, fields: map[string]*shape{}}
		for i := range t.NumField() {
			if name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); name != "" && name != "-" {
				s.fields[name] = shapeOf(t.Field(i).Type)
			}
		}
		return s
	case reflect.Slice:
		return &shape{kind: reflect.Slice, elem: shapeOf(t.Elem())}
	}
	return &shape{kind: t.Kind()}
}

// checkShape reads raw as JSON tokens and returns the first place where it
// is not the JSON form of a Policy: a key that is not the exact name of a
// field there, a key given twice, a value of the wrong kind (null
// included), or data after the object. encoding/json alone would match
// keys without regard to case and keep the last of duplicates.
func checkShape(raw []byte) *Error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := walkValue(dec, policyShape, Field); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid(Field, "has data after the JSON object")
	}
	return nil
}

func walkValue(dec *json.Decoder, s *shape, path string) *Error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxProblem(err)
	}
	switch s.kind {
	case reflect.Struct:
		if tok == json.Delim('{') {
			return walkObject(dec, s, path)
		}
	case reflect.Slice:
		if tok == json.Delim('[') {
			return walkArray(dec, s, path)
		}
	case reflect.String:
		if _, ok := tok.(string); ok {
			return nil
		}
	case reflect.Bool:
		if _, ok := tok.(bool); ok {
			return nil
		}
	}
	return invalid(path, "must be %s, not %s", kindName(s.kind), tokenKind(tok))
}

func walkObject(dec *json.Decoder, s *shape, path string) *Error {
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
		if err := walkValue(dec, fs, child); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return syntaxProblem(err)
	}
	return nil
}

func walkArray(dec *json.Decoder, s *shape, path string) *Error {
	for i := 0; dec.More(); i++ {
		if err := walkValue(dec, s.elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ']'
		return syntaxProblem(err)
	}
	return nil
}

// suggestion names the field that key differs from only by case.
func suggestion(s *shape, key string) string {
	for name := range s.fields {
		if strings.EqualFold(name, key) {
			return fmt.Sprintf(" (field names are case-sensitive: %s)", name)
		}
	}
	return ""
}

func syntaxProblem(err error) *Error {
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &syntaxErr):
		return invalid(Field, "is not valid JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return invalid(Field, "is not valid JSON: it ends too early")
	}
	return invalid(Field, "is not valid JSON: %v", err)
}

// plainKey is a key that a path shows as it is; any other is quoted.
var plainKey = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

func memberPath(path, key string) string {
	if !plainKey.MatchString(key) {
		key = strconv.QuoteToASCII(key)
		if len(key) > 42 {
			key = key[:40] + `…"`
		}
	}
	return path + "." + key
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Struct:
		return "a JSON object"
	case reflect.Slice:
		return "a JSON array"
	case reflect.String:
		return "a JSON string"
	case reflect.Bool:
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
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "another kind of value"
}
