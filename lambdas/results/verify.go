package results

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// verifyResults checks the objects listed under prefix against the
// manifest at prefix+ManifestName, the one authoritative manifest (see
// Manifest): it must exist, be read and parse; every entry must name a
// listed object that was read with the entry's size and SHA-256; every
// other listed object must have an entry. read holds the objects that were
// read, the manifest with its content. It returns the manifest's entries
// by key and one problem per offending key, in key order.
func verifyResults(prefix string, listed []object, read []hashed) (map[string]ManifestEntry, []error) {
	manifestKey := prefix + ManifestName
	if !slices.ContainsFunc(listed, func(o object) bool { return o.Key == manifestKey }) {
		return nil, []error{fmt.Errorf("%s: no manifest; the forensics scripts upload it last, so the results are not whole", manifestKey)}
	}
	byKey := make(map[string]hashed, len(read))
	for _, hd := range read {
		byKey[hd.Key] = hd
	}
	m, ok := byKey[manifestKey]
	if !ok {
		return nil, []error{fmt.Errorf("%s: manifest not readable, so no result can be verified", manifestKey)}
	}
	entries, err := parseManifest(manifestKey, m.Content)
	if err != nil {
		return nil, []error{err}
	}

	isListed := make(map[string]bool, len(listed))
	var problems []error
	for _, o := range listed {
		isListed[o.Key] = true
		if _, ok := entries[o.Key]; !ok && o.Key != manifestKey {
			problems = append(problems, fmt.Errorf("%s: not listed in the manifest %s", o.Key, manifestKey))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(entries)) {
		e := entries[k]
		hd, ok := byKey[k]
		switch {
		case !isListed[k]:
			problems = append(problems, fmt.Errorf("%s: listed in the manifest but not in the bucket", k))
		case !ok:
			problems = append(problems, fmt.Errorf("%s: listed in the manifest but not readable in the bucket", k))
		case hd.SHA256 != e.SHA256:
			problems = append(problems, fmt.Errorf("%s: SHA-256 %s does not match the manifest's %s", k, hd.SHA256, e.SHA256))
		case hd.Size != e.Size:
			problems = append(problems, fmt.Errorf("%s: size %d does not match the manifest's %d", k, hd.Size, e.Size))
		}
	}
	// Every message starts with its key.
	slices.SortStableFunc(problems, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return entries, problems
}
