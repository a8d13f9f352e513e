package crawler

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/fetch"
	"github.com/handlewatch/handlewatch/crawler/source"
)

// Crawler runs every configured source.
type Crawler struct {
	cfg     Config
	deps    Deps
	log     *zap.Logger
	hosts   *fetch.Hosts
	metrics *metrics
	targets []*target
	sem     chan struct{} // bounds the polls in flight
	running atomic.Bool
	// held counts the target leases this crawler holds; shedding is set
	// while one of them is being given up for a crawler that has fewer.
	held     atomic.Int64
	shedding atomic.Bool
}

// target is one target of one source with its adapter and health.
type target struct {
	t        source.Target
	key      string // cursor key
	kind     string
	interval time.Duration
	poller   source.Poller
	streamer source.Streamer
	fetcher  source.Fetcher
	log      *zap.Logger

	mu     sync.Mutex
	health TargetHealth
}

// TargetHealth is how one target is doing.
type TargetHealth struct {
	Source              string    `json:"source"`
	Target              string    `json:"target"`
	Kind                string    `json:"kind"`
	LastSuccess         time.Time `json:"last_success,omitzero"`
	LastError           string    `json:"last_error,omitempty"`
	LastErrorAt         time.Time `json:"last_error_at,omitzero"`
	LastPosts           int       `json:"last_posts"`
	ConsecutiveFailures int       `json:"consecutive_failures"`
	NextRun             time.Time `json:"next_run,omitzero"`
}

// New checks the sources and builds the crawler.
func New(cfg Config, sources []SourceConfig, deps Deps) (*Crawler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.WithDefaults()
	if err := validateSources(sources, &cfg); err != nil {
		return nil, err
	}
	switch {
	case deps.Seen == nil:
		return nil, errors.New("crawler: Deps.Seen is required")
	case deps.Cursors == nil:
		return nil, errors.New("crawler: Deps.Cursors is required")
	case deps.Publisher == nil:
		return nil, errors.New("crawler: Deps.Publisher is required")
	}
	if deps.Log == nil {
		deps.Log = zap.NewNop()
	}
	m, err := newMetrics(deps.Metrics)
	if err != nil {
		return nil, err
	}
	c := &Crawler{
		cfg: cfg, deps: deps, log: deps.Log, metrics: m,
		sem: make(chan struct{}, cfg.MaxConcurrency),
		hosts: fetch.NewHosts(fetch.Options{
			UserAgent: cfg.UserAgent, AllowPrivate: cfg.AllowPrivateNetworks, Timeout: cfg.RequestTimeout,
			MaxBodyBytes: cfg.MaxBodyBytes, Rate: cfg.HostRate, Burst: cfg.HostBurst,
			BackoffBase: cfg.BackoffBase, BackoffMax: cfg.BackoffMax, RobotsTTL: cfg.RobotsTTL,
			Transport: deps.Transport, Log: deps.Log,
		}),
	}
	for i, sc := range sources {
		if err := c.addSource(sc); err != nil {
			return nil, fmt.Errorf("sources[%d].%w", i, err)
		}
	}
	return c, nil
}

// addSource builds one source's adapter and its targets.
func (c *Crawler) addSource(sc source.Config) error {
	sc = withDefaultHosts(sc)
	if sc.Interval == 0 {
		sc.Interval = DefaultInterval
	}
	log := c.log.With(zap.String("source", sc.Name), zap.String("kind", sc.Kind))
	adapter, err := newAdapter(sc, source.Deps{Log: log, UserAgent: c.cfg.UserAgent, HTTPClient: c.hosts.HTTPClient(sc)})
	if err != nil {
		return err
	}
	if adapter == nil {
		return fmt.Errorf("kind: the %s adapter returned nothing", sc.Kind)
	}
	return c.addTargets(sc, adapter)
}

// addTargets adds sc's targets, served by adapter.
func (c *Crawler) addTargets(sc source.Config, adapter any) error {
	var err error
	log := c.log.With(zap.String("source", sc.Name), zap.String("kind", sc.Kind))
	fetcher := &meteredFetcher{f: c.hosts.Fetcher(sc), m: c.metrics, source: sc.Name}
	for j, name := range sc.Targets {
		t := source.Target{Source: sc, Name: name}
		a := adapter
		if pt, ok := a.(source.PerTarget); ok {
			if a, err = pt.ForTarget(t); err != nil {
				return fmt.Errorf("targets[%d]: %w", j, err)
			}
		}
		tg := &target{t: t, key: t.Key(), kind: sc.Kind, interval: sc.Interval, fetcher: fetcher,
			log: log.With(zap.String("target", name))}
		p, isPoller := a.(source.Poller)
		s, isStreamer := a.(source.Streamer)
		switch {
		case isPoller && isStreamer:
			return fmt.Errorf("targets[%d]: the %s adapter is both a Poller and a Streamer; it must implement source.PerTarget to choose", j, sc.Kind)
		case isPoller:
			tg.poller = p
		case isStreamer:
			tg.streamer = s
		default:
			return fmt.Errorf("targets[%d]: the %s adapter (%T) is neither a Poller nor a Streamer", j, sc.Kind, a)
		}
		tg.health = TargetHealth{Source: sc.Name, Target: name, Kind: sc.Kind}
		c.targets = append(c.targets, tg)
	}
	return nil
}

// Ready reports whether the crawler is running.
func (c *Crawler) Ready(ctx context.Context) error {
	if !c.running.Load() {
		return errors.New("crawler: not running")
	}
	return nil
}

// Health reports every target's health, in config order.
func (c *Crawler) Health() []TargetHealth {
	out := make([]TargetHealth, 0, len(c.targets))
	for _, tg := range c.targets {
		tg.mu.Lock()
		out = append(out, tg.health)
		tg.mu.Unlock()
	}
	return out
}

// meteredFetcher counts one source's requests by outcome.
type meteredFetcher struct {
	f      source.Fetcher
	m      *metrics
	source string
}

func (f *meteredFetcher) Fetch(ctx context.Context, req *source.Request) (*source.Response, error) {
	resp, err := f.f.Fetch(ctx, req)
	f.m.requests.WithLabelValues(f.source, outcome(resp, err)).Inc()
	return resp, err
}

func outcome(resp *source.Response, err error) string {
	var (
		re *source.RetryError
		se *source.StatusError
	)
	switch {
	case err == nil && resp.NotModified():
		return "not_modified"
	case err == nil:
		return "ok"
	case fetch.Reason(err) != "":
		return "refused_" + fetch.Reason(err)
	case errors.As(err, &re):
		return "retry"
	case errors.Is(err, source.ErrBlocked):
		return "blocked"
	case errors.As(err, &se):
		return "status_" + strconv.Itoa(se.Status/100) + "xx"
	}
	return "error"
}
