package crawler

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
)

// polled lists the targets f was called for.
func (f *fakePoller) polled() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, c := range f.calls {
		name, _, _ := strings.Cut(c, "@")
		out[name]++
	}
	return out
}

// TestLeasesShareTargets: two crawlers with the same targets on one real
// NATS crawl each target from one of them only, and when one stops the
// other takes its targets over.
func TestLeasesShareTargets(t *testing.T) {
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{URL: bustest.URL(), Namespace: bustest.Namespace(), LeaseTTL: time.Second}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = b.JetStream().DeleteKeyValue(ctx, b.StreamName(bus.BucketLeases))
		for _, s := range []string{bus.StreamPosts, bus.StreamFindings, bus.StreamCases, bus.StreamStats, bus.StreamDead} {
			_ = b.JetStream().DeleteStream(ctx, b.StreamName(s))
		}
		b.Close()
	})
	cfg := testConfig()
	cfg.MaxPages = 1
	st := state.NewMemory() // shared, as Redis would be
	targets := []string{"a", "b", "c", "d", "e", "f"}
	type one struct {
		c    *Crawler
		fp   *fakePoller
		stop func()
	}
	var cs []one
	for range 2 {
		l, err := b.Leases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		c, err := New(cfg, nil, Deps{Log: zaptest.NewLogger(t), Seen: st, Cursors: st, Publisher: &collector{}, Leases: l})
		if err != nil {
			t.Fatal(err)
		}
		fp := &fakePoller{}
		if err := c.addTargets(SourceConfig{Name: "fake", Kind: "rss", Targets: targets, Interval: 50 * time.Millisecond}, fp); err != nil {
			t.Fatal(err)
		}
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { defer close(done); c.Run(rctx) }()
		stop := func() { cancel(); <-done }
		t.Cleanup(stop)
		cs = append(cs, one{c, fp, stop})
	}
	// Settle (the first crawler gives targets up to the second), then in
	// a window each target is crawled by one of them, and both work.
	time.Sleep(5 * time.Second)
	a0, c0 := cs[0].fp.polled(), cs[1].fp.polled()
	time.Sleep(time.Second)
	a1, c1 := cs[0].fp.polled(), cs[1].fp.polled()
	var na, nc int
	for _, tg := range targets {
		da, dc := a1[tg]-a0[tg], c1[tg]-c0[tg]
		if da > 0 && dc > 0 {
			t.Errorf("target %s crawled by both crawlers in one second (%d and %d polls)", tg, da, dc)
		}
		if da+dc == 0 {
			t.Errorf("target %s crawled by neither", tg)
		}
		if da > 0 {
			na++
		}
		if dc > 0 {
			nc++
		}
	}
	t.Logf("first crawler crawls %d targets, second %d", na, nc)
	if na < 2 || nc < 2 {
		t.Errorf("targets split %d/%d: a crawler that joined got too little work", na, nc)
	}
	cs[0].stop()
	before := cs[1].fp.polled()
	time.Sleep(1500 * time.Millisecond)
	after := cs[1].fp.polled()
	for _, tg := range targets {
		if after[tg] <= before[tg] {
			t.Errorf("target %s not crawled by the remaining crawler after the other stopped", tg)
		}
	}
}
