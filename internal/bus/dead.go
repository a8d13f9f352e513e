package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// StreamDead holds the dead-letter records: every message a consumer gave
// up on (poison, or failed on its last delivery), with the reason, kept
// as long as the findings.
const StreamDead = "DEAD"

// SubjectDead is the root of the dead-letter subjects, "hw.dead.<stream>"
// (namespaced like every subject).
const SubjectDead = "hw.dead"

// DeadLetter is one message given up on.
type DeadLetter struct {
	Stream    string    `json:"stream"`   // logical name: POSTS, FINDINGS…
	Consumer  string    `json:"consumer"` // the durable that gave up
	Subject   string    `json:"subject"`  // wire-contract form
	Seq       uint64    `json:"seq"`      // in its stream
	MsgID     string    `json:"msg_id,omitempty"`
	Delivered uint64    `json:"delivered"`
	Poison    bool      `json:"poison"` // never processable (else: failed its last delivery)
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
	Data      []byte    `json:"data"` // the message as it was, up to maxDeadData bytes
	Truncated bool      `json:"truncated,omitempty"`
}

// maxDeadData bounds the copy of the message in a record, so that the
// record (base64 in JSON) always fits the server's message size.
const maxDeadData = 256 << 10

func deadStreamConfig(c Config) jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name: c.streamName(StreamDead), Subjects: []string{c.subject(SubjectDead + ".>")},
		Retention: jetstream.LimitsPolicy, MaxAge: c.FindingsRetention,
		Storage: jetstream.FileStorage, Replicas: c.Replicas, Duplicates: min(c.DuplicateWindow, c.FindingsRetention),
		Description: "dead-letter records: messages the consumers gave up on, with the reason",
	}
}

// deadLetter records d before its message is terminated, and confirms
// the record stored (Confirm: a full disk can drop an acknowledged
// message) since the message is gone once terminated; the message id
// makes a repeat (a crash between the record and the term) a no-op.
func (b *Bus) deadLetter(ctx context.Context, d DeadLetter) error {
	if len(d.Data) > maxDeadData {
		d.Data, d.Truncated = d.Data[:maxDeadData], true
	}
	subject := SubjectDead + "." + strings.ToLower(d.Stream)
	r, _, err := b.PublishReceipt(ctx, subject, fmt.Sprintf("dead-%s-%d", d.Stream, d.Seq), d)
	if err != nil {
		return fmt.Errorf("recording dead letter %s/%d: %w", d.Stream, d.Seq, err)
	}
	if _, err := b.Confirm(ctx, []Receipt{r}); err != nil {
		return fmt.Errorf("confirming dead letter %s/%d: %w", d.Stream, d.Seq, err)
	}
	return nil
}

// DeadLetters replays the dead-letter records.
func (b *Bus) DeadLetters(ctx context.Context, fn func(DeadLetter) error) error {
	return b.Replay(ctx, StreamDead, "", func(m Msg) error {
		var d DeadLetter
		if err := json.Unmarshal(m.Data, &d); err != nil {
			return fmt.Errorf("decoding dead letter %d: %w", m.Seq, err)
		}
		return fn(d)
	})
}
