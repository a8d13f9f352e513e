package state

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps state in a Redis server shared by every handlewatch process.
// Keys are prefixed so one server can hold several deployments (and tests).
type Redis struct {
	rdb    *redis.Client
	prefix string
}

var _ Store = (*Redis)(nil)

// NewRedis connects to the server at url (redis://host:port/db) and checks
// that it answers. prefix is put before every key ("hw:" by default).
func NewRedis(ctx context.Context, url, prefix string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("parsing redis url: %w", err)
	}
	if prefix == "" {
		prefix = "hw:"
	}
	r := &Redis{rdb: redis.NewClient(opt), prefix: prefix}
	if err := r.Ping(ctx); err != nil {
		r.rdb.Close()
		return nil, err
	}
	return r, nil
}

// Client exposes the connection for stores that live with their owners
// (the sink's case views) and want the same server and prefix.
func (r *Redis) Client() *redis.Client { return r.rdb }

// Prefix is the key prefix of this store.
func (r *Redis) Prefix() string { return r.prefix }

func (r *Redis) key(kind, name string) string { return r.prefix + kind + ":" + name }

func (r *Redis) MarkSeen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	ok, err := r.rdb.SetNX(ctx, r.key("seen", key), 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("marking %s seen: %w", key, err)
	}
	return ok, nil
}

func (r *Redis) IsSeen(ctx context.Context, key string) (bool, error) {
	n, err := r.rdb.Exists(ctx, r.key("seen", key)).Result()
	if err != nil {
		return false, fmt.Errorf("checking %s seen: %w", key, err)
	}
	return n == 1, nil
}

func (r *Redis) Forget(ctx context.Context, key string) error {
	if err := r.rdb.Del(ctx, r.key("seen", key)).Err(); err != nil {
		return fmt.Errorf("forgetting %s: %w", key, err)
	}
	return nil
}

func (r *Redis) Cursor(ctx context.Context, key string) (string, bool, error) {
	v, err := r.rdb.Get(ctx, r.key("cursor", key)).Result()
	if errors.Is(err, redis.Nil) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading cursor %s: %w", key, err)
	}
	return v, true, nil
}

func (r *Redis) SetCursor(ctx context.Context, key, value string) error {
	if err := r.rdb.Set(ctx, r.key("cursor", key), value, 0).Err(); err != nil {
		return fmt.Errorf("writing cursor %s: %w", key, err)
	}
	return nil
}

func (r *Redis) Incr(ctx context.Context, name string, period Period, at time.Time, n int64) (int64, error) {
	if err := period.valid(); err != nil {
		return 0, err
	}
	k := r.key("count", windowKey(name, period, at))
	pipe := r.rdb.TxPipeline()
	incr := pipe.IncrBy(ctx, k, n)
	if ttl := period.TTL(); ttl > 0 {
		pipe.Expire(ctx, k, ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return 0, fmt.Errorf("incrementing %s: %w", k, err)
	}
	return incr.Val(), nil
}

func (r *Redis) Count(ctx context.Context, name string, period Period, at time.Time) (int64, error) {
	if err := period.valid(); err != nil {
		return 0, err
	}
	k := r.key("count", windowKey(name, period, at))
	n, err := r.rdb.Get(ctx, k).Int64()
	if errors.Is(err, redis.Nil) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", k, err)
	}
	return n, nil
}

func (r *Redis) AddDistinct(ctx context.Context, name string, period Period, at time.Time, members ...string) error {
	if err := period.valid(); err != nil {
		return err
	}
	if len(members) == 0 {
		return nil
	}
	k := r.key("hll", windowKey(name, period, at))
	args := make([]any, len(members))
	for i, m := range members {
		args[i] = m
	}
	pipe := r.rdb.TxPipeline()
	pipe.PFAdd(ctx, k, args...)
	if ttl := period.TTL(); ttl > 0 {
		pipe.Expire(ctx, k, ttl)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("adding to %s: %w", k, err)
	}
	return nil
}

func (r *Redis) CountDistinct(ctx context.Context, name string, period Period, at time.Time) (int64, error) {
	if err := period.valid(); err != nil {
		return 0, err
	}
	k := r.key("hll", windowKey(name, period, at))
	n, err := r.rdb.PFCount(ctx, k).Result()
	if err != nil {
		return 0, fmt.Errorf("counting %s: %w", k, err)
	}
	return n, nil
}

func (r *Redis) AddToSet(ctx context.Context, set string, members ...string) error {
	if len(members) == 0 {
		return nil
	}
	if err := r.rdb.SAdd(ctx, r.key("set", set), toAny(members)...).Err(); err != nil {
		return fmt.Errorf("adding to set %s: %w", set, err)
	}
	return nil
}

func (r *Redis) RemoveFromSet(ctx context.Context, set string, members ...string) error {
	if len(members) == 0 {
		return nil
	}
	if err := r.rdb.SRem(ctx, r.key("set", set), toAny(members)...).Err(); err != nil {
		return fmt.Errorf("removing from set %s: %w", set, err)
	}
	return nil
}

func (r *Redis) InSet(ctx context.Context, set, member string) (bool, error) {
	ok, err := r.rdb.SIsMember(ctx, r.key("set", set), member).Result()
	if err != nil {
		return false, fmt.Errorf("reading set %s: %w", set, err)
	}
	return ok, nil
}

func (r *Redis) SetMembers(ctx context.Context, set string) ([]string, error) {
	out, err := r.rdb.SMembers(ctx, r.key("set", set)).Result()
	if err != nil {
		return nil, fmt.Errorf("reading set %s: %w", set, err)
	}
	sort.Strings(out)
	return out, nil
}

func (r *Redis) Ping(ctx context.Context) error {
	if err := r.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("pinging redis: %w", err)
	}
	return nil
}

func (r *Redis) Close() error { return r.rdb.Close() }

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}
