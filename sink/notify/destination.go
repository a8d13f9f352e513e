package notify

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Destination is one notifier with its rate limit and digest.
type Destination struct {
	n      Notifier
	retry  RetryPolicy
	bucket *Bucket // nil: no limit
	digest bool    // every alert waits for the digest
	now    func() time.Time

	mu      sync.Mutex
	pending []Alert
	since   time.Time
}

// DestinationOptions configure a Destination.
type DestinationOptions struct {
	RatePerMinute int  // 0: unlimited
	Digest        bool // send only digests
	Retry         RetryPolicy
	Now           func() time.Time // clock; time.Now when nil
}

// NewDestination wraps n.
func NewDestination(n Notifier, o DestinationOptions) *Destination {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Retry.Attempts == 0 {
		o.Retry = DefaultRetry
	}
	d := &Destination{n: n, retry: o.Retry, digest: o.Digest, now: o.Now}
	if o.RatePerMinute > 0 {
		d.bucket = NewBucket(o.RatePerMinute, o.Now)
	}
	return d
}

// Name is the notifier's name.
func (d *Destination) Name() string { return d.n.Name() }

// Kind is the notifier's kind.
func (d *Destination) Kind() string { return d.n.Kind() }

// Outcome is what became of one or more alerts.
type Outcome struct {
	Alerts    []Alert
	Queued    bool // waiting for the next digest: nothing to record yet
	Overflow  bool // queued because the rate limit was reached
	Digest    bool // delivered (or not) as part of a digest
	Delivered bool
	Attempts  int
	Err       error // the last error when not delivered
}

// Dispatch sends a now, or queues it for the digest when the destination
// is digest-only or over its rate limit.
func (d *Destination) Dispatch(ctx context.Context, a Alert) Outcome {
	if d.digest {
		d.enqueue(a)
		return Outcome{Alerts: []Alert{a}, Queued: true}
	}
	if d.bucket != nil && !d.bucket.Allow() {
		d.enqueue(a)
		return Outcome{Alerts: []Alert{a}, Queued: true, Overflow: true}
	}
	attempts, err := deliver(ctx, d.n, Single(a), d.retry)
	return Outcome{Alerts: []Alert{a}, Delivered: err == nil, Attempts: attempts, Err: err}
}

// enqueue adds a to the digest; a case already waiting is updated in
// place, its levels merged, so the digest names each case once.
func (d *Destination) enqueue(a Alert) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.pending) == 0 {
		d.since = d.now()
	}
	for i := range d.pending {
		if d.pending[i].CaseID == a.CaseID {
			levels := d.pending[i].Levels
			reasons := d.pending[i].Reasons
			for j, l := range a.Levels {
				if !slices.Contains(levels, l) {
					levels = append(levels, l)
					if j < len(a.Reasons) {
						reasons = append(reasons, a.Reasons[j])
					}
				}
			}
			a.Levels, a.Reasons = levels, reasons
			d.pending[i] = a
			return
		}
	}
	d.pending = append(d.pending, a)
}

// Pending is how many cases wait for the digest.
func (d *Destination) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending)
}

// Flush sends the waiting alerts as one digest. It reports false when
// nothing was waiting. When ctx ends before the digest is delivered, the
// alerts go back in the queue and the outcome carries ctx's error.
func (d *Destination) Flush(ctx context.Context) (Outcome, bool) {
	d.mu.Lock()
	items, since := d.pending, d.since
	d.pending = nil
	d.mu.Unlock()
	if len(items) == 0 {
		return Outcome{}, false
	}
	m := Message{Key: digestKey(items), Digest: true, Since: since, Alerts: items}
	attempts, err := deliver(ctx, d.n, m, d.retry)
	if err != nil && ctx.Err() != nil {
		d.mu.Lock()
		d.pending = append(items, d.pending...)
		d.since = since
		d.mu.Unlock()
	}
	return Outcome{Alerts: items, Digest: true, Delivered: err == nil, Attempts: attempts, Err: err}, true
}
