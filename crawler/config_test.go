package crawler

import (
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/state"
)

func TestConfigDefaults(t *testing.T) {
	c := Config{}.WithDefaults()
	if c.MaxConcurrency != 4 || c.RequestTimeout != 30*time.Second || c.MaxBodyBytes != 8<<20 ||
		c.SeenTTL != 30*24*time.Hour || c.HostRate != 1 || c.HostBurst != 2 || c.MaxPages != 10 ||
		!strings.Contains(c.UserAgent, "https://") {
		t.Errorf("defaults %+v", c)
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("the zero config must be valid: %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{UserAgent: "mybot/1.0"}, "crawler.user_agent: must name a contact"},
		{Config{UserAgent: "bot (+https://x.example)\r\nX: y"}, "crawler.user_agent: must be one line"},
		{Config{MaxConcurrency: -1}, "crawler.max_concurrency"},
		{Config{RequestTimeout: time.Millisecond}, "crawler.request_timeout"},
		{Config{MaxBodyBytes: 10}, "crawler.max_body_bytes"},
		{Config{SeenTTL: time.Minute}, "crawler.seen_ttl"},
		{Config{HostRate: -2}, "crawler.host_rate"},
		{Config{HostBurst: -1}, "crawler.host_burst"},
		{Config{BackoffBase: time.Minute, BackoffMax: time.Second}, "crawler.backoff_max"},
		{Config{BlockedBackoff: time.Millisecond}, "crawler.blocked_backoff"},
		{Config{MaxPages: 5000}, "crawler.max_pages"},
		{Config{Jitter: 0.9}, "crawler.jitter"},
		{Config{RobotsTTL: time.Second}, "crawler.robots_ttl"},
		{Config{CheckpointPosts: -1}, "crawler.checkpoint_posts"},
	} {
		err := tc.cfg.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%+v: err = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

func TestValidateSources(t *testing.T) {
	sel := &source.HTMLSelectors{Post: "article", Text: ".body", Permalink: "a.perma"}
	ok := SourceConfig{Name: "news", Kind: "rss", BaseURL: "https://news.example", Targets: []string{"/feed.xml"}, Interval: time.Minute}
	with := func(f func(*SourceConfig)) []SourceConfig {
		sc := ok
		f(&sc)
		return []SourceConfig{ok, sc}
	}
	for _, tc := range []struct {
		name    string
		sources []SourceConfig
		want    string
	}{
		{"unknown kind", with(func(s *SourceConfig) { s.Name, s.Kind = "b", "myspace" }),
			`sources[1].kind: unknown kind "myspace" (want one of bluesky, file, html, lemmy, mastodon, reddit, rss, telegram, tumblr)`},
		{"duplicate name", with(func(s *SourceConfig) {}), `sources[1].name: "news" is also the name of sources[0]`},
		{"bad name", with(func(s *SourceConfig) { s.Name = "a b" }), "sources[1].name:"},
		{"no base_url", with(func(s *SourceConfig) { s.Name, s.BaseURL = "b", "" }), "sources[1].base_url: required for kind rss"},
		{"ftp base_url", with(func(s *SourceConfig) { s.Name, s.BaseURL = "b", "ftp://x.example" }), "sources[1].base_url:"},
		{"credentials", with(func(s *SourceConfig) { s.Name, s.BaseURL = "b", "https://u:p@x.example" }), "sources[1].base_url:"},
		{"short interval", with(func(s *SourceConfig) { s.Name, s.Interval = "b", 5*time.Second }), "sources[1].interval: must be at least 10s"},
		{"no targets", with(func(s *SourceConfig) { s.Name, s.Targets = "b", nil }), "sources[1].targets: at least one"},
		{"repeated target", with(func(s *SourceConfig) { s.Name, s.Targets = "b", []string{"/a", "/a"} }), "sources[1].targets[1]:"},
		{"unapproved target", with(func(s *SourceConfig) { s.Name, s.Targets = "b", []string{"https://other.example/feed"} }), "sources[1].targets[0]: https://other.example/feed is not on an approved host"},
		{"media target", with(func(s *SourceConfig) { s.Name, s.Targets = "b", []string{"/logo.png"} }), "sources[1].targets[0]:"},
		{"bad host", with(func(s *SourceConfig) { s.Name, s.Hosts = "b", []string{"https://cdn.example"} }), "sources[1].hosts[0]:"},
		{"html without selectors", with(func(s *SourceConfig) { s.Name, s.Kind = "b", "html" }), "sources[1].html:"},
		{"html bad selector", with(func(s *SourceConfig) {
			s.Name, s.Kind, s.HTML = "b", "html", &source.HTMLSelectors{Post: "div[", Text: "p", Permalink: "a"}
		}), `sources[1].html.post: invalid selector`},
		{"selectors on rss", with(func(s *SourceConfig) { s.Name, s.HTML = "b", sel }), "sources[1].html: only used by kind html"},
		{"reddit without auth", with(func(s *SourceConfig) { s.Name, s.Kind, s.BaseURL, s.Targets = "b", "reddit", "", []string{"r/x"} }),
			"sources[1].auth: reddit needs client_id_env and client_secret_env"},
		{"file with base_url", with(func(s *SourceConfig) { s.Name, s.Kind = "b", "file" }), "sources[1].base_url: not used by kind file"},
		{"file bad glob", with(func(s *SourceConfig) { s.Name, s.Kind, s.BaseURL, s.Targets = "b", "file", "", []string{"dumps/["} }), "sources[1].targets[0]:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateSources(tc.sources)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant %q", err, tc.want)
			}
		})
	}
	good := []SourceConfig{
		ok,
		{Name: "board", Kind: "html", BaseURL: "https://board.example", Targets: []string{"/new"}, HTML: sel},
		{Name: "reddit-rss", Kind: "reddit", Targets: []string{"r/x"}, Options: map[string]string{"fallback": "rss"}},
		{Name: "reddit-oauth", Kind: "reddit", Targets: []string{"r/x"}, Auth: source.AuthConfig{ClientIDEnv: "ID", ClientSecretEnv: "SECRET"}},
		{Name: "dumps", Kind: "file", Targets: []string{"/data/RS_*.zst"}, Interval: time.Second},
		{Name: "local", Kind: "rss", BaseURL: "http://127.0.0.1:8080", Targets: []string{"/feed"}, Interval: 200 * time.Millisecond},
		{Name: "cdn", Kind: "rss", BaseURL: "https://news.example", Hosts: []string{"cdn.example:8443"}, Targets: []string{"https://cdn.example:8443/feed"}},
	}
	if err := ValidateSources(good); err != nil {
		t.Errorf("good sources: %v", err)
	}
}

func TestNewRefusesPrivateAndBadOptions(t *testing.T) {
	deps := Deps{Seen: state.NewMemory(), Cursors: state.NewMemory(), Publisher: &collector{}}
	local := []SourceConfig{{Name: "local", Kind: "rss", BaseURL: "http://127.0.0.1:8080", Targets: []string{"/feed"}}}
	_, err := New(Config{}, local, deps)
	if err == nil || !strings.Contains(err.Error(), "sources[0].base_url: 127.0.0.1 is a private or loopback address; set crawler.allow_private_networks") {
		t.Errorf("err = %v", err)
	}
	if _, err := New(Config{AllowPrivateNetworks: true}, local, deps); err != nil {
		t.Errorf("with allow_private_networks: %v", err)
	}
	_, err = New(Config{}, []SourceConfig{{Name: "n", Kind: "rss", BaseURL: "https://news.example", Targets: []string{"/f"},
		Options: map[string]string{"colour": "red"}}}, deps)
	if err == nil || !strings.HasPrefix(err.Error(), "sources[0].options.colour: unknown option") {
		t.Errorf("an adapter error must name its key: %v", err)
	}
	if _, err := New(Config{}, nil, Deps{}); err == nil {
		t.Error("missing deps accepted")
	}
}
