// Package ssmdocuments holds Casefile's SSM Command documents and the
// scripts they run. The documents are YAML files beside this file; their
// runCommand lists name the scripts to deliver with "#casefile:script NAME"
// lines, which Render replaces by lines that write the script from scripts/
// onto the instance (compressed, then checked against its SHA-256). So the
// scripts stay plain files that shellcheck lints and tests run, and each
// rendered document carries everything it needs.
package ssmdocuments

import (
	"embed"
	"fmt"
	"sort"
)

//go:embed probe.yaml disk-forensics.yaml memory-forensics.yaml scripts/*.sh scripts/*.py
var files embed.FS

// The documents' file names, which are also the names Render takes.
const (
	ProbeFile  = "probe.yaml"
	DiskFile   = "disk-forensics.yaml"
	MemoryFile = "memory-forensics.yaml"
)

// The parameters of the disk-forensics document.
const (
	ParamForensicID    = "forensicId"
	ParamVolumeIDs     = "volumeIds"
	ParamResultsBucket = "resultsBucket"
	ParamResultsPrefix = "resultsPrefix"
	ParamKMSKeyARN     = "kmsKeyArn"
	// ParamExecutionTimeout, in the disk and memory documents, is how many
	// seconds the forensics may run (the step's timeoutSeconds).
	ParamExecutionTimeout = "executionTimeout"
)

// The parameters the memory-forensics document adds to ParamForensicID,
// ParamResultsBucket, ParamResultsPrefix and ParamKMSKeyARN.
const (
	ParamDumpS3URI     = "dumpS3Uri"
	ParamDumpSHA256    = "dumpSha256"
	ParamDumpSizeBytes = "dumpSizeBytes"
	ParamDumpFormat    = "dumpFormat"
	ParamKernelRelease = "kernelRelease"
	ParamSymbolsS3URI  = "symbolsS3Uri"
	// ParamOperatingSystem is linux or windows; it picks the plugin set
	// and how the dump's kernel is identified.
	ParamOperatingSystem = "operatingSystem"
	// ParamScratchVolumeID is the instance's blank scratch volume, onto
	// which the dump is copied.
	ParamScratchVolumeID = "scratchVolumeId"
)

// MaxContentBytes is SSM's limit on a document's content.
const MaxContentBytes = 64 * 1024

// Document is a rendered SSM Command document.
type Document struct {
	// Name is the file the document came from, such as "disk-forensics.yaml".
	Name string
	// Content is the document, with the scripts inlined.
	Content Content
	// Scripts lists the scripts the document delivers, with their SHA-256.
	Scripts []Script
}

// ParameterNames returns the names of the document's parameters, sorted.
func (d Document) ParameterNames() []string {
	names := make([]string, 0, len(d.Content.Parameters))
	for name := range d.Content.Parameters {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Probe returns the readiness probe document. It has no parameters and
// prints one line of JSON (see the probe script) on stdout.
func Probe() (Document, error) { return Render(ProbeFile) }

// Disk returns the disk-forensics document.
func Disk() (Document, error) { return Render(DiskFile) }

// Memory returns the memory-forensics document.
func Memory() (Document, error) { return Render(MemoryFile) }

// Render reads the named document, checks it, and inlines its scripts.
func Render(name string) (Document, error) {
	raw, err := files.ReadFile(name)
	if err != nil {
		return Document{}, fmt.Errorf("reading document %s: %w", name, err)
	}
	content, err := parseContent(raw)
	if err != nil {
		return Document{}, fmt.Errorf("parsing document %s: %w", name, err)
	}
	if err := content.validate(); err != nil {
		return Document{}, fmt.Errorf("checking document %s: %w", name, err)
	}
	doc := Document{Name: name, Content: content}
	for i, step := range content.MainSteps {
		lines, scripts, err := inlineScripts(step.Inputs.RunCommand)
		if err != nil {
			return Document{}, fmt.Errorf("rendering step %s of %s: %w", step.Name, name, err)
		}
		content.MainSteps[i].Inputs.RunCommand = lines
		doc.Scripts = append(doc.Scripts, scripts...)
	}
	size, err := doc.Size()
	if err != nil {
		return Document{}, err
	}
	if size > MaxContentBytes {
		return Document{}, fmt.Errorf("document %s is %d bytes rendered, more than SSM's %d", name, size, MaxContentBytes)
	}
	return doc, nil
}
