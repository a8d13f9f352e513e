package state

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Seen remembers keys for a while: seen posts, sent alerts, filed
// requests.
type Seen interface {
	// MarkSeen records key for ttl and reports whether it was new. Only one
	// of any number of concurrent callers for the same key gets true.
	MarkSeen(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// IsSeen reports whether key is recorded and not expired.
	IsSeen(ctx context.Context, key string) (bool, error)
	// Forget removes key, so that a failed publish can be retried.
	Forget(ctx context.Context, key string) error
}

// Cursors keeps one opaque position per crawl target, so a restart resumes.
type Cursors interface {
	// Cursor returns the stored value, or "" and false when there is none.
	Cursor(ctx context.Context, key string) (string, bool, error)
	SetCursor(ctx context.Context, key, value string) error
}

// Period is the width of a counter window.
type Period string

const (
	Hour  Period = "hour"
	Day   Period = "day"
	Total Period = "total"
)

// Bucket names the window of period that contains t (UTC).
func (p Period) Bucket(t time.Time) string {
	t = t.UTC()
	switch p {
	case Hour:
		return t.Format("2006-01-02T15")
	case Day:
		return t.Format("2006-01-02")
	}
	return "all"
}

// TTL is how long a window of period is kept after it starts: long enough
// that a day is still there for the researchers' daily figures.
func (p Period) TTL() time.Duration {
	switch p {
	case Hour:
		return 48 * time.Hour
	case Day:
		return 400 * 24 * time.Hour
	}
	return 0
}

func (p Period) valid() error {
	switch p {
	case Hour, Day, Total:
		return nil
	}
	return fmt.Errorf("state: unknown period %q", p)
}

// Counters counts events per name in hour, day and total windows. Quotas
// use Incr's return value: increment first, then compare, so two processes
// never both slip under the limit.
type Counters interface {
	// Incr adds n to the window of period that contains at and returns the
	// new count.
	Incr(ctx context.Context, name string, period Period, at time.Time, n int64) (int64, error)
	// Count returns the count of the window of period that contains at.
	Count(ctx context.Context, name string, period Period, at time.Time) (int64, error)
}

// Distinct counts distinct members per name and window. The memory store is
// exact; Redis uses HyperLogLog (about 0.8 % standard error).
type Distinct interface {
	AddDistinct(ctx context.Context, name string, period Period, at time.Time, members ...string) error
	CountDistinct(ctx context.Context, name string, period Period, at time.Time) (int64, error)
}

// Sets holds named sets of strings: watchlists of known and cleared
// handles, allowlists.
type Sets interface {
	AddToSet(ctx context.Context, set string, members ...string) error
	RemoveFromSet(ctx context.Context, set string, members ...string) error
	InSet(ctx context.Context, set, member string) (bool, error)
	SetMembers(ctx context.Context, set string) ([]string, error)
}

// Toucher renews what Seen recorded: a claim its holder keeps alive while
// it works, so that the claim of a holder that died expires soon.
type Toucher interface {
	// Touch sets key's ttl anew and reports whether key was still
	// recorded; a key that is gone stays gone.
	Touch(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// Store is every store at once, as Open returns it.
type Store interface {
	Seen
	Toucher
	Cursors
	Counters
	Distinct
	Sets
	Batcher
	Marker
	// Ping reports whether the backing service answers.
	Ping(ctx context.Context) error
	Close() error
}

// Batch is a group of counter, distinct-count and set writes applied in
// one step: one round trip to Redis instead of one per write, and all or
// nothing, so a failure half way cannot leave some counters counted and
// others not.
type Batch struct {
	// Once, when set, makes the batch idempotent on a seen key: the batch
	// is applied only if Once was not seen, and Once is marked seen for
	// OnceTTL (0: forever) in the same step.
	Once    string
	OnceTTL time.Duration

	Incrs     []BatchIncr
	Distincts []BatchDistinct
	SetAdds   []BatchSetAdd
}

// BatchIncr is one Incr of a Batch.
type BatchIncr struct {
	Name   string
	Period Period
	At     time.Time
	N      int64
}

// BatchDistinct is one AddDistinct of a Batch.
type BatchDistinct struct {
	Name    string
	Period  Period
	At      time.Time
	Members []string
}

// BatchSetAdd is one AddToSet of a Batch.
type BatchSetAdd struct {
	Set     string
	Members []string
}

func (b Batch) valid() error {
	for _, in := range b.Incrs {
		if err := in.Period.valid(); err != nil {
			return err
		}
	}
	for _, d := range b.Distincts {
		if err := d.Period.valid(); err != nil {
			return err
		}
	}
	return nil
}

// Batcher applies batches.
type Batcher interface {
	// ApplyBatch applies every write of b at once. With b.Once set it
	// reports false, and writes nothing, when Once was already seen.
	ApplyBatch(ctx context.Context, b Batch) (applied bool, err error)
}

// SeqRange is the sequence numbers From to To, both included.
type SeqRange struct{ From, To uint64 }

// Len is how many sequence numbers r holds (0 for a reversed range).
func (r SeqRange) Len() int64 {
	if r.To < r.From {
		return 0
	}
	return int64(r.To-r.From) + 1
}

// Marker counts items named by sequence numbers once each, however often
// they are reported: the posts a tally counts, by their stream sequence,
// when a crash has them counted again in a later tally.
type Marker interface {
	// ApplyMarked marks every sequence of ranges in the mark set named
	// set (kept for ttl after its last write; 0: forever) and applies b
	// with each Incr's N multiplied by the number of those sequences not
	// marked before, all in one step; that number is returned. b.Once
	// must be empty: the marks are what makes the batch idempotent.
	ApplyMarked(ctx context.Context, set string, ttl time.Duration, ranges []SeqRange, b Batch) (fresh int64, err error)
}

// markChunkBits is how many sequence numbers one mark key covers: a
// 128 KiB bitmap in Redis, so no key grows without bound.
const markChunkBits = 1 << 20

// markedRange is a part of a SeqRange inside one chunk of a mark set.
type markedRange struct {
	chunk    uint64
	from, to uint64 // bit offsets inside the chunk
}

// markedParts checks an ApplyMarked call (a Once key would count a post
// twice over: the marks are the dedupe) and cuts its ranges into chunks.
func markedParts(ranges []SeqRange, b Batch) ([]markedRange, error) {
	if err := b.valid(); err != nil {
		return nil, err
	}
	if b.Once != "" {
		return nil, errors.New("state: ApplyMarked with a Once key")
	}
	return splitMarks(ranges)
}

// splitMarks cuts ranges at chunk boundaries, in order.
func splitMarks(ranges []SeqRange) ([]markedRange, error) {
	var out []markedRange
	for _, r := range ranges {
		if r.To < r.From {
			return nil, fmt.Errorf("state: mark range %d-%d is reversed", r.From, r.To)
		}
		for from := r.From; ; {
			chunk := from / markChunkBits
			to := min(r.To, (chunk+1)*markChunkBits-1)
			out = append(out, markedRange{chunk: chunk, from: from % markChunkBits, to: to % markChunkBits})
			if to == r.To {
				break
			}
			from = to + 1
		}
	}
	return out, nil
}
