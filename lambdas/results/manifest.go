package results

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// ManifestName is the file name of the manifest that the forensics scripts
// upload last at the top of the results prefix.
const ManifestName = "manifest.json"

// Manifest lists the result files of one forensics run, as the scripts
// computed them on the forensic instance.
//
// Which manifest is authoritative: both scripts (disk-forensics.sh and
// memory-forensics.sh in ssm-documents/scripts) write everything of a run
// into one output folder, write one manifest.json at its top listing every
// other file in it, and upload the folder to the results prefix with the
// manifest last. The disk script keeps each volume's files in a
// <volumeId>/ subfolder of that same folder, so its one manifest lists
// paths such as "vol-0123456789abcdef0/p1/timeline.csv"; no script writes
// a manifest anywhere else. Hence, for a results prefix P
// (investigation.ResultsPrefix):
//
//   - P + ManifestName is the only manifest, and it is authoritative for
//     every other object under P; its paths are relative to P.
//   - Without it the upload is not whole (or never happened): the step fails
//     naming that key, even when P is empty, since the step only runs after
//     the command succeeded.
//   - Every other object under P must be listed in it, once, with the size
//     and SHA-256 read from S3. A manifest.json deeper under P is an
//     ordinary file: it must be listed like any other, and its content is
//     not read.
//   - Every listed path must exist under P.
//
// The SSM command output under investigation.CommandOutputPrefix is written
// by SSM, not the scripts, and no manifest covers it.
type Manifest struct {
	Files []ManifestEntry `json:"files"`
}

// ManifestEntry describes one result file.
type ManifestEntry struct {
	// Path is the file's key relative to the results prefix.
	Path string `json:"path"`
	// SHA256 is 64 lower-case hex characters.
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	Tool        string `json:"tool"`
	ToolVersion string `json:"toolVersion"`
	// Evidence is the snapshot, volume or dump the file came from.
	Evidence string `json:"evidence"`
	// Source is the file's path in the evidence, for copied artifacts.
	Source string `json:"source,omitempty"`
}

// parseManifest decodes the manifest at key and returns its entries keyed
// by the S3 key they name (relative to the manifest's folder). A manifest
// that is not a JSON object with a "files" array, or with an entry whose
// path, SHA-256 or size is malformed, that names the manifest itself or
// that repeats a path, is an error naming the manifest and the entry.
func parseManifest(key string, content []byte) (map[string]ManifestEntry, error) {
	if len(content) >= maxManifestBytes {
		return nil, fmt.Errorf("manifest %s is larger than %d bytes", key, maxManifestBytes)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(content, &top); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", key, err)
	}
	if top == nil {
		return nil, fmt.Errorf("manifest %s: not a JSON object", key)
	}
	raw, ok := top["files"]
	if !ok || bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		return nil, fmt.Errorf("manifest %s: no \"files\" array", key)
	}
	var files []ManifestEntry
	if err := json.Unmarshal(raw, &files); err != nil {
		return nil, fmt.Errorf("manifest %s: files: %w", key, err)
	}

	dir := path.Dir(key) + "/"
	entries := make(map[string]ManifestEntry, len(files))
	for i, e := range files {
		if e.Path == "" || strings.HasPrefix(e.Path, "/") || hasDotSegment(e.Path) {
			return nil, fmt.Errorf("manifest %s: path %q must be relative without '.' or '..' segments", key, e.Path)
		}
		k := dir + e.Path
		switch {
		case k == key:
			return nil, fmt.Errorf("manifest %s: files[%d] lists the manifest itself", key, i)
		case !isSHA256(e.SHA256):
			return nil, fmt.Errorf("manifest %s: %s: sha256 %q is not 64 lower-case hex characters", key, k, e.SHA256)
		case e.Size < 0:
			return nil, fmt.Errorf("manifest %s: %s: negative size %d", key, k, e.Size)
		}
		if _, dup := entries[k]; dup {
			return nil, fmt.Errorf("manifest %s: %s is listed more than once", key, k)
		}
		entries[k] = e
	}
	return entries, nil
}

// hasDotSegment reports whether p has a ".", ".." or empty segment.
func hasDotSegment(p string) bool {
	for _, part := range strings.Split(p, "/") {
		if part == "." || part == ".." || part == "" {
			return true
		}
	}
	return false
}

// isSHA256 reports whether s is a SHA-256 as sha256sum prints it.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
