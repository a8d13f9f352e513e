package state_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/state/statetest"
)

func TestMemory(t *testing.T) {
	statetest.Run(t, func(t *testing.T) state.Store { return state.NewMemory() })
}

// TestRedis runs the suite against the real server. It is never skipped:
// .ci/run starts Redis, and a missing server is a failure, not a pass.
func TestRedis(t *testing.T) {
	url := os.Getenv("HW_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	n := 0
	statetest.Run(t, func(t *testing.T) state.Store {
		n++
		prefix := fmt.Sprintf("hwtest:%d:%d:", time.Now().UnixNano(), n)
		ctx := context.Background()
		r, err := state.NewRedis(ctx, url, prefix)
		if err != nil {
			t.Fatalf("redis at %s (set HW_TEST_REDIS_URL): %v", url, err)
		}
		t.Cleanup(func() {
			keys, _ := r.Client().Keys(ctx, prefix+"*").Result()
			if len(keys) > 0 {
				r.Client().Del(ctx, keys...)
			}
			r.Close()
		})
		return r
	})
}
