package signals

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/taxii"
)

// Feed polls one partner collection into import events.
type Feed struct {
	cfg     FeedConfig
	client  *taxii.Client
	cursors state.Cursors
	pub     Publisher
	log     *zap.Logger
	opts    ImportOptions
	now     func() time.Time
	// Retry bounds the attempts of one poll.
	Retry RetryPolicy
}

// RetryPolicy is capped exponential backoff with jitter.
type RetryPolicy struct {
	Attempts int
	Initial  time.Duration
	Max      time.Duration
}

// DefaultRetry: five attempts over about a minute.
var DefaultRetry = RetryPolicy{Attempts: 5, Initial: 2 * time.Second, Max: 30 * time.Second}

// Overlap is how far before its cursor a poll starts again: a version that
// reached the partner's collection late, with an older date_added, is
// still seen; what is read twice is deduplicated by its event id.
const Overlap = 5 * time.Minute

func (f *Feed) cursorKey() string { return "signals:feed:" + f.cfg.Partner + ":" + f.cfg.CollectionURL }

// Poll reads everything new once, with retries, and moves the cursor on
// only past what was published.
func (f *Feed) Poll(ctx context.Context) (Report, error) {
	var total Report
	var err error
	for attempt := 1; ; attempt++ {
		var rep Report
		rep, err = f.pollOnce(ctx)
		total.Add(rep)
		if err == nil {
			return total, nil
		}
		var he *taxii.HTTPError
		temporary := !errors.As(err, &he) || he.Temporary()
		if !temporary || attempt >= f.Retry.Attempts || ctx.Err() != nil {
			return total, err
		}
		wait := f.Retry.backoff(attempt)
		if he != nil && he.RetryAfter > wait {
			wait = min(he.RetryAfter, 10*time.Minute)
		}
		f.log.Warn("signals: feed poll failed; retrying", zap.String("partner", f.cfg.Partner),
			zap.Int("attempt", attempt), zap.Duration("wait", wait), zap.Error(err))
		select {
		case <-ctx.Done():
			return total, err
		case <-time.After(wait):
		}
	}
}

func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.Initial << (attempt - 1)
	if d > p.Max || d <= 0 {
		d = p.Max
	}
	return d/2 + rand.N(d/2+1) //nolint:gosec // jitter, not a secret
}

func (f *Feed) pollOnce(ctx context.Context) (Report, error) {
	var after time.Time
	if s, ok, err := f.cursors.Cursor(ctx, f.cursorKey()); err != nil {
		return Report{}, fmt.Errorf("reading the cursor of feed %s: %w", f.cfg.Partner, err)
	} else if ok && s != "" {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return Report{}, fmt.Errorf("cursor of feed %s: %q is not a time: %w", f.cfg.Partner, s, err)
		}
		after = t.Add(-Overlap)
	}
	var rep Report
	_, err := f.client.Poll(ctx, f.cfg.CollectionURL, after, 0, func(p taxii.Page) error {
		opts := f.opts
		opts.Now = f.now()
		evs, r := ReadObjects(p.Objects, opts)
		rep.Add(r)
		for _, e := range r.Errors {
			f.log.Warn("signals: partner object left out", zap.String("partner", f.cfg.Partner), zap.Error(e))
		}
		if err := Publish(ctx, f.pub, evs); err != nil {
			return err
		}
		// The cursor moves page by page: a crash repeats at most one.
		if !p.DateAddedLast.IsZero() {
			if err := f.cursors.SetCursor(ctx, f.cursorKey(), p.DateAddedLast.UTC().Format(time.RFC3339Nano)); err != nil {
				return fmt.Errorf("saving the cursor of feed %s: %w", f.cfg.Partner, err)
			}
		}
		return nil
	})
	return rep, err
}

// Run polls every interval until ctx is done.
func (f *Feed) Run(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		rep, err := f.Poll(ctx)
		if err != nil && ctx.Err() == nil {
			f.log.Error("signals: feed poll failed", zap.String("partner", f.cfg.Partner), zap.Error(err))
		} else if err == nil {
			f.log.Info("signals: feed polled", zap.String("partner", f.cfg.Partner), zap.Int("indicators", rep.Indicators),
				zap.Int("revoked_or_expired", rep.Revoked), zap.Int("bad_objects", len(rep.Errors)), zap.Int("other_objects", rep.Other))
		}
		t.Reset(f.cfg.Interval.D())
	}
}
