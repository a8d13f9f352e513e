package crawler

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/handlewatch/handlewatch/crawler/fetch"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Run crawls every target at its interval until ctx is done, then returns
// after the fetches in flight finish.
func (c *Crawler) Run(ctx context.Context) error {
	if !c.running.CompareAndSwap(false, true) {
		return errors.New("crawler: already running")
	}
	defer c.running.Store(false)
	c.log.Info("crawler running", zap.Int("targets", len(c.targets)), zap.Int("max_concurrency", c.cfg.MaxConcurrency))
	if l := c.deps.Leases; l != nil {
		member := memberLease + l.Owner()
		if _, err := l.Acquire(ctx, member); err != nil {
			c.log.Warn("crawler membership lease unavailable: sharing targets without it", zap.Error(err))
		}
		_, stop := l.Hold(ctx, member)
		defer stop()
	}
	var wg sync.WaitGroup
	for _, tg := range c.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loop := c.pollLoop
			if tg.streamer != nil {
				loop = c.streamLoop
			}
			if c.deps.Leases == nil {
				loop(ctx, tg)
				return
			}
			c.leased(ctx, tg, loop)
		}()
	}
	wg.Wait()
	c.log.Info("crawler stopped")
	return nil
}

// memberLease is held by every running crawler with leases: how many
// share the targets.
const memberLease = "crawler-member/"

// leased runs loop on tg while this process holds tg's lease, and waits
// for the lease while another crawler holds it. A crawler takes no more
// than its fair share of the targets (all of them over the crawlers
// running), unless a target has stayed free for three tries, and gives
// one up at a time while it holds more than its share, so a crawler that
// joins gets work. A crawler that loses a lease (it could not renew it
// within the TTL) stops that target at once; its posts so far are
// published and their cursor saved, so the next holder resumes where it
// left off, and a post both publish is dropped by message-id dedupe.
func (c *Crawler) leased(ctx context.Context, tg *target, loop func(context.Context, *target)) {
	l := c.deps.Leases
	name := "crawl/" + tg.key
	retry := max(l.TTL()/3, 100*time.Millisecond)
	gauge := c.metrics.leased.WithLabelValues(tg.t.Source.Name, tg.t.Name)
	free := 0
	for ctx.Err() == nil {
		if c.held.Load() >= c.fairShare(ctx) {
			if _, taken, err := l.Holder(ctx, name); err != nil || taken {
				free = 0
				sleep(ctx, jitter(retry, 0.2))
				continue
			}
			if free++; free < 3 {
				sleep(ctx, jitter(retry, 0.2))
				continue
			}
		}
		ok, err := l.Acquire(ctx, name)
		if err != nil && ctx.Err() == nil {
			tg.log.Warn("target lease unavailable: retrying", zap.Error(err))
		}
		if !ok {
			sleep(ctx, jitter(retry, 0.2))
			continue
		}
		free = 0
		c.held.Add(1)
		gauge.Set(1)
		tg.log.Info("target lease taken: crawling here")
		held, stop := l.Hold(ctx, name)
		lctx, shed := context.WithCancel(held)
		watched := make(chan bool, 1)
		go func() { watched <- c.watchShare(lctx, shed) }()
		loop(lctx, tg)
		shed()
		gaveUp := <-watched
		lost := held.Err() != nil && ctx.Err() == nil
		stop()
		c.held.Add(-1)
		gauge.Set(0)
		switch {
		case gaveUp:
			tg.log.Info("target lease given up for a crawler with fewer targets")
			c.shedding.Store(false)
			sleep(ctx, l.TTL()) // room for the other crawler to take it
		case lost:
			tg.log.Warn("target lease lost: another crawler takes over")
		}
	}
}

// watchShare ends the target (shed) when this crawler holds more than its
// share, one target at a time; it reports whether it did.
func (c *Crawler) watchShare(ctx context.Context, shed func()) bool {
	for sleep(ctx, jitter(c.deps.Leases.TTL(), 0.2)) {
		if c.held.Load() > c.fairShare(ctx) && c.shedding.CompareAndSwap(false, true) {
			shed()
			return true
		}
	}
	return false
}

// fairShare is how many targets this crawler should hold: the targets
// over the running crawlers, rounded up (all of them if the count cannot
// be read).
func (c *Crawler) fairShare(ctx context.Context) int64 {
	members, err := c.deps.Leases.Held(ctx, memberLease)
	n := int64(len(c.targets))
	if err != nil || len(members) <= 1 {
		return n
	}
	m := int64(len(members))
	return (n + m - 1) / m
}

