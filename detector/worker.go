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
	spec := bus.ConsumerSpec{Stream: bus.StreamPosts, Durable: Durable, Filter: wire.SubjectPosts + ".>",
		DeferAck: true, MaxAckPending: maxAckPending, MaxInFlight: fetchBatch}
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
	ferr := w.flushTallies(fctx, true)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if ferr != nil {
		return fmt.Errorf("publishing the last tallies: %w", ferr)
	}
	return nil
}

// background refreshes the watchlists and publishes tallies (and acks
// the posts they count) when they are due.
func (w *Worker) background(ctx context.Context) {
	refresh := time.NewTicker(w.cfg.WatchlistRefresh)
	defer refresh.Stop()
	tick := time.NewTicker(tallyTick)
	defer tick.Stop()
	var retryAt time.Time
	flush := func() {
		if time.Now().Before(retryAt) {
			return
		}
		if err := w.flushTallies(ctx, false); err != nil && ctx.Err() == nil {
			retryAt = time.Now().Add(retryPause)
			w.log.Warn("publishing tallies failed: their posts stay unacked and the tallies are retried", zap.Error(err))
		}
	}
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
		case <-w.tally.full:
			flush()
		case now := <-tick.C:
			if w.tally.due(now, w.cfg.TallyInterval) || w.tally.hasPending() {
				flush()
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
	var found []bus.Receipt
	if f != nil {
		if err := f.Validate(); err != nil {
			// A bug of ours, not of the post: keep the evidence in the log.
			w.metrics.poison.Inc()
			return bus.Poison(fmt.Errorf("building finding for %s: %w", p.Key(), err))
		}
		r, dup, err := w.deps.Bus.PublishReceipt(ctx, f.Subject(), f.ID, f)
		if err != nil {
			return err
		}
		found = append(found, r)
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
	w.tally.add(m, p.Source, fetched, found...)
	w.metrics.scanned.WithLabelValues(p.Source).Inc()
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

// Exact posts-scanned counts. A post is acked only once the tally that
// counts it is published (bus.ConsumerSpec.DeferAck), so a worker killed
// at any point leaves its uncounted posts unacked, and they come back to
// a worker that counts them. A worker killed after publishing a tally
// and before its acks went out has those posts counted again in another
// tally; each tally names the stream sequences it counts, and the sink
// counts each sequence once (stats.ObserveTally, state.ApplyMarked).
// Together: every post of the stream counted once, with one tally
// publish per flush and one plain ack per post (cheaper than the
// acknowledged ack each post had before).
//
// A flush goes out when ackBatch posts are held, when the oldest has
// waited TallyInterval, or when no post came for a tick: the server
// redelivers a held post after its ack wait (serverAckWait, 10 s), and
// MaxAckPending bounds what all workers hold at once.
const (
	ackBatch      = 1024
	tallyTick     = 50 * time.Millisecond
	maxAckPending = 1 << 16
	// fetchBatch is how many posts a consumer goroutine fetches at once:
	// one pull request, and one subscription made and dropped, per batch.
	// 512 took a sixth less CPU per post than 128 in
	// BenchmarkConsumeDeferAck; a killed worker's batch comes back after
	// the server's ack wait either way.
	fetchBatch = 512
	// retryPause spaces out publishes that failed (NATS down).
	retryPause = time.Second
)

// flushTallies publishes the counts held since the last flush, then,
// once the findings and the tally are confirmed stored (bus.Confirm: a
// store can acknowledge a message and lose it when its disk is full),
// acks the posts they count. A tally that fails to publish is retried
// with the same id and its posts stay unacked; retried or repeated by a
// recount, the sink counts each post once. A tally is confirmed
// bus.Settle after it went out; final confirms at once (waiting out
// Settle), for the last flush of Run.
func (w *Worker) flushTallies(ctx context.Context, final bool) error {
	w.tally.flushMu.Lock()
	defer w.tally.flushMu.Unlock()
	batch := w.tally.batch(time.Now().UTC())
	var errs []error
	for _, p := range batch {
		if p.sent == nil {
			r, _, err := w.deps.Bus.PublishReceipt(ctx, p.tally.Subject(), p.tally.ID, p.tally)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			w.tally.sent(p.tally.ID, r)
			p.sent = &r
		}
		if !final && time.Since(p.sent.At) < bus.Settle {
			continue
		}
		again, err := w.deps.Bus.Confirm(ctx, append(append([]bus.Receipt(nil), p.found...), *p.sent))
		if err != nil {
			errs = append(errs, fmt.Errorf("confirming tally %s and its findings: %w", p.tally.ID, err))
			continue
		}
		if again > 0 {
			w.metrics.republished.Add(float64(again))
			w.log.Warn("the streams lost findings or a tally they had acknowledged: published again before the posts are acked",
				zap.String("tally_id", p.tally.ID), zap.Int("published_again", again))
		}
		acked := 0
		for _, m := range w.tally.done(p.tally.ID) {
			// A failed ack redelivers the post: counted again, once.
			if m.Ack() == nil {
				acked++
			}
		}
		if acked < len(p.msgs) {
			w.metrics.ackErrors.Add(float64(len(p.msgs) - acked))
		}
	}
	return errors.Join(errs...)
}

// tallies counts posts per (source, UTC day of fetch, posts stream)
// between flushes, and holds their messages until a tally counts them.
type tallies struct {
	instance string
	flushMu  sync.Mutex // one flush at a time
	full     chan struct{}

	mu      sync.Mutex
	open    map[tallyKey]*tallyWindow
	held    int         // messages in open
	oldest  time.Time   // when the first message in open came
	added   bool        // a message came since the last tick
	pending []heldTally // flushed but not yet published
	seq     int64
}

type tallyKey struct{ source, day, stream string }

type tallyWindow struct {
	seqs  []uint64
	msgs  []bus.Msg
	found []bus.Receipt // the findings published for those posts
}

// heldTally is a tally and the messages it counts, with the findings
// published for them and, once it is published, its own receipt.
type heldTally struct {
	tally wire.ScanTally
	msgs  []bus.Msg
	found []bus.Receipt
	sent  *bus.Receipt
}

func newTallies(instance string) *tallies {
	return &tallies{instance: instance, open: map[tallyKey]*tallyWindow{}, full: make(chan struct{}, 1)}
}

// add counts the post of m and holds m until a tally counting it is
// published and confirmed, with the receipts of the findings published
// for it.
func (t *tallies) add(m bus.Msg, source string, fetched time.Time, found ...bus.Receipt) {
	stream := m.Stream
	if m.Seq == 0 {
		stream = "" // no sequence to name: counted by the tally's id
	}
	k := tallyKey{source, fetched.UTC().Format("2006-01-02"), stream}
	t.mu.Lock()
	win := t.open[k]
	if win == nil {
		win = &tallyWindow{}
		t.open[k] = win
	}
	win.seqs = append(win.seqs, m.Seq)
	win.msgs = append(win.msgs, m)
	win.found = append(win.found, found...)
	if t.held == 0 {
		t.oldest = time.Now()
	}
	t.held++
	t.added = true
	full := t.held >= ackBatch
	t.mu.Unlock()
	if full {
		select {
		case t.full <- struct{}{}:
		default:
		}
	}
}

// due reports whether the held posts should be flushed at now: the
// oldest has waited maxHold, or none came since the last tick.
func (t *tallies) due(now time.Time, maxHold time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	idle := !t.added
	t.added = false
	return t.held > 0 && (idle || now.Sub(t.oldest) >= maxHold)
}

// batch returns the tallies to publish: the pending ones first; only when
// none is pending do the open windows become a new flush.
func (t *tallies) batch(now time.Time) []heldTally {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) == 0 && len(t.open) > 0 {
		t.seq++
		for k, win := range t.open {
			tl := wire.ScanTally{Schema: wire.SchemaVersion,
				ID:     fmt.Sprintf("%s-%d-%s-%s", t.instance, t.seq, wire.Token(k.source), k.day),
				Source: k.source, Day: k.day, At: now}
			if k.stream != "" {
				tl.Stream, tl.Seqs = k.stream, seqRanges(win.seqs)
				tl.Posts = tl.SeqCount()
				tl.ID += "-" + wire.Token(k.stream)
			} else {
				tl.Posts = int64(len(win.msgs))
			}
			t.pending = append(t.pending, heldTally{tally: tl, msgs: win.msgs, found: win.found})
		}
		sort.Slice(t.pending, func(i, j int) bool { return t.pending[i].tally.ID < t.pending[j].tally.ID })
		clear(t.open)
		t.held = 0
	}
	return append([]heldTally(nil), t.pending...)
}

// sent records the receipt of the published tally id.
func (t *tallies) sent(id string, r bus.Receipt) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range t.pending {
		if t.pending[i].tally.ID == id {
			t.pending[i].sent = &r
		}
	}
}

// done drops the published tally id and returns the messages it counts,
// to be acked.
func (t *tallies) done(id string) []bus.Msg {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, p := range t.pending {
		if p.tally.ID == id {
			t.pending = append(t.pending[:i], t.pending[i+1:]...)
			return p.msgs
		}
	}
	return nil
}

func (t *tallies) hasPending() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.pending) > 0
}

// seqRanges sorts seqs and returns them as ranges [from, to], each
// sequence once (a post redelivered to the same worker within a window
// comes twice).
func seqRanges(seqs []uint64) [][2]uint64 {
	slices.Sort(seqs)
	var out [][2]uint64
	for _, q := range seqs {
		if n := len(out); n > 0 && q <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], q)
			continue
		}
		out = append(out, [2]uint64{q, q})
	}
	return out
}
