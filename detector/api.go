package detector

// The exported surface cmd/handlewatch is wired to: Config, Engine
// (engine.go), Worker (worker.go), Scan (scan.go) and Eval (eval.go).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
)

// Config is the `detector:` section of the config file.
type Config struct {
	Rules string `yaml:"rules"` // path of the rule file; empty: the rules built into the binary
	// Model is the trained scorer's file; empty: the model built into the
	// binary, "none": the rules' gate alone.
	Model string `yaml:"model"`
	// Watchlists are files of known handles, one "app:handle" a line, "#"
	// comments: shared lists that match directly, like moderator-confirmed
	// handles in the state store.
	Watchlists []string `yaml:"watchlists"`
	// WatchlistRefresh is how often the worker re-reads the watchlist sets
	// of the state store; the hot path only reads its in-memory copy.
	WatchlistRefresh time.Duration `yaml:"watchlist_refresh"`
	// TallyInterval is the longest a scanned post waits for the tally
	// that counts it, and so for its ack (worker.go: exact counts);
	// tallies also go out every 1,024 posts and when posts stop coming.
	// At most 5s, half the server's ack wait.
	TallyInterval time.Duration `yaml:"tally_interval"`
	// Concurrency is the number of posts detected at once (0: one per core).
	Concurrency int `yaml:"concurrency"`
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.WatchlistRefresh == 0 {
		c.WatchlistRefresh = 5 * time.Second
	}
	if c.TallyInterval == 0 {
		c.TallyInterval = time.Second
	}
	return c
}

// Validate reports the first bad setting, naming its key ("detector.…").
func (c Config) Validate() error {
	switch {
	case c.WatchlistRefresh < time.Second:
		return errors.New("detector.watchlist_refresh: must be at least 1s")
	case c.TallyInterval < time.Second || c.TallyInterval > 5*time.Second:
		return errors.New("detector.tally_interval: must be 1s to 5s (a post's ack waits for its tally)")
	case c.Concurrency < 0 || c.Concurrency > 256:
		return errors.New("detector.concurrency: must be 0 (one per core) to 256")
	}
	for i, w := range c.Watchlists {
		if strings.TrimSpace(w) == "" {
			return fmt.Errorf("detector.watchlists[%d]: empty path", i)
		}
	}
	return nil
}

// Bus is what the worker needs of NATS (*bus.Bus has it).
type Bus interface {
	Consume(ctx context.Context, spec bus.ConsumerSpec, h bus.Handler) error
	// PublishReceipt publishes; Confirm checks later that the stream
	// kept what it acknowledged (bus.Confirm), before the posts are acked.
	PublishReceipt(ctx context.Context, subject, msgID string, v any) (bus.Receipt, bool, error)
	Confirm(ctx context.Context, rs []bus.Receipt) (int, error)
}

var _ Bus = (*bus.Bus)(nil)

// WorkerDeps is what the worker needs from its process.
type WorkerDeps struct {
	Log     *zap.Logger
	Bus     Bus
	Sets    state.Sets // watchlists shared with the sink
	Metrics prometheus.Registerer
}

// ScanOptions for Scan.
type ScanOptions struct {
	Workers  int       // 0: one per core
	Progress io.Writer // progress bar target (nil: none); drawn only on a terminal
	// Prefilter skips, on the raw line, the posts the prefilter
	// (prefilter.go) proves have no handle candidate. It is sound but, as
	// measured, costs more than the full path it saves (README, "Running
	// at scale: speed"), so it is off unless asked for.
	Prefilter bool
	// Log, when set, gets one warning per malformed line, with its file,
	// line number and uncompressed byte offset; the summary lists only the
	// first few.
	Log *zap.Logger
}
