package report

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/casefile-forensics/casefile/lambdas/investigation"
)

// Form is one rendering of the report.
type Form struct {
	// Name is the file extension: investigation.ReportJSON, ReportMarkdown
	// or ReportHTML.
	Name        string
	ContentType string
	Content     []byte
}

// Render returns the report as report.json, report.md and report.html.
func Render(r Report) ([]Form, error) {
	js, err := JSON(r)
	if err != nil {
		return nil, err
	}
	html, err := HTML(r)
	if err != nil {
		return nil, err
	}
	return []Form{
		{Name: investigation.ReportJSON, ContentType: "application/json", Content: js},
		{Name: investigation.ReportMarkdown, ContentType: "text/markdown; charset=utf-8", Content: Markdown(r)},
		{Name: investigation.ReportHTML, ContentType: "text/html; charset=utf-8", Content: html},
	}, nil
}

// JSON returns report.json, indented.
func JSON(r Report) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, fmt.Errorf("encode the report of case %s: %w", r.Case.ForensicID, err)
	}
	return buf.Bytes(), nil
}
