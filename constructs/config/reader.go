package config

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Getter returns the context value of key, or nil when it is not set.
// Values from cdk.json keep their JSON types; values given with -c are
// strings.
type Getter func(key string) any

// reader reads context values and collects one error per bad key.
type reader struct {
	get  Getter
	errs []error
}

func (r *reader) fail(key, format string, args ...any) {
	r.errs = append(r.errs, fmt.Errorf("context key %q: %s", key, fmt.Sprintf(format, args...)))
}

// str returns the string at key, or "" when it is unset or empty.
func (r *reader) str(key string) string {
	switch v := r.get(key).(type) {
	case nil:
		return ""
	case string:
		return strings.TrimSpace(v)
	default:
		r.fail(key, "must be a string, got %v (%T)", v, v)
		return ""
	}
}

// required returns the string at key, which must be set and match pattern.
func (r *reader) required(key string, pattern *regexp.Regexp, want string) string {
	s := r.str(key)
	if s == "" {
		r.fail(key, "is required: %s", want)
		return ""
	}
	return r.matching(key, s, pattern, want)
}

// optional returns the string at key, or def; when set it must match
// pattern.
func (r *reader) optional(key, def string, pattern *regexp.Regexp, want string) string {
	s := r.str(key)
	if s == "" {
		return def
	}
	return r.matching(key, s, pattern, want)
}

func (r *reader) matching(key, s string, pattern *regexp.Regexp, want string) string {
	if !pattern.MatchString(s) {
		r.fail(key, "must be %s, got %q", want, s)
	}
	return s
}

// integer returns the whole number at key, or def, within [lo, hi].
func (r *reader) integer(key string, def, lo, hi int) int {
	var n int
	switch v := r.get(key).(type) {
	case nil:
		return def
	case float64:
		if v != math.Trunc(v) || v < math.MinInt32 || v > math.MaxInt32 {
			r.fail(key, "must be a whole number from %d to %d, got %v", lo, hi, v)
			return def
		}
		n = int(v)
	case int:
		n = v
	case string:
		if strings.TrimSpace(v) == "" {
			return def
		}
		parsed, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			r.fail(key, "must be a whole number from %d to %d, got %q", lo, hi, v)
			return def
		}
		n = parsed
	default:
		r.fail(key, "must be a whole number from %d to %d, got %v (%T)", lo, hi, v, v)
		return def
	}
	if n < lo || n > hi {
		r.fail(key, "must be a whole number from %d to %d, got %d", lo, hi, n)
	}
	return n
}

// boolean returns the truth value at key, false when it is unset: a JSON
// boolean, or "true" or "false" (as -c gives).
func (r *reader) boolean(key string) bool {
	switch v := r.get(key).(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "", "false":
			return false
		case "true":
			return true
		}
	}
	r.fail(key, "must be true or false, got %v (%T)", r.get(key), r.get(key))
	return false
}

// list returns the strings at key: a JSON array of strings, or one
// comma-separated string (as -c gives). Each must match pattern.
func (r *reader) list(key string, pattern *regexp.Regexp, want string) []string {
	var items []string
	switch v := r.get(key).(type) {
	case nil:
		return nil
	case string:
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
	case []any:
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				r.fail(key, "item %d must be a string, got %v (%T)", i, e, e)
				return nil
			}
			items = append(items, strings.TrimSpace(s))
		}
	case []string:
		items = v
	default:
		r.fail(key, "must be a list of strings or a comma-separated string, got %v (%T)", v, v)
		return nil
	}
	for i, s := range items {
		if !pattern.MatchString(s) {
			r.fail(key, "item %d must be %s, got %q", i, want, s)
		}
	}
	return items
}
