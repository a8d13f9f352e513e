package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/nats-io/nats.go/jetstream"
)

// Out is one message of PublishBatch.
type Out struct {
	Subject string // wire-contract subject ("hw.…")
	MsgID   string // JetStream message id: a repeat is dropped
	V       any    // encoded as JSON, as Publish does
}

// BatchWindow is how many messages of a batch PublishBatch has in flight
// at once, unacknowledged.
const BatchWindow = 256

// batchTimeout bounds the wait for a batch's acknowledgements when ctx
// has no deadline, as jetstream's default bounds a single Publish.
const batchTimeout = 10 * time.Second

// PublishBatch publishes msgs as Publish does, without waiting for each
// acknowledgement before the next message: up to BatchWindow are in
// flight, and it returns once every one is acknowledged. dup[i] reports
// that msgs[i] was a repeat the server dropped. On an error some may be
// stored and some not: publish the whole batch again (the message ids
// drop what was stored) before letting go of anything it carries.
func (b *Bus) PublishBatch(ctx context.Context, msgs []Out) (dup []bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, batchTimeout)
		defer cancel()
	}
	dup = make([]bool, len(msgs))
	futures := make([]jetstream.PubAckFuture, 0, min(len(msgs), BatchWindow))
	for start := 0; start < len(msgs); start += BatchWindow {
		window := msgs[start:min(start+BatchWindow, len(msgs))]
		futures = futures[:0]
		for _, m := range window {
			data, err := gojson.Marshal(m.V)
			if err != nil {
				return nil, fmt.Errorf("encoding %s: %w", m.Subject, err)
			}
			f, err := b.js.PublishAsync(b.cfg.subject(m.Subject), data, jetstream.WithMsgID(m.MsgID))
			if err != nil {
				return nil, fmt.Errorf("publishing %s to %s: %w", m.MsgID, m.Subject, err)
			}
			futures = append(futures, f)
		}
		var errs []error
		for i, f := range futures {
			select {
			case ack := <-f.Ok():
				dup[start+i] = ack.Duplicate
			case err := <-f.Err():
				errs = append(errs, fmt.Errorf("publishing %s to %s: %w", window[i].MsgID, window[i].Subject, err))
			case <-ctx.Done():
				return nil, fmt.Errorf("publishing %s to %s: %w", window[i].MsgID, window[i].Subject, ctx.Err())
			}
		}
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
	}
	return dup, nil
}
