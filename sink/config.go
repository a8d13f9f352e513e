package sink

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/notify"
	"github.com/handlewatch/handlewatch/sink/signals"
	"github.com/handlewatch/handlewatch/sink/stats"
	"github.com/handlewatch/handlewatch/sink/takedown"
	"github.com/handlewatch/handlewatch/sink/web"
)

// Config is the `sink:` section of the config file.
type Config struct {
	Listen  string `yaml:"listen"`
	BaseURL string `yaml:"base_url"` // the dashboard's public URL, for links in alerts
	// APITokenEnv names the environment variable (or its _FILE twin)
	// holding the API's bearer token. Unset, the API is read-only.
	APITokenEnv string `yaml:"api_token_env"`

	Webhooks []WebhookConfig `yaml:"webhooks"`
	Slack    []SlackConfig   `yaml:"slack"`
	Email    []EmailConfig   `yaml:"email"`
	Alerts   AlertsConfig    `yaml:"alerts"`
	Cases    CasesConfig     `yaml:"cases"`

	Takedowns takedown.Config `yaml:"takedowns"`
	Research  stats.Config    `yaml:"research"`

	// Signals shares confirmed handles with partners over TAXII and
	// imports theirs (sink/signals).
	Signals signals.Config `yaml:"signals"`
	// Dashboard is the moderator dashboard's accounts and sessions.
	Dashboard web.Config `yaml:"dashboard"`
	// CheckpointInterval is how often a sink on Redis moves its replay
	// checkpoints up to what the consumers acked, and checks that Redis
	// still holds the derived state (rebuilding it if it was flushed).
	CheckpointInterval time.Duration `yaml:"checkpoint_interval"`
}

// WebhookConfig is one generic webhook destination.
type WebhookConfig struct {
	Name          string        `yaml:"name"`
	URL           string        `yaml:"url"`
	SecretEnv     string        `yaml:"secret_env"`      // env var (or its _FILE twin) holding the HMAC key
	RatePerMinute int           `yaml:"rate_per_minute"` // token bucket; overflow goes to the digest
	Digest        bool          `yaml:"digest"`          // send digests only
	Timeout       time.Duration `yaml:"timeout"`         // per attempt
}

// SlackConfig is one Slack incoming webhook.
type SlackConfig struct {
	Name          string        `yaml:"name"`
	WebhookURLEnv string        `yaml:"webhook_url_env"` // the URL is a secret
	RatePerMinute int           `yaml:"rate_per_minute"`
	Digest        bool          `yaml:"digest"`
	Timeout       time.Duration `yaml:"timeout"`
}

// EmailConfig is one SMTP destination.
type EmailConfig struct {
	Name          string        `yaml:"name"`
	Host          string        `yaml:"host"`
	Port          int           `yaml:"port"`
	Username      string        `yaml:"username"`
	PasswordEnv   string        `yaml:"password_env"`
	From          string        `yaml:"from"`
	To            []string      `yaml:"to"`
	StartTLS      string        `yaml:"starttls"` // required (default), opportunistic or none
	CAFile        string        `yaml:"ca_file"`  // PEM roots for a private CA
	RatePerMinute int           `yaml:"rate_per_minute"`
	Digest        bool          `yaml:"digest"`
	Timeout       time.Duration `yaml:"timeout"`
}

// AlertsConfig is the alert policy.
type AlertsConfig struct {
	// MinSeverity is the lowest case severity that alerts at all.
	MinSeverity string `yaml:"min_severity"`
	// EscalateAtSightings and EscalateAtSources are thresholds: a case
	// crossing one alerts once more. A single number or a list.
	EscalateAtSightings Thresholds `yaml:"escalate_at_sightings"`
	EscalateAtSources   Thresholds `yaml:"escalate_at_sources"`
	// DigestInterval is how often digests (and rate-limit overflow) go out.
	DigestInterval time.Duration `yaml:"digest_interval"`
	// ReconcileInterval is how often cases seen within CatchUp are checked
	// for alerts that are due but were never recorded (a crash between a
	// sighting and its alert).
	ReconcileInterval time.Duration `yaml:"reconcile_interval"`
	CatchUp           time.Duration `yaml:"catch_up"`
	Retry             RetryConfig   `yaml:"retry"`
}

// RetryConfig bounds the delivery attempts of one alert.
type RetryConfig struct {
	Attempts       int           `yaml:"attempts"`
	InitialBackoff time.Duration `yaml:"initial_backoff"`
	MaxBackoff     time.Duration `yaml:"max_backoff"`
	MaxRetryAfter  time.Duration `yaml:"max_retry_after"`
}

// CasesConfig bounds the case view.
type CasesConfig struct {
	MaxSightings int `yaml:"max_sightings"` // kept per case; counts stay exact
}

// Thresholds is an ascending list of counts; YAML accepts one number or a
// list.
type Thresholds []int64

