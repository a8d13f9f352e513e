package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// ErrPoison marks a message that can never be processed (malformed, wrong
// schema). The consumer terminates it with the reason instead of
// redelivering it.
var ErrPoison = errors.New("poison message")

// Poison wraps err as ErrPoison.
func Poison(err error) error { return fmt.Errorf("%w: %w", ErrPoison, err) }

// Msg is one delivered message.
type Msg struct {
	Subject   string
	Data      []byte
	MsgID     string // the publisher's JetStream message id
	Seq       uint64 // stream sequence
	Delivered uint64 // 1 on first delivery
	Time      time.Time
	// Stream names the stream the message is in as "<server-side
	// name>@<its creation time, unix ns>": Seq is unique within it, and
	// a stream deleted and made again is another one.
	Stream string

	jm jetstream.Msg // nil in a replay
	// ack acks a message the tail watch hands over again (tail.go),
	// which no consumer delivered: nil for a plain replay.
	ack func() error
}

// Ack acks the message: for handlers of a ConsumerSpec with DeferAck,
// once what the message is for is durable. It is a plain ack, not waited
// for: a lost ack only redelivers the message, which handlers tolerate.
func (m Msg) Ack() error {
	if m.jm == nil {
		if m.ack != nil {
			return m.ack()
		}
		return errors.New("ack: a replayed message has nothing to ack")
	}
	if err := m.jm.Ack(); err != nil {
		return fmt.Errorf("acking %s seq %d: %w", m.Subject, m.Seq, err)
	}
	return nil
}

// Handler processes one message. nil acks it; an ErrPoison terminates it;
// any other error redelivers it after a backoff, up to MaxDeliver times.
// Handlers must be idempotent on Msg.MsgID: a message may come twice.
type Handler func(ctx context.Context, m Msg) error

// ConsumerSpec describes a durable pull consumer.
type ConsumerSpec struct {
	Stream  string
	Durable string
	Filter  string // subject filter; empty is the whole stream
	// MaxDeliver bounds redelivery; the last failure terminates the
	// message with its error as the reason.
	MaxDeliver int
	// AckWait is how long a handler may take. The server is told a much
	// shorter ack wait (serverAckWait) and kept informed while a handler
	// runs, so the messages of a process that died come back within
	// seconds, not after a slow handler's whole budget.
	AckWait time.Duration
	// MaxInFlight bounds the messages pulled ahead of the handler (16
	// by default): what a killed process strands until the server's ack
	// wait ends, and what waits behind a slow handler.
	MaxInFlight int
	// Backoff is the redelivery delay after the n-th failure (the last
	// entry repeats).
	Backoff []time.Duration
	// DeferAck leaves the ack of a message its handler returned nil for
	// to the handler's owner, who calls Msg.Ack once the message's effect
	// is durable (the detector: once the tally counting the post is
	// published). It must ack well within serverAckWait, the server's
	// ack wait, or the message is redelivered; errors and poison are
	// handled as without it.
	DeferAck bool
	// MaxAckPending bounds the messages delivered and not yet acked on
	// the server, over every process of the durable (0: the server's
	// default, 1,000). With DeferAck it must exceed what all the
	// processes hold at once.
	MaxAckPending int
}

func (s ConsumerSpec) withDefaults() ConsumerSpec {
	if s.MaxDeliver == 0 {
		s.MaxDeliver = 5
	}
	if s.AckWait == 0 {
		s.AckWait = 30 * time.Second
	}
	if s.MaxInFlight == 0 {
		s.MaxInFlight = 16
	}
	if len(s.Backoff) == 0 {
		s.Backoff = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute}
	}
	return s
}

func (s ConsumerSpec) backoff(delivered uint64) time.Duration {
	i := int(delivered) - 1
	if i >= len(s.Backoff) {
		i = len(s.Backoff) - 1
	}
	if i < 0 {
		i = 0
	}
	return s.Backoff[i]
}

