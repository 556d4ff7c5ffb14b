package report

import (
	"encoding/json"
	"fmt"
)

// runResults is the part of a forensics run's results.json (written by
// ssm-documents/scripts: disk-forensics.sh and memory-forensics.sh) that
// the report reads. Fields the scripts leave null decode as zero values.
type runResults struct {
	Schema string `json:"schema"`
	Status string `json:"status"`
	Script struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"script"`
	StartedAt string             `json:"startedAt"`
	EndedAt   string             `json:"endedAt"`
	Tools     map[string]*string `json:"tools"`
	Errors    []scriptNote       `json:"errors"`
	Notes     []scriptNote       `json:"notes"`

	// Disk.
	Devices  []diskDevice  `json:"devices"`
	Findings []diskFinding `json:"findings"`

	// Memory.
	OS            string         `json:"os"`
	Dump          *memoryDump    `json:"dump"`
	KernelRelease string         `json:"kernelRelease"`
	Symbols       *memorySymbols `json:"symbols"`
	Banner        *struct {
		Checked bool  `json:"checked"`
		Match   *bool `json:"match"`
	} `json:"banner"`
	Plugins []memoryPlugin `json:"plugins"`
}

type scriptNote struct {
	Step     string `json:"step"`
	Evidence string `json:"evidence"`
	Message  string `json:"message"`
}

type diskDevice struct {
	Evidence   string `json:"evidence"`
	SHA256     string `json:"sha256"`
	SizeBytes  int64  `json:"sizeBytes"`
	Partitions []struct {
		Name           string `json:"name"`
		FileSystem     string `json:"filesystem"`
		Analysis       string `json:"analysis"`
		TimelineSource string `json:"timelineSource"`
		InventoryFiles int64  `json:"inventoryFiles"`
	} `json:"partitions"`
}

type diskFinding struct {
	ID        string   `json:"id"`
	Severity  string   `json:"severity"`
	Detail    string   `json:"detail"`
	Evidence  string   `json:"evidence"`
	Partition string   `json:"partition"`
	Path      string   `json:"path"`
	Samples   []string `json:"samples"`
}

type memoryDump struct {
	SHA256         string `json:"sha256"`
	HashVerified   *bool  `json:"hashVerified"`
	DetectedFormat string `json:"detectedFormat"`
	SizeBytes      int64  `json:"sizeBytes"`
}

type memorySymbols struct {
	Source string `json:"source"`
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
}

type memoryPlugin struct {
	Name   string `json:"name"`
	Status string `json:"status"`
	Output string `json:"output"`
	Rows   int64  `json:"rows"`
}

// parseResults decodes one results.json.
func parseResults(key string, content []byte) (runResults, error) {
	var r runResults
	if err := json.Unmarshal(content, &r); err != nil {
		return r, fmt.Errorf("decode %s: %w", key, err)
	}
	if r.Status == "" {
		return r, fmt.Errorf("decode %s: no status", key)
	}
	return r, nil
}
