package sink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/secret"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/notify"
	"github.com/handlewatch/handlewatch/sink/signals"
	"github.com/handlewatch/handlewatch/sink/stats"
	"github.com/handlewatch/handlewatch/sink/takedown"
	"github.com/handlewatch/handlewatch/sink/web"
)

// Sink consumes findings and case events: it keeps the cases, alerts
// moderators, serves the JSON API and feeds takedowns and statistics.
type Sink struct {
	cfg     Config
	log     *zap.Logger
	bus     Bus
	state   state.Store
	cases   cases.Store
	dests   []*notify.Destination
	policy  alertPolicy
	token   string // the API's bearer token; empty: read-only API
	m       *metrics
	now     func() time.Time
	handler http.Handler
	hooks   *hooks
	signals *signals.Service
	web     *web.Server // the dashboard
	audit   auditLog    // the latest decisions, for the dashboard

	// claimTTL bounds how long an alert claimed by one process stays
	// claimed if that process dies before it records the alert; leaseTTL
	// how long one waiting in its digest stays held.
	claimTTL time.Duration
	leaseTTL time.Duration
	ackWait  time.Duration

	// rebuildMu is held while the derived state is rebuilt after a wipe.
	rebuildMu sync.Mutex

	ready   atomic.Bool
	stopped atomic.Bool
	runMu   sync.Mutex
	running bool
}

// alertClaimTTL is how long an alert claim lasts unrenewed.
const alertClaimTTL = 15 * time.Second

// New builds the sink; secrets are read here, so a missing one fails start-up.
func New(cfg Config, deps Deps) (*Sink, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case deps.Bus == nil:
		return nil, errors.New("sink: no bus")
	case deps.Store == nil:
		return nil, errors.New("sink: no state store")
	}
	if deps.Log == nil {
		deps.Log = zap.NewNop()
	}
	if deps.Metrics == nil {
		deps.Metrics = prometheus.NewRegistry()
	}
	s := &Sink{cfg: cfg, log: deps.Log, bus: deps.Bus, state: deps.Store, now: time.Now}
	if r, ok := deps.Store.(*state.Redis); ok {
		s.cases = cases.NewRedis(r.Client(), r.Prefix(), cfg.Cases.MaxSightings)
	} else {
		s.cases = cases.NewMemory(cfg.Cases.MaxSightings)
	}
	sev, _ := wire.ParseSeverity(cfg.Alerts.MinSeverity)
	s.policy = alertPolicy{minSeverity: sev, sightings: cfg.Alerts.EscalateAtSightings, sources: cfg.Alerts.EscalateAtSources}
	if err := s.buildDestinations(); err != nil {
		return nil, err
	}
	if cfg.APITokenEnv != "" {
		tok, err := secret.Lookup(cfg.APITokenEnv)
		if err != nil {
			return nil, fmt.Errorf("sink.api_token_env: %w", err)
		}
		if len(tok) < 16 {
			return nil, fmt.Errorf("sink.api_token_env: the token in %s is shorter than 16 characters", cfg.APITokenEnv)
		}
		s.token = tok
	}
	m, err := newMetrics(deps.Metrics)
	if err != nil {
		return nil, err
	}
	s.m = m
	td, err := takedown.New(cfg.Takedowns, takedown.Deps{Log: deps.Log.Named("takedown"), Publisher: deps.Bus,
		Store: deps.Store, Metrics: deps.Metrics})
	if err != nil {
		return nil, err
	}
	st, err := stats.New(cfg.Research, stats.Deps{Log: deps.Log.Named("stats"), Store: deps.Store, Metrics: deps.Metrics})
	if err != nil {
		return nil, err
	}
	s.hooks = &hooks{log: deps.Log, takedowns: td, stats: st}
	// Without partners or feeds the service still sweeps expired imports
	// (`handlewatch signals import`) off the watchlist.
	sig, err := signals.New(cfg.Signals, signals.Deps{Log: deps.Log.Named("signals"), Cases: s.cases, State: deps.Store,
		Publisher: deps.Bus, PublicURL: cfg.BaseURL, Now: func() time.Time { return s.now() }})
	if err != nil {
		return nil, err
	}
	s.signals = sig
	// A delivery may take its whole retry budget per destination (they run
	// in parallel); the finding is acked after its alerts settle.
	perAttempt := 10 * time.Second
	for _, t := range s.timeouts() {
		perAttempt = max(perAttempt, t)
	}
	budget := cfg.Alerts.Retry.policy().Budget(perAttempt)
	s.ackWait = budget + 30*time.Second
	// A claim is renewed while its attempt delivers (keepClaims); a
	// process killed mid-send leaves one that expires this soon, and its
	// finding, redelivered meanwhile, then sends the alert.
	s.claimTTL = alertClaimTTL
	s.leaseTTL = cfg.Alerts.DigestInterval + budget + 5*time.Minute
	if s.web, err = s.newDashboard(deps.SourceHealth); err != nil {
		return nil, err
	}
	s.handler = s.routes()
	return s, nil
}

