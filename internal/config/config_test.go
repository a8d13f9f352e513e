package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const valid = `
nats:   { url: "", data_dir: ./data/nats }
redis:  { url: "" }
crawler: { user_agent: "handlewatch-test/1 (+https://example.org/contact)", allow_private_networks: false }
sources:
  - { name: example-feed, kind: rss, base_url: https://example.org, targets: ["/feed.xml"], interval: 5m }
sink:
  listen: 127.0.0.1:8080
`

func noEnv(string) (string, bool) { return "", false }

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestParseValid(t *testing.T) {
	cfg, err := Parse("configs/x.yaml", []byte(valid), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NATS.URL != "" || cfg.NATS.DataDir != "./data/nats" || cfg.NATS.Namespace != "hw" {
		t.Errorf("nats = %+v", cfg.NATS)
	}
	if got := cfg.Sources[0]; got.Name != "example-feed" || got.Interval != 5*time.Minute || got.Targets[0] != "/feed.xml" {
		t.Errorf("source = %+v", got)
	}
	if cfg.Log.Format != "json" || cfg.Redis.Prefix != "hw:" || cfg.Sink.Listen != "127.0.0.1:8080" {
		t.Errorf("defaults not applied: log=%+v redis=%+v", cfg.Log, cfg.Redis)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, yaml string
		want       []string // substrings of the one-line error
	}{
		{"unknown top-level key", valid + "colour: blue\n", []string{"x.yaml:9:", `unknown key "colour"`}},
		{"unknown nested key", strings.Replace(valid, "allow_private_networks", "allow_privat_networks", 1),
			[]string{"x.yaml:4:", `"allow_privat_networks"`, "crawler"}},
		{"bad duration", strings.Replace(valid, "interval: 5m", "interval: 5 minutes", 1),
			[]string{"x.yaml:6:", "sources[0].interval", `"5 minutes" is not a duration`}},
		{"bad bool", strings.Replace(valid, "allow_private_networks: false", "allow_private_networks: maybe", 1),
			[]string{"x.yaml:4:", "crawler.allow_private_networks", "true or false"}},
		{"bad log format", valid + "log: { format: xml }\n", []string{"x.yaml:9:", "log.format", "xml"}},
		{"bad nats url", strings.Replace(valid, `url: "", data_dir`, `url: "http://x", data_dir`, 1),
			[]string{"x.yaml:2:", "nats.url", "scheme"}},
		{"bad redis url", strings.Replace(valid, `redis:  { url: "" }`, `redis:  { url: "localhost" }`, 1),
			[]string{"x.yaml:3:", "redis.url"}},
		{"not yaml", "sources: [", []string{"x.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("configs/x.yaml", []byte(tc.yaml), noEnv)
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse error = %v, want *config.Error", err)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
		})
	}
}

// TestUnknownSourceKind needs the crawler's ValidateSources.
func TestUnknownSourceKind(t *testing.T) {
	_, err := Parse("configs/x.yaml", []byte(strings.Replace(valid, "kind: rss", "kind: myspace", 1)), noEnv)
	if err == nil || !strings.Contains(err.Error(), "sources[0].kind") || !strings.Contains(err.Error(), "x.yaml:6") {
		t.Fatalf("error = %v, want it to name sources[0].kind at line 6", err)
	}
}

func TestEnvOverrides(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "redis-url")
	if err := os.WriteFile(secretFile, []byte("redis://:s3cret@127.0.0.1:6379/2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("x.yaml", []byte(valid), envOf(map[string]string{
		"HW_NATS_URL":                       "nats://127.0.0.1:4222",
		"HW_REDIS_URL_FILE":                 secretFile,
		"HW_SINK_LISTEN":                    "127.0.0.1:9090",
		"HW_CRAWLER_ALLOW_PRIVATE_NETWORKS": "true",
		"HW_NATS_POSTS_RETENTION":           "2h",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NATS.URL != "nats://127.0.0.1:4222" || cfg.Redis.URL != "redis://:s3cret@127.0.0.1:6379/2" ||
		cfg.Sink.Listen != "127.0.0.1:9090" || !cfg.Crawler.AllowPrivateNetworks || cfg.NATS.PostsRetention != 2*time.Hour {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
	_, err = Parse("x.yaml", []byte(valid), envOf(map[string]string{"HW_NATS_POSTS_RETENTION": "soon"}))
	if err == nil || !strings.Contains(err.Error(), "HW_NATS_POSTS_RETENTION") || !strings.Contains(err.Error(), "nats.posts_retention") {
		t.Fatalf("bad env value: %v", err)
	}
}

// TestShippedConfigs keeps the documented example and the demo loadable.
func TestShippedConfigs(t *testing.T) {
	for _, name := range []string{"handlewatch.yaml", "demo.yaml"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "configs", name)
			cfg, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Sources) == 0 {
				t.Fatal("no sources")
			}
			if _, err := os.Stat(cfg.Detector.Rules); err != nil {
				t.Fatalf("rule file %s: %v", cfg.Detector.Rules, err)
			}
		})
	}
}

// TestCommentedSourceExamples: the commented-out examples of every source
// kind in the documented config stay valid when uncommented.
func TestCommentedSourceExamples(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "configs", "handlewatch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	inSources := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "sources:"):
			inSources = true
		case inSources && line != "" && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "#"):
			inSources = false
		}
		if inSources && strings.HasPrefix(line, "  # ") {
			line = "  " + strings.TrimPrefix(line, "  # ")
		}
		out = append(out, line)
	}
	cfg, err := Parse("handlewatch.yaml", []byte(strings.Join(out, "\n")), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, s := range cfg.Sources {
		kinds[s.Kind] = true
	}
	for _, k := range []string{"rss", "reddit", "mastodon", "bluesky", "tumblr", "telegram", "lemmy", "html", "file"} {
		if !kinds[k] {
			t.Errorf("no example of kind %s", k)
		}
	}
}
