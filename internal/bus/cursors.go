package bus

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/handlewatch/handlewatch/internal/state"
)

// BucketCursors is the logical name of the cursor bucket; its server-side
// name is namespaced like the streams' (HW_CURSORS by default).
const BucketCursors = "CURSORS"

// KVCursors keeps crawl cursors in a JetStream key-value bucket, so a
// restart resumes even when no Redis is configured.
type KVCursors struct{ kv jetstream.KeyValue }

var _ state.Cursors = (*KVCursors)(nil)

// Cursors opens (creating if needed) the cursor bucket.
func (b *Bus) Cursors(ctx context.Context) (*KVCursors, error) {
	name := b.cfg.streamName(BucketCursors)
	kv, err := b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: name, Description: "crawl cursors, one per source target",
		Storage: jetstream.FileStorage, Replicas: b.cfg.Replicas, History: 1,
	})
	if err != nil {
		return nil, fmt.Errorf("opening cursor bucket %s: %w", name, err)
	}
	return &KVCursors{kv: kv}, nil
}

// kvKey escapes a cursor key into the bucket's key alphabet
// ([-/_=.a-zA-Z0-9]); anything else becomes "=XX" hex.
func kvKey(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '/':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	if b.Len() == 0 {
		return "=00"
	}
	return b.String()
}

func (c *KVCursors) Cursor(ctx context.Context, key string) (string, bool, error) {
	e, err := c.kv.Get(ctx, kvKey(key))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading cursor %s: %w", key, err)
	}
	return string(e.Value()), true, nil
}

func (c *KVCursors) SetCursor(ctx context.Context, key, value string) error {
	if _, err := c.kv.Put(ctx, kvKey(key), []byte(value)); err != nil {
		return fmt.Errorf("writing cursor %s: %w", key, err)
	}
	return nil
}