// Consume runs h on every message of the durable consumer until ctx is
// done, then stops pulling, lets the message in hand finish and returns.
// Several processes consuming the same durable share its messages.
func (b *Bus) Consume(ctx context.Context, spec ConsumerSpec, h Handler) error {
	spec = spec.withDefaults()
	log := b.log.With(zap.String("stream", spec.Stream), zap.String("consumer", spec.Durable))
	cons, err := b.js.CreateOrUpdateConsumer(ctx, b.cfg.streamName(spec.Stream), jetstream.ConsumerConfig{
		Durable:       spec.Durable,
		FilterSubject: b.cfg.subject(spec.Filter),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       min(spec.AckWait, b.serverAckWait()),
		// Unbounded on the server: with the short server ack wait, messages
		// pulled behind a slow handler time out and come back without ever
		// failing, and a server-side bound would drop them silently. The
		// bound is kept here instead: a handler failure at delivery
		// MaxDeliver or later dead-letters the message.
		MaxDeliver:    -1,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		MaxAckPending: spec.MaxAckPending,
	})
	if err != nil {
		return fmt.Errorf("creating consumer %s on %s: %w", spec.Durable, spec.Stream, err)
	}
	stream, err := b.streamIdentity(ctx, spec.Stream)
	if err != nil {
		return err
	}
	// Handlers outlive ctx by up to AckWait so that a shutdown finishes the
	// message in hand instead of abandoning it half done.
	hctx := context.WithoutCancel(ctx)
	w, watching := b.watchTail(ctx, hctx, log, spec, stream, h)
	defer watching.Wait()
	if spec.DeferAck {
		return b.fetchLoop(ctx, hctx, log, spec, stream, cons, h, w)
	}
	var inflight sync.WaitGroup
	// Consume calls back one message at a time.
	hand := newInHand(b.serverAckWait() / 3)
	defer hand.stop()
	cc, err := cons.Consume(func(m jetstream.Msg) {
		inflight.Add(1)
		defer inflight.Done()
		b.handle(hctx, log, spec, stream, m, h, w, hand)
	}, jetstream.PullMaxMessages(spec.MaxInFlight), jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		if !errors.Is(err, jetstream.ErrNoHeartbeat) || ctx.Err() == nil {
			log.Warn("consumer error", zap.Error(err))
		}
	}))
	if err != nil {
		return fmt.Errorf("consuming %s: %w", spec.Durable, err)
	}
	<-ctx.Done()
	cc.Drain()
	select {
	case <-cc.Closed():
	case <-time.After(spec.AckWait):
		cc.Stop()
	}
	inflight.Wait()
	return nil
}

// fetchLoop consumes by explicit fetches of MaxInFlight messages, the
// next one sent as soon as the last message of the previous one is in,
// while the handler works through a buffer of MaxInFlight. Deferred-ack
// handlers return in microseconds, and with handlers that fast
// jetstream's Consume was seen to stop pulling for 30 s (two missed
// heartbeats) with thousands of messages pending: its refill request is
// skipped while the previous one is still being sent, and no message is
// left to trigger another. A fetch loop cannot stall so.
func (b *Bus) fetchLoop(ctx, hctx context.Context, log *zap.Logger, spec ConsumerSpec, stream string,
	cons jetstream.Consumer, h Handler, w *tailWatch) error {
	msgs := make(chan jetstream.Msg, spec.MaxInFlight)
	go func() {
		defer close(msgs)
		failures := 0
		for ctx.Err() == nil {
			batch, err := cons.Fetch(spec.MaxInFlight, jetstream.FetchMaxWait(fetchWait))
			if err == nil {
				for m := range batch.Messages() {
					msgs <- m // handled even after ctx is done: it is delivered
				}
				err = batch.Error()
			}
			switch {
			case err == nil, errors.Is(err, jetstream.ErrNoMessages), errors.Is(err, nats.ErrTimeout):
				failures = 0
			default:
				failures++
				if ctx.Err() == nil {
					log.Warn("fetching messages failed: retrying", zap.Error(err), zap.Int("failures", failures))
				}
				select {
				case <-ctx.Done():
				case <-time.After(min(time.Duration(failures)*100*time.Millisecond, 2*time.Second)):
				}
			}
		}
	}()
	hand := newInHand(b.serverAckWait() / 3)
	defer hand.stop()
	for m := range msgs {
		b.handle(hctx, log, spec, stream, m, h, w, hand)
	}
	return nil
}

// fetchWait is how long a fetch waits for its first message.
const fetchWait = time.Second

// serverAckWait is the ack wait the server applies; handlers that take
// longer keep their messages with in-progress acks.
const serverAckWait = 10 * time.Second

func (b *Bus) serverAckWait() time.Duration {
	if b.ackWait > 0 {
		return b.ackWait // a test's
	}
	return serverAckWait
}

