package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// A publish acknowledgement is not yet a stored message: a JetStream file
// store (nats-server 2.9) acknowledges a message once it is in its write
// buffer and writes the buffer a few milliseconds later. When that write
// fails (disk full), the buffered messages are dropped, though their
// publishers were told they were stored. A publisher that must not lose
// a message keeps it, with its Receipt, until Confirm says the stream
// still holds it once Settle has passed, and only then lets go of its
// source (acks the post it came from, saves the crawl cursor past it).

// Settle is how long after its acknowledgement a message has surely met
// the store's write: the file store flushes within milliseconds.
const Settle = time.Second

// Receipt is what a publish was acknowledged with, and the message, to
// publish it again.
type Receipt struct {
	Stream  string // server-side stream name
	Seq     uint64
	Subject string // as published (namespaced)
	MsgID   string
	Data    []byte
	At      time.Time // when the acknowledgement came
}

// PublishReceipt is Publish, returning the receipt to Confirm later.
func (b *Bus) PublishReceipt(ctx context.Context, subject, msgID string, v any) (Receipt, bool, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return Receipt{}, false, fmt.Errorf("encoding %s: %w", subject, err)
	}
	r := Receipt{Subject: b.cfg.subject(subject), MsgID: msgID, Data: data}
	ack, err := b.js.Publish(ctx, r.Subject, data, jetstream.WithMsgID(msgID))
	if err != nil {
		return Receipt{}, false, fmt.Errorf("publishing %s to %s: %w", msgID, subject, err)
	}
	r.Stream, r.Seq, r.At = ack.Stream, ack.Sequence, time.Now()
	return r, ack.Duplicate, nil
}

// Confirm waits until the newest receipt is Settle old, checks that the
// streams still hold the messages of rs (or, on a work queue, that they
// were delivered and taken), and publishes again the ones they lost. It
// returns how many it published again; an error means some are not
// confirmed: keep them all and confirm again later.
func (b *Bus) Confirm(ctx context.Context, rs []Receipt) (int, error) {
	var newest time.Time
	byStream := map[string][]Receipt{}
	for _, r := range rs {
		if r.At.After(newest) {
			newest = r.At
		}
		byStream[r.Stream] = append(byStream[r.Stream], r)
	}
	if wait := time.Until(newest.Add(Settle)); wait > 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return 0, ctx.Err()
		case <-t.C:
		}
	}
	again := 0
	var errs []error
	for name, group := range byStream {
		n, err := b.confirmStream(ctx, name, group)
		again += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return again, errors.Join(errs...)
}

// confirmStream confirms the receipts of one stream. A store loses the
// end of what it was given, so when the newest message is there, the
// older ones are too; only then is each one checked.
func (b *Bus) confirmStream(ctx context.Context, name string, rs []Receipt) (int, error) {
	st, err := b.js.Stream(ctx, name)
	if err != nil {
		return 0, fmt.Errorf("opening stream %s: %w", name, err)
	}
	newest := rs[0]
	for _, r := range rs {
		if r.Seq > newest.Seq {
			newest = r
		}
	}
	kept, err := b.stored(ctx, st, newest)
	if err != nil || kept {
		return 0, err
	}
	again := 0
	for _, r := range rs {
		kept, err := b.stored(ctx, st, r)
		if err != nil {
			return again, err
		}
		if kept {
			continue
		}
		if err := b.republish(ctx, r); err != nil {
			return again, err
		}
		again++
	}
	return again, nil
}

// stored reports whether st holds r's message at its sequence or, on a
// work queue, took it (deleted below the last sequence: acked).
func (b *Bus) stored(ctx context.Context, st jetstream.Stream, r Receipt) (bool, error) {
	info := st.CachedInfo()
	if r.Seq > info.State.LastSeq {
		return false, nil
	}
	m, err := st.GetMsg(ctx, r.Seq)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return info.Config.Retention == jetstream.WorkQueuePolicy || r.Seq < info.State.FirstSeq, nil
	}
	if err != nil {
		return false, fmt.Errorf("reading %s seq %d: %w", info.Config.Name, r.Seq, err)
	}
	return m.Header.Get("Nats-Msg-Id") == r.MsgID, nil
}

// republish publishes r's message again. While the server still
// remembers the lost message's id (its duplicate window outlives the
// loss until it restarts) the id is refused as a repeat: then it goes
// out under the id with a suffix. Every consumer keeps its dedupe on the
// ids inside the message (finding, tally, post key), so that is safe.
func (b *Bus) republish(ctx context.Context, r Receipt) error {
	for attempt := 0; attempt < 3; attempt++ {
		id := r.MsgID
		if attempt > 0 {
			id += "~again-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		}
		ack, err := b.js.Publish(ctx, r.Subject, r.Data, jetstream.WithMsgID(id))
		if err != nil {
			return fmt.Errorf("publishing %s again: %w", r.MsgID, err)
		}
		if !ack.Duplicate {
			return nil
		}
		fresh, err := b.js.Stream(ctx, ack.Stream)
		if err != nil {
			return fmt.Errorf("opening stream %s: %w", ack.Stream, err)
		}
		kept, err := b.stored(ctx, fresh, Receipt{Seq: ack.Sequence, MsgID: id})
		if err != nil {
			return err
		}
		if kept {
			return nil
		}
	}
	return fmt.Errorf("publishing %s again: refused as a repeat of a message the stream lost", r.MsgID)
}
