package cases_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/cases/casestest"
)

func TestMemory(t *testing.T) {
	casestest.Run(t, func(t *testing.T, max int) cases.Store { return cases.NewMemory(max) })
}

var n atomic.Int64

// TestRedis runs the suite against the real server; a missing server is a
// failure, never a skip.
func TestRedis(t *testing.T) {
	url := os.Getenv("HW_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	casestest.Run(t, func(t *testing.T, max int) cases.Store {
		ctx := context.Background()
		rdb := redis.NewClient(opt)
		if err := rdb.Ping(ctx).Err(); err != nil {
			t.Fatalf("redis at %s (set HW_TEST_REDIS_URL): %v", url, err)
		}
		prefix := fmt.Sprintf("hwtest:cases:%d:%d:", time.Now().UnixNano(), n.Add(1))
		t.Cleanup(func() {
			keys, _ := rdb.Keys(ctx, prefix+"*").Result()
			if len(keys) > 0 {
				rdb.Del(ctx, keys...)
			}
			rdb.Close()
		})
		return cases.NewRedis(rdb, prefix, max)
	})
}
