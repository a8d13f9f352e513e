package bustest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/bus"
)

var seq atomic.Int64

// URL is the external server the integration tests use.
func URL() string {
	if u := os.Getenv("HW_TEST_NATS_URL"); u != "" {
		return u
	}
	return "nats://127.0.0.1:4222"
}

// Namespace returns a namespace no other test run uses.
func Namespace() string {
	return fmt.Sprintf("t%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, seq.Add(1))
}

// Embedded opens an embedded server on dir (a fresh temporary directory
// when dir is "").
func Embedded(t testing.TB, dir string) *bus.Bus {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	b, err := bus.Open(context.Background(), bus.Config{DataDir: dir}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("embedded nats: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// External connects to the real server in a fresh namespace and deletes
// the namespace's streams when the test ends. It fails, never skips, when
// the server is not there: .ci/run starts it.
func External(t testing.TB) *bus.Bus {
	t.Helper()
	return ExternalIn(t, Namespace())
}

// ExternalIn connects to the real server in namespace ns (to reopen the
// same streams, as a restarted process would).
func ExternalIn(t testing.TB, ns string) *bus.Bus {
	t.Helper()
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{URL: URL(), Namespace: ns, DuplicateWindow: time.Hour,
		PostsRetention: time.Hour, FindingsRetention: 24 * time.Hour}, zaptest.NewLogger(t))
	if err != nil {
		t.Fatalf("nats at %s (set HW_TEST_NATS_URL): %v", URL(), err)
	}
	t.Cleanup(func() {
		for _, s := range []string{bus.StreamPosts, bus.StreamFindings, bus.StreamCases, bus.StreamStats, bus.StreamDead} {
			_ = b.JetStream().DeleteStream(ctx, b.StreamName(s))
		}
		_ = b.JetStream().DeleteKeyValue(ctx, b.StreamName(bus.BucketCursors))
		_ = b.JetStream().DeleteKeyValue(ctx, b.StreamName(bus.BucketLeases))
		b.Close()
	})
	return b
}
