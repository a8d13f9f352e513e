package fetch

import (
	"net/http"
	"net/netip"
	"testing"
	"time"
)

var now = time.Date(2026, 8, 2, 12, 0, 0, 0, time.UTC)

func TestParseRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"120", 2 * time.Minute, true},
		{" 0 ", 0, true},
		{"1.5", 1500 * time.Millisecond, true},
		{"Sun, 02 Aug 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Sun, 02 Aug 2026 11:00:00 GMT", 0, true}, // in the past: now
		{"999999999", 24 * time.Hour, true},        // clamped
		{"-5", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"NaN", 0, false},
		{"Inf", 0, false},
	} {
		got, ok := ParseRetryAfter(tc.in, now)
		if ok != tc.ok || (ok && got.Sub(now) != tc.want) {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got.Sub(now), ok, tc.want, tc.ok)
		}
	}
}

func TestParseRateLimit(t *testing.T) {
	for _, tc := range []struct {
		name      string
		h         map[string]string
		remaining float64
		reset     time.Duration // -1: zero time
		ok        bool
	}{
		{"reddit", map[string]string{"X-Ratelimit-Remaining": "997.0", "X-Ratelimit-Reset": "523", "X-Ratelimit-Used": "3"}, 997, 523 * time.Second, true},
		{"reddit exhausted", map[string]string{"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "7"}, 0, 7 * time.Second, true},
		{"mastodon", map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299", "X-RateLimit-Reset": "2026-08-02T12:05:00.123Z"}, 299, 5*time.Minute + 123*time.Millisecond, true},
		{"mastodon offset", map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-08-02T14:01:00+02:00"}, 0, time.Minute, true},
		{"bluesky epoch", map[string]string{"RateLimit-Limit": "3000", "RateLimit-Remaining": "0", "RateLimit-Reset": "1785672060", "RateLimit-Policy": "3000;w=300"}, 0, 60 * time.Second, true},
		{"draft structured", map[string]string{"RateLimit": "limit=100, remaining=0, reset=30"}, 0, 30 * time.Second, true},
		{"draft sf", map[string]string{"RateLimit": `"default";r=5;t=10`}, 5, 10 * time.Second, true},
		{"no reset", map[string]string{"X-Ratelimit-Remaining": "5"}, 5, -1, true},
		{"garbage", map[string]string{"X-Ratelimit-Remaining": "lots", "X-Ratelimit-Reset": "later"}, 0, -1, false},
		{"none", map[string]string{}, 0, -1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.h {
				h.Set(k, v)
			}
			rl, ok := ParseRateLimit(h, now)
			if ok != tc.ok {
				t.Fatalf("ok = %v", ok)
			}
			if !ok {
				return
			}
			if rl.Remaining != tc.remaining {
				t.Errorf("remaining = %v, want %v", rl.Remaining, tc.remaining)
			}
			if tc.reset < 0 {
				if !rl.Reset.IsZero() {
					t.Errorf("reset = %v, want none", rl.Reset)
				}
			} else if got := rl.Reset.Sub(now); got != tc.reset {
				t.Errorf("reset in %v, want %v", got, tc.reset)
			}
		})
	}
}

func TestForbiddenAddr(t *testing.T) {
	for _, tc := range []struct {
		ip        string
		forbidden bool
	}{
		{"127.0.0.1", true}, {"10.1.2.3", true}, {"172.16.0.1", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"100.64.0.1", true}, {"0.0.0.0", true}, {"::1", true},
		{"fe80::1", true}, {"fd00::1", true}, {"::ffff:127.0.0.1", true}, {"64:ff9b::a00:1", true},
		{"2002:7f00:1::", true}, {"224.0.0.1", true}, {"255.255.255.255", true}, {"198.18.0.1", true},
		{"93.184.216.34", false}, {"2606:4700::1111", false}, {"1.1.1.1", false}, {"64:ff9b::101:101", false},
	} {
		if got := ForbiddenAddr(netip.MustParseAddr(tc.ip)); got != tc.forbidden {
			t.Errorf("ForbiddenAddr(%s) = %v", tc.ip, got)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"120", "Sun, 02 Aug 2026 12:00:30 GMT", "-1", "1e308", "0x10", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		until, ok := ParseRetryAfter(v, now)
		if ok && (until.Before(now) || until.After(now.Add(maxWait))) {
			t.Fatalf("ParseRetryAfter(%q) = %v outside [now, now+24h]", v, until)
		}
	})
}

func FuzzParseRateLimit(f *testing.F) {
	f.Add("997.0", "523", "")
	f.Add("0", "2026-08-02T12:05:00.123Z", "")
	f.Add("", "", "limit=100, remaining=0, reset=30")
	f.Add("1e400", "1e20", `"d";r=1;t=-3`)
	f.Fuzz(func(t *testing.T, remaining, reset, structured string) {
		h := http.Header{}
		h.Set("X-Ratelimit-Remaining", remaining)
		h.Set("X-Ratelimit-Reset", reset)
		h.Set("RateLimit", structured)
		rl, ok := ParseRateLimit(h, now)
		if !ok {
			return
		}
		if rl.Remaining < 0 || rl.Remaining != rl.Remaining {
			t.Fatalf("remaining %v", rl.Remaining)
		}
		if !rl.Reset.IsZero() && (rl.Reset.Before(now) || rl.Reset.After(now.Add(maxWait))) {
			t.Fatalf("reset %v outside [now, now+24h]", rl.Reset)
		}
	})
}
