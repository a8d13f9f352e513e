package crawler

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/crawler/source"
)

// Defaults of the crawler: section.
const (
	DefaultUserAgent          = "handlewatch/0 (+https://github.com/handlewatch/handlewatch)"
	DefaultMaxConcurrency     = 4
	DefaultRequestTimeout     = 30 * time.Second
	DefaultMaxBodyBytes       = 8 << 20
	DefaultSeenTTL            = 30 * 24 * time.Hour
	DefaultHostRate           = 1.0
	DefaultHostBurst          = 2
	DefaultBackoffBase        = 5 * time.Second
	DefaultBackoffMax         = 30 * time.Minute
	DefaultBlockedBackoff     = 6 * time.Hour
	DefaultMaxPages           = 10
	DefaultJitter             = 0.1
	DefaultRobotsTTL          = 24 * time.Hour
	DefaultOnceStreamTimeout  = 2 * time.Minute
	DefaultCheckpointInterval = time.Second
	DefaultCheckpointPosts    = 100
	// DefaultInterval is a source's interval when it sets none.
	DefaultInterval = 5 * time.Minute
	// MinInterval is the shortest interval of a source on the internet.
	MinInterval = 10 * time.Second
	// MinLocalInterval is the shortest interval of a source on this
	// machine (a loopback base_url, the file kind): tests and the demo.
	MinLocalInterval = 100 * time.Millisecond
)

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.UserAgent == "" {
		c.UserAgent = DefaultUserAgent
	}
	setDefault(&c.MaxConcurrency, DefaultMaxConcurrency)
	setDefault(&c.RequestTimeout, DefaultRequestTimeout)
	setDefault(&c.MaxBodyBytes, DefaultMaxBodyBytes)
	setDefault(&c.SeenTTL, DefaultSeenTTL)
	setDefault(&c.HostRate, DefaultHostRate)
	setDefault(&c.HostBurst, DefaultHostBurst)
	setDefault(&c.BackoffBase, DefaultBackoffBase)
	setDefault(&c.BackoffMax, DefaultBackoffMax)
	setDefault(&c.BlockedBackoff, DefaultBlockedBackoff)
	setDefault(&c.MaxPages, DefaultMaxPages)
	setDefault(&c.Jitter, DefaultJitter)
	setDefault(&c.RobotsTTL, DefaultRobotsTTL)
	setDefault(&c.OnceStreamTimeout, DefaultOnceStreamTimeout)
	setDefault(&c.CheckpointInterval, DefaultCheckpointInterval)
	setDefault(&c.CheckpointPosts, DefaultCheckpointPosts)
	return c
}

func setDefault[T int | int64 | float64 | time.Duration](v *T, d T) {
	if *v == 0 {
		*v = d
	}
}

