package statetest

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/state"
)

var prefixSeq atomic.Int64

// RedisURL is the real server the integration tests use:
// HW_TEST_REDIS_URL, or 127.0.0.1:6379 database 0.
func RedisURL() string {
	if u := os.Getenv("HW_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// Prefix returns a key prefix no other test run uses, "hwtest:<name>:…:".
func Prefix(name string) string {
	return fmt.Sprintf("hwtest:%s:%d:%d:", name, time.Now().UnixNano(), prefixSeq.Add(1))
}

// OpenRedis opens the real server under a fresh prefix and deletes the
// prefix's keys when the test ends. It fails, never skips, when the
// server is absent: .ci/run starts it.
func OpenRedis(t testing.TB, name string) *state.Redis {
	t.Helper()
	prefix := Prefix(name)
	r := OpenRedisAt(t, prefix)
	t.Cleanup(func() { DeletePrefix(r, prefix) })
	return r
}

// OpenRedisAt opens the real server under prefix, as a restarted process
// would reopen the same keys; it is closed when the test ends.
func OpenRedisAt(t testing.TB, prefix string) *state.Redis {
	t.Helper()
	r, err := state.NewRedis(context.Background(), RedisURL(), prefix)
	if err != nil {
		t.Fatalf("redis at %s (set HW_TEST_REDIS_URL): %v", RedisURL(), err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// DeletePrefix deletes every key under prefix.
func DeletePrefix(r *state.Redis, prefix string) {
	ctx := context.Background()
	keys, _ := r.Client().Keys(ctx, prefix+"*").Result()
	if len(keys) > 0 {
		r.Client().Del(ctx, keys...)
	}
}
