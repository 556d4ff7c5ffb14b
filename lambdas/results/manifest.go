package results

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// ManifestName is the file name of the manifest that the forensics scripts
// write last into each output folder.
const ManifestName = "manifest.json"

// Manifest lists the files of one output folder, as the forensics scripts
// computed them on the forensic instance.
type Manifest struct {
	Files []ManifestEntry `json:"files"`
}

// ManifestEntry describes one output file.
type ManifestEntry struct {
	// Path is relative to the manifest's folder.
	Path        string `json:"path"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	Tool        string `json:"tool"`
	ToolVersion string `json:"toolVersion"`
	// Evidence is the snapshot, volume or dump the file came from.
	Evidence string `json:"evidence"`
}

// isManifest reports whether key names a manifest.
func isManifest(key string) bool { return path.Base(key) == ManifestName }

// parseManifest decodes the manifest at key and returns its entries keyed
// by the S3 key they name.
func parseManifest(key string, content []byte) (map[string]ManifestEntry, error) {
	if len(content) >= maxManifestBytes {
		return nil, fmt.Errorf("manifest %s is larger than %d bytes", key, maxManifestBytes)
	}
	var m Manifest
	if err := json.Unmarshal(content, &m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", key, err)
	}
	dir := path.Dir(key) + "/"
	entries := make(map[string]ManifestEntry, len(m.Files))
	for _, e := range m.Files {
		if e.Path == "" || strings.HasPrefix(e.Path, "/") || hasDotSegment(e.Path) {
			return nil, fmt.Errorf("manifest %s: path %q must be relative without '.' or '..' segments", key, e.Path)
		}
		entries[dir+e.Path] = e
	}
	return entries, nil
}

func hasDotSegment(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == "." || part == ".." || part == "" {
			return true
		}
	}
	return false
}
