package stats

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/handlewatch/handlewatch/internal/state/statetest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// countingHook counts round trips to Redis: a pipeline or a script is one.
type countingHook struct{ n atomic.Int64 }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestRedisRoundTrips bounds what counting costs against the real Redis:
// each observation is one batch, so one round trip (a first script run
// may add one for the NOSCRIPT fallback). Before batching a finding with
// two apps cost 17 and a tally 4.
func TestRedisRoundTrips(t *testing.T) {
	r := statetest.OpenRedis(t, "stats-rtt")
	hook := &countingHook{}
	r.Client().AddHook(hook)
	s := newStats(t, r)
	// Warm the script cache so the figures below are the steady state.
	if err := s.ObserveTally(ctx, wire.ScanTally{ID: "warm", Source: "s", Day: "2026-03-02", Posts: 1}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		max  int64
		run  func() error
	}{
		{"finding, two apps", 1, func() error {
			return s.ObserveFinding(ctx, mkFinding("reddit-a", "reddit", 1, day2, wire.SeverityHigh,
				handle{"kik", "placeholder_01"}, handle{"wickr", "placeholder_02"}))
		}},
		{"finding again (duplicate)", 1, func() error {
			return s.ObserveFinding(ctx, mkFinding("reddit-a", "reddit", 1, day2, wire.SeverityHigh,
				handle{"kik", "placeholder_01"}, handle{"wickr", "placeholder_02"}))
		}},
		{"tally", 1, func() error {
			return s.ObserveTally(ctx, wire.ScanTally{ID: "t1", Source: "reddit-a", Day: "2026-03-02", Posts: 100})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := hook.n.Load()
			if err := tc.run(); err != nil {
				t.Fatal(err)
			}
			got := hook.n.Load() - before
			t.Logf("%d round trips", got)
			if got > tc.max {
				t.Fatalf("%d round trips to Redis, want at most %d", got, tc.max)
			}
		})
	}
}