// Validate reports the first bad setting, naming its key ("crawler.…").
// Zero values stand for the defaults.
func (c Config) Validate() error {
	c = c.WithDefaults()
	ua := strings.ToLower(c.UserAgent)
	switch {
	case !strings.Contains(ua, "http://") && !strings.Contains(ua, "https://") && !strings.Contains(ua, "mailto:") && !strings.Contains(ua, "@"):
		return fmt.Errorf("crawler.user_agent: must name a contact URL or address, e.g. %q", DefaultUserAgent)
	case strings.ContainsAny(c.UserAgent, "\r\n"):
		return errors.New("crawler.user_agent: must be one line")
	case c.MaxConcurrency < 1 || c.MaxConcurrency > 256:
		return fmt.Errorf("crawler.max_concurrency: must be between 1 and 256, got %d", c.MaxConcurrency)
	case c.RequestTimeout < 100*time.Millisecond || c.RequestTimeout > 10*time.Minute:
		return fmt.Errorf("crawler.request_timeout: must be between 100ms and 10m, got %s", c.RequestTimeout)
	case c.MaxBodyBytes < 1<<10 || c.MaxBodyBytes > 1<<30:
		return fmt.Errorf("crawler.max_body_bytes: must be between 1 KiB and 1 GiB, got %d", c.MaxBodyBytes)
	case c.SeenTTL < time.Hour:
		return fmt.Errorf("crawler.seen_ttl: must be at least 1h (posts older than it may be published again), got %s", c.SeenTTL)
	case c.HostRate <= 0 || c.HostRate > 1000:
		return fmt.Errorf("crawler.host_rate: must be more than 0 and at most 1000 requests per second, got %g", c.HostRate)
	case c.HostBurst < 1 || c.HostBurst > 1000:
		return fmt.Errorf("crawler.host_burst: must be between 1 and 1000, got %d", c.HostBurst)
	case c.BackoffBase < time.Millisecond:
		return fmt.Errorf("crawler.backoff_base: must be at least 1ms, got %s", c.BackoffBase)
	case c.BackoffMax < c.BackoffBase:
		return fmt.Errorf("crawler.backoff_max: must be at least crawler.backoff_base (%s), got %s", c.BackoffBase, c.BackoffMax)
	case c.BlockedBackoff < c.BackoffBase:
		return fmt.Errorf("crawler.blocked_backoff: must be at least crawler.backoff_base (%s), got %s", c.BackoffBase, c.BlockedBackoff)
	case c.MaxPages < 1 || c.MaxPages > 1000:
		return fmt.Errorf("crawler.max_pages: must be between 1 and 1000, got %d", c.MaxPages)
	case c.Jitter < 0 || c.Jitter > 0.5:
		return fmt.Errorf("crawler.jitter: must be between 0 and 0.5, got %g", c.Jitter)
	case c.RobotsTTL < time.Minute:
		return fmt.Errorf("crawler.robots_ttl: must be at least 1m, got %s", c.RobotsTTL)
	case c.OnceStreamTimeout < 0:
		return fmt.Errorf("crawler.once_stream_timeout: must not be negative, got %s", c.OnceStreamTimeout)
	case c.CheckpointInterval < 0:
		return fmt.Errorf("crawler.checkpoint_interval: must not be negative, got %s", c.CheckpointInterval)
	case c.CheckpointPosts < 1:
		return fmt.Errorf("crawler.checkpoint_posts: must be at least 1, got %d", c.CheckpointPosts)
	}
	return nil
}

// ValidateSources reports the first bad source, naming its key
// ("sources[2].kind: unknown kind \"myspace\" (want one of …)").
func ValidateSources(sources []SourceConfig) error {
	return validateSources(sources, nil)
}

var sourceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

// validateSources checks sources; with cfg it also refuses sources on
// private addresses that cfg does not allow.
func validateSources(sources []SourceConfig, cfg *Config) error {
	names := map[string]int{}
	for i, sc := range sources {
		key := fmt.Sprintf("sources[%d]", i)
		if err := validateSource(sc, cfg); err != nil {
			return fmt.Errorf("%s.%w", key, err)
		}
		if j, dup := names[sc.Name]; dup {
			return fmt.Errorf("%s.name: %q is also the name of sources[%d]", key, sc.Name, j)
		}
		names[sc.Name] = i
	}
	return nil
}

