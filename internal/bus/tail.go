package bus

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// A stream can lose the tail of its messages after they were
// acknowledged to the publisher and delivered: a JetStream file store
// (nats-server 2.9) acknowledges a message once it is in its write
// buffer, and when that buffer cannot be written (disk full) the
// messages in it are dropped and the stream's last sequence goes back.
// New messages then take the lost sequences again. A durable consumer
// keeps the sequence it delivered up to, and would skip every new message
// stored at a sequence it delivered before: a finding in the stream of
// record that the sink never counts nor alerts, a post the detector never
// scans.
//
// The tail watch of a consumer notices that: every tailCheck it compares
// the messages it handed to the handler (the newest of each of the last
// tailProbes checks) with what the stream now holds at their sequences,
// and the consumer's delivered sequence with the stream's last one.
// When the stream went back, it hands the messages after the last
// sequence that still holds what it held, up to where the consumer has
// delivered, to the handler once more, outside the consumer (handlers
// are idempotent on the message id); the consumer goes on from there as
// before.
const (
	tailCheck  = time.Second
	tailProbes = 16
)

// probe is a message the consumer delivered: its sequence and identity.
type probe struct {
	seq   uint64
	msgID string
	sum   uint64 // FNV-1a of the data, for messages without an id
}

func probeOf(seq uint64, msgID string, data []byte) probe {
	h := fnv.New64a()
	_, _ = h.Write(data)
	return probe{seq: seq, msgID: msgID, sum: h.Sum64()}
}

// tailWatch keeps the probes of one consumer, and what it hands over
// again after a loss.
type tailWatch struct {
	mu     sync.Mutex
	newest probe   // the delivered message with the highest sequence
	probes []probe // newest of each recent check, oldest first
	// After a loss the consumer skips every new message stored at or
	// below horizon; the ones up to handed are handed over. New messages
	// keep coming at the lost sequences until the stream is past horizon.
	horizon, handed uint64
}

// saw records a delivered message; nil-safe for tests that call handle
// without a watch.
func (w *tailWatch) saw(m Msg) {
	if w == nil || m.Seq == 0 {
		return
	}
	p := probeOf(m.Seq, m.MsgID, m.Data)
	w.mu.Lock()
	if p.seq > w.newest.seq {
		w.newest = p
	}
	w.mu.Unlock()
}

// snapshot adds the newest delivered message to the probes and returns
// them, lowest sequence first.
func (w *tailWatch) snapshot() []probe {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.newest.seq != 0 && (len(w.probes) == 0 || w.probes[len(w.probes)-1] != w.newest) {
		w.probes = append(w.probes, w.newest)
		if len(w.probes) > tailProbes {
			w.probes = w.probes[len(w.probes)-tailProbes:]
		}
	}
	out := append([]probe(nil), w.probes...)
	sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	return out
}

// pending is the range still to hand over after a loss.
func (w *tailWatch) pending() (from, upTo uint64, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.handed + 1, w.horizon, w.handed < w.horizon
}

// lost records a loss found by checkTail: the probes after from are
// gone, and from..upTo is to be handed over.
func (w *tailWatch) lost(from, upTo uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	kept := w.probes[:0]
	for _, p := range w.probes {
		if p.seq < from {
			kept = append(kept, p)
		}
	}
	w.probes = kept
	if w.newest.seq >= from {
		w.newest = probe{}
	}
	w.handed, w.horizon = from-1, max(upTo, from-1)
}

// handedOver records that the messages up to seq are handed over; last
// is the last of them (seq 0: none), a probe for the checks to come.
func (w *tailWatch) handedOver(seq uint64, last probe) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.handed = max(w.handed, seq)
	if last.seq != 0 {
		w.probes = append(w.probes, last)
		if len(w.probes) > tailProbes {
			w.probes = w.probes[len(w.probes)-tailProbes:]
		}
	}
}

