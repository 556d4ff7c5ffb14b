package main

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		name string
		in   []time.Duration
		want time.Duration
	}{
		{name: "none", in: nil, want: 0},
		{name: "one", in: []time.Duration{3 * time.Second}, want: 3 * time.Second},
		{name: "odd count, unsorted", in: []time.Duration{9, 1, 5}, want: 5},
		{name: "even count", in: []time.Duration{4, 1, 2, 10}, want: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, median(tt.in))
		})
	}
}

func TestMedianLeavesItsInputAlone(t *testing.T) {
	in := []time.Duration{3, 1, 2}
	median(in)
	assert.Equal(t, []time.Duration{3, 1, 2}, in)
}

func TestRatio(t *testing.T) {
	tests := []struct {
		name string
		a, b time.Duration
		want float64
	}{
		{name: "equal", a: time.Second, b: time.Second, want: 1},
		{name: "rounded to two decimals", a: 2 * time.Second, b: 3 * time.Second, want: 0.67},
		{name: "zero denominator", a: time.Second, b: 0, want: math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ratio(tt.a, tt.b))
		})
	}
}
