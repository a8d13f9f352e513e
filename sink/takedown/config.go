package takedown

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/duration"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Channels a target can use.
const (
	ChannelMastodon = "mastodon"  // POST /api/v1/reports on the instance
	ChannelBluesky  = "bluesky"   // com.atproto.moderation.createReport via the PDS
	ChannelReddit   = "reddit"    // POST /api/report on oauth.reddit.com
	ChannelEmail    = "email"     // an abuse address, one message per post
	ChannelAppAbuse = "app_abuse" // the messaging app's abuse address, one message per handle
)

// Modes a target can run in.
const (
	ModeReview = "review" // a moderator's confirm files the request
	ModeAuto   = "auto"   // files at once at or above auto_min_severity when the finding may act
)

// Config is the `sink.takedowns:` section.
type Config struct {
	// Enabled turns takedowns on. Off, OnFinding and OnDecision do nothing
	// but count handlewatch_sink_takedown_skipped_total{reason="disabled"}.
	Enabled bool `yaml:"enabled"`
	// Shadow makes every target record exactly what it would send and send
	// nothing (each target also has its own shadow switch).
	Shadow bool `yaml:"shadow"`
	// TotalDailyQuota bounds the notices of all targets together per UTC
	// day (default 500).
	TotalDailyQuota int `yaml:"total_daily_quota"`
	// Operator and Contact are named in every notice, so that the receiving
	// platform knows who reports and where to answer.
	Operator string `yaml:"operator"`
	Contact  string `yaml:"contact"`
	// ExcerptMax caps the crawled text quoted in an e-mail notice, in
	// characters (default 140; -1 quotes none). The notices as sent are
	// kept on hw.cases, which is kept forever: this is how much crawled
	// text that record holds per notice.
	ExcerptMax int `yaml:"excerpt_max"`
	// TelegramURL is where t.me pages are re-checked (default https://t.me).
	TelegramURL string `yaml:"telegram_url"`
	// SendTimeout bounds one call to a platform or SMTP server (default 20s).
	SendTimeout Duration `yaml:"send_timeout"`
	// MaxRetries is how many transient failures (429, 5xx, network) a
	// notice survives before the request fails (default 6).
	MaxRetries int `yaml:"max_retries"`

	Targets []TargetConfig `yaml:"targets"`
}

// TargetConfig is one place takedown requests go.
type TargetConfig struct {
	Name    string `yaml:"name"`
	Channel string `yaml:"channel"` // mastodon, bluesky, reddit, email, app_abuse
	// AppliesTo lists source names or source kinds (platform and e-mail
	// channels) or apps (app_abuse); "*" matches all.
	AppliesTo []string `yaml:"applies_to"`
	// BaseURL is the instance, PDS or API host (mastodon, bluesky, reddit).
	BaseURL string `yaml:"base_url"`

	Mode            string        `yaml:"mode"`              // review (default) or auto
	AutoMinSeverity wire.Severity `yaml:"auto_min_severity"` // default high
	DailyQuota      int           `yaml:"daily_quota"`       // default 100
	Shadow          bool          `yaml:"shadow"`

	RenoticeAfter Duration `yaml:"renotice_after"` // default 24h
	RecheckEvery  Duration `yaml:"recheck_every"`  // default 6h
	GiveUpAfter   Duration `yaml:"give_up_after"`  // default 30d

	// Credentials, by environment variable name (or its _FILE twin).
	TokenEnv        string `yaml:"token_env"`         // mastodon; reddit (a user bearer token)
	Identifier      string `yaml:"identifier"`        // bluesky handle or DID of the reporting account
	PasswordEnv     string `yaml:"password_env"`      // bluesky app password; reddit account password
	ClientIDEnv     string `yaml:"client_id_env"`     // reddit script app
	ClientSecretEnv string `yaml:"client_secret_env"` // reddit script app
	Username        string `yaml:"username"`          // reddit account for the password grant
	TokenURL        string `yaml:"token_url"`         // reddit, default https://www.reddit.com/api/v1/access_token

	// Mastodon report options.
	Category string   `yaml:"category"` // other (default), legal, violation
	RuleIDs  []string `yaml:"rule_ids"` // instance rule ids; implies category violation
	Forward  *bool    `yaml:"forward"`  // forward to the author's instance (default true)

	// Bluesky report options.
	ReasonType string `yaml:"reason_type"` // default com.atproto.moderation.defs#reasonViolation
	ProxyDID   string `yaml:"proxy_did"`   // optional atproto-proxy moderation service DID

	// E-mail (email and app_abuse).
	SMTP     SMTPConfig        `yaml:"smtp"`
	To       []string          `yaml:"to"`       // email: the abuse addresses
	Contacts map[string]string `yaml:"contacts"` // app_abuse: app → abuse address

	// Template overrides the channel's built-in notice text (text/template);
	// TemplateFile reads it from a file. SubjectTemplate is the e-mail
	// subject line.
	Template        string `yaml:"template"`
	TemplateFile    string `yaml:"template_file"`
	SubjectTemplate string `yaml:"subject_template"`
}

