package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Follow calls fn on every message of stream from sequence from on, in
// order, until ctx is done, with an ordered ephemeral consumer of this
// process's own: every process sees every message (unlike a durable
// consumer, which shares them out). fn is retried with backoff until it
// succeeds, because an ordered consumer cannot skip a message and come back
// to it; a broken consumer is recreated from the next sequence.
func (b *Bus) Follow(ctx context.Context, stream string, from uint64, fn func(context.Context, Msg) error) error {
	log := b.log.With(zap.String("stream", stream))
	next := max(from, 1)
	for ctx.Err() == nil {
		last, err := b.followOnce(ctx, log, stream, next, fn)
		if last >= next {
			next = last + 1
		}
		if ctx.Err() != nil {
			break
		}
		log.Warn("following stream stopped: resuming", zap.Uint64("from_seq", next), zap.Error(err))
		if !sleep(ctx, time.Second) {
			break
		}
	}
	return nil
}

func (b *Bus) followOnce(ctx context.Context, log *zap.Logger, stream string, from uint64, fn func(context.Context, Msg) error) (uint64, error) {
	st, err := b.js.Stream(ctx, b.cfg.streamName(stream))
	if err != nil {
		return 0, fmt.Errorf("opening stream %s: %w", stream, err)
	}
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if from > 1 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	cons, err := st.OrderedConsumer(ctx, cfg)
	if err != nil {
		return 0, fmt.Errorf("following %s: %w", stream, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return 0, fmt.Errorf("following %s: %w", stream, err)
	}
	defer it.Stop()
	stop := context.AfterFunc(ctx, it.Stop)
	defer stop()
	var last uint64
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return last, nil
			}
			return last, fmt.Errorf("following %s: %w", stream, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return last, fmt.Errorf("following %s: %w", stream, err)
		}
		msg := Msg{Subject: b.cfg.wireSubject(m.Subject()), Data: m.Data(), MsgID: m.Headers().Get("Nats-Msg-Id"),
			Seq: md.Sequence.Stream, Delivered: 1, Time: md.Timestamp}
		for wait := 100 * time.Millisecond; ; wait = min(2*wait, 30*time.Second) {
			err := fn(ctx, msg)
			if err == nil {
				break
			}
			log.Warn("message failed: retrying in order", zap.Uint64("seq", msg.Seq), zap.String("msg_id", msg.MsgID), zap.Error(err))
			if !sleep(ctx, wait) {
				return last, nil
			}
		}
		last = msg.Seq
	}
}

// sleep waits d or until ctx ends; false when ctx ended.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
