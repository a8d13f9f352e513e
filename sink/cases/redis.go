package cases

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Redis keeps the cases in Redis, shared by every sink process. A case is
// a JSON document plus a list of its newest sightings and sets of the
// finding ids, sources, authors and event ids it has seen; writes are
// optimistic transactions (WATCH on the document), so two processes
// updating one case never lose a sighting.
//
// Keys, under the store's prefix: case:<id> (document), case:<id>:s
// (sightings, oldest first), case:<id>:f, :src, :au, :ev (sets), and the
// indexes cases:all, cases:status:<status>, cases:app:<app> (sorted sets
// scored by last seen, in milliseconds).
type Redis struct {
	rdb    *redis.Client
	prefix string
	max    int
}

var _ Store = (*Redis)(nil)

// NewRedis returns a store on rdb with keys under prefix (the state
// store's prefix, so one deployment's keys stay together), keeping up to
// maxSightings sightings per case (DefaultMaxSightings when 0).
func NewRedis(rdb *redis.Client, prefix string, maxSightings int) *Redis {
	if maxSightings <= 0 {
		maxSightings = DefaultMaxSightings
	}
	return &Redis{rdb: rdb, prefix: prefix, max: maxSightings}
}

type caseKeys struct{ doc, sightings, findings, sources, authors, events string }

func (r *Redis) keys(id string) caseKeys {
	b := r.prefix + "case:" + id
	return caseKeys{doc: b, sightings: b + ":s", findings: b + ":f", sources: b + ":src", authors: b + ":au", events: b + ":ev"}
}

func (r *Redis) indexAll() string            { return r.prefix + "cases:all" }
func (r *Redis) indexStatus(s Status) string { return r.prefix + "cases:status:" + string(s) }
func (r *Redis) indexApp(app string) string  { return r.prefix + "cases:app:" + app }

func (r *Redis) pickIndex(q Query) string {
	switch {
	case q.Status != "":
		return r.indexStatus(q.Status)
	case q.App != "":
		return r.indexApp(q.App)
	}
	return r.indexAll()
}

// watch runs fn in an optimistic transaction on key, retrying while
// another writer gets there first.
func (r *Redis) watch(ctx context.Context, key string, fn func(tx *redis.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := r.rdb.Watch(ctx, fn, key)
		if !errors.Is(err, redis.TxFailedErr) {
			return err
		}
		if attempt == 200 {
			return fmt.Errorf("updating %s: too much contention: %w", key, err)
		}
		if attempt > 2 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(rand.IntN(1000*min(attempt, 20))) * time.Microsecond):
			}
		}
	}
}

func decodeCase(data string) (*Case, error) {
	var c Case
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return nil, fmt.Errorf("decoding case: %w", err)
	}
	c.Recent = nil
	return &c, nil
}

func decodeSightings(raw []string, newestFirst bool) ([]Sighting, error) {
	out := make([]Sighting, 0, len(raw))
	for _, d := range raw {
		var s Sighting
		if err := json.Unmarshal([]byte(d), &s); err != nil {
			return nil, fmt.Errorf("decoding sighting: %w", err)
		}
		out = append(out, s)
	}
	if newestFirst {
		slices.Reverse(out)
	}
	return out, nil
}

func (r *Redis) AddSighting(ctx context.Context, app, handle string, s Sighting) (Update, error) {
	if err := checkSighting(app, handle, &s); err != nil {
		return Update{}, err
	}
	id := wire.CaseKey(app, handle)
	k := r.keys(id)
	sdata, err := json.Marshal(&s)
	if err != nil {
		return Update{}, fmt.Errorf("encoding sighting: %w", err)
	}
	authorKey := s.authorKey()
	var up Update
	err = r.watch(ctx, k.doc, func(tx *redis.Tx) error {
		up = Update{}
		var (
			dup, oldSource, oldAuthor *redis.BoolCmd
			doc                       *redis.StringCmd
			recent                    *redis.StringSliceCmd
		)
		_, err := tx.Pipelined(ctx, func(p redis.Pipeliner) error {
			dup = p.SIsMember(ctx, k.findings, s.FindingID)
			oldSource = p.SIsMember(ctx, k.sources, s.Source)
			oldAuthor = p.SIsMember(ctx, k.authors, authorKey)
			doc = p.Get(ctx, k.doc)
			recent = p.LRange(ctx, k.sightings, -UpdateRecent, -1)
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		c, created, err := r.caseFrom(doc, id, app, handle)
		if err != nil {
			return err
		}
		if c.App == "" {
			c.App, c.Handle = app, handle
		}
		prev, err := decodeSightings(recent.Val(), true)
		if err != nil {
			return err
		}
		if dup.Val() {
			c.Recent = prev
			up.Case = c
			return nil
		}
		oldStatus := c.Status
		c.addSighting(&s, !oldSource.Val(), authorKey != "" && !oldAuthor.Val())
		cdata, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encoding case: %w", err)
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, k.doc, cdata, 0)
			p.SAdd(ctx, k.findings, s.FindingID)
			p.SAdd(ctx, k.sources, s.Source)
			if authorKey != "" {
				p.SAdd(ctx, k.authors, authorKey)
			}
			p.RPush(ctx, k.sightings, sdata)
			p.LTrim(ctx, k.sightings, int64(-r.max), -1)
			r.index(ctx, p, c, oldStatus)
			return nil
		})
		if err != nil {
			return err
		}
		c.Recent = trimRecent(append([]Sighting{s}, prev...), UpdateRecent)
		up = Update{Case: c, Changed: true, Created: created}
		return nil
	})
	if err != nil {
		return Update{}, fmt.Errorf("adding sighting %s to case %s: %w", s.FindingID, id, err)
	}
	return up, nil
}