// Once fetches every target once and returns: each poller's target is
// polled (with its further pages), each stream runs until it ends — a
// stream that does not end by itself (source.Finite) for at most
// crawler.once_stream_timeout. The error lists the targets that
// failed; the others' posts are published all the same.
func (c *Crawler) Once(ctx context.Context) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	for _, tg := range c.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if tg.streamer != nil {
				sctx, cancel := ctx, context.CancelFunc(func() {})
				finite, _ := tg.streamer.(source.Finite)
				if c.cfg.OnceStreamTimeout > 0 && (finite == nil || !finite.Finite()) {
					sctx, cancel = context.WithTimeout(ctx, c.cfg.OnceStreamTimeout)
				}
				_, err = c.runStream(sctx, tg)
				cancel()
				if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
					err = nil // the window ended, not the stream
				}
			} else {
				if !c.acquire(ctx) {
					err = ctx.Err()
				} else {
					_, err = c.runPoll(ctx, tg)
					c.release()
				}
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("%s: %w", tg.key, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (c *Crawler) acquire(ctx context.Context) bool {
	select {
	case c.sem <- struct{}{}:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c *Crawler) release() { <-c.sem }

// sleep waits d or until ctx ends; it reports whether to go on.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// pollLoop polls tg at its interval until ctx ends. The first poll comes
// soon, at a random offset, so that targets do not start in step.
func (c *Crawler) pollLoop(ctx context.Context, tg *target) {
	delay := rand.N(min(tg.interval, 5*time.Second) + 1)
	for {
		c.setNext(tg, delay)
		if !sleep(ctx, delay) || !c.acquire(ctx) {
			return
		}
		delay, _ = c.runPoll(ctx, tg)
		c.release()
	}
}

// runPoll polls tg once, following further pages up to crawler.max_pages,
// publishes what is new and saves the cursor after each page's posts are
// published. It returns the delay until the next poll.
func (c *Crawler) runPoll(ctx context.Context, tg *target) (time.Duration, error) {
	start := time.Now()
	var st runStats
	err := c.poll(ctx, tg, &st)
	if ctx.Err() != nil && err != nil {
		return 0, err // shutting down: no verdict on the target
	}
	delay := c.record(tg, "poll", start, st, err)
	return delay, err
}

func (c *Crawler) poll(ctx context.Context, tg *target, st *runStats) error {
	cursor, _, err := c.deps.Cursors.Cursor(ctx, tg.key)
	if err != nil {
		return fmt.Errorf("reading cursor: %w", err)
	}
	for st.pages < c.cfg.MaxPages {
		st.pages++
		batch, err := tg.poller.Poll(ctx, tg.fetcher, tg.t, cursor)
		if err != nil {
			return err
		}
		if err := c.publishPage(ctx, tg, batch.Posts, st); err != nil {
			return err
		}
		if batch.Cursor != "" && batch.Cursor != cursor {
			if err := c.saveCursor(ctx, tg, batch.Cursor); err != nil {
				return err
			}
			cursor = batch.Cursor
		}
		if !batch.More {
			return nil
		}
	}
	tg.log.Info("more pages waiting; the next poll goes on", zap.Int("max_pages", c.cfg.MaxPages))
	return nil
}

// saveCursor stores a cursor whose posts are all published; it is saved
// even when ctx has just ended, since those posts are out.
func (c *Crawler) saveCursor(ctx context.Context, tg *target, cursor string) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), housekeeping)
	defer cancel()
	if err := c.deps.Cursors.SetCursor(sctx, tg.key, cursor); err != nil {
		return fmt.Errorf("saving cursor: %w", err)
	}
	c.metrics.cursorSaves.WithLabelValues(tg.t.Source.Name).Inc()
	return nil
}

// streamLoop runs tg's stream until ctx ends, starting it again after it
// ends: at once-per-interval after a clean end (a dump file may grow), with
// backoff after an error.
func (c *Crawler) streamLoop(ctx context.Context, tg *target) {
	for {
		delay, _ := c.runStream(ctx, tg)
		if ctx.Err() != nil {
			return
		}
		c.setNext(tg, delay)
		if !sleep(ctx, delay) {
			return
		}
	}
}

// runStream runs one session of tg's stream. Each emitted post is
// published before its cursor counts; the cursor is saved every
// crawler.checkpoint_interval or crawler.checkpoint_posts, and at the end.
// It returns the delay until the next session.
func (c *Crawler) runStream(ctx context.Context, tg *target) (time.Duration, error) {
	start := time.Now()
	var st runStats
	err := c.stream(ctx, tg, &st)
	if ctx.Err() != nil && (err == nil || errors.Is(err, ctx.Err())) {
		// Stopped from outside: the session was fine as far as it went.
		c.record(tg, "stream", start, st, nil)
		return 0, ctx.Err()
	}
	return c.record(tg, "stream", start, st, err), err
}

