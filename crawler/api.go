package crawler

// API CONTRACT (skeleton written by the foundation; the crawler work fills
// it in). cmd/handlewatch depends on exactly these names and signatures.

import (
	"context"
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Config is the `crawler:` section of the config file.
type Config struct {
	// UserAgent names us and a contact URL on every request.
	UserAgent string `yaml:"user_agent"`
	// AllowPrivateNetworks lets sources on loopback and private addresses
	// be crawled (tests and the demo); off in production.
	AllowPrivateNetworks bool `yaml:"allow_private_networks"`
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.UserAgent == "" {
		c.UserAgent = "handlewatch/0 (+https://github.com/handlewatch/handlewatch)"
	}
	return c
}

// Validate reports the first bad setting, naming its key ("crawler.…").
func (c Config) Validate() error { return nil }

// SourceConfig is one entry of the `sources:` list.
type SourceConfig = source.Config

// ValidateSources reports the first bad source, naming its key
// ("sources[2].kind: unknown kind \"myspace\"").
func ValidateSources(sources []SourceConfig) error { return nil }

// Publisher receives each new post exactly once.
type Publisher interface {
	PublishPost(ctx context.Context, p *wire.Post) error
}

// Deps is what the crawler needs from its process.
type Deps struct {
	Log       *zap.Logger
	Seen      state.Seen
	Cursors   state.Cursors
	Publisher Publisher
	Metrics   prometheus.Registerer // may be nil
	// Transport, when set, replaces the HTTP transport (tests rewrite real
	// hosts to httptest servers with it).
	Transport http.RoundTripper
}

// Crawler runs every configured source.
type Crawler struct{}

// New checks the sources and builds the crawler.
func New(cfg Config, sources []SourceConfig, deps Deps) (*Crawler, error) {
	return nil, errors.New("crawler: not implemented yet")
}

// Run crawls every target at its interval until ctx is done, then returns
// after the fetches in flight finish.
func (c *Crawler) Run(ctx context.Context) error { return errors.New("crawler: not implemented yet") }

// Once fetches every target once and returns.
func (c *Crawler) Once(ctx context.Context) error { return errors.New("crawler: not implemented yet") }

// Ready reports whether the crawler is running.
func (c *Crawler) Ready(ctx context.Context) error { return nil }
