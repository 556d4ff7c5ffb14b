package strictjson

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
)

type inner struct {
	Name string `json:"name"`
}

type doc struct {
	ID    string  `json:"id"`
	Count int8    `json:"count"`
	Ratio float64 `json:"ratio"`
	On    *bool   `json:"on"`
	Items []inner `json:"items"`
	Any   any     `json:"any"`
	Skip  string  `json:"-"`
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		opts     Options
		prefix   string
		wantPath string
		want     string
	}{
		{name: "every kind", raw: `{"id":"a","count":-128,"ratio":0.5,"on":true,"items":[{"name":"x"}],"any":{"deep":[1,{"x":null}]}}`},
		{name: "unknown key", raw: `{"idx":"a"}`, wantPath: "idx", want: "is not a known field"},
		{name: "key of another case", raw: `{"ID":"a"}`, wantPath: "ID", want: "is not a known field (field names are case-sensitive: id)"},
		{name: "key given twice", raw: `{"id":"a","id":"b"}`, wantPath: "id", want: "is given more than once"},
		{name: "nested path", raw: `{"items":[{"name":"x"},{"name":3}]}`, wantPath: "items[1].name", want: "must be a JSON string, not a number"},
		{name: "integer out of range", raw: `{"count":128}`, wantPath: "count", want: "must be a whole number from -128 to 127"},
		{name: "not a whole number", raw: `{"count":1.5}`, wantPath: "count", want: "must be a whole number, not 1.5"},
		{name: "null refused", raw: `{"id":null}`, wantPath: "id", want: "must be a JSON string, not null"},
		{name: "null leaves unset", raw: `{"id":null,"items":null}`, opts: Options{NullIsUnset: true}},
		{name: "odd key quoted", raw: `{"a b":1}`, wantPath: `"a b"`, want: "is not a known field"},
		{name: "data after the object", raw: `{"id":"a"} {}`, want: "has data after the JSON object"},
		{name: "not an object", raw: `[1]`, want: "must be a JSON object, not an array"},
		{name: "syntax error", raw: `{"id":`, want: "is not valid JSON: it ends too early"},
		{name: "prefix", raw: `{"items":[{"nome":"x"}]}`, prefix: "policy", wantPath: "policy.items[0].nome", want: "is not a known field"},
		{name: "prefix on the whole document", raw: `"x"`, prefix: "policy", wantPath: "policy", want: "must be a JSON object, not a string"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := ShapeOf(reflect.TypeFor[doc](), tc.opts).Check([]byte(tc.raw), tc.prefix)
			if tc.want == "" {
				assert.Nil(t, p)
				return
			}
			if assert.NotNil(t, p) {
				assert.Equal(t, tc.wantPath, p.Path)
				assert.Equal(t, tc.want, p.Detail)
			}
		})
	}
}
