package policy

// Match reports whether the finding type t matches the glob pattern as a
// whole: '*' matches any run of characters, '/' included, and '?' exactly
// one (one byte: finding types are printable ASCII); every other character
// matches itself, case-sensitively. It runs in O(len(pattern)·len(t)) at
// worst, whatever the pattern.
func Match(pattern, t string) bool {
	p, s := 0, 0
	// star is the pattern index after the last '*' seen, and from the
	// index in t that it was last tried at; -1 while there is none.
	star, from := -1, 0
	for s < len(t) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == t[s]):
			p++
			s++
		case p < len(pattern) && pattern[p] == '*':
			star, from = p+1, s
			p++
		case star >= 0:
			// Let the last '*' take one more character and try again.
			from++
			p, s = star, from
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