// streamIdentity is Msg.Stream for the messages of a logical stream.
func (b *Bus) streamIdentity(ctx context.Context, logical string) (string, error) {
	st, err := b.js.Stream(ctx, b.cfg.streamName(logical))
	if err != nil {
		return "", fmt.Errorf("opening stream %s: %w", logical, err)
	}
	info := st.CachedInfo()
	return fmt.Sprintf("%s@%d", info.Config.Name, info.Created.UnixNano()), nil
}

// inHand keeps the server informed of the messages a consumer loop is
// handling: every beat (serverAckWait/3) it sends an in-progress ack for each
// message in hand, so none leaves the server's ack wait while its
// handler runs; a process that dies stops telling it, and the message is
// redelivered after serverAckWait. One goroutine per loop instead of a
// ticker and a goroutine per message: deferred-ack handlers take
// microseconds.
type inHand struct {
	mu   sync.Mutex
	next uint64
	msgs map[uint64]jetstream.Msg
	done chan struct{}
}

func newInHand(beat time.Duration) *inHand {
	h := &inHand{msgs: map[uint64]jetstream.Msg{}, done: make(chan struct{})}
	go func() {
		t := time.NewTicker(beat)
		defer t.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-t.C:
				h.mu.Lock()
				for _, m := range h.msgs {
					_ = m.InProgress()
				}
				h.mu.Unlock()
			}
		}
	}()
	return h
}

// hold puts m in hand until release is called with the key it returns.
func (h *inHand) hold(m jetstream.Msg) uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.next++
	h.msgs[h.next] = m
	return h.next
}

func (h *inHand) release(k uint64) {
	h.mu.Lock()
	delete(h.msgs, k)
	h.mu.Unlock()
}

func (h *inHand) stop() { close(h.done) }

func (b *Bus) handle(ctx context.Context, log *zap.Logger, spec ConsumerSpec, stream string, m jetstream.Msg, h Handler, w *tailWatch, hand *inHand) {
	msg := Msg{Subject: b.cfg.wireSubject(m.Subject()), Data: m.Data(), MsgID: m.Headers().Get("Nats-Msg-Id"), Delivered: 1,
		Stream: stream, jm: m}
	if md, err := m.Metadata(); err == nil {
		msg.Seq, msg.Delivered, msg.Time = md.Sequence.Stream, md.NumDelivered, md.Timestamp
	}
	w.saw(msg)
	hctx, cancel := context.WithTimeout(ctx, spec.AckWait)
	held := hand.hold(m)
	err := h(hctx, msg)
	hand.release(held)
	cancel()
	if err == nil && spec.DeferAck {
		return // the handler's owner acks it (Msg.Ack)
	}
	fields := []zap.Field{zap.String("subject", msg.Subject), zap.Uint64("seq", msg.Seq),
		zap.String("msg_id", msg.MsgID), zap.Uint64("delivered", msg.Delivered)}
	switch {
	case err == nil:
		if aerr := m.DoubleAck(ctx); aerr != nil {
			log.Warn("ack failed: message will be redelivered", append(fields, zap.Error(aerr))...)
		}
	case errors.Is(err, ErrPoison), msg.Delivered >= uint64(spec.MaxDeliver):
		poison := errors.Is(err, ErrPoison)
		// The dead-letter record first: a message is only terminated once
		// it is kept with its reason, else it comes back later.
		dctx, dcancel := context.WithTimeout(ctx, 10*time.Second)
		derr := b.deadLetter(dctx, DeadLetter{Stream: spec.Stream, Consumer: spec.Durable, Subject: msg.Subject, Seq: msg.Seq,
			MsgID: msg.MsgID, Delivered: msg.Delivered, Poison: poison, Reason: err.Error(), At: time.Now().UTC(), Data: msg.Data})
		dcancel()
		if derr != nil {
			log.Error("dead letter not recorded: redelivering", append(fields, zap.NamedError("reason", err), zap.Error(derr))...)
			_ = m.NakWithDelay(spec.backoff(msg.Delivered))
			return
		}
		if poison {
			log.Error("poison message dead-lettered", append(fields, zap.Error(err))...)
		} else {
			log.Error("message failed its last delivery: dead-lettered", append(fields, zap.Error(err))...)
		}
		b.term(m, err)
	default:
		delay := spec.backoff(msg.Delivered)
		log.Warn("message failed: redelivering", append(fields, zap.Duration("delay", delay), zap.Error(err))...)
		if nerr := m.NakWithDelay(delay); nerr != nil {
			log.Warn("nak failed", append(fields, zap.Error(nerr))...)
		}
	}
}