// UnmarshalYAML accepts `3` as well as `[3, 10]`; an explicit `[]` turns
// the escalation off.
func (t *Thresholds) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		var v int64
		if err := n.Decode(&v); err != nil {
			return err
		}
		*t = Thresholds{v}
		return nil
	}
	var vs []int64
	if err := n.Decode(&vs); err != nil {
		return err
	}
	if vs == nil {
		vs = []int64{}
	}
	*t = vs
	return nil
}

// Defaults.
const (
	DefaultRatePerMinute      = 30
	DefaultEmailRatePerMinute = 10
)

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Listen
	}
	c.CheckpointInterval = orDur(c.CheckpointInterval, 10*time.Second)
	c.Webhooks = slices.Clone(c.Webhooks)
	for i := range c.Webhooks {
		w := &c.Webhooks[i]
		w.RatePerMinute = orInt(w.RatePerMinute, DefaultRatePerMinute)
		w.Timeout = orDur(w.Timeout, 10*time.Second)
	}
	c.Slack = slices.Clone(c.Slack)
	for i := range c.Slack {
		s := &c.Slack[i]
		s.RatePerMinute = orInt(s.RatePerMinute, DefaultRatePerMinute)
		s.Timeout = orDur(s.Timeout, 10*time.Second)
	}
	c.Email = slices.Clone(c.Email)
	for i := range c.Email {
		e := &c.Email[i]
		e.Port = orInt(e.Port, 587)
		if e.StartTLS == "" {
			e.StartTLS = notify.StartTLSRequired
		}
		e.RatePerMinute = orInt(e.RatePerMinute, DefaultEmailRatePerMinute)
		e.Timeout = orDur(e.Timeout, 30*time.Second)
	}
	a := &c.Alerts
	if a.MinSeverity == "" {
		a.MinSeverity = string(wire.SeverityMedium)
	}
	if a.EscalateAtSightings == nil {
		a.EscalateAtSightings = Thresholds{10, 100, 1000}
	}
	if a.EscalateAtSources == nil {
		a.EscalateAtSources = Thresholds{3}
	}
	a.DigestInterval = orDur(a.DigestInterval, 15*time.Minute)
	a.ReconcileInterval = orDur(a.ReconcileInterval, 5*time.Minute)
	a.CatchUp = orDur(a.CatchUp, 24*time.Hour)
	r := &a.Retry
	r.Attempts = orInt(r.Attempts, notify.DefaultRetry.Attempts)
	r.InitialBackoff = orDur(r.InitialBackoff, notify.DefaultRetry.Initial)
	r.MaxBackoff = orDur(r.MaxBackoff, notify.DefaultRetry.Max)
	r.MaxRetryAfter = orDur(r.MaxRetryAfter, notify.DefaultRetry.MaxRetryAfter)
	c.Cases.MaxSightings = orInt(c.Cases.MaxSightings, cases.DefaultMaxSightings)
	c.Takedowns = c.Takedowns.WithDefaults()
	c.Research = c.Research.WithDefaults()
	c.Signals = c.Signals.WithDefaults()
	c.Dashboard = c.Dashboard.WithDefaults()
	return c
}

func orInt(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func orDur(v, d time.Duration) time.Duration {
	if v == 0 {
		return d
	}
	return v
}

// Validate reports the first bad setting, naming its key ("sink.…").
// Call it on the result of WithDefaults.
func (c Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("sink.listen: %q is not host:port", c.Listen)
	}
	if err := httpURL(c.BaseURL); err != nil {
		return fmt.Errorf("sink.base_url: %w", err)
	}
	if c.CheckpointInterval < 100*time.Millisecond {
		return errors.New("sink.checkpoint_interval: must be at least 100ms")
	}
	names := map[string]string{}
	name := func(key, n string) error {
		if n == "" {
			return fmt.Errorf("%s.name: required", key)
		}
		if !tokenSafe(n) {
			return fmt.Errorf("%s.name: %q: letters, digits, '-' and '_' only", key, n)
		}
		if prev, ok := names[n]; ok {
			return fmt.Errorf("%s.name: %q is already the name of %s", key, n, prev)
		}
		names[n] = key
		return nil
	}
	for i, w := range c.Webhooks {
		key := fmt.Sprintf("sink.webhooks[%d]", i)
		if err := name(key, w.Name); err != nil {
			return err
		}
		if err := httpURL(w.URL); err != nil {
			return fmt.Errorf("%s.url: %w", key, err)
		}
		if w.SecretEnv == "" {
			return fmt.Errorf("%s.secret_env: required: webhooks are always signed", key)
		}
		if err := destination(key, w.RatePerMinute, w.Timeout); err != nil {
			return err
		}
	}
	for i, s := range c.Slack {
		key := fmt.Sprintf("sink.slack[%d]", i)
		if err := name(key, s.Name); err != nil {
			return err
		}
		if s.WebhookURLEnv == "" {
			return fmt.Errorf("%s.webhook_url_env: required (the webhook URL is a secret)", key)
		}
		if err := destination(key, s.RatePerMinute, s.Timeout); err != nil {
			return err
		}
	}
	for i, e := range c.Email {
		key := fmt.Sprintf("sink.email[%d]", i)
		if err := name(key, e.Name); err != nil {
			return err
		}
		if err := e.validate(key); err != nil {
			return err
		}
	}
	if c.Cases.MaxSightings < 1 || c.Cases.MaxSightings > 10000 {
		return errors.New("sink.cases.max_sightings: must be 1 to 10000")
	}
	if err := c.Alerts.validate(); err != nil {
		return err
	}
	if err := c.Takedowns.Validate(); err != nil {
		return err
	}
	if err := c.Signals.Validate(); err != nil {
		return err
	}
	if err := c.Dashboard.Validate(); err != nil {
		return err
	}
	return c.Research.Validate()
}

