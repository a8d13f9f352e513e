package signals

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/duration"
	"github.com/handlewatch/handlewatch/internal/stix"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Config is the `sink.signals:` section.
type Config struct {
	// Organisation names the producer identity of everything exported.
	Organisation string `yaml:"organisation"`
	Contact      string `yaml:"contact"`
	// TLP marks every exported object: white, green, amber (default) or red.
	TLP string `yaml:"tlp"`
	// ValidFor is how long an exported indicator stays valid after the
	// moderator's decision (default 90d).
	ValidFor duration.Duration `yaml:"valid_for"`

	Collections []CollectionConfig `yaml:"collections"`
	Partners    []PartnerConfig    `yaml:"partners"`
	Feeds       []FeedConfig       `yaml:"feeds"`

	// ImportValidFor bounds an imported indicator that gives no
	// valid_until (default 30d after its modified time).
	ImportValidFor duration.Duration `yaml:"import_valid_for"`
	// ImportMinConfidence drops imported indicators below it (0-100).
	ImportMinConfidence int `yaml:"import_min_confidence"`
}

// CollectionConfig is one TAXII collection of confirmed handles.
type CollectionConfig struct {
	Name        string   `yaml:"name"` // what partners[].collections name
	ID          string   `yaml:"id"`   // a UUID; default derived from the name
	Title       string   `yaml:"title"`
	Description string   `yaml:"description"`
	Apps        []string `yaml:"apps"`         // only these apps; empty: all
	MinSeverity string   `yaml:"min_severity"` // only cases at least this severe
}

// PartnerConfig is one organisation allowed to read collections.
type PartnerConfig struct {
	Name string `yaml:"name"`
	// TokenEnv names the environment variable (or its _FILE twin) holding
	// the bearer token this partner presents.
	TokenEnv    string   `yaml:"token_env"`
	Collections []string `yaml:"collections"` // names
	// IncludeText shares recent excerpts of post text with this partner.
	// Off by default: text may name people who are not the subject.
	IncludeText bool `yaml:"include_text"`
}

// FeedConfig is one partner collection to poll.
type FeedConfig struct {
	Partner       string            `yaml:"partner"`        // provenance name of what it brings
	CollectionURL string            `yaml:"collection_url"` // …/collections/{id}/
	TokenEnv      string            `yaml:"token_env"`      // our bearer token at the partner
	Interval      duration.Duration `yaml:"interval"`       // default 1h
	Timeout       duration.Duration `yaml:"timeout"`        // per request, default 30s
}

// Enabled reports whether anything is configured.
func (c Config) Enabled() bool {
	return c.Organisation != "" || len(c.Partners) > 0 || len(c.Feeds) > 0
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.TLP == "" {
		c.TLP = "amber"
	}
	if c.ValidFor == 0 {
		c.ValidFor = duration.Duration(90 * 24 * time.Hour)
	}
	if c.ImportValidFor == 0 {
		c.ImportValidFor = duration.Duration(30 * 24 * time.Hour)
	}
	c.Collections = slices.Clone(c.Collections)
	for i := range c.Collections {
		col := &c.Collections[i]
		if col.ID == "" && col.Name != "" {
			col.ID = stix.UUID5("taxii-collection:" + col.Name)
		}
		if col.Title == "" {
			col.Title = col.Name
		}
	}
	c.Feeds = slices.Clone(c.Feeds)
	for i := range c.Feeds {
		f := &c.Feeds[i]
		if f.Interval == 0 {
			f.Interval = duration.Duration(time.Hour)
		}
		if f.Timeout == 0 {
			f.Timeout = duration.Duration(30 * time.Second)
		}
	}
	return c
}

