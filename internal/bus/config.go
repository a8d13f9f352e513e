package bus

import (
	"errors"
	"time"
)

// Config says where NATS is. An empty URL starts an embedded server with
// JetStream on DataDir, reached in-process.
type Config struct {
	URL     string `yaml:"url"`
	DataDir string `yaml:"data_dir"`
	// Listen, for the embedded server only, also accepts clients on this
	// address (say 127.0.0.1:4222) so stages in other processes can share
	// it; empty keeps it in-process.
	Listen string `yaml:"listen"`
	// CredsFile authenticates to an external server.
	CredsFile string `yaml:"creds_file"`
	// Replicas of each stream on a cluster (1 for a single server).
	Replicas int `yaml:"replicas"`
	// PostsRetention bounds the work queue of crawled posts: they are not
	// kept once scanned, nor for longer than this if no detector runs.
	PostsRetention time.Duration `yaml:"posts_retention"`
	// FindingsRetention is how long findings and scan tallies are kept
	// (the research data-retention setting). Case events are kept forever.
	FindingsRetention time.Duration `yaml:"findings_retention"`
	// DuplicateWindow is how long a message id is remembered for dedupe
	// (capped per stream at the stream's retention, as JetStream requires).
	DuplicateWindow time.Duration `yaml:"duplicate_window"`
	// Namespace replaces "hw" as the root of every subject and stream name,
	// so that several deployments (or test runs) can share one cluster.
	Namespace string `yaml:"namespace"`
	// LeaseTTL is how long a process's lease (a crawl target, the sink's
	// memory-state claim) outlives its last renewal: how soon a killed
	// process's work is taken over.
	LeaseTTL time.Duration `yaml:"lease_ttl"`

	// token authenticates to an embedded server of another process
	// (OpenShared); never from the file.
	token string
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.DataDir == "" {
		c.DataDir = "./data/nats"
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.PostsRetention == 0 {
		c.PostsRetention = 24 * time.Hour
	}
	if c.FindingsRetention == 0 {
		c.FindingsRetention = 365 * 24 * time.Hour
	}
	if c.Namespace == "" {
		c.Namespace = "hw"
	}
	if c.DuplicateWindow == 0 {
		c.DuplicateWindow = 24 * time.Hour
	}
	if c.LeaseTTL == 0 {
		c.LeaseTTL = DefaultLeaseTTL
	}
	return c
}

// Validate reports the first bad setting, by its key.
func (c Config) Validate() error {
	switch {
	case c.Replicas < 1 || c.Replicas > 5:
		return errors.New("nats.replicas: must be 1 to 5")
	case c.PostsRetention < time.Minute:
		return errors.New("nats.posts_retention: must be at least 1m")
	case c.FindingsRetention < time.Hour:
		return errors.New("nats.findings_retention: must be at least 1h")
	case c.DuplicateWindow < time.Minute:
		return errors.New("nats.duplicate_window: must be at least 1m")
	case !validNamespace(c.Namespace):
		return errors.New("nats.namespace: letters, digits, '-' and '_' only")
	case c.LeaseTTL < time.Second:
		return errors.New("nats.lease_ttl: must be at least 1s")
	case c.URL == "" && c.DataDir == "":
		return errors.New("nats.data_dir: required for the embedded server")
	}
	return nil
}

func validNamespace(ns string) bool {
	if ns == "" {
		return false
	}
	for _, r := range ns {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
