package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/handlewatch/handlewatch/crawler"
	"github.com/handlewatch/handlewatch/detector"
	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/logging"
	"github.com/handlewatch/handlewatch/sink"
)

// Config is the whole configuration file.
type Config struct {
	Log      logging.Config         `yaml:"log"`
	NATS     bus.Config             `yaml:"nats"`
	Redis    RedisConfig            `yaml:"redis"`
	Crawler  crawler.Config         `yaml:"crawler"`
	Sources  []crawler.SourceConfig `yaml:"sources"`
	Detector detector.Config        `yaml:"detector"`
	Sink     sink.Config            `yaml:"sink"`
	Ops      OpsConfig              `yaml:"ops"`
	Demo     DemoConfig             `yaml:"demo"`

	// Path is the file the config was loaded from.
	Path string `yaml:"-"`
}

// RedisConfig says where shared state lives. An empty URL keeps state in
// memory (one process; JetStream replay rebuilds it).
type RedisConfig struct {
	URL    string `yaml:"url"`    // redis://host:port/db; a password belongs in HW_REDIS_URL_FILE
	Prefix string `yaml:"prefix"` // key prefix, "hw:" by default
}

// OpsConfig is for processes that run no sink (crawl, detect): where they
// serve /healthz, /readyz and /metrics. The sink serves them on its own
// listen address.
type OpsConfig struct {
	Listen string `yaml:"listen"`
}

// DemoConfig runs the built-in demo site: synthetic posts on loopback for
// the offline demo. Never enable it in production.
type DemoConfig struct {
	Enabled bool   `yaml:"enabled"`
	Listen  string `yaml:"listen"`
}

// Error is a configuration error: exit code 2, nothing started.
type Error struct {
	File string
	Line int    // 0 when unknown
	Key  string // dotted path, "sources[1].interval"; may be empty
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Key != "" && !strings.HasPrefix(e.Msg, e.Key+":") {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Load reads, overrides from the environment, defaults and validates.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{File: path, Msg: fmt.Sprintf("reading config: %v", errors.Unwrap(err))}
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse is Load on bytes with an injectable environment.
func Parse(path string, data []byte, env func(string) (string, bool)) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(path, &root, err)
	}
	cfg := &Config{Path: path}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlError(path, &root, err)
	}
	if err := applyEnv(cfg, env); err != nil {
		return nil, &Error{File: path, Msg: err.Error()}
	}
	cfg.applyDefaults()
	if err := cfg.validate(); err != nil {
		key := keyOf(err.Error())
		return nil, &Error{File: path, Line: lineOfKey(&root, key), Key: key, Msg: err.Error()}
	}
	return cfg, nil
}