func (e EmailConfig) validate(key string) error {
	switch {
	case e.Host == "":
		return fmt.Errorf("%s.host: required", key)
	case e.Port < 1 || e.Port > 65535:
		return fmt.Errorf("%s.port: must be 1 to 65535", key)
	case e.Username != "" && e.PasswordEnv == "":
		return fmt.Errorf("%s.password_env: required with a username", key)
	case e.Username == "" && e.PasswordEnv != "":
		return fmt.Errorf("%s.username: required with a password_env", key)
	case !slices.Contains([]string{notify.StartTLSRequired, notify.StartTLSOpportunistic, notify.StartTLSNone}, e.StartTLS):
		return fmt.Errorf("%s.starttls: %q: want required, opportunistic or none", key, e.StartTLS)
	case e.StartTLS == notify.StartTLSNone && e.Username != "" && !loopback(e.Host):
		return fmt.Errorf("%s.starttls: none would send the password in clear to %s", key, e.Host)
	case len(e.To) == 0:
		return fmt.Errorf("%s.to: at least one recipient", key)
	}
	if _, err := mail.ParseAddress(e.From); err != nil {
		return fmt.Errorf("%s.from: %q: %w", key, e.From, err)
	}
	for j, t := range e.To {
		if _, err := mail.ParseAddress(t); err != nil {
			return fmt.Errorf("%s.to[%d]: %q: %w", key, j, t, err)
		}
	}
	return destination(key, e.RatePerMinute, e.Timeout)
}

func destination(key string, rate int, timeout time.Duration) error {
	if rate < 1 || rate > 6000 {
		return fmt.Errorf("%s.rate_per_minute: must be 1 to 6000", key)
	}
	if timeout < time.Second || timeout > 2*time.Minute {
		return fmt.Errorf("%s.timeout: must be 1s to 2m", key)
	}
	return nil
}

func (a AlertsConfig) validate() error {
	if _, err := wire.ParseSeverity(a.MinSeverity); err != nil {
		return fmt.Errorf("sink.alerts.min_severity: %w", err)
	}
	for _, th := range []struct {
		key string
		v   Thresholds
	}{{"sink.alerts.escalate_at_sightings", a.EscalateAtSightings}, {"sink.alerts.escalate_at_sources", a.EscalateAtSources}} {
		for i, n := range th.v {
			if n < 2 {
				return fmt.Errorf("%s[%d]: must be at least 2", th.key, i)
			}
			if i > 0 && n <= th.v[i-1] {
				return fmt.Errorf("%s[%d]: thresholds must ascend", th.key, i)
			}
		}
	}
	switch {
	case a.DigestInterval < time.Second:
		return errors.New("sink.alerts.digest_interval: must be at least 1s")
	case a.ReconcileInterval < time.Second:
		return errors.New("sink.alerts.reconcile_interval: must be at least 1s")
	case a.CatchUp < time.Minute:
		return errors.New("sink.alerts.catch_up: must be at least 1m")
	case a.Retry.Attempts < 1 || a.Retry.Attempts > 20:
		return errors.New("sink.alerts.retry.attempts: must be 1 to 20")
	case a.Retry.InitialBackoff < time.Millisecond:
		return errors.New("sink.alerts.retry.initial_backoff: must be at least 1ms")
	case a.Retry.MaxBackoff < a.Retry.InitialBackoff:
		return errors.New("sink.alerts.retry.max_backoff: must be at least initial_backoff")
	case a.Retry.MaxBackoff > 10*time.Minute:
		return errors.New("sink.alerts.retry.max_backoff: must be at most 10m")
	case a.Retry.MaxRetryAfter < 0 || a.Retry.MaxRetryAfter > 10*time.Minute:
		return errors.New("sink.alerts.retry.max_retry_after: must be 0 to 10m")
	}
	return nil
}

func (r RetryConfig) policy() notify.RetryPolicy {
	return notify.RetryPolicy{Attempts: r.Attempts, Initial: r.InitialBackoff, Max: r.MaxBackoff,
		MaxRetryAfter: r.MaxRetryAfter, Jitter: 0.2}
}

func httpURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q: must be an http(s) URL", s)
	}
	return nil
}

func tokenSafe(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
