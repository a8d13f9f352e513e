package sink

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

type countingHook struct{ n atomic.Int64 }

func (h *countingHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *countingHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *countingHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

// TestFindingRoundTrips measures what one finding costs in Redis round
// trips on the sink's hot path (the case update, the alert claim, the
// counters), so a regression shows. The figures at the time of writing,
// for a one-handle finding: a new case 10 (3 of them the case's optimistic
// transaction, 5 the alert's claim and record), a repeat sighting 4 (the
// counters are 1 of them); before the counters were batched they were 22
// and 16.
func TestFindingRoundTrips(t *testing.T) {
	rcv := startReceivers(t)
	cfg := hookOnly(rcv.config(t))
	st, _ := redisStore(t, "")
	hook := &countingHook{}
	st.Client().AddHook(hook)
	s, err := New(cfg, Deps{Log: zaptest.NewLogger(t, zaptest.Level(zap.WarnLevel)), Bus: bustest.Embedded(t, ""), Store: st, Metrics: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Warm the counting script's cache.
	if err := s.applyFinding(ctx, finding(0, "kik", "placeholder_warm", "rss-a", wire.SeverityHigh, wire.ModeAlert), time.Now(), true); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		n    int
		max  int64
	}{
		{"new case", 1, 10},
		{"repeat sighting", 2, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := hook.n.Load()
			f := finding(tc.n, "kik", "placeholder_rtt", "rss-a", wire.SeverityMedium, wire.ModeAlert)
			if err := s.applyFinding(ctx, f, time.Now(), true); err != nil {
				t.Fatal(err)
			}
			got := hook.n.Load() - before
			t.Logf("%d round trips", got)
			if got > tc.max {
				t.Fatalf("%d round trips to Redis for one finding, want at most %d", got, tc.max)
			}
		})
	}
	waitFor(t, "the alert", 10*time.Second, func() bool { return len(rcv.hook.Deliveries()) >= 2 })
}
