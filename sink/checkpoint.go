package sink

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
)

// Checkpoints of the start-up replay, for a sink on Redis: the stream
// sequence up to which the findings (and scan tallies) are folded into the
// derived state in Redis, kept as a state cursor beside that state. A
// restart replays only what follows. The checkpoint lives in the same
// Redis as what it vouches for, so a wiped Redis loses both: its absence
// means "rebuild everything", at start-up and while running (ensureState).
// A sink on memory state has nothing to vouch for and replays all.
const (
	checkpointFindings = "sink/checkpoint/" + bus.StreamFindings
	checkpointStats    = "sink/checkpoint/" + bus.StreamStats
)

// checkpointing reports whether derived state survives this process.
func (s *Sink) checkpointing() bool {
	_, ok := s.state.(*state.Redis)
	return ok
}

// checkpoint reads the stored checkpoint of key; ok is false when there is
// none (a first start or a wiped Redis).
func (s *Sink) checkpoint(ctx context.Context, key string) (uint64, bool, error) {
	if !s.checkpointing() {
		return 0, false, nil
	}
	v, ok, err := s.state.Cursor(ctx, key)
	if err != nil || !ok {
		return 0, false, err
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, false, nil // unreadable: replay all
	}
	return n, true, nil
}

func (s *Sink) setCheckpoint(ctx context.Context, key string, seq uint64) error {
	if !s.checkpointing() {
		return nil
	}
	if err := s.state.SetCursor(ctx, key, strconv.FormatUint(seq, 10)); err != nil {
		return fmt.Errorf("saving replay checkpoint %s: %w", key, err)
	}
	return nil
}

// advanceCheckpoints moves the checkpoints up to what the live consumers
// (of every sink process) have acked: those messages are folded into
// Redis. A checkpoint only moves forward, and never appears where there
// was none (that would hide a wipe).
func (s *Sink) advanceCheckpoints(ctx context.Context) error {
	if !s.checkpointing() {
		return nil
	}
	var errs []error
	for _, c := range []struct{ key, stream, durable string }{
		{checkpointFindings, bus.StreamFindings, ConsumerName},
		{checkpointStats, bus.StreamStats, TalliesConsumerName},
	} {
		cur, ok, err := s.checkpoint(ctx, c.key)
		if err != nil || !ok {
			errs = append(errs, err)
			continue
		}
		floor, err := s.bus.AckFloor(ctx, c.stream, c.durable)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if floor > cur {
			// Only where it still exists: set blindly, it could reappear
			// in a Redis flushed since the read above and hide the wipe.
			if _, err := s.state.(*state.Redis).AdvanceCursor(ctx, c.key, strconv.FormatUint(floor, 10)); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// errRebuilding redelivers a message that arrived while the derived state
// was being rebuilt after a wipe.
var errRebuilding = errors.New("sink: derived state is being rebuilt from the streams")

// ensureState checks, before a message changes derived state, that the
// state is still there: a Redis that was flushed or replaced has lost its
// checkpoint, and acting on it would alert cases again whose alert records
// went with it. It then rebuilds everything from the streams (once, while
// the messages that meet it wait) and lets the message go on.
func (s *Sink) ensureState(ctx context.Context) error {
	if !s.checkpointing() {
		return nil
	}
	if _, ok, err := s.state.Cursor(ctx, checkpointFindings); err != nil || ok {
		return err
	}
	if !s.rebuildMu.TryLock() {
		return errRebuilding
	}
	defer s.rebuildMu.Unlock()
	if _, ok, err := s.state.Cursor(ctx, checkpointFindings); err != nil || ok {
		return err // another path rebuilt it meanwhile
	}
	s.log.Warn("derived state is missing from Redis (flushed or replaced): rebuilding from the streams")
	s.m.stateWipes.Inc()
	start := time.Now()
	if _, err := s.rebuild(ctx); err != nil {
		return fmt.Errorf("rebuilding after a wipe: %w", err)
	}
	s.log.Info("derived state rebuilt after a wipe", zap.Duration("took", time.Since(start)))
	return nil
}