// SMTPConfig is an SMTP submission server.
type SMTPConfig struct {
	Host        string `yaml:"host"`
	Port        int    `yaml:"port"` // default 587 (465 with tls: implicit)
	Username    string `yaml:"username"`
	PasswordEnv string `yaml:"password_env"`
	From        string `yaml:"from"`
	// TLS is starttls (default), implicit, or none. none is refused with a
	// username (PLAIN would cross the wire in clear) unless the host is a
	// loopback address.
	TLS string `yaml:"tls"`
}

// Duration is a time.Duration that YAML may also write in days ("30d").
type Duration = duration.Duration

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.TotalDailyQuota == 0 {
		c.TotalDailyQuota = 500
	}
	if c.ExcerptMax == 0 {
		c.ExcerptMax = 140
	}
	if c.TelegramURL == "" {
		c.TelegramURL = "https://t.me"
	}
	if c.SendTimeout == 0 {
		c.SendTimeout = Duration(20 * time.Second)
	}
	if c.MaxRetries == 0 {
		c.MaxRetries = 6
	}
	if c.Operator == "" {
		c.Operator = "handlewatch"
	}
	targets := make([]TargetConfig, len(c.Targets))
	for i, t := range c.Targets {
		targets[i] = t.withDefaults()
	}
	c.Targets = targets
	return c
}

func (t TargetConfig) withDefaults() TargetConfig {
	if t.Mode == "" {
		t.Mode = ModeReview
	}
	if t.AutoMinSeverity == "" {
		t.AutoMinSeverity = wire.SeverityHigh
	}
	if t.DailyQuota == 0 {
		t.DailyQuota = 100
	}
	if t.RenoticeAfter == 0 {
		t.RenoticeAfter = Duration(24 * time.Hour)
	}
	if t.RecheckEvery == 0 {
		t.RecheckEvery = Duration(6 * time.Hour)
	}
	if t.GiveUpAfter == 0 {
		t.GiveUpAfter = Duration(30 * 24 * time.Hour)
	}
	switch t.Channel {
	case ChannelMastodon:
		if t.Category == "" {
			t.Category = "other"
		}
		if len(t.RuleIDs) > 0 {
			t.Category = "violation"
		}
	case ChannelBluesky:
		if t.ReasonType == "" {
			t.ReasonType = "com.atproto.moderation.defs#reasonViolation"
		}
		if t.BaseURL == "" {
			t.BaseURL = "https://bsky.social"
		}
	case ChannelReddit:
		if t.BaseURL == "" {
			t.BaseURL = "https://oauth.reddit.com"
		}
		if t.TokenURL == "" {
			t.TokenURL = "https://www.reddit.com/api/v1/access_token"
		}
	case ChannelEmail, ChannelAppAbuse:
		if t.SMTP.TLS == "" {
			t.SMTP.TLS = "starttls"
		}
		if t.SMTP.Port == 0 {
			t.SMTP.Port = 587
			if t.SMTP.TLS == "implicit" {
				t.SMTP.Port = 465
			}
		}
	}
	return t
}

// Validate reports the first bad setting, naming its key. It expects
// WithDefaults to have run.
func (c Config) Validate() error {
	const p = "sink.takedowns"
	switch {
	case c.TotalDailyQuota < 0:
		return fmt.Errorf("%s.total_daily_quota: must not be negative", p)
	case c.ExcerptMax < -1 || c.ExcerptMax > 500:
		return fmt.Errorf("%s.excerpt_max: must be -1 (none) to 500 characters", p)
	case c.SendTimeout.D() < time.Second:
		return fmt.Errorf("%s.send_timeout: must be at least 1s", p)
	case c.MaxRetries < 1:
		return fmt.Errorf("%s.max_retries: must be at least 1", p)
	}
	if err := httpURL(c.TelegramURL); err != nil {
		return fmt.Errorf("%s.telegram_url: %w", p, err)
	}
	names := map[string]bool{}
	for i, t := range c.Targets {
		key := fmt.Sprintf("%s.targets[%d]", p, i)
		if err := t.validate(key); err != nil {
			return err
		}
		if names[t.Name] {
			return fmt.Errorf("%s.name: duplicate target %q", key, t.Name)
		}
		names[t.Name] = true
	}
	return nil
}

