package detector

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Durable is the name of the detector's consumer on the posts stream:
// every detector process shares it, so each post is scanned once.
const Durable = "detector"

// Worker consumes hw.posts.>, publishes findings on hw.findings.> and
// posts-scanned tallies on hw.stats.>.
type Worker struct {
	cfg      Config
	log      *zap.Logger
	deps     WorkerDeps
	engine   atomic.Pointer[Engine]
	watch    *sharedWatchlist
	metrics  *metrics
	tally    *tallies
	instance string
	reloadMu sync.Mutex
	// refreshed is when the watchlists were last read (Unix nanoseconds).
	refreshed atomic.Int64
}

// NewWorker builds a worker around the rule file of cfg.
func NewWorker(cfg Config, deps WorkerDeps) (*Worker, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Bus == nil {
		return nil, errors.New("detector: worker needs a bus")
	}
	if deps.Sets == nil {
		return nil, errors.New("detector: worker needs the state sets (watchlists)")
	}
	if deps.Log == nil {
		deps.Log = zap.NewNop()
	}
	w := &Worker{cfg: cfg, log: deps.Log, deps: deps, watch: newSharedWatchlist(),
		metrics: newMetrics(deps.Metrics), instance: instanceID()}
	w.tally = newTallies(w.instance)
	if err := w.load(); err != nil {
		return nil, err
	}
	return w, nil
}

// instanceID names this process in tally ids: the host, the pid and a
// random part, so a restarted worker never reuses a predecessor's ids.
func instanceID() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", wire.Token(host), os.Getpid(), hex.EncodeToString(b[:]))
}

// load reads the rule file and the watchlist files; on error the running
// ones stay in force.
func (w *Worker) load() error {
	e, err := Load(w.cfg.Rules, w.cfg.Model)
	if err != nil {
		return err
	}
	files, err := LoadWatchlistFiles(w.cfg.Watchlists)
	if err != nil {
		return err
	}
	old := w.engine.Load()
	w.watch.files.Store(&files)
	w.engine.Store(e.WithWatchlist(w.watch))
	w.metrics.rulesVersion(old, e)
	w.log.Info("rules loaded", zap.String("rules", w.cfg.Rules), zap.String("rules_version", e.RulesVersion()),
		zap.String("model_version", modelVersion(e)),
		zap.Int("rules_count", len(e.Rules().Rules)), zap.Int("terms", len(e.lex.patterns)),
		zap.Int("watchlist_file_handles", len(files)))
	return nil
}

// Reload re-reads the rule file; a bad file leaves the running rules in
// force and returns why.
func (w *Worker) Reload() error {
	w.reloadMu.Lock()
	defer w.reloadMu.Unlock()
	if err := w.load(); err != nil {
		w.metrics.reloads.WithLabelValues("failed").Inc()
		return fmt.Errorf("reloading rules (the running rules %s stay in force): %w", w.RulesVersion(), err)
	}
	w.metrics.reloads.WithLabelValues("ok").Inc()
	return nil
}

// Ready reports whether the worker runs on fresh watchlists: it is not
// ready before Run has read them, nor when refreshing has failed for three
// intervals in a row (a cleared handle might then be acted on).
func (w *Worker) Ready(context.Context) error {
	last := w.refreshed.Load()
	switch {
	case last == 0:
		return errors.New("detector: watchlists not read yet")
	case time.Since(time.Unix(0, last)) > 3*w.cfg.WatchlistRefresh+time.Second:
		return fmt.Errorf("detector: watchlists last read %s ago", time.Since(time.Unix(0, last)).Round(time.Second))
	}
	return nil
}

// RulesVersion is the version of the rules in force.
func (w *Worker) RulesVersion() string { return w.engine.Load().RulesVersion() }