// term terminates m, with the reason where the server takes one. A
// nats-server before 2.10 knows only a bare "+TERM" and ignores
// "+TERM <reason>" without a word, so the message came back every ack
// wait for good; the reason is in the dead-letter record anyway.
func (b *Bus) term(m jetstream.Msg, err error) {
	if !b.termReasons() {
		_ = m.Term()
		return
	}
	reason := err.Error()
	if len(reason) > 200 {
		reason = reason[:200]
	}
	if terr := m.TermWithReason(reason); terr != nil {
		_ = m.Term()
	}
}

// termReasons reports whether the connected server is 2.10 or later.
func (b *Bus) termReasons() bool {
	var major, minor int
	if _, err := fmt.Sscanf(b.nc.ConnectedServerVersion(), "%d.%d", &major, &minor); err != nil {
		return false
	}
	return major > 2 || (major == 2 && minor >= 10)
}

// Replay calls fn on every message of stream (optionally only those on
// filter) that was in it when Replay started, in order, and returns when it
// has seen the last one. It is how derived state is rebuilt after a restart
// or a wiped Redis.
func (b *Bus) Replay(ctx context.Context, stream, filter string, fn func(Msg) error) error {
	_, err := b.ReplayFrom(ctx, stream, filter, 1, fn)
	return err
}

// ReplayFrom is Replay from sequence from on (a checkpoint's next). It
// returns the stream's last sequence when it started, which every
// message up to has been seen by fn: the next checkpoint.
func (b *Bus) ReplayFrom(ctx context.Context, stream, filter string, from uint64, fn func(Msg) error) (uint64, error) {
	st, err := b.js.Stream(ctx, b.cfg.streamName(stream))
	if err != nil {
		return 0, fmt.Errorf("opening stream %s: %w", stream, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading stream %s: %w", stream, err)
	}
	last := info.State.LastSeq
	if info.State.Msgs == 0 || last == 0 || from > last {
		return last, nil
	}
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if from > 1 {
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, from
	}
	if filter != "" {
		cfg.FilterSubjects = []string{b.cfg.subject(filter)}
	}
	cons, err := st.OrderedConsumer(ctx, cfg)
	if err != nil {
		return 0, fmt.Errorf("replaying %s: %w", stream, err)
	}
	// The server would keep the consumer, with the rest of the stream
	// pending on it, for its inactive threshold (five minutes).
	defer func() {
		if ci := cons.CachedInfo(); ci != nil {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_ = st.DeleteConsumer(dctx, ci.Name)
			cancel()
		}
	}()
	if ci := cons.CachedInfo(); ci != nil && ci.NumPending == 0 {
		return last, nil
	}
	it, err := cons.Messages()
	if err != nil {
		return 0, fmt.Errorf("replaying %s: %w", stream, err)
	}
	defer it.Stop()
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			it.Stop()
		case <-done:
		}
	}()
	for {
		m, err := it.Next()
		if err != nil {
			if ctx.Err() != nil {
				return 0, ctx.Err()
			}
			return 0, fmt.Errorf("replaying %s: %w", stream, err)
		}
		md, err := m.Metadata()
		if err != nil {
			return 0, fmt.Errorf("replaying %s: %w", stream, err)
		}
		msg := Msg{Subject: b.cfg.wireSubject(m.Subject()), Data: m.Data(), MsgID: m.Headers().Get("Nats-Msg-Id"),
			Seq: md.Sequence.Stream, Delivered: 1, Time: md.Timestamp}
		if err := fn(msg); err != nil {
			return 0, err
		}
		if md.Sequence.Stream >= last || md.NumPending == 0 {
			return last, nil
		}
	}
}

// AckFloor is the stream sequence up to which every message of the
// durable consumer is acked (or terminated): what the consumers have
// finished with. 0 when the consumer does not exist yet.
func (b *Bus) AckFloor(ctx context.Context, stream, durable string) (uint64, error) {
	c, err := b.js.Consumer(ctx, b.cfg.streamName(stream), durable)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("opening consumer %s on %s: %w", durable, stream, err)
	}
	info, err := c.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading consumer %s on %s: %w", durable, stream, err)
	}
	return info.AckFloor.Stream, nil
}
