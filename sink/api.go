package sink

// API CONTRACT (skeleton written by the foundation; the sink work fills it
// in). cmd/handlewatch depends on exactly these names and signatures.

import (
	"context"
	"errors"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/sink/stats"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

// Config is the `sink:` section of the config file.
type Config struct {
	Listen   string          `yaml:"listen"`
	BaseURL  string          `yaml:"base_url"` // the dashboard's public URL, for links in alerts
	Webhooks []WebhookConfig `yaml:"webhooks"`

	Takedowns takedown.Config `yaml:"takedowns"`
	Research  stats.Config    `yaml:"research"`
}

// WebhookConfig is one generic webhook destination.
type WebhookConfig struct {
	Name      string `yaml:"name"`
	URL       string `yaml:"url"`
	SecretEnv string `yaml:"secret_env"` // env var (or its _FILE twin) holding the HMAC key
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	return c
}

// Validate reports the first bad setting, naming its key ("sink.…").
func (c Config) Validate() error { return nil }

// Bus is what the sink needs of NATS (*bus.Bus has it).
type Bus interface {
	Consume(ctx context.Context, spec bus.ConsumerSpec, h bus.Handler) error
	Publish(ctx context.Context, subject, msgID string, v any) (bool, error)
	Replay(ctx context.Context, stream, filter string, fn func(bus.Msg) error) error
}

// Deps is what the sink needs from its process.
type Deps struct {
	Log     *zap.Logger
	Bus     Bus
	Store   state.Store // memory or Redis
	Metrics prometheus.Registerer
}

// Sink consumes findings and case events.
type Sink struct{}

// New builds the sink; secrets are read here, so a missing one fails start-up.
func New(cfg Config, deps Deps) (*Sink, error) { return nil, errors.New("sink: not implemented yet") }

// Run rebuilds derived state from the streams, then consumes until ctx is
// done.
func (s *Sink) Run(ctx context.Context) error { return errors.New("sink: not implemented yet") }

// Handler serves the dashboard and the JSON API; cmd mounts it at "/" next
// to /healthz, /readyz and /metrics.
func (s *Sink) Handler() http.Handler { return http.NotFoundHandler() }

// Ready reports whether the rebuild is done and the consumer runs.
func (s *Sink) Ready(ctx context.Context) error { return errors.New("sink: not ready") }
