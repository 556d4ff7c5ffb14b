package main

import (
	"math"
	"slices"
	"time"
)

// median returns the median of ds (the mean of the two middle values for
// an even count), or 0 for none.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	mid := len(s) / 2
	if len(s)%2 == 1 {
		return s[mid]
	}
	return (s[mid-1] + s[mid]) / 2
}

// ratio returns a/b rounded to two decimals, or +Inf when b is zero.
func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return math.Inf(1)
	}
	return math.Round(float64(a)/float64(b)*100) / 100
}