// watchTail starts the tail watch of one Consume call; wait returns when
// it has stopped (after ctx is done).
func (b *Bus) watchTail(ctx, hctx context.Context, log *zap.Logger, spec ConsumerSpec, stream string, h Handler) (*tailWatch, *sync.WaitGroup) {
	w := &tailWatch{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(tailCheck)
		defer tick.Stop()
		reconnects := b.reconnects.Load()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if r := b.reconnects.Load(); r != reconnects {
				reconnects = r
				log.Info("reconnected: checking that the stream kept what was delivered")
			}
			from, upTo, ok := w.pending()
			if !ok {
				var why string
				var err error
				from, upTo, why, err = b.checkTail(ctx, spec, w)
				if err != nil {
					if ctx.Err() == nil {
						log.Debug("checking the stream's tail", zap.Error(err))
					}
					continue
				}
				if why == "" {
					continue
				}
				log.Warn("the stream lost messages it had delivered and takes new ones at their sequences: handing those to the handler again",
					zap.String("reason", why), zap.Uint64("from_seq", from), zap.Uint64("up_to_seq", upTo))
				w.lost(from, upTo)
			}
			handed, last, n, err := b.redeliverTail(ctx, hctx, log, spec, stream, h, from, upTo)
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("handing messages to the handler again failed: retrying at the next check", zap.Error(err))
				}
				continue
			}
			w.handedOver(handed, last)
			if n > 0 {
				log.Info("messages at lost sequences handed to the handler again", zap.Int("messages", n),
					zap.Uint64("from_seq", from), zap.Uint64("handed_to_seq", handed), zap.Uint64("horizon_seq", upTo))
			}
		}
	}()
	return w, &wg
}

// checkTail compares the probes with the stream. why is "" when the
// stream holds what it held; otherwise the messages from..upTo must be
// handed to the handler again.
func (b *Bus) checkTail(ctx context.Context, spec ConsumerSpec, w *tailWatch) (from, upTo uint64, why string, err error) {
	// The probes, then the consumer, then the stream: read in that order,
	// the stream's last sequence is at least every sequence the others
	// name unless the stream went back.
	probes := w.snapshot()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	cons, err := b.js.Consumer(cctx, b.cfg.streamName(spec.Stream), spec.Durable)
	if err != nil {
		return 0, 0, "", fmt.Errorf("opening consumer %s: %w", spec.Durable, err)
	}
	delivered := cons.CachedInfo().Delivered.Stream
	st, err := b.js.Stream(cctx, b.cfg.streamName(spec.Stream))
	if err != nil {
		return 0, 0, "", fmt.Errorf("opening stream %s: %w", spec.Stream, err)
	}
	info := st.CachedInfo()
	workQueue := info.Config.Retention == jetstream.WorkQueuePolicy
	last, first := info.State.LastSeq, info.State.FirstSeq
	// The last probe that still holds its message: what follows it may be
	// new. Lowest sequence first, so the first one that does not hold
	// its message decides.
	var good uint64
	for _, p := range probes {
		var lost string
		switch {
		case p.seq > last:
			lost = fmt.Sprintf("sequence %d was delivered, the stream ends at %d", p.seq, last)
		case p.seq < first && !workQueue:
			continue // aged out
		default:
			m, gerr := st.GetMsg(cctx, p.seq)
			switch {
			case errors.Is(gerr, jetstream.ErrMsgNotFound):
				if !workQueue { // a work queue deletes what was acked
					lost = fmt.Sprintf("sequence %d was delivered and is gone", p.seq)
				}
			case gerr != nil:
				return 0, 0, "", fmt.Errorf("reading %s seq %d: %w", spec.Stream, p.seq, gerr)
			case probeOf(m.Sequence, m.Header.Get("Nats-Msg-Id"), m.Data) != p:
				lost = fmt.Sprintf("sequence %d holds another message than the one delivered", p.seq)
			}
		}
		if lost != "" {
			return max(good+1, first), max(delivered, p.seq), lost, nil
		}
		good = p.seq
	}
	if delivered > last {
		// The probes are older than the loss: what the stream lost starts
		// after the newest probe at the latest.
		return max(good+1, first), delivered, fmt.Sprintf("the consumer delivered up to %d, the stream ends at %d", delivered, last), nil
	}
	return 0, 0, "", nil
}

// errTailDone ends the replay at the consumer's delivered sequence.
var errTailDone = errors.New("tail handed over")

