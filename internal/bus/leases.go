package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// BucketLeases is the logical name of the lease bucket (HW_LEASES by
// default): who holds what among processes sharing one NATS.
const BucketLeases = "LEASES"

// DefaultLeaseTTL is how long a lease outlives its holder's last renewal:
// a process killed with -9 frees its work after at most this long.
const DefaultLeaseTTL = 15 * time.Second

// Leases are named, expiring claims in a JetStream key-value bucket whose
// entries age out after the TTL: a holder renews well inside it, and a
// holder that dies simply stops renewing. A create or an update at a
// revision is atomic on the server, so of any number of processes only
// one holds a name. This is the only coordination handlewatch does beyond
// durable consumers; it is a lease, not consensus (a holder stalled past
// the TTL may briefly overlap the next one, which message-id dedupe
// absorbs).
type Leases struct {
	kv    jetstream.KeyValue
	owner string
	ttl   time.Duration
}

// Leases opens (creating if needed) the lease bucket, for a holder named
// after this process.
func (b *Bus) Leases(ctx context.Context) (*Leases, error) {
	name := b.cfg.streamName(BucketLeases)
	kv, err := b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket: name, Description: "leases of processes sharing this NATS: crawl targets, sink modes",
		Storage: jetstream.FileStorage, Replicas: b.cfg.Replicas, History: 1, TTL: b.cfg.LeaseTTL,
	})
	if err != nil {
		return nil, fmt.Errorf("opening lease bucket %s: %w", name, err)
	}
	return &Leases{kv: kv, owner: processOwner(), ttl: b.cfg.LeaseTTL}, nil
}

func processOwner() string {
	host, _ := os.Hostname()
	r := make([]byte, 4)
	_, _ = rand.Read(r)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(r))
}

// Owner names this holder.
func (l *Leases) Owner() string { return l.owner }

// TTL is how long a lease lasts unrenewed.
func (l *Leases) TTL() time.Duration { return l.ttl }

// Acquire takes the lease name, or renews it when this holder has it; it
// reports whether this holder has it now.
func (l *Leases) Acquire(ctx context.Context, name string) (bool, error) {
	key := kvKey(name)
	e, err := l.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		if _, err := l.kv.Create(ctx, key, []byte(l.owner)); err != nil {
			if errors.Is(err, jetstream.ErrKeyExists) {
				return false, nil
			}
			return false, fmt.Errorf("taking lease %s: %w", name, err)
		}
		return true, nil
	case err != nil:
		return false, fmt.Errorf("reading lease %s: %w", name, err)
	case string(e.Value()) != l.owner:
		return false, nil
	}
	if _, err := l.kv.Update(ctx, key, []byte(l.owner), e.Revision()); err != nil {
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence {
			return false, nil
		}
		return false, fmt.Errorf("renewing lease %s: %w", name, err)
	}
	return true, nil
}

// Holder returns who holds the lease name, if anyone.
func (l *Leases) Holder(ctx context.Context, name string) (string, bool, error) {
	e, err := l.kv.Get(ctx, kvKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading lease %s: %w", name, err)
	}
	return string(e.Value()), true, nil
}

// Held lists the live leases whose names start with prefix (names as
// given to Acquire, for prefixes of plain characters).
func (l *Leases) Held(ctx context.Context, prefix string) ([]string, error) {
	keys, err := l.kv.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing leases: %w", err)
	}
	var out []string
	p := kvKey(prefix)
	for _, k := range keys {
		if strings.HasPrefix(k, p) {
			out = append(out, k)
		}
	}
	return out, nil
}

// Release gives the lease up if this holder has it, so the next holder
// need not wait for the TTL.
func (l *Leases) Release(ctx context.Context, name string) error {
	key := kvKey(name)
	e, err := l.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading lease %s: %w", name, err)
	}
	if string(e.Value()) != l.owner {
		return nil
	}
	if err := l.kv.Delete(ctx, key, jetstream.LastRevision(e.Revision())); err != nil {
		return fmt.Errorf("releasing lease %s: %w", name, err)
	}
	return nil
}

// Hold keeps the lease name, renewing it every third of the TTL, until
// ctx ends or the lease is lost (taken over after this holder could not
// renew it for a whole TTL); then it cancels the returned context. The
// caller must have acquired it. stop ends holding and releases it.
func (l *Leases) Hold(ctx context.Context, name string) (held context.Context, stop func()) {
	hctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer cancel()
		last := time.Now()
		t := time.NewTicker(l.ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-hctx.Done():
				return
			case <-t.C:
			}
			rctx, rcancel := context.WithTimeout(hctx, l.ttl/3)
			ok, err := l.Acquire(rctx, name)
			rcancel()
			switch {
			case ok:
				last = time.Now()
			case err == nil, time.Since(last) >= l.ttl:
				return // lost, or surely expired by now
			}
		}
	}()
	return hctx, func() {
		cancel()
		<-done
		rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer rcancel()
		_ = l.Release(rctx, name)
	}
}
