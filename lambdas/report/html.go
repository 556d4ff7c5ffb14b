package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"slices"
	"strings"
)

//go:embed report.html.tmpl
var htmlSource string

// ContentSecurityPolicy is report.html's policy: nothing may be loaded,
// fetched, framed or submitted from anywhere; only the page's own inline
// style and inline (data:) images apply. The page's icon is an empty data:
// URL, so that the browser does not ask for /favicon.ico either.
const ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; " +
	"base-uri 'none'; form-action 'none'"

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"glance":    glance,
	"resource":  resourceText,
	"finding":   findingText,
	"yesno":     boolText,
	"join":      joinNonEmpty,
	"pairs":     pairs,
	"columns":   columns,
	"typed":     typeSuffix,
	"orMore":    incomplete,
	"csp":       func() string { return ContentSecurityPolicy },
	"schema":    func() string { return SchemaID },
	"resources": sortedResources,
	"lower":     strings.ToLower,
	"more":      func(total, shown int) int { return total - shown },
	// dict passes a titled value to a sub-template.
	"dict": func(title string, v any) map[string]any { return map[string]any{title: v} },
}).Parse(htmlSource))

// HTML returns report.html: one self-contained page with inline CSS and a
// Content-Security-Policy that forbids every external load.
func HTML(r Report) ([]byte, error) {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, r); err != nil {
		return nil, fmt.Errorf("render the HTML report of case %s: %w", r.Case.ForensicID, err)
	}
	return buf.Bytes(), nil
}

// keyValue is one resource of a custody event.
type keyValue struct{ Key, Value string }

func sortedResources(res map[string]string) []keyValue {
	out := make([]keyValue, 0, len(res))
	for k, v := range res {
		out = append(out, keyValue{k, v})
	}
	slices.SortFunc(out, func(a, b keyValue) int { return strings.Compare(a.Key, b.Key) })
	return out
}