func (c *Crawler) stream(ctx context.Context, tg *target, st *runStats) error {
	cursor, _, err := c.deps.Cursors.Cursor(ctx, tg.key)
	if err != nil {
		return fmt.Errorf("reading cursor: %w", err)
	}
	c.metrics.streamsAlive.WithLabelValues(tg.t.Source.Name).Inc()
	defer c.metrics.streamsAlive.WithLabelValues(tg.t.Source.Name).Dec()

	var (
		mu       sync.Mutex
		last     = cursor
		pending  int
		lastSave = time.Now()
	)
	save := func() error {
		if pending == 0 {
			return nil
		}
		if err := c.saveCursor(ctx, tg, last); err != nil {
			return err
		}
		pending, lastSave = 0, time.Now()
		return nil
	}
	emit := func(ctx context.Context, p *wire.Post, cur string) error {
		mu.Lock()
		defer mu.Unlock()
		if p != nil {
			if err := c.publish(ctx, tg, p, st); err != nil {
				return err
			}
		}
		if cur == "" || cur == last {
			return nil
		}
		last = cur
		pending++
		if pending >= c.cfg.CheckpointPosts || time.Since(lastSave) >= c.cfg.CheckpointInterval {
			return save()
		}
		return nil
	}
	err = tg.streamer.Stream(ctx, tg.t, cursor, emit)
	mu.Lock()
	defer mu.Unlock()
	if serr := save(); serr != nil && err == nil {
		err = serr
	}
	return err
}

// record updates tg's health and metrics after a run, writes its one
// summary line and returns the delay until the next run.
func (c *Crawler) record(tg *target, what string, start time.Time, st runStats, err error) time.Duration {
	now := time.Now()
	name := tg.t.Source.Name
	result := "ok"
	var delay time.Duration
	var re *source.RetryError
	switch {
	case err == nil:
		delay = jitter(tg.interval, c.cfg.Jitter)
	case errors.Is(err, source.ErrBlocked):
		result = "blocked"
		delay = jitter(c.cfg.BlockedBackoff, c.cfg.Jitter)
	case errors.As(err, &re):
		result = "retry"
		delay = c.failureDelay(tg, err)
	default:
		result = "error"
		delay = c.failureDelay(tg, err)
	}

	tg.mu.Lock()
	h := &tg.health
	h.LastPosts = st.published
	if err == nil {
		h.LastSuccess = now
		h.ConsecutiveFailures = 0
	} else {
		h.LastError = err.Error()
		h.LastErrorAt = now
		h.ConsecutiveFailures++
	}
	h.NextRun = now.Add(delay)
	failures := h.ConsecutiveFailures
	tg.mu.Unlock()

	c.metrics.runs.WithLabelValues(name, result).Inc()
	c.metrics.runPosts.WithLabelValues(name, tg.t.Name).Set(float64(st.published))
	c.metrics.failures.WithLabelValues(name, tg.t.Name).Set(float64(failures))
	if err == nil {
		c.metrics.lastSuccess.WithLabelValues(name, tg.t.Name).Set(float64(now.Unix()))
	} else {
		c.metrics.lastError.WithLabelValues(name, tg.t.Name).Set(float64(now.Unix()))
	}
	if what == "poll" {
		c.metrics.runDuration.WithLabelValues(name).Observe(now.Sub(start).Seconds())
	}

	level := zapcore.InfoLevel
	msg := what + " done"
	switch result {
	case "retry":
		level, msg = zapcore.WarnLevel, what+" deferred: the server asked us to wait"
	case "error":
		level, msg = zapcore.WarnLevel, what+" failed"
	case "blocked":
		level, msg = zapcore.ErrorLevel, what+" BLOCKED by the platform: no posts from this target until the source's configuration is fixed"
	}
	fields := []zap.Field{
		zap.String("result", result), zap.Int("pages", st.pages), zap.Int("posts", st.published),
		zap.Int("duplicates", st.duplicates), zap.Int("invalid", st.invalid),
		zap.Duration("duration", now.Sub(start)), zap.Duration("next_in", delay),
		zap.Int("consecutive_failures", failures),
	}
	if err != nil {
		fields = append(fields, zap.Error(err))
		if r := fetch.Reason(err); r != "" {
			fields = append(fields, zap.String("refused", r))
		}
	}
	tg.log.Log(level, msg, fields...)
	return delay
}

// failureDelay is how long tg waits after a failure that is not a block
// (record handles those): until a RetryError's time, else exponential
// backoff from crawler.backoff_base up to the larger of
// crawler.backoff_max and the interval.
func (c *Crawler) failureDelay(tg *target, err error) time.Duration {
	var re *source.RetryError
	if errors.As(err, &re) {
		d := time.Until(re.Until)
		if d < c.cfg.BackoffBase/10 {
			d = c.cfg.BackoffBase / 10
		}
		return min(d, 24*time.Hour)
	}
	tg.mu.Lock()
	n := tg.health.ConsecutiveFailures + 1
	tg.mu.Unlock()
	return fetch.Backoff(c.cfg.BackoffBase, max(c.cfg.BackoffMax, tg.interval), n)
}

func (c *Crawler) setNext(tg *target, d time.Duration) {
	tg.mu.Lock()
	tg.health.NextRun = time.Now().Add(d)
	tg.mu.Unlock()
}

// jitter spreads d by up to ± frac.
func jitter(d time.Duration, frac float64) time.Duration {
	spread := time.Duration(float64(d) * frac)
	if spread <= 0 {
		return d
	}
	return d - spread + rand.N(2*spread+1)
}
