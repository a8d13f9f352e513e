package state

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
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

func (r *Redis) Touch(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	var ok bool
	var err error
	if ttl > 0 {
		ok, err = r.rdb.PExpire(ctx, r.key("seen", key), ttl).Result()
	} else {
		ok, err = r.rdb.Persist(ctx, r.key("seen", key)).Result()
		if err == nil && !ok {
			n, xerr := r.rdb.Exists(ctx, r.key("seen", key)).Result()
			ok, err = n == 1, xerr
		}
	}
	if err != nil {
		return false, fmt.Errorf("touching %s: %w", key, err)
	}
	return ok, nil
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

// batchWrites is the Lua loop that applies a Batch's writes: KEYS from
// k on, one per write; ARGV from a on, per write: op (i: INCRBY, h:
// PFADD, s: SADD), ttl in seconds (0: none), n (the increment, times
// mult, or how many members follow), members.
const batchWrites = `
while k <= #KEYS do
  local op, ttl, n = ARGV[a], tonumber(ARGV[a+1]), tonumber(ARGV[a+2])
  a = a + 3
  if op == 'i' then
    redis.call('INCRBY', KEYS[k], n * mult)
  else
    local members = {}
    for j = 1, n do members[j] = ARGV[a+j-1] end
    a = a + n
    if n > 0 then
      if op == 'h' then redis.call('PFADD', KEYS[k], unpack(members)) else redis.call('SADD', KEYS[k], unpack(members)) end
    end
  end
  if ttl > 0 then redis.call('EXPIRE', KEYS[k], ttl) end
  k = k + 1
end
`

// batchScript applies a Batch in one round trip, atomically. KEYS are the
// once key (when ARGV[1] is "1") and then one key per write; ARGV is
// once-flag, once-ttl-ms, then the writes (batchWrites).
var batchScript = redis.NewScript(`
local k, a, mult = 1, 3, 1
if ARGV[1] == '1' then
  local ttl = tonumber(ARGV[2])
  local ok
  if ttl > 0 then ok = redis.call('SET', KEYS[1], 1, 'NX', 'PX', ttl) else ok = redis.call('SET', KEYS[1], 1, 'NX') end
  if not ok then return 0 end
  k = 2
end
` + batchWrites + `
return 1
`)

// markedScript is ApplyMarked in one round trip, atomically. KEYS are the
// mark chunks (ARGV[1] of them, kept ARGV[2] seconds; 0: forever), then
// one key per write. ARGV[3] is how many parts follow, each a chunk's
// index in KEYS and the first and last bit; then the writes
// (batchWrites), applied with every increment times the number of bits
// that were not set before, and not at all when there is none.
var markedScript = redis.NewScript(`
local nchunks, ttl, nparts = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local a, fresh = 4, 0
for p = 1, nparts do
  local key, from, to = KEYS[tonumber(ARGV[a])], tonumber(ARGV[a+1]), tonumber(ARGV[a+2])
  a = a + 3
  for bit = from, to do
    if redis.call('SETBIT', key, bit, 1) == 0 then fresh = fresh + 1 end
  end
end
for c = 1, nchunks do
  if ttl > 0 then redis.call('EXPIRE', KEYS[c], ttl) end
end
if fresh == 0 then return 0 end
local k, mult = nchunks + 1, fresh
` + batchWrites + `
return fresh
`)

func (r *Redis) ApplyBatch(ctx context.Context, b Batch) (bool, error) {
	if err := b.valid(); err != nil {
		return false, err
	}
	var keys []string
	args := []any{"0", int64(0)}
	if b.Once != "" {
		keys = append(keys, r.key("seen", b.Once))
		args = []any{"1", b.OnceTTL.Milliseconds()}
	}
	keys, args = r.batchWrites(b, keys, args)
	if len(keys) == 0 {
		return true, nil
	}
	n, err := batchScript.Run(ctx, r.rdb, keys, args...).Int64()
	if err != nil {
		return false, fmt.Errorf("applying a batch of %d writes: %w", len(keys), err)
	}
	return n == 1, nil
}

// ApplyMarked keeps a mark set as bitmaps of markChunkBits sequences per
// key: one bit per sequence, refreshed to ttl on every write.
func (r *Redis) ApplyMarked(ctx context.Context, set string, ttl time.Duration, ranges []SeqRange, b Batch) (int64, error) {
	parts, err := markedParts(ranges, b)
	if err != nil {
		return 0, err
	}
	if len(parts) == 0 {
		return 0, nil
	}
	var keys []string
	index := map[uint64]int{}
	partArgs := make([]any, 0, 3*len(parts))
	for _, p := range parts {
		i, ok := index[p.chunk]
		if !ok {
			keys = append(keys, r.key("marks", set+"/"+strconv.FormatUint(p.chunk, 10)))
			i = len(keys)
			index[p.chunk] = i
		}
		partArgs = append(partArgs, i, p.from, p.to)
	}
	args := append([]any{len(keys), int64(ttl / time.Second), len(parts)}, partArgs...)
	keys, args = r.batchWrites(b, keys, args)
	fresh, err := markedScript.Run(ctx, r.rdb, keys, args...).Int64()
	if err != nil {
		return 0, fmt.Errorf("applying a marked batch of %d ranges to %s: %w", len(ranges), set, err)
	}
	return fresh, nil
}

// batchWrites appends b's writes to keys and args as batchWrites reads
// them.
func (r *Redis) batchWrites(b Batch, keys []string, args []any) ([]string, []any) {
	secs := func(p Period) int64 { return int64(p.TTL() / time.Second) }
	for _, in := range b.Incrs {
		keys = append(keys, r.key("count", windowKey(in.Name, in.Period, in.At)))
		args = append(args, "i", secs(in.Period), in.N)
	}
	members := func(op string, ttl int64, ms []string) {
		args = append(args, op, ttl, len(ms))
		for _, m := range ms {
			args = append(args, m)
		}
	}
	for _, d := range b.Distincts {
		keys = append(keys, r.key("hll", windowKey(d.Name, d.Period, d.At)))
		members("h", secs(d.Period), d.Members)
	}
	for _, s := range b.SetAdds {
		keys = append(keys, r.key("set", s.Set))
		members("s", 0, s.Members)
	}
	return keys, args
}

// AdvanceCursor sets the cursor key only if it exists, and reports whether
// it did: a checkpoint moved forward can never reappear in a Redis that
// was flushed meanwhile, where its absence is what says "rebuild".
func (r *Redis) AdvanceCursor(ctx context.Context, key, value string) (bool, error) {
	ok, err := r.rdb.SetXX(ctx, r.key("cursor", key), value, redis.KeepTTL).Result()
	if err != nil {
		return false, fmt.Errorf("advancing cursor %s: %w", key, err)
	}
	return ok, nil
}