func (t TargetConfig) validate(key string) error {
	switch {
	case t.Name == "":
		return fmt.Errorf("%s.name: required", key)
	case wire.Token(t.Name) != t.Name || strings.ContainsAny(t.Name, ":/"):
		return fmt.Errorf("%s.name: %q may not contain dots, colons, slashes, spaces or wildcards", key, t.Name)
	case t.Mode != ModeReview && t.Mode != ModeAuto:
		return fmt.Errorf("%s.mode: %q is not review or auto", key, t.Mode)
	case t.AutoMinSeverity.Rank() < 0:
		return fmt.Errorf("%s.auto_min_severity: unknown severity %q", key, t.AutoMinSeverity)
	case t.DailyQuota < 0:
		return fmt.Errorf("%s.daily_quota: must not be negative", key)
	case t.RenoticeAfter.D() < time.Hour:
		return fmt.Errorf("%s.renotice_after: must be at least 1h", key)
	case t.RecheckEvery.D() < time.Minute:
		return fmt.Errorf("%s.recheck_every: must be at least 1m", key)
	case t.GiveUpAfter.D() < t.RenoticeAfter.D():
		return fmt.Errorf("%s.give_up_after: must be at least renotice_after", key)
	case t.Template != "" && t.TemplateFile != "":
		return fmt.Errorf("%s.template_file: set template or template_file, not both", key)
	case len(t.AppliesTo) == 0:
		return fmt.Errorf("%s.applies_to: list the sources (or apps) this target serves, or \"*\"", key)
	}
	switch t.Channel {
	case ChannelMastodon:
		if err := httpURL(t.BaseURL); err != nil {
			return fmt.Errorf("%s.base_url: %w", key, err)
		}
		if t.TokenEnv == "" {
			return fmt.Errorf("%s.token_env: required for mastodon (a token with write:reports)", key)
		}
		switch t.Category {
		case "other", "legal", "violation", "spam":
		default:
			return fmt.Errorf("%s.category: %q is not other, legal, violation or spam", key, t.Category)
		}
		if t.Category == "violation" && len(t.RuleIDs) == 0 {
			return fmt.Errorf("%s.rule_ids: category violation needs the instance's rule ids", key)
		}
	case ChannelBluesky:
		if err := httpURL(t.BaseURL); err != nil {
			return fmt.Errorf("%s.base_url: %w", key, err)
		}
		if t.Identifier == "" || t.PasswordEnv == "" {
			return fmt.Errorf("%s.identifier: bluesky needs identifier and password_env (an app password)", key)
		}
		if !strings.HasPrefix(t.ReasonType, "com.atproto.moderation.defs#reason") && !strings.HasPrefix(t.ReasonType, "tools.ozone.report.defs#reason") {
			return fmt.Errorf("%s.reason_type: %q is not a moderation reason type", key, t.ReasonType)
		}
	case ChannelReddit:
		if err := httpURL(t.BaseURL); err != nil {
			return fmt.Errorf("%s.base_url: %w", key, err)
		}
		if t.TokenEnv == "" && (t.ClientIDEnv == "" || t.ClientSecretEnv == "" || t.Username == "" || t.PasswordEnv == "") {
			return fmt.Errorf("%s.token_env: reddit needs token_env, or client_id_env, client_secret_env, username and password_env", key)
		}
		if t.TokenEnv == "" {
			if err := httpURL(t.TokenURL); err != nil {
				return fmt.Errorf("%s.token_url: %w", key, err)
			}
		}
	case ChannelEmail, ChannelAppAbuse:
		if err := t.SMTP.validate(key + ".smtp"); err != nil {
			return err
		}
		if t.Channel == ChannelEmail && len(t.To) == 0 {
			return fmt.Errorf("%s.to: list the abuse addresses", key)
		}
		if t.Channel == ChannelAppAbuse {
			if len(t.Contacts) == 0 {
				return fmt.Errorf("%s.contacts: map each app to its abuse address", key)
			}
			for app, addr := range t.Contacts {
				if !wire.IsApp(app) {
					return fmt.Errorf("%s.contacts.%s: unknown app", key, app)
				}
				if !validAddress(addr) {
					return fmt.Errorf("%s.contacts.%s: %q is not an e-mail address", key, app, addr)
				}
			}
			for _, a := range t.AppliesTo {
				if a != "*" && !wire.IsApp(a) {
					return fmt.Errorf("%s.applies_to: %q is not an app", key, a)
				}
			}
		}
		for j, addr := range t.To {
			if !validAddress(addr) {
				return fmt.Errorf("%s.to[%d]: %q is not an e-mail address", key, j, addr)
			}
		}
	case "":
		return fmt.Errorf("%s.channel: required (mastodon, bluesky, reddit, email or app_abuse)", key)
	default:
		return fmt.Errorf("%s.channel: unknown channel %q (mastodon, bluesky, reddit, email or app_abuse)", key, t.Channel)
	}
	return nil
}

func (s SMTPConfig) validate(key string) error {
	switch {
	case s.Host == "":
		return fmt.Errorf("%s.host: required", key)
	case s.Port < 1 || s.Port > 65535:
		return fmt.Errorf("%s.port: %d is not a port", key, s.Port)
	case !validAddress(s.From):
		return fmt.Errorf("%s.from: %q is not an e-mail address", key, s.From)
	case s.Username != "" && s.PasswordEnv == "":
		return fmt.Errorf("%s.password_env: required with a username", key)
	}
	switch s.TLS {
	case "starttls", "implicit":
	case "none":
		if s.Username != "" && !isLoopbackHost(s.Host) {
			return fmt.Errorf("%s.tls: none would send the password in clear to %s", key, s.Host)
		}
	default:
		return fmt.Errorf("%s.tls: %q is not starttls, implicit or none", key, s.TLS)
	}
	return nil
}

func httpURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("must be an absolute http(s) URL")
	}
	return nil
}

func validAddress(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-1 && !strings.ContainsAny(s, " \t\r\n<>,;\"")
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}