// Validate reports the first bad setting, naming its key. Call it on the
// result of WithDefaults.
func (c Config) Validate() error {
	const key = "sink.signals"
	if !c.Enabled() {
		return nil
	}
	if _, ok := stix.TLP(c.TLP); !ok {
		return fmt.Errorf("%s.tlp: %q: want one of %s", key, c.TLP, strings.Join(stix.TLPLevels, ", "))
	}
	if (len(c.Partners) > 0 || len(c.Collections) > 0) && c.Organisation == "" {
		return fmt.Errorf("%s.organisation: required to share: it names who produced the objects", key)
	}
	if c.ValidFor.D() < time.Hour {
		return fmt.Errorf("%s.valid_for: must be at least 1h", key)
	}
	if c.ImportValidFor.D() < time.Hour {
		return fmt.Errorf("%s.import_valid_for: must be at least 1h", key)
	}
	if c.ImportMinConfidence < 0 || c.ImportMinConfidence > 100 {
		return fmt.Errorf("%s.import_min_confidence: must be 0 to 100", key)
	}
	names := map[string]bool{}
	ids := map[string]bool{}
	for i, col := range c.Collections {
		k := fmt.Sprintf("%s.collections[%d]", key, i)
		switch {
		case !nameOK(col.Name):
			return fmt.Errorf("%s.name: %q: letters, digits, '-' and '_' only, required", k, col.Name)
		case names[col.Name]:
			return fmt.Errorf("%s.name: %q is repeated", k, col.Name)
		case !stix.ValidID("collection--"+col.ID, "collection"):
			return fmt.Errorf("%s.id: %q is not a UUID", k, col.ID)
		case ids[col.ID]:
			return fmt.Errorf("%s.id: %q is repeated", k, col.ID)
		}
		names[col.Name], ids[col.ID] = true, true
		for j, a := range col.Apps {
			if !wire.IsApp(a) {
				return fmt.Errorf("%s.apps[%d]: unknown app %q", k, j, a)
			}
		}
		if col.MinSeverity != "" {
			if _, err := wire.ParseSeverity(col.MinSeverity); err != nil {
				return fmt.Errorf("%s.min_severity: %w", k, err)
			}
		}
	}
	partners := map[string]bool{}
	for i, p := range c.Partners {
		k := fmt.Sprintf("%s.partners[%d]", key, i)
		switch {
		case !nameOK(p.Name):
			return fmt.Errorf("%s.name: %q: letters, digits, '-' and '_' only, required", k, p.Name)
		case partners[p.Name]:
			return fmt.Errorf("%s.name: %q is repeated", k, p.Name)
		case p.TokenEnv == "":
			return fmt.Errorf("%s.token_env: required: every partner has its own token", k)
		case len(p.Collections) == 0:
			return fmt.Errorf("%s.collections: name at least one collection it may read", k)
		}
		partners[p.Name] = true
		for j, n := range p.Collections {
			if !names[n] {
				return fmt.Errorf("%s.collections[%d]: no collection named %q", k, j, n)
			}
		}
	}
	for i, f := range c.Feeds {
		k := fmt.Sprintf("%s.feeds[%d]", key, i)
		u, err := url.Parse(f.CollectionURL)
		switch {
		case !nameOK(f.Partner):
			return fmt.Errorf("%s.partner: %q: letters, digits, '-' and '_' only, required", k, f.Partner)
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			return fmt.Errorf("%s.collection_url: %q must be an http(s) URL", k, f.CollectionURL)
		case u.User != nil:
			return fmt.Errorf("%s.collection_url: no credentials in the URL; use token_env", k)
		case f.Interval.D() < time.Minute:
			return fmt.Errorf("%s.interval: must be at least 1m", k)
		case f.Timeout.D() < time.Second || f.Timeout.D() > 5*time.Minute:
			return fmt.Errorf("%s.timeout: must be 1s to 5m", k)
		}
	}
	return nil
}

func nameOK(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

var errNoCollection = errors.New("no such collection")

// ValidName reports whether s may name a partner, a collection or a feed.
func ValidName(s string) bool { return nameOK(s) }
