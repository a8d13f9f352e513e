package fetch

import (
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// Options configure the fetchers of one crawler.
type Options struct {
	UserAgent    string
	AllowPrivate bool          // crawler.allow_private_networks
	Timeout      time.Duration // one request, headers and body
	MaxBodyBytes int64
	Rate         float64 // requests per second per host
	Burst        int
	BackoffBase  time.Duration // first wait after a 429/5xx without Retry-After
	BackoffMax   time.Duration
	RobotsTTL    time.Duration // how long a fetched robots.txt is trusted
	// Transport, when set, replaces the guarded transport (tests rewrite
	// real hosts to httptest servers with it). The approved-host, media
	// and literal-address checks still apply; the dial-time address check
	// is the transport's business then.
	Transport http.RoundTripper
	Log       *zap.Logger
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = "handlewatch (+https://github.com/handlewatch/handlewatch)"
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 8 << 20
	}
	if o.Rate <= 0 {
		o.Rate = 1
	}
	if o.Burst <= 0 {
		o.Burst = 1
	}
	if o.BackoffBase <= 0 {
		o.BackoffBase = 5 * time.Second
	}
	if o.BackoffMax < o.BackoffBase {
		o.BackoffMax = 30 * time.Minute
		if o.BackoffMax < o.BackoffBase {
			o.BackoffMax = o.BackoffBase
		}
	}
	if o.RobotsTTL <= 0 {
		o.RobotsTTL = 24 * time.Hour
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	return o
}

// Hosts is the politeness state every fetcher of a crawler shares, one
// entry per host: its rate limiter, its pause (after a 429, a 5xx or an
// exhausted rate limit) and its robots.txt.
type Hosts struct {
	opts Options
	base http.RoundTripper

	mu    sync.Mutex
	hosts map[string]*host
}

// NewHosts builds the shared state and the transport all fetchers use.
func NewHosts(opts Options) *Hosts {
	opts = opts.withDefaults()
	base := opts.Transport
	if base == nil {
		base = NewTransport(opts.AllowPrivate, opts.Timeout)
	}
	return &Hosts{opts: opts, base: base, hosts: map[string]*host{}}
}

// host is one host:port's state.
type host struct {
	name    string
	limiter *rate.Limiter

	mu          sync.Mutex
	pausedUntil time.Time
	pauseWhy    string
	failures    int // consecutive 429/5xx answers

	robotsMu sync.Mutex // held while robots.txt is fetched: one fetch per origin
	robots   map[string]*robotsEntry
}

// hostKey is host:port with the scheme's default port made explicit.
func hostKey(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https", "wss":
			port = "443"
		default:
			port = "80"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

func (h *Hosts) host(u *url.URL) *host {
	key := hostKey(u)
	h.mu.Lock()
	defer h.mu.Unlock()
	st, ok := h.hosts[key]
	if !ok {
		st = &host{
			name:    key,
			limiter: rate.NewLimiter(rate.Limit(h.opts.Rate), h.opts.Burst),
			robots:  map[string]*robotsEntry{},
		}
		h.hosts[key] = st
	}
	return st
}

// paused returns the time the host may be asked again, if it is paused.
func (s *host) paused(now time.Time) (time.Time, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Before(s.pausedUntil) {
		return s.pausedUntil, s.pauseWhy, true
	}
	return time.Time{}, "", false
}

// pause holds the host until at least until.
func (s *host) pause(until time.Time, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if until.After(s.pausedUntil) {
		s.pausedUntil, s.pauseWhy = until, why
	}
}

// failed counts a 429/5xx and returns the backoff for it: exponential from
// base, capped at max, with jitter in [d/2, d).
func (s *host) failed(base, max time.Duration) time.Duration {
	s.mu.Lock()
	s.failures++
	n := s.failures
	s.mu.Unlock()
	return Backoff(base, max, n)
}

func (s *host) succeeded() {
	s.mu.Lock()
	s.failures = 0
	s.mu.Unlock()
}

// slowDown lowers the host's rate to one request per delay (robots.txt
// Crawl-delay), never raising it.
func (s *host) slowDown(delay time.Duration) {
	if delay <= 0 {
		return
	}
	if delay > maxCrawlDelay {
		delay = maxCrawlDelay
	}
	if lim := rate.Every(delay); lim < s.limiter.Limit() {
		s.limiter.SetLimit(lim)
		s.limiter.SetBurst(1)
	}
}

// maxCrawlDelay bounds a robots.txt Crawl-delay we honour.
const maxCrawlDelay = time.Minute

// Backoff is the n-th (from 1) exponential backoff from base, capped at
// max, with "equal jitter": a duration in [d/2, d).
func Backoff(base, max time.Duration, n int) time.Duration {
	if n < 1 {
		n = 1
	}
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half)
}

// Jitter adds up to frac of d, at random, to d.
func Jitter(d time.Duration, frac float64) time.Duration {
	if d <= 0 || frac <= 0 {
		return d
	}
	extra := time.Duration(float64(d) * frac)
	if extra <= 0 {
		return d
	}
	return d + rand.N(extra)
}

// spread moves a server-given retry time a little later, by up to a tenth
// of the wait and at most a second, so that every target waiting on one
// host does not come back at the same instant.
func spread(now, until time.Time) time.Time {
	extra := min(until.Sub(now)/10, time.Second)
	if extra <= 0 {
		return until
	}
	return until.Add(rand.N(extra))
}
