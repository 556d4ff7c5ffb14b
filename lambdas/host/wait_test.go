package host

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestWaitOptions(t *testing.T) {
	def := WaitOptions{MinDelay: 2 * time.Second, MaxDelay: 10 * time.Second, Timeout: time.Minute}
	tests := []struct {
		name string
		in   WaitOptions
		want WaitOptions
	}{
		{name: "zero takes the defaults", in: WaitOptions{}, want: def},
		{name: "set fields stay", in: WaitOptions{MinDelay: time.Millisecond, Timeout: time.Second}, want: WaitOptions{MinDelay: time.Millisecond, MaxDelay: 10 * time.Second, Timeout: time.Second}},
		{name: "max delay raised to min delay", in: WaitOptions{MinDelay: 30 * time.Second}, want: WaitOptions{MinDelay: 30 * time.Second, MaxDelay: 30 * time.Second, Timeout: time.Minute}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.in.orDefault(def))
		})
	}
}

func TestWaitOptionsWithinDeadline(t *testing.T) {
	w := WaitOptions{Timeout: 4 * time.Minute}
	tests := []struct {
		name     string
		left     time.Duration // 0: no deadline
		reserve  time.Duration
		wantLow  time.Duration
		wantHigh time.Duration
	}{
		{name: "no deadline", reserve: time.Minute, wantLow: 4 * time.Minute, wantHigh: 4 * time.Minute},
		{name: "far deadline", left: time.Hour, reserve: time.Minute, wantLow: 4 * time.Minute, wantHigh: 4 * time.Minute},
		{name: "near deadline", left: 3 * time.Minute, reserve: time.Minute, wantLow: 119 * time.Second, wantHigh: 2 * time.Minute},
		{name: "deadline inside the reserve", left: 30 * time.Second, reserve: time.Minute, wantLow: minWait, wantHigh: minWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.left > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.left)
				defer cancel()
			}
			got := w.within(ctx, tt.reserve).Timeout
			assert.GreaterOrEqual(t, got, tt.wantLow, "timeout")
			assert.LessOrEqual(t, got, tt.wantHigh, "timeout")
		})
	}
}
