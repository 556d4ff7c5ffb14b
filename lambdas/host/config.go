package host

import "strings"

// ParseSubnetIDs splits a comma-separated list of subnet IDs, as the
// functions construct writes it, dropping blanks.
func ParseSubnetIDs(list string) []string {
	var ids []string
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}
