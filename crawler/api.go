package crawler

// API CONTRACT: cmd/handlewatch depends on exactly these names and
// signatures. The implementations live in config.go, crawler.go and
// schedule.go.

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Config is the `crawler:` section of the config file. Zero values stand
// for the defaults (WithDefaults).
type Config struct {
	// UserAgent names us and a contact URL on every request.
	UserAgent string `yaml:"user_agent"`
	// AllowPrivateNetworks lets sources on loopback and private addresses
	// be crawled (tests and the demo); off in production.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`

	// MaxConcurrency bounds the polls running at once (streams, which
	// live long, are not counted). Default 4.
	MaxConcurrency int `yaml:"max_concurrency"`
	// RequestTimeout bounds one HTTP request, body included. Default 30s.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// MaxBodyBytes rejects (never truncates) a larger body. Default 8 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// SeenTTL is how long a published post's key is remembered, so that
	// it is not published again. Default 30 days.
	SeenTTL time.Duration `yaml:"seen_ttl"`
	// HostRate and HostBurst are the rate limit of every host: requests
	// per second and burst. Default 1/s, burst 2. A robots.txt
	// Crawl-delay slows a host further.
	HostRate  float64 `yaml:"host_rate"`
	HostBurst int     `yaml:"host_burst"`
	// BackoffBase and BackoffMax bound the exponential backoff (with
	// jitter) after a 429 or 5xx without Retry-After, and after a failed
	// poll. Default 5s and 30m.
	BackoffBase time.Duration `yaml:"backoff_base"`
	BackoffMax  time.Duration `yaml:"backoff_max"`
	// BlockedBackoff is how long a target the platform blocked
	// (source.ErrBlocked) waits before it is tried again. Default 6h.
	BlockedBackoff time.Duration `yaml:"blocked_backoff"`
	// MaxPages bounds the pages one poll of a target follows when the
	// adapter says more are waiting. Default 10.
	MaxPages int `yaml:"max_pages"`
	// Jitter spreads each target's interval by up to ± this fraction.
	// Default 0.1.
	Jitter float64 `yaml:"jitter"`
	// RobotsTTL is how long a fetched robots.txt is trusted. Default 24h.
	RobotsTTL time.Duration `yaml:"robots_ttl"`
	// OnceStreamTimeout bounds under Once a stream that does not end by
	// itself (a websocket); dump files run to their end. Default 2m.
	OnceStreamTimeout time.Duration `yaml:"once_stream_timeout"`
	// CheckpointInterval and CheckpointPosts: a stream's cursor is saved
	// at least this often and every this many posts, and at its end.
	// Default 1s and 100.
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
	CheckpointPosts    int           `yaml:"checkpoint_posts"`
}

// SourceConfig is one entry of the `sources:` list.
type SourceConfig = source.Config

// Publisher receives each new post exactly once.
type Publisher interface {
	PublishPost(ctx context.Context, p *wire.Post) error
}

// PagePublisher is a Publisher that also takes a polled page of posts in
// one call, returning once every one is accepted; the crawler uses it when
// the Publisher has it.
type PagePublisher interface {
	Publisher
	PublishPosts(ctx context.Context, posts []*wire.Post) error
}

// Deps is what the crawler needs from its process.
type Deps struct {
	Log       *zap.Logger
	Seen      state.Seen
	Cursors   state.Cursors
	Publisher Publisher
	Metrics   prometheus.Registerer // may be nil
	// Transport, when set, replaces the HTTP transport (tests rewrite real
	// hosts to httptest servers with it). Leave it nil in production: the
	// default transport is the one that checks the dialled address against
	// crawler.allow_private_networks.
	Transport http.RoundTripper
	// Leases, when set, shares the targets among crawlers on one NATS:
	// each target is crawled by the one process holding its lease, and
	// taken over by another within the lease TTL when that process dies.
	// Nil crawls every target here (one crawler).
	Leases Leases
}

// Leases are expiring, exclusive claims shared by the crawlers
// (*bus.Leases).
type Leases interface {
	// Acquire takes or renews the lease name; true when this process
	// holds it now.
	Acquire(ctx context.Context, name string) (bool, error)
	// Hold keeps an acquired lease until ctx ends or it is lost, then
	// cancels held; stop releases it.
	Hold(ctx context.Context, name string) (held context.Context, stop func())
	// Holder says who holds name, if anyone.
	Holder(ctx context.Context, name string) (string, bool, error)
	// Held lists the live leases whose names start with prefix.
	Held(ctx context.Context, prefix string) ([]string, error)
	Owner() string
	TTL() time.Duration
}
