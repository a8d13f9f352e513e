package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/config"
	"github.com/handlewatch/handlewatch/internal/state/statetest"
)

// sinkConfig is a sink on the real NATS in namespace ns, on Redis when
// redisURL is set.
func sinkConfig(t *testing.T, ns, redisURL, prefix string) *config.Config {
	t.Helper()
	yaml := fmt.Sprintf(`
nats: { url: %q, namespace: %q, findings_retention: 24h, posts_retention: 1h, duplicate_window: 1h }
redis: { url: %q, prefix: %q }
sink: { listen: "127.0.0.1:0", research: { retention: 1d } }
`, bustest.URL(), ns, redisURL, prefix)
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "sink.yaml"), []byte(yaml), os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// cleanNamespace deletes the namespace's streams and buckets at the end.
func cleanNamespace(t *testing.T, ns string) {
	t.Cleanup(func() {
		b := bustest.ExternalIn(t, ns)
		_ = b.JetStream().DeleteKeyValue(context.Background(), b.StreamName(bus.BucketLeases))
	})
}

// TestSinkModeRefused: a sink on memory state must be the only sink on
// its NATS; sinks on Redis may be many, but not beside a memory one.
func TestSinkModeRefused(t *testing.T) {
	ctx := context.Background()
	start := func(cfg *config.Config) (*Pipeline, error) {
		p, err := Start(ctx, cfg, zaptest.NewLogger(t), stages{sink: true})
		if err == nil {
			t.Cleanup(p.close)
		}
		return p, err
	}
	t.Run("two on memory", func(t *testing.T) {
		ns := bustest.Namespace()
		cleanNamespace(t, ns)
		first, err := start(sinkConfig(t, ns, "", ""))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := start(sinkConfig(t, ns, "", "")); !errors.Is(err, errSinkMode) {
			t.Fatalf("second memory sink: err = %v, want %v", err, errSinkMode)
		}
		if _, err := start(sinkConfig(t, ns, statetest.RedisURL(), statetest.Prefix("sinkmode"))); !errors.Is(err, errSinkMode) {
			t.Fatalf("redis sink beside a memory one: err = %v, want %v", err, errSinkMode)
		}
		first.close() // releases its lease: the next one may start at once
		if _, err := start(sinkConfig(t, ns, "", "")); err != nil {
			t.Fatalf("memory sink after the first stopped: %v", err)
		}
	})
	t.Run("redis sinks share, memory refused", func(t *testing.T) {
		ns := bustest.Namespace()
		cleanNamespace(t, ns)
		prefix := statetest.Prefix("sinkmode")
		for i := range 2 {
			if _, err := start(sinkConfig(t, ns, statetest.RedisURL(), prefix)); err != nil {
				t.Fatalf("redis sink %d: %v", i, err)
			}
		}
		_, err := start(sinkConfig(t, ns, "", ""))
		if !errors.Is(err, errSinkMode) {
			t.Fatalf("memory sink beside redis ones: err = %v, want %v", err, errSinkMode)
		}
		t.Logf("refused with: %v", err)
	})
	t.Run("embedded without a listener needs no check", func(t *testing.T) {
		cfg := sinkConfig(t, "hw", "", "")
		cfg.NATS.URL, cfg.NATS.DataDir = "", t.TempDir()
		if _, err := start(cfg); err != nil {
			t.Fatal(err)
		}
	})
}
