package bus_test

import (
	"context"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
)

// TestLeases runs against the real server: one holder at a time, renewal,
// release, and expiry when a holder stops renewing (as a killed process
// does).
func TestLeases(t *testing.T) {
	ctx := context.Background()
	ns := bustest.Namespace()
	b, err := bus.Open(ctx, bus.Config{URL: bustest.URL(), Namespace: ns, LeaseTTL: 2 * time.Second}, zaptest.NewLogger(t))
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
	a, err := b.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c, err := b.Leases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if a.Owner() == c.Owner() {
		t.Fatal("two holders with one name")
	}
	const name = "crawl/src/target one" // escaped into the key alphabet
	acquire := func(l *bus.Leases) bool {
		t.Helper()
		ok, err := l.Acquire(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !acquire(a) {
		t.Fatal("first Acquire = false")
	}
	if acquire(c) {
		t.Fatal("a second holder took a held lease")
	}
	if !acquire(a) {
		t.Fatal("the holder could not renew")
	}
	if h, ok, _ := c.Holder(ctx, name); !ok || h != a.Owner() {
		t.Fatalf("Holder = %q, %v; want %q", h, ok, a.Owner())
	}
	if held, err := c.Held(ctx, "crawl/"); err != nil || len(held) != 1 {
		t.Fatalf("Held = %v, %v", held, err)
	}
	if err := c.Release(ctx, name); err != nil {
		t.Fatal(err)
	}
	if acquire(c) {
		t.Fatal("Release by a non-holder freed the lease")
	}
	if err := a.Release(ctx, name); err != nil {
		t.Fatal(err)
	}
	if !acquire(c) {
		t.Fatal("lease not free after Release")
	}

	// Hold renews past the TTL; a holder that stops renewing loses it
	// within about a TTL.
	held, stop := c.Hold(ctx, name)
	time.Sleep(3 * time.Second)
	if held.Err() != nil {
		t.Fatal("Hold lost a lease it was renewing")
	}
	if acquire(a) {
		t.Fatal("lease taken while held")
	}
	stop()
	if !acquire(a) {
		t.Fatal("lease not free after Hold's stop")
	}
	start := time.Now()
	for !acquire(c) {
		if time.Since(start) > 8*time.Second {
			t.Fatal("an unrenewed lease did not expire")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if d := time.Since(start); d < time.Second {
		t.Fatalf("lease expired after %s, before its TTL", d)
	}
}