func (s *Sink) buildDestinations() error {
	retry := s.cfg.Alerts.Retry.policy()
	add := func(n notify.Notifier, rate int, digest bool) {
		s.dests = append(s.dests, notify.NewDestination(n, notify.DestinationOptions{RatePerMinute: rate, Digest: digest, Retry: retry}))
	}
	for i, w := range s.cfg.Webhooks {
		key, err := secret.Lookup(w.SecretEnv)
		if err != nil {
			return fmt.Errorf("sink.webhooks[%d].secret_env: %w", i, err)
		}
		add(notify.NewWebhook(w.Name, w.URL, key, &http.Client{Timeout: w.Timeout}), w.RatePerMinute, w.Digest)
	}
	for i, sc := range s.cfg.Slack {
		u, err := secret.Lookup(sc.WebhookURLEnv)
		if err != nil {
			return fmt.Errorf("sink.slack[%d].webhook_url_env: %w", i, err)
		}
		if err := httpURL(u); err != nil {
			// Never echo the URL: it is the secret.
			return fmt.Errorf("sink.slack[%d].webhook_url_env: the value of %s must be an http(s) URL", i, sc.WebhookURLEnv)
		}
		add(notify.NewSlack(sc.Name, u, &http.Client{Timeout: sc.Timeout}), sc.RatePerMinute, sc.Digest)
	}
	for i, ec := range s.cfg.Email {
		key := fmt.Sprintf("sink.email[%d]", i)
		var pass string
		if ec.PasswordEnv != "" {
			p, err := secret.Lookup(ec.PasswordEnv)
			if err != nil {
				return fmt.Errorf("%s.password_env: %w", key, err)
			}
			pass = p
		}
		var tlsCfg *tls.Config
		if ec.CAFile != "" {
			pem, err := os.ReadFile(ec.CAFile)
			if err != nil {
				return fmt.Errorf("%s.ca_file: %w", key, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("%s.ca_file: no PEM certificate in %s", key, ec.CAFile)
			}
			tlsCfg = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
		e, err := notify.NewEmail(notify.EmailOptions{Name: ec.Name, Host: ec.Host, Port: ec.Port, Username: ec.Username,
			Password: pass, From: ec.From, To: ec.To, StartTLS: ec.StartTLS, TLS: tlsCfg, Timeout: ec.Timeout})
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		add(e, ec.RatePerMinute, ec.Digest)
	}
	return nil
}

func (s *Sink) timeouts() []time.Duration {
	var out []time.Duration
	for _, w := range s.cfg.Webhooks {
		out = append(out, w.Timeout)
	}
	for _, sc := range s.cfg.Slack {
		out = append(out, sc.Timeout)
	}
	for _, e := range s.cfg.Email {
		out = append(out, e.Timeout)
	}
	return out
}

// Handler serves the JSON API (under /api/) and the dashboard; cmd mounts
// it at "/" next to /healthz, /readyz and /metrics.
func (s *Sink) Handler() http.Handler { return s.handler }

// Ready reports whether the rebuild is done and the consumers run.
func (s *Sink) Ready(ctx context.Context) error {
	switch {
	case s.stopped.Load():
		return errors.New("sink: stopped")
	case !s.ready.Load():
		return errors.New("sink: rebuilding from the streams")
	}
	return nil
}

// caseURL is the case's page in the dashboard.
func (s *Sink) caseURL(id string) string {
	return strings.TrimSuffix(s.cfg.BaseURL, "/") + "/cases/" + id
}
