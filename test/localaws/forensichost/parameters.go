package forensichost

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// documentParameter is one parameter as an SSM document's content declares
// it.
type documentParameter struct {
	Type           string          `json:"type"`
	AllowedPattern string          `json:"allowedPattern"`
	AllowedValues  []string        `json:"allowedValues"`
	Default        json.RawMessage `json:"default"`
}

// apiError is an error that SSM answers with a code.
type apiError struct {
	status        int
	code, message string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// registeredParameters asks moto for the content of the document version
// that the command names, as SSM reads the registered document, and
// returns its parameters. An unknown document or version is moto's own
// error, as SSM would answer it.
func (h *Host) registeredParameters(r *http.Request, name, version string) (map[string]documentParameter, error) {
	in := map[string]string{"Name": name, "DocumentFormat": "JSON"}
	if version != "" {
		in["DocumentVersion"] = version
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode the GetDocument request: %w", err)
	}
	req := requestWithBody(r, body)
	req.Header.Set("X-Amz-Target", "AmazonSSM.GetDocument")
	rec := httptest.NewRecorder()
	h.proxy.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		code := e.Type[strings.LastIndex(e.Type, "#")+1:]
		if code == "" {
			code = "InvalidDocument"
		}
		return nil, &apiError{status: rec.Code, code: code, message: e.Message}
	}
	var out struct{ Content string }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("read moto's GetDocument answer for %s: %w", name, err)
	}
	var content struct {
		Parameters map[string]documentParameter `json:"parameters"`
	}
	if err := json.Unmarshal([]byte(out.Content), &content); err != nil {
		return nil, fmt.Errorf("read the content of document %s: %w", name, err)
	}
	return content.Parameters, nil
}

// checkParameters returns the InvalidParameters error SSM's SendCommand
// answers when params do not fit the document's declared parameters: a
// name the document does not declare, a declared parameter without a
// default that is missing, a String given more than one value, or a value
// that fails the parameter's allowedPattern or allowedValues. nil means SSM
// would accept them.
func checkParameters(declared map[string]documentParameter, params map[string][]string) error {
	invalid := func(format string, args ...any) error {
		return &apiError{status: http.StatusBadRequest, code: "InvalidParameters", message: fmt.Sprintf(format, args...)}
	}
	for _, name := range sortedNames(params) {
		if _, ok := declared[name]; !ok {
			return invalid("Parameter %q is not defined in the document; you can only supply values to parameters defined in the SSM document.", name)
		}
	}
	for _, name := range sortedNames(declared) {
		p := declared[name]
		values, given := params[name]
		if !given {
			if len(p.Default) == 0 {
				return invalid("Parameter %q is required: you must specify values for all required parameters in the SSM document.", name)
			}
			continue
		}
		if (p.Type == "" || p.Type == "String") && len(values) != 1 {
			return invalid("Parameter %q is a String and takes one value, not %d.", name, len(values))
		}
		var re *regexp.Regexp
		if p.AllowedPattern != "" {
			var err error
			if re, err = regexp.Compile(p.AllowedPattern); err != nil {
				return invalid("Parameter %q has an allowedPattern that is not a regular expression: %v", name, err)
			}
		}
		for _, v := range values {
			if re != nil && !re.MatchString(v) {
				return invalid("Parameter %q value %q failed to satisfy constraint: it must match the allowedPattern %s.", name, v, p.AllowedPattern)
			}
			if len(p.AllowedValues) > 0 && !slices.Contains(p.AllowedValues, v) {
				return invalid("Parameter %q value %q failed to satisfy constraint: it must be one of %v.", name, v, p.AllowedValues)
			}
		}
	}
	return nil
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