// validateSource returns an error whose text starts with the key inside
// the source ("kind: …").
func validateSource(sc SourceConfig, cfg *Config) error {
	if !sourceName.MatchString(sc.Name) {
		return fmt.Errorf("name: %q must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit", sc.Name)
	}
	if !knownKind(sc.Kind) {
		return fmt.Errorf("kind: unknown kind %q (want one of %s)", sc.Kind, strings.Join(Kinds, ", "))
	}
	local := sc.Kind == "file"
	if sc.Kind == "file" {
		if sc.BaseURL != "" {
			return errors.New("base_url: not used by kind file (its targets are paths)")
		}
		if len(sc.Hosts) > 0 {
			return errors.New("hosts: not used by kind file")
		}
	} else {
		if sc.BaseURL == "" && defaultHosts[sc.Kind] == nil {
			return fmt.Errorf("base_url: required for kind %s", sc.Kind)
		}
		if sc.BaseURL != "" {
			u, err := url.Parse(sc.BaseURL)
			if err != nil {
				return fmt.Errorf("base_url: %w", err)
			}
			if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("base_url: %q must be an absolute http or https URL", sc.BaseURL)
			}
			if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
				return fmt.Errorf("base_url: %q must not carry credentials, a query or a fragment", u.Redacted())
			}
			local = isLocalHost(u.Hostname())
			if cfg != nil && !cfg.AllowPrivateNetworks && isPrivateHost(u.Hostname()) {
				return fmt.Errorf("base_url: %s is a private or loopback address; set crawler.allow_private_networks for tests and the demo only", u.Hostname())
			}
		}
		for j, h := range sc.Hosts {
			if err := validHost(h); err != nil {
				return fmt.Errorf("hosts[%d]: %w", j, err)
			}
		}
	}
	switch min := MinInterval; {
	case sc.Interval < 0:
		return fmt.Errorf("interval: must not be negative, got %s", sc.Interval)
	case sc.Interval == 0:
	case local && sc.Interval < MinLocalInterval:
		return fmt.Errorf("interval: must be at least %s, got %s", MinLocalInterval, sc.Interval)
	case !local && sc.Interval < min:
		return fmt.Errorf("interval: must be at least %s for a source on the internet, got %s", min, sc.Interval)
	}
	if len(sc.Targets) == 0 {
		return errors.New("targets: at least one target is required")
	}
	seen := map[string]bool{}
	for j, t := range sc.Targets {
		switch {
		case strings.TrimSpace(t) == "":
			return fmt.Errorf("targets[%d]: empty", j)
		case seen[t]:
			return fmt.Errorf("targets[%d]: %q is listed twice", j, t)
		}
		seen[t] = true
		if err := validateTarget(sc, t); err != nil {
			return fmt.Errorf("targets[%d]: %w", j, err)
		}
	}
	if sc.HTML != nil && sc.Kind != "html" {
		return fmt.Errorf("html: only used by kind html, not %s", sc.Kind)
	}
	return validateKind(sc)
}

// validateTarget checks a target's shape for the kinds whose targets are
// URLs or paths.
func validateTarget(sc SourceConfig, t string) error {
	switch sc.Kind {
	case "file":
		if _, err := filepath.Match(t, ""); err != nil {
			return fmt.Errorf("%q is not a valid path or glob: %w", t, err)
		}
	case "rss", "html":
		u, err := resolveTarget(sc.BaseURL, t)
		if err != nil {
			return err
		}
		if !sc.Approves(u) {
			return fmt.Errorf("%s is not on an approved host (%s); add its host to hosts", u.Redacted(), strings.Join(sc.ApprovedHosts(), ", "))
		}
		if !source.IsFetchableURL(u) {
			return fmt.Errorf("%s is a media or binary URL", u.Redacted())
		}
	}
	return nil
}

// resolveTarget resolves a URL-or-path target against base.
func resolveTarget(base, t string) (*url.URL, error) {
	ref, err := url.Parse(strings.TrimSpace(t))
	if err != nil {
		return nil, fmt.Errorf("%q: %w", t, err)
	}
	if ref.IsAbs() {
		return ref, nil
	}
	b, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return b.ResolveReference(ref), nil
}

func validHost(h string) error {
	if h == "" || strings.ContainsAny(h, "/?#@ ") || strings.Contains(h, "://") {
		return fmt.Errorf("%q must be a host name with an optional port (e.g. oauth.reddit.com or example.org:8443)", h)
	}
	host := h
	if hh, port, err := net.SplitHostPort(h); err == nil {
		if port == "" {
			return fmt.Errorf("%q has an empty port", h)
		}
		host = hh
	}
	if host == "" {
		return fmt.Errorf("%q has no host name", h)
	}
	return nil
}

func isLocalHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.Unmap().IsLoopback()
}

func isPrivateHost(host string) bool {
	if isLocalHost(host) {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && forbiddenAddr(ip)
}
