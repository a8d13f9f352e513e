package fetch

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxWait bounds any wait a server asks for: beyond a day it is a block,
// not a rate limit, and the source's health shows it.
const maxWait = 24 * time.Hour

// ParseRetryAfter reads a Retry-After value, delay-seconds or an HTTP
// date, as the time to retry at; ok is false when v is empty or garbage.
// The result lies in [now, now+24h].
func ParseRetryAfter(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(secs) || math.IsInf(secs, 0) || secs < 0 {
			return time.Time{}, false
		}
		return clampWait(now, secondsDuration(secs)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return clampWait(now, t.Sub(now)), true
	}
	return time.Time{}, false
}

// RateLimit is what a response's rate-limit headers say.
type RateLimit struct {
	Remaining float64   // requests left in the window
	Reset     time.Time // when the window resets; zero if unknown
}

// Exhausted reports whether no request is left before Reset.
func (r RateLimit) Exhausted() bool { return r.Remaining < 1 && !r.Reset.IsZero() }

// ParseRateLimit reads the rate-limit headers of Reddit
// (X-Ratelimit-Remaining "997.0", X-Ratelimit-Reset seconds), Mastodon
// (X-RateLimit-Remaining, X-RateLimit-Reset as an ISO time), Bluesky
// (RateLimit-Remaining, RateLimit-Reset as epoch seconds) and the IETF
// draft's structured RateLimit field ("remaining=5, reset=30" or
// "\"default\";r=5;t=30"). ok is false when none is present and valid.
func ParseRateLimit(h http.Header, now time.Time) (RateLimit, bool) {
	for _, prefix := range []string{"X-Ratelimit-", "Ratelimit-", "X-Rate-Limit-"} {
		rem, okRem := parseRemaining(h.Get(prefix + "Remaining"))
		if !okRem {
			continue
		}
		rl := RateLimit{Remaining: rem}
		if reset, ok := parseReset(h.Get(prefix+"Reset"), now); ok {
			rl.Reset = reset
		}
		return rl, true
	}
	if v := h.Get("Ratelimit"); v != "" {
		return parseStructured(v, now)
	}
	return RateLimit{}, false
}

func parseRemaining(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return math.Max(f, 0), true
}

// parseReset reads delta seconds, epoch seconds (anything past 2001 as a
// number is a timestamp, not a delta), an ISO 8601 time or an HTTP date.
func parseReset(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return time.Time{}, false
		}
		if f >= 1e9 {
			sec, frac := math.Modf(f)
			return clampWait(now, time.Unix(int64(sec), int64(frac*1e9)).Sub(now)), true
		}
		return clampWait(now, secondsDuration(f)), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05Z07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			return clampWait(now, t.Sub(now)), true
		}
	}
	if t, err := http.ParseTime(v); err == nil {
		return clampWait(now, t.Sub(now)), true
	}
	return time.Time{}, false
}

// parseStructured reads the draft RateLimit field in either of its forms.
func parseStructured(v string, now time.Time) (RateLimit, bool) {
	var rl RateLimit
	found := false
	for _, part := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ';' }) {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		val = strings.Trim(strings.TrimSpace(val), `"`)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "remaining", "r":
			if f, ok := parseRemaining(val); ok {
				rl.Remaining, found = f, true
			}
		case "reset", "t":
			if f, err := strconv.ParseFloat(val, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) && f >= 0 && f < 1e9 {
				rl.Reset = clampWait(now, secondsDuration(f))
			}
		}
	}
	return rl, found
}

func secondsDuration(secs float64) time.Duration {
	if secs > maxWait.Seconds() {
		return maxWait
	}
	return time.Duration(secs * float64(time.Second))
}

// clampWait returns now+d with d limited to [0, maxWait].
func clampWait(now time.Time, d time.Duration) time.Time {
	if d < 0 {
		d = 0
	}
	if d > maxWait {
		d = maxWait
	}
	return now.Add(d)
}
