package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// Error is a failed attempt that knows whether it is worth retrying.
type Error struct {
	Err        error
	Permanent  bool          // a retry would fail the same way (4xx, bad config)
	RetryAfter time.Duration // the receiver asked for this wait
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Permanent marks err as not worth retrying.
func Permanent(err error) error { return &Error{Err: err, Permanent: true} }

// RetryPolicy bounds the attempts of one delivery.
type RetryPolicy struct {
	Attempts int           // in all, the first included
	Initial  time.Duration // wait after the first failure, doubled each time
	Max      time.Duration // longest backoff
	// MaxRetryAfter is the longest Retry-After honoured; a receiver asking
	// for more is given up on (and the alert dead-lettered) rather than
	// hold up the alerts behind it.
	MaxRetryAfter time.Duration
	Jitter        float64 // ± fraction of each backoff
}

// DefaultRetry: five attempts over about a minute.
var DefaultRetry = RetryPolicy{Attempts: 5, Initial: time.Second, Max: 30 * time.Second, MaxRetryAfter: time.Minute, Jitter: 0.2}

// Budget is the longest a delivery under p may take, given each attempt
// takes at most perAttempt.
func (p RetryPolicy) Budget(perAttempt time.Duration) time.Duration {
	d := time.Duration(p.Attempts) * perAttempt
	for i := 1; i < p.Attempts; i++ {
		d += max(p.backoff(i), p.MaxRetryAfter)
	}
	return d
}

func (p RetryPolicy) backoff(failures int) time.Duration {
	d := p.Initial
	for i := 1; i < failures && d < p.Max; i++ {
		d *= 2
	}
	return min(d, p.Max)
}

func (p RetryPolicy) wait(failures int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return retryAfter
	}
	d := p.backoff(failures)
	if p.Jitter > 0 {
		d = time.Duration(float64(d) * (1 + p.Jitter*(2*rand.Float64()-1)))
	}
	return d
}

// deliver sends m with retries and returns the attempts made and the last
// error. It stops early on a permanent error, on a Retry-After beyond
// MaxRetryAfter and when ctx ends.
func deliver(ctx context.Context, n Notifier, m Message, p RetryPolicy) (int, error) {
	attempts := max(p.Attempts, 1)
	for attempt := 1; ; attempt++ {
		err := n.Send(ctx, m)
		if err == nil {
			return attempt, nil
		}
		if ctx.Err() != nil {
			return attempt, fmt.Errorf("%w (after %d attempts: %w)", ctx.Err(), attempt, err)
		}
		var e *Error
		isErr := errors.As(err, &e)
		switch {
		case isErr && e.Permanent:
			return attempt, err
		case attempt >= attempts:
			return attempt, err
		case isErr && e.RetryAfter > p.MaxRetryAfter:
			return attempt, fmt.Errorf("receiver asked to retry after %s, more than the %s allowed: %w", e.RetryAfter, p.MaxRetryAfter, err)
		}
		after := time.Duration(0)
		if isErr {
			after = e.RetryAfter
		}
		t := time.NewTimer(p.wait(attempt, after))
		select {
		case <-ctx.Done():
			t.Stop()
			return attempt, fmt.Errorf("%w (after %d attempts: %w)", ctx.Err(), attempt, err)
		case <-t.C:
		}
	}
}

// httpError classifies a non-2xx response: 408, 425, 429 and 5xx are
// retried (honouring Retry-After), any other status is permanent.
func httpError(resp *http.Response, now time.Time, detail string) error {
	err := fmt.Errorf("status %d", resp.StatusCode)
	if detail != "" {
		err = fmt.Errorf("status %d: %s", resp.StatusCode, detail)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode == http.StatusRequestTimeout,
		resp.StatusCode == http.StatusTooEarly, resp.StatusCode >= 500:
		return &Error{Err: err, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), now)}
	}
	return &Error{Err: err, Permanent: true}
}

// parseRetryAfter reads delay-seconds or an HTTP date; 0 when absent or
// unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
