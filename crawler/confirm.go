package crawler

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// ConfirmingPublisher is a Publisher whose acknowledged publishes can
// still be lost: a JetStream file store acknowledges a message once it is
// in its write buffer, and drops the buffer when the disk is full
// (bus.Confirm). The crawler then lets go of a post - marks it seen,
// saves a cursor past it - only once Confirm found it stored, publishing
// again what the stream lost.
type ConfirmingPublisher interface {
	Publisher
	PublishPostReceipt(ctx context.Context, p *wire.Post) (bus.Receipt, error)
	Confirm(ctx context.Context, rs []bus.Receipt) (int, error)
}

// checkpoint is a cursor and the posts published before it.
type checkpoint struct {
	cursor   string // "" at the end of a failed run: only the posts
	keys     []string
	receipts []bus.Receipt
}

// checkpoints saves a run's cursors, and marks its posts seen, in order
// and off the publishing path: each once the posts published before it
// are confirmed stored (a bus.Settle after the last of them), so the run
// does not wait for that. A confirmation or a cursor save that fails
// stops the run (Err) and leaves the cursor where it was: the next run
// publishes those posts again, and message-id dedupe drops what was kept.
type checkpoints struct {
	c    *Crawler
	tg   *target
	conf ConfirmingPublisher // nil: publishes are stored once acknowledged

	// the posts published since the last checkpoint (the run's lock)
	keys     []string
	receipts []bus.Receipt

	ctx    context.Context
	cancel context.CancelFunc
	queue  chan checkpoint
	done   chan struct{}
	mu     sync.Mutex
	err    error
}

// checkpointQueue bounds the checkpoints waiting for their confirmation:
// past it the run waits.
const checkpointQueue = 256

func (c *Crawler) newCheckpoints(ctx context.Context, tg *target) *checkpoints {
	cp := &checkpoints{c: c, tg: tg, queue: make(chan checkpoint, checkpointQueue), done: make(chan struct{})}
	cp.conf, _ = c.deps.Publisher.(ConfirmingPublisher)
	// What is published is confirmed and saved even when the run's
	// context has just ended (finish bounds it).
	cp.ctx, cp.cancel = context.WithCancel(context.WithoutCancel(ctx))
	go cp.run()
	return cp
}

// publish publishes p, keeping its receipt for the next checkpoint.
func (cp *checkpoints) publish(ctx context.Context, p *wire.Post) error {
	if cp.conf == nil {
		if err := cp.c.deps.Publisher.PublishPost(ctx, p); err != nil {
			return err
		}
	} else {
		r, err := cp.conf.PublishPostReceipt(ctx, p)
		if err != nil {
			return err
		}
		cp.receipts = append(cp.receipts, r)
	}
	cp.keys = append(cp.keys, p.Key())
	return nil
}

// save queues cursor with the posts published before it.
func (cp *checkpoints) save(cursor string) error {
	if err := cp.Err(); err != nil {
		return err
	}
	cp.queue <- checkpoint{cursor: cursor, keys: cp.keys, receipts: cp.receipts}
	cp.keys, cp.receipts = nil, nil
	return nil
}

// finish queues the posts published after the last cursor, waits for
// every checkpoint (bounded: housekeeping past the confirmation's
// Settle) and returns the first failure.
func (cp *checkpoints) finish() error {
	if len(cp.keys) > 0 {
		cp.queue <- checkpoint{keys: cp.keys, receipts: cp.receipts}
		cp.keys, cp.receipts = nil, nil
	}
	close(cp.queue)
	t := time.NewTimer(bus.Settle + 2*housekeeping)
	defer t.Stop()
	select {
	case <-cp.done:
	case <-t.C:
		cp.cancel()
		<-cp.done
	}
	cp.cancel()
	return cp.Err()
}

// Err is the first failure of a checkpoint.
func (cp *checkpoints) Err() error {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	return cp.err
}

func (cp *checkpoints) fail(err error) {
	cp.mu.Lock()
	if cp.err == nil {
		cp.err = err
	}
	cp.mu.Unlock()
}

func (cp *checkpoints) run() {
	defer close(cp.done)
	for k := range cp.queue {
		if cp.Err() != nil {
			continue // the cursor stays before the failure
		}
		if err := cp.confirm(k.receipts); err != nil {
			cp.fail(fmt.Errorf("confirming %d published posts: %w", len(k.receipts), err))
			continue
		}
		for _, key := range k.keys {
			mctx, cancel := context.WithTimeout(cp.ctx, housekeeping)
			if _, err := cp.c.deps.Seen.MarkSeen(mctx, key, cp.c.cfg.SeenTTL); err != nil {
				// Published, but the next run may publish it again:
				// JetStream's message-id dedupe drops the repeat.
				cp.tg.log.Warn("post published but not marked seen", zap.String("post_key", key), zap.Error(err))
			}
			cancel()
		}
		if k.cursor != "" {
			if err := cp.c.saveCursor(cp.ctx, cp.tg, k.cursor); err != nil {
				cp.fail(err)
			}
		}
	}
}

// confirm confirms rs, trying again until it can or finish gives up: a
// NATS restart must not leave published posts unmarked, since a repeat
// of a post the detector already took is not dropped by a restarted
// server (its duplicate window then holds only what is stored).
func (cp *checkpoints) confirm(rs []bus.Receipt) error {
	if cp.conf == nil || len(rs) == 0 {
		return nil
	}
	var last error
	for attempt := 1; ; attempt++ {
		again, err := cp.conf.Confirm(cp.ctx, rs)
		if err == nil {
			if again > 0 {
				cp.c.metrics.republished.WithLabelValues(cp.tg.t.Source.Name).Add(float64(again))
				cp.tg.log.Warn("the posts stream lost posts it had acknowledged: published again before the cursor moves past them",
					zap.Int("published_again", again))
			}
			return nil
		}
		last = err
		if attempt == 1 || attempt%10 == 0 {
			cp.tg.log.Warn("confirming published posts failed: retrying", zap.Int("attempt", attempt), zap.Error(err))
		}
		if !sleep(cp.ctx, min(time.Duration(attempt)*500*time.Millisecond, 2*time.Second)) {
			return fmt.Errorf("after %d attempts: %w", attempt, last)
		}
	}
}
