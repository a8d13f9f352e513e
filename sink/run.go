package sink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// ConsumerName is the durable consumer all sink processes share on
// hw.findings.>: JetStream hands each finding to one of them.
// TalliesConsumerName is its twin on hw.stats.> (the research
// denominators).
const (
	ConsumerName        = "sink"
	TalliesConsumerName = "sink-stats"
)

// Run rebuilds derived state from the streams, then consumes until ctx is
// done. It returns nil after a clean stop.
func (s *Sink) Run(ctx context.Context) error {
	s.runMu.Lock()
	if s.running {
		s.runMu.Unlock()
		return errors.New("sink: already running")
	}
	s.running = true
	s.runMu.Unlock()
	defer s.stopped.Store(true)

	next, err := s.rebuild(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	spawn := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				errc <- fmt.Errorf("sink %s: %w", name, err)
				cancel()
			}
		}()
	}
	spawn("findings consumer", func(ctx context.Context) error {
		return s.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamFindings, Durable: ConsumerName,
			MaxDeliver: 10, AckWait: s.ackWait,
			Backoff: []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute, 5 * time.Minute}},
			s.handleFinding)
	})
	spawn("scan tallies consumer", func(ctx context.Context) error {
		return s.bus.Consume(ctx, bus.ConsumerSpec{Stream: bus.StreamStats, Durable: TalliesConsumerName, MaxDeliver: 10,
			Backoff: []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute}}, s.handleTally)
	})
	spawn("takedowns", func(ctx context.Context) error {
		run := func() {
			if err := s.hooks.takedowns.Tick(ctx, s.now()); err != nil && ctx.Err() == nil {
				s.log.Warn("takedown tick", zap.Error(err))
			}
		}
		run() // finishes what a crash interrupted
		s.every(ctx, time.Minute, run)
		return nil
	})
	spawn("case events", func(ctx context.Context) error {
		return s.bus.Follow(ctx, bus.StreamCases, next, s.followCaseEvent)
	})
	spawn("digests", func(ctx context.Context) error {
		s.every(ctx, s.cfg.Alerts.DigestInterval, func() { s.flushDigests(ctx) })
		return nil
	})
	spawn("checkpoints", func(ctx context.Context) error {
		s.every(ctx, s.cfg.CheckpointInterval, func() {
			if err := s.ensureState(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("checking derived state", zap.Error(err))
			}
			if err := s.advanceCheckpoints(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("advancing replay checkpoints", zap.Error(err))
			}
		})
		return nil
	})
	spawn("reconcile", func(ctx context.Context) error {
		run := func() {
			if err := s.reconcile(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("reconciling alerts", zap.Error(err))
			}
		}
		run()
		s.every(ctx, s.cfg.Alerts.ReconcileInterval, run)
		return nil
	})
	spawn("signals", s.signals.Run)
	s.ready.Store(true)
	s.log.Info("sink running", zap.Int("notifiers", len(s.dests)), zap.Bool("api_decisions", s.token != ""))
	<-ctx.Done()
	s.ready.Store(false)
	wg.Wait()
	// Alerts waiting for a digest go out now rather than wait for the
	// next start.
	fctx, fcancel := context.WithTimeout(context.Background(), s.ackWait)
	s.flushDigests(fctx)
	fcancel()
	select {
	case err := <-errc:
		return err
	default:
		return nil
	}
}

func (s *Sink) every(ctx context.Context, d time.Duration, fn func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// rebuild replays hw.cases.> (decisions, alert records, takedown states)
// and hw.findings.> into the case view. Both are idempotent, so a
// persistent (Redis) view is merely confirmed and a wiped one restored.
// It returns the sequence to follow hw.cases.> from.
func (s *Sink) rebuild(ctx context.Context) (uint64, error) {
	start := s.now()
	var lastEvent uint64
	nEvents := 0
	err := s.bus.Replay(ctx, bus.StreamCases, "", func(m bus.Msg) error {
		lastEvent = m.Seq
		nEvents++
		return retry(ctx, 5, func() error { return s.handleCaseEvent(ctx, m, fromReplay) })
	})
	if err != nil {
		return 0, fmt.Errorf("rebuilding from case events: %w", err)
	}
	// Findings and tallies go from their checkpoints (all of them on
	// memory state, or when Redis lost its checkpoint).
	fromFindings, _, err := s.checkpoint(ctx, checkpointFindings)
	if err != nil {
		return 0, err
	}
	fromStats, _, err := s.checkpoint(ctx, checkpointStats)
	if err != nil {
		return 0, err
	}
	nFindings, bad := 0, 0
	lastFinding, err := s.bus.ReplayFrom(ctx, bus.StreamFindings, "", fromFindings+1, func(m bus.Msg) error {
		nFindings++
		f, err := decodeFinding(m.Data)
		if err != nil {
			// The live consumer terminated it as poison with the reason;
			// a replay only counts it.
			bad++
			return nil
		}
		return retry(ctx, 5, func() error { return s.applyFinding(ctx, f, m.Time, false) })
	})
	if err != nil {
		return 0, fmt.Errorf("rebuilding from findings: %w", err)
	}
	if lastFinding < fromFindings {
		// The stream is behind the checkpoint: it was recreated, and the
		// checkpoint vouches for nothing in it.
		s.log.Warn("findings stream is behind the replay checkpoint: replaying it all",
			zap.Uint64("checkpoint", fromFindings), zap.Uint64("last_seq", lastFinding))
		fromFindings = 0
		lastFinding, err = s.bus.ReplayFrom(ctx, bus.StreamFindings, "", 1, func(m bus.Msg) error {
			nFindings++
			f, err := decodeFinding(m.Data)
			if err != nil {
				bad++
				return nil
			}
			return retry(ctx, 5, func() error { return s.applyFinding(ctx, f, m.Time, false) })
		})
		if err != nil {
			return 0, fmt.Errorf("rebuilding from findings: %w", err)
		}
	}
	nTallies := 0
	lastTally, err := s.bus.ReplayFrom(ctx, bus.StreamStats, "", fromStats+1, func(m bus.Msg) error {
		nTallies++
		return retry(ctx, 5, func() error {
			var t wire.ScanTally
			if json.Unmarshal(m.Data, &t) != nil {
				return nil // poison, terminated by the live consumer
			}
			if err := s.countTally(ctx, t); err != nil && !errors.Is(err, bus.ErrPoison) {
				return err
			}
			return nil
		})
	})
	if err != nil {
		return 0, fmt.Errorf("rebuilding from scan tallies: %w", err)
	}
	// The tallies' checkpoint first: the findings' one is what says the
	// state is there at all.
	if err := s.setCheckpoint(ctx, checkpointStats, max(lastTally, fromStats)); err != nil {
		return 0, err
	}
	if err := s.setCheckpoint(ctx, checkpointFindings, max(lastFinding, fromFindings)); err != nil {
		return 0, err
	}
	took := s.now().Sub(start)
	s.m.rebuildSeconds.Set(took.Seconds())
	s.m.rebuildMsgs.WithLabelValues(bus.StreamCases).Set(float64(nEvents))
	s.m.rebuildMsgs.WithLabelValues(bus.StreamFindings).Set(float64(nFindings))
	s.m.rebuildMsgs.WithLabelValues(bus.StreamStats).Set(float64(nTallies))
	s.log.Info("sink rebuilt from the streams", zap.Int("case_events", nEvents),
		zap.Uint64("findings_from_seq", fromFindings+1), zap.Int("findings", nFindings),
		zap.Int("invalid_findings", bad), zap.Int("scan_tallies", nTallies), zap.Duration("took", took))
	return lastEvent + 1, nil
}