// Run consumes until ctx is done. It reads the watchlists first and fails
// if it cannot: a handle moderators cleared must not be acted on because
// the store was unreachable at start.
func (w *Worker) Run(ctx context.Context) error {
	if _, _, err := w.watch.refresh(ctx, w.deps.Sets); err != nil {
		return fmt.Errorf("starting detector: %w", err)
	}
	w.refreshed.Store(time.Now().UnixNano())
	n := w.cfg.Concurrency
	if n == 0 {
		n = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	bg, stopBG := context.WithCancel(ctx)
	wg.Add(1)
	go func() { defer wg.Done(); w.background(bg) }()
	var consumers sync.WaitGroup
	spec := bus.ConsumerSpec{Stream: bus.StreamPosts, Durable: Durable, Filter: wire.SubjectPosts + ".>"}
	cctx, stopConsumers := context.WithCancel(ctx)
	defer stopConsumers()
	for range n {
		consumers.Add(1)
		go func() {
			defer consumers.Done()
			if err := w.deps.Bus.Consume(cctx, spec, w.handle); err != nil {
				errs <- err
				stopConsumers() // one fails, all stop: Run reports it
			}
		}()
	}
	consumers.Wait()
	stopBG()
	wg.Wait()
	// The last tallies go out even though ctx is done.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ferr := w.flushTallies(fctx)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if ferr != nil {
		return fmt.Errorf("publishing the last tallies: %w", ferr)
	}
	return nil
}

// background refreshes the watchlists and publishes tallies on their
// intervals.
func (w *Worker) background(ctx context.Context) {
	refresh := time.NewTicker(w.cfg.WatchlistRefresh)
	defer refresh.Stop()
	flush := time.NewTicker(w.cfg.TallyInterval)
	defer flush.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-refresh.C:
			known, cleared, err := w.watch.refresh(ctx, w.deps.Sets)
			if err != nil {
				w.metrics.watchlistErrors.Inc()
				if ctx.Err() == nil {
					w.log.Warn("watchlist refresh failed: the previous copy stays in force", zap.Error(err))
				}
				continue
			}
			w.refreshed.Store(time.Now().UnixNano())
			w.metrics.watchlistSize.WithLabelValues("known").Set(float64(known))
			w.metrics.watchlistSize.WithLabelValues("cleared").Set(float64(cleared))
			w.metrics.watchlistSize.WithLabelValues("imported").Set(float64(w.watch.importedLen()))
		case <-flush.C:
			if err := w.flushTallies(ctx); err != nil && ctx.Err() == nil {
				w.log.Warn("publishing tallies failed: retried at the next flush", zap.Error(err))
			}
		}
	}
}

// handle detects one post. A post that can never be read is poison; a
// finding that cannot be published is retried by redelivery (the finding
// id makes the retry idempotent).
func (w *Worker) handle(ctx context.Context, m bus.Msg) (err error) {
	start := time.Now()
	defer func() {
		// A post that crashes the detector would crash every worker it
		// is redelivered to: terminate it instead, with the evidence.
		if r := recover(); r != nil {
			w.metrics.poison.Inc()
			w.log.Error("detector panic on post", zap.String("subject", m.Subject), zap.String("msg_id", m.MsgID),
				zap.Any("panic", r), zap.Stack("stack"))
			err = bus.Poison(fmt.Errorf("detector panic: %v", r))
		}
	}()
	var p wire.Post
	if err := json.Unmarshal(m.Data, &p); err != nil {
		w.metrics.poison.Inc()
		return bus.Poison(fmt.Errorf("decoding post: %w", err))
	}
	if err := p.Validate(); err != nil {
		w.metrics.poison.Inc()
		return bus.Poison(err)
	}
	e := w.engine.Load()
	f, a := e.detect(&p)
	if f != nil {
		if err := f.Validate(); err != nil {
			// A bug of ours, not of the post: keep the evidence in the log.
			w.metrics.poison.Inc()
			return bus.Poison(fmt.Errorf("building finding for %s: %w", p.Key(), err))
		}
		dup, err := w.deps.Bus.Publish(ctx, f.Subject(), f.ID, f)
		if err != nil {
			return err
		}
		if !dup {
			w.metrics.findings.WithLabelValues(string(f.Severity)).Inc()
		}
		w.log.Info("finding", zap.String("finding_id", f.ID), zap.String("source", p.Source),
			zap.String("post_id", p.ID), zap.String("severity", string(f.Severity)), zap.Float64("score", f.Score),
			zap.String("mode", string(f.Mode)), zap.Strings("apps", apps(f.Handles)), zap.Int("signals", len(f.Signals)),
			zap.String("rules_version", f.RulesVersion), zap.Bool("duplicate", dup))
	}
	fetched := p.FetchedAt
	if fetched.IsZero() {
		fetched = m.Time
	}
	if fetched.IsZero() {
		fetched = time.Now()
	}
	if w.tally.add(m.MsgID, p.Source, fetched) {
		w.metrics.scanned.WithLabelValues(p.Source).Inc()
	}
	took := time.Since(start)
	w.metrics.duration.Observe(took.Seconds())
	if ce := w.log.Check(zap.DebugLevel, "post"); ce != nil {
		verdict, score, nh := "clean", 0.0, 0
		if a != nil {
			score, nh = a.Score, len(a.Handles)
		}
		if f != nil {
			verdict = "finding"
		}
		ce.Write(zap.String("source", p.Source), zap.String("post_id", p.ID), zap.String("verdict", verdict),
			zap.Float64("score", score), zap.Int("handles", nh), zap.Duration("duration", took))
	}
	return nil
}