// redeliverTail hands the stored messages from..upTo to h, as the
// consumer would (retries with its backoff, dead letters), with an ack
// that deletes the message from a work queue. It returns the sequence up
// to which the stream has been handed over (it may end before upTo: the
// rest comes later), the last message handed over as a probe, and how
// many were.
func (b *Bus) redeliverTail(ctx, hctx context.Context, log *zap.Logger, spec ConsumerSpec, stream string, h Handler,
	from, upTo uint64) (uint64, probe, int, error) {
	st, err := b.js.Stream(ctx, b.cfg.streamName(spec.Stream))
	if err != nil {
		return 0, probe{}, 0, fmt.Errorf("opening stream %s: %w", spec.Stream, err)
	}
	info := st.CachedInfo()
	workQueue := info.Config.Retention == jetstream.WorkQueuePolicy
	n := 0
	var last probe
	fn := func(m Msg) error {
		if m.Seq > upTo {
			return errTailDone
		}
		n++
		last = probeOf(m.Seq, m.MsgID, m.Data)
		m.Stream = stream
		seq, subject := m.Seq, m.Subject
		m.ack = func() error {
			if !workQueue {
				return nil // a limits stream keeps it: nothing to ack
			}
			actx, cancel := context.WithTimeout(hctx, 5*time.Second)
			defer cancel()
			if err := st.DeleteMsg(actx, seq); err != nil && !errors.Is(err, jetstream.ErrMsgNotFound) {
				return fmt.Errorf("acking %s seq %d: %w", subject, seq, err)
			}
			return nil
		}
		b.handleAgain(ctx, hctx, log, spec, m, h)
		return nil
	}
	var end uint64
	if workQueue {
		// A work queue takes no second consumer: read what is left of
		// the range message by message (what the consumer acked is gone).
		end, err = b.getRange(ctx, st, spec.Filter, from, min(upTo, info.State.LastSeq), fn)
	} else {
		end, err = b.ReplayFrom(ctx, spec.Stream, spec.Filter, from, fn)
	}
	switch {
	case errors.Is(err, errTailDone):
		end = upTo
	case err != nil:
		return 0, probe{}, n, err
	}
	return min(max(end, from-1), upTo), last, n, nil
}

// getRange calls fn on every message of st from..upTo on filter (a
// wire subject pattern, "" for all) that is stored, and returns upTo.
func (b *Bus) getRange(ctx context.Context, st jetstream.Stream, filter string, from, upTo uint64, fn func(Msg) error) (uint64, error) {
	for seq := from; seq <= upTo; seq++ {
		gctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		m, err := st.GetMsg(gctx, seq)
		cancel()
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("reading seq %d: %w", seq, err)
		}
		if filter != "" && !subjectMatches(b.cfg.subject(filter), m.Subject) {
			continue
		}
		if err := fn(Msg{Subject: b.cfg.wireSubject(m.Subject), Data: m.Data, MsgID: m.Header.Get("Nats-Msg-Id"),
			Seq: m.Sequence, Delivered: 1, Time: m.Time}); err != nil {
			return 0, err
		}
	}
	return upTo, nil
}

// subjectMatches reports whether subject matches the NATS pattern.
func subjectMatches(pattern, subject string) bool {
	ps, ss := strings.Split(pattern, "."), strings.Split(subject, ".")
	for i, p := range ps {
		switch {
		case p == ">":
			return len(ss) > i
		case i >= len(ss):
			return false
		case p != "*" && p != ss[i]:
			return false
		}
	}
	return len(ps) == len(ss)
}

// handleAgain is handle for a message the tail watch hands over: the
// handler runs on hctx (a shutdown lets it finish), the retries stop
// with ctx.
func (b *Bus) handleAgain(ctx, hctx context.Context, log *zap.Logger, spec ConsumerSpec, m Msg, h Handler) {
	fields := []zap.Field{zap.String("subject", m.Subject), zap.Uint64("seq", m.Seq), zap.String("msg_id", m.MsgID)}
	for attempt := uint64(1); ; attempt++ {
		m.Delivered = attempt
		actx, cancel := context.WithTimeout(hctx, spec.AckWait)
		err := h(actx, m)
		cancel()
		switch {
		case err == nil:
			if !spec.DeferAck {
				if aerr := m.Ack(); aerr != nil {
					log.Warn("ack of a message handed over again failed", append(fields, zap.Error(aerr))...)
				}
			}
			return
		case errors.Is(err, ErrPoison), attempt >= uint64(spec.MaxDeliver):
			poison := errors.Is(err, ErrPoison)
			dctx, dcancel := context.WithTimeout(hctx, 10*time.Second)
			derr := b.deadLetter(dctx, DeadLetter{Stream: spec.Stream, Consumer: spec.Durable, Subject: m.Subject, Seq: m.Seq,
				MsgID: m.MsgID, Delivered: attempt, Poison: poison, Reason: err.Error(), At: time.Now().UTC(), Data: m.Data})
			dcancel()
			if derr != nil {
				log.Error("dead letter not recorded: trying the message again", append(fields, zap.NamedError("reason", err), zap.Error(derr))...)
				break
			}
			log.Error("message handed over again dead-lettered", append(fields, zap.Bool("poison", poison), zap.Error(err))...)
			if aerr := m.Ack(); aerr != nil {
				log.Warn("ack of a dead-lettered message failed", append(fields, zap.Error(aerr))...)
			}
			return
		default:
			log.Warn("message handed over again failed: retrying", append(fields, zap.Error(err))...)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(spec.backoff(attempt)):
		}
	}
}