func (r *Redis) caseFrom(doc *redis.StringCmd, id, app, handle string) (*Case, bool, error) {
	data, err := doc.Result()
	if errors.Is(err, redis.Nil) {
		return newCase(id, app, handle), true, nil
	}
	if err != nil {
		return nil, false, err
	}
	c, err := decodeCase(data)
	return c, false, err
}

// index keeps the sorted-set indexes in step with the case.
func (r *Redis) index(ctx context.Context, p redis.Pipeliner, c *Case, oldStatus Status) {
	z := redis.Z{Score: c.sortScore(), Member: c.ID}
	p.ZAdd(ctx, r.indexAll(), z)
	if oldStatus != c.Status {
		p.ZRem(ctx, r.indexStatus(oldStatus), c.ID)
	}
	p.ZAdd(ctx, r.indexStatus(c.Status), z)
	if c.App != "" {
		p.ZAdd(ctx, r.indexApp(c.App), z)
	}
}

func (r *Redis) Apply(ctx context.Context, e *wire.CaseEvent) (Update, error) {
	if err := checkEvent(e); err != nil {
		return Update{}, err
	}
	k := r.keys(e.CaseID)
	var up Update
	err := r.watch(ctx, k.doc, func(tx *redis.Tx) error {
		up = Update{}
		var (
			dup    *redis.BoolCmd
			doc    *redis.StringCmd
			recent *redis.StringSliceCmd
		)
		_, err := tx.Pipelined(ctx, func(p redis.Pipeliner) error {
			dup = p.SIsMember(ctx, k.events, e.ID)
			doc = p.Get(ctx, k.doc)
			recent = p.LRange(ctx, k.sightings, -UpdateRecent, -1)
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return err
		}
		c, created, err := r.caseFrom(doc, e.CaseID, e.App, e.Handle)
		if err != nil {
			return err
		}
		prev, err := decodeSightings(recent.Val(), true)
		if err != nil {
			return err
		}
		if dup.Val() {
			c.Recent = prev
			up.Case = c
			return nil
		}
		oldStatus := c.Status
		c.apply(e)
		cdata, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encoding case: %w", err)
		}
		_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Set(ctx, k.doc, cdata, 0)
			p.SAdd(ctx, k.events, e.ID)
			r.index(ctx, p, c, oldStatus)
			return nil
		})
		if err != nil {
			return err
		}
		c.Recent = prev
		up = Update{Case: c, Changed: true, Created: created}
		return nil
	})
	if err != nil {
		return Update{}, fmt.Errorf("applying event %s to case %s: %w", e.ID, e.CaseID, err)
	}
	return up, nil
}

func (r *Redis) Get(ctx context.Context, id string) (*Case, error) {
	k := r.keys(id)
	var (
		doc       *redis.StringCmd
		sightings *redis.StringSliceCmd
	)
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		doc = p.Get(ctx, k.doc)
		sightings = p.LRange(ctx, k.sightings, 0, -1)
		return nil
	})
	if errors.Is(doc.Err(), redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("reading case %s: %w", id, err)
	}
	c, err := decodeCase(doc.Val())
	if err != nil {
		return nil, fmt.Errorf("reading case %s: %w", id, err)
	}
	if c.Recent, err = decodeSightings(sightings.Val(), true); err != nil {
		return nil, fmt.Errorf("reading case %s: %w", id, err)
	}
	return c, nil
}

// listChunk is how many index entries List reads at a time while it
// filters.
const listChunk = 200

func (r *Redis) List(ctx context.Context, q Query) (Page, error) {
	idx := r.pickIndex(q)
	minScore := "-inf"
	if !q.SeenSince.IsZero() {
		minScore = strconv.FormatInt(q.SeenSince.UnixMilli(), 10)
	}
	lim := q.limit()
	skip := max(q.Offset, 0)
	var p Page
	for off := int64(0); ; off += listChunk {
		ids, err := r.rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: idx, Start: "+inf", Stop: minScore,
			ByScore: true, Rev: true, Offset: off, Count: listChunk}).Result()
		if err != nil {
			return Page{}, fmt.Errorf("listing cases: %w", err)
		}
		if len(ids) == 0 {
			return p, nil
		}
		docs := make([]*redis.StringCmd, len(ids))
		latest := make([]*redis.StringSliceCmd, len(ids))
		_, err = r.rdb.Pipelined(ctx, func(pl redis.Pipeliner) error {
			for i, id := range ids {
				k := r.keys(id)
				docs[i] = pl.Get(ctx, k.doc)
				latest[i] = pl.LRange(ctx, k.sightings, -1, -1)
			}
			return nil
		})
		if err != nil && !errors.Is(err, redis.Nil) {
			return Page{}, fmt.Errorf("listing cases: %w", err)
		}
		for i := range ids {
			if docs[i].Err() != nil { // gone since the index was read
				continue
			}
			c, err := decodeCase(docs[i].Val())
			if err != nil {
				return Page{}, fmt.Errorf("listing cases: %w", err)
			}
			if !q.matches(c) {
				continue
			}
			if skip > 0 {
				skip--
				continue
			}
			if len(p.Cases) == lim {
				p.More = true
				return p, nil
			}
			if c.Recent, err = decodeSightings(latest[i].Val(), true); err != nil {
				return Page{}, fmt.Errorf("listing cases: %w", err)
			}
			p.Cases = append(p.Cases, c)
		}
		if len(ids) < listChunk {
			return p, nil
		}
	}
}