func apps(hs []wire.Handle) []string {
	out := make([]string, 0, len(hs))
	for _, h := range hs {
		if !slices.Contains(out, h.App) {
			out = append(out, h.App)
		}
	}
	return out
}

// flushTallies publishes the counts since the last flush. A tally that
// fails to publish is retried with the same id, so the sink never counts a
// post twice however often we retry.
func (w *Worker) flushTallies(ctx context.Context) error {
	w.tally.flushMu.Lock()
	defer w.tally.flushMu.Unlock()
	batch := w.tally.batch(time.Now().UTC())
	var errs []error
	for _, t := range batch {
		if _, err := w.deps.Bus.Publish(ctx, t.Subject(), t.ID, t); err != nil {
			errs = append(errs, err)
			continue
		}
		w.tally.done(t.ID)
	}
	return errors.Join(errs...)
}

// tallies counts posts per (source, UTC day of fetch) between flushes.
type tallies struct {
	instance string
	flushMu  sync.Mutex // one flush at a time

	mu      sync.Mutex
	counts  map[tallyKey]int64
	pending []wire.ScanTally // flushed but not yet published
	seq     int64
	recent  recentIDs
}

type tallyKey struct{ source, day string }

func newTallies(instance string) *tallies {
	return &tallies{instance: instance, counts: map[tallyKey]int64{}, recent: newRecentIDs(1 << 16)}
}

// add counts a post unless its message id was counted recently (a
// redelivery after a lost ack); it reports whether it counted.
func (t *tallies) add(msgID, source string, fetched time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if msgID != "" && !t.recent.add(msgID) {
		return false
	}
	t.counts[tallyKey{source, fetched.UTC().Format("2006-01-02")}]++
	return true
}

// batch returns the tallies to publish: the pending ones first; only when
// none is pending do the current counts become a new flush.
func (t *tallies) batch(now time.Time) []wire.ScanTally {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) == 0 && len(t.counts) > 0 {
		t.seq++
		for k, n := range t.counts {
			t.pending = append(t.pending, wire.ScanTally{Schema: wire.SchemaVersion,
				ID:     fmt.Sprintf("%s-%d-%s-%s", t.instance, t.seq, wire.Token(k.source), k.day),
				Source: k.source, Day: k.day, Posts: n, At: now})
		}
		sort.Slice(t.pending, func(i, j int) bool { return t.pending[i].ID < t.pending[j].ID })
		clear(t.counts)
	}
	return append([]wire.ScanTally(nil), t.pending...)
}

func (t *tallies) done(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, p := range t.pending {
		if p.ID == id {
			t.pending = append(t.pending[:i], t.pending[i+1:]...)
			return
		}
	}
}

// recentIDs remembers the last n message ids.
type recentIDs struct {
	set  map[string]struct{}
	ring []string
	next int
}

func newRecentIDs(n int) recentIDs {
	return recentIDs{set: make(map[string]struct{}, n), ring: make([]string, n)}
}

// add records id and reports whether it was new.
func (r *recentIDs) add(id string) bool {
	if _, ok := r.set[id]; ok {
		return false
	}
	if old := r.ring[r.next]; old != "" {
		delete(r.set, old)
	}
	r.ring[r.next] = id
	r.set[id] = struct{}{}
	r.next = (r.next + 1) % len(r.ring)
	return true
}