func (c *Config) applyDefaults() {
	c.Log = c.Log.WithDefaults()
	c.NATS = c.NATS.WithDefaults()
	if c.Redis.Prefix == "" {
		c.Redis.Prefix = "hw:"
	}
	c.Crawler = c.Crawler.WithDefaults()
	// Relative paths in the file are relative to the file, so a config
	// works from any working directory; with no rule file named, the one
	// beside the config is used.
	base := filepath.Dir(c.Path)
	switch {
	case c.Detector.Rules == "" && fileExists(filepath.Join(base, "rules.yaml")):
		c.Detector.Rules = filepath.Join(base, "rules.yaml")
	case c.Detector.Rules != "" && !filepath.IsAbs(c.Detector.Rules):
		c.Detector.Rules = filepath.Join(base, c.Detector.Rules)
	}
	switch {
	case c.Detector.Model == "" && fileExists(filepath.Join(base, "model.json.gz")):
		c.Detector.Model = filepath.Join(base, "model.json.gz")
	case c.Detector.Model != "" && c.Detector.Model != "none" && !filepath.IsAbs(c.Detector.Model):
		c.Detector.Model = filepath.Join(base, c.Detector.Model)
	}
	c.Detector = c.Detector.WithDefaults()
	for i, w := range c.Detector.Watchlists {
		if w != "" && !filepath.IsAbs(w) {
			c.Detector.Watchlists[i] = filepath.Join(base, w)
		}
	}
	c.Sink = c.Sink.WithDefaults()
	if c.Demo.Enabled && c.Demo.Listen == "" {
		c.Demo.Listen = "127.0.0.1:8099"
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func (c *Config) validate() error {
	if err := c.Log.Validate(); err != nil {
		return err
	}
	if err := c.NATS.Validate(); err != nil {
		return err
	}
	if c.NATS.URL != "" {
		if err := checkURL(c.NATS.URL, "nats", "tls", "ws", "wss"); err != nil {
			return fmt.Errorf("nats.url: %w", err)
		}
	}
	if c.Redis.URL != "" {
		if err := checkURL(c.Redis.URL, "redis", "rediss", "unix"); err != nil {
			return fmt.Errorf("redis.url: %w", err)
		}
	}
	if err := c.Crawler.Validate(); err != nil {
		return err
	}
	if err := crawler.ValidateSources(c.Sources); err != nil {
		return err
	}
	if err := c.Detector.Validate(); err != nil {
		return err
	}
	if err := c.Sink.Validate(); err != nil {
		return err
	}
	// A rebuild replays findings; counters older than the stream keeps
	// could never be rebuilt, so the research window fits inside it.
	if r := time.Duration(c.Sink.Research.Retention); r > c.NATS.FindingsRetention {
		return fmt.Errorf("sink.research.retention: %s is longer than nats.findings_retention (%s): a rebuild could not recover it", r, c.NATS.FindingsRetention)
	}
	if c.Demo.Enabled {
		if err := checkHostPort(c.Demo.Listen); err != nil {
			return fmt.Errorf("demo.listen: %w", err)
		}
	}
	if c.Ops.Listen != "" {
		if err := checkHostPort(c.Ops.Listen); err != nil {
			return fmt.Errorf("ops.listen: %w", err)
		}
	}
	return nil
}

func checkURL(raw string, schemes ...string) error {
	for _, one := range strings.Split(raw, ",") { // NATS takes a list of seeds
		u, err := url.Parse(strings.TrimSpace(one))
		if err != nil {
			return fmt.Errorf("%q is not a URL", one)
		}
		ok := false
		for _, s := range schemes {
			ok = ok || u.Scheme == s
		}
		if !ok {
			return fmt.Errorf("%q: scheme must be one of %s", one, strings.Join(schemes, ", "))
		}
	}
	return nil
}

func checkHostPort(s string) error {
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return fmt.Errorf("%q is not host:port", s)
	}
	if p, err := strconv.Atoi(s[i+1:]); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%q has no valid port", s)
	}
	return nil
}

var (
	reLine      = regexp.MustCompile(`line (\d+): (.*)`)
	reUnknown   = regexp.MustCompile(`field (\S+) not found in type (\S+)`)
	reBadValue  = regexp.MustCompile("cannot unmarshal !!(\\w+) `(.*)` into (\\S+)")
	reKeyPrefix = regexp.MustCompile(`^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*):`)
)

// yamlError turns yaml.v3's messages into one line per problem that names
// the file, the line and the key.
func yamlError(path string, root *yaml.Node, err error) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var first *Error
	var lines []string
	for _, m := range msgs {
		e := &Error{File: path, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := reLine.FindStringSubmatch(m); sm != nil {
			e.Line, _ = strconv.Atoi(sm[1])
			e.Msg = sm[2]
			e.Key = keyAtLine(root, e.Line)
		}
		if sm := reUnknown.FindStringSubmatch(e.Msg); sm != nil {
			e.Msg = fmt.Sprintf("unknown key %q", sm[1])
			if i := strings.LastIndexByte(e.Key, '.'); i >= 0 && strings.HasSuffix(e.Key, "."+sm[1]) {
				e.Msg = fmt.Sprintf("unknown key %q in %s", sm[1], e.Key[:i])
			}
		} else if sm := reBadValue.FindStringSubmatch(e.Msg); sm != nil {
			want := sm[3]
			switch want {
			case "time.Duration":
				want = "a duration such as 30s, 5m or 2h"
			case "int", "int64", "float64":
				want = "a number"
			case "bool":
				want = "true or false"
			default:
				want = "a " + strings.TrimPrefix(strings.TrimPrefix(want, "[]"), "map[string]") + " value"
			}
			e.Msg = fmt.Sprintf("%q is not %s", sm[2], want)
		}
		if first == nil {
			first = e
		}
		lines = append(lines, e.Error())
	}
	if len(lines) > 1 {
		first.Msg += fmt.Sprintf(" (and %d more: %s)", len(lines)-1, strings.Join(lines[1:], "; "))
	}
	return first
}

// keyOf extracts the dotted key a validation message starts with.
func keyOf(msg string) string {
	if sm := reKeyPrefix.FindStringSubmatch(msg); sm != nil {
		return sm[1]
	}
	return ""
}
