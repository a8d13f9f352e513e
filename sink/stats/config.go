package stats

import (
	"fmt"
	"time"

	"github.com/handlewatch/handlewatch/internal/duration"
)

// Config is the `sink.research:` section.
type Config struct {
	// Retention is how far back the derived counters are kept and
	// reported (default 365d, at most 400d: the life of a day counter in
	// the state store). Set it no longer than nats.findings_retention:
	// that bounds the findings and scan tallies a rebuild can replay, so a
	// longer retention here would lose its oldest days at the first
	// rebuild.
	Retention Duration `yaml:"retention"`
	// StudyKeyEnv names the environment variable (or NAME_FILE) holding
	// the study key that pseudonymises handles and authors in exports.
	// Without it, exports are refused.
	StudyKeyEnv string `yaml:"study_key_env"`
}

// maxRetention is state.Period Day's TTL: day counters do not live longer.
const maxRetention = 400 * 24 * time.Hour

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.Retention == 0 {
		c.Retention = Duration(365 * 24 * time.Hour)
	}
	return c
}

// Validate reports the first bad setting, naming its key.
func (c Config) Validate() error {
	switch r := c.Retention.D(); {
	case r < 24*time.Hour:
		return fmt.Errorf("sink.research.retention: must be at least 1d")
	case r > maxRetention:
		return fmt.Errorf("sink.research.retention: at most 400d (day counters expire then)")
	}
	return nil
}

// Duration is a time.Duration that YAML may also write in days ("365d").
type Duration = duration.Duration
