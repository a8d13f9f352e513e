package notify

import (
	"sync"
	"time"
)

// Bucket is a token bucket: up to burst messages at once, refilled at
// perMinute a minute.
type Bucket struct {
	mu     sync.Mutex
	rate   float64 // tokens a second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

// NewBucket returns a full bucket of perMinute tokens; now is the clock
// (time.Now when nil).
func NewBucket(perMinute int, now func() time.Time) *Bucket {
	if now == nil {
		now = time.Now
	}
	b := float64(perMinute)
	return &Bucket{rate: b / 60, burst: b, tokens: b, last: now(), now: now}
}

// Allow takes a token if there is one.
func (b *Bucket) Allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = min(b.burst, b.tokens+el*b.rate)
	}
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
