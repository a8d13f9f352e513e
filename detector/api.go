package detector

// API CONTRACT (skeleton written by the foundation; the detector work fills
// it in). cmd/handlewatch depends on exactly these names and signatures.

import (
	"context"
	"errors"
	"io"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Config is the `detector:` section of the config file.
type Config struct {
	Rules string `yaml:"rules"` // path of the rule file (configs/rules.yaml)
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.Rules == "" {
		c.Rules = "configs/rules.yaml"
	}
	return c
}

// Validate reports the first bad setting, naming its key ("detector.…").
func (c Config) Validate() error { return nil }

// Engine is the pure detector: safe for concurrent use.
type Engine struct{}

// LoadEngine reads a rule file and builds an engine; a malformed file is
// refused with its line and reason.
func LoadEngine(path string) (*Engine, error) {
	return nil, errors.New("detector: not implemented yet")
}

// RulesVersion is the version of the loaded rule file.
func (e *Engine) RulesVersion() string { return "" }

// Detect returns the finding for p, or nil when nothing was found.
func (e *Engine) Detect(p *wire.Post) *wire.Finding { return nil }

// Bus is what the worker needs of NATS (*bus.Bus has it).
type Bus interface {
	Consume(ctx context.Context, spec bus.ConsumerSpec, h bus.Handler) error
	Publish(ctx context.Context, subject, msgID string, v any) (bool, error)
}

// WorkerDeps is what the worker needs from its process.
type WorkerDeps struct {
	Log     *zap.Logger
	Bus     Bus
	Sets    state.Sets // watchlists shared with the sink
	Metrics prometheus.Registerer
}

// Worker consumes hw.posts.>, publishes findings on hw.findings.> and
// posts-scanned tallies on hw.stats.>.
type Worker struct{}

// NewWorker builds a worker around the rule file of cfg.
func NewWorker(cfg Config, deps WorkerDeps) (*Worker, error) {
	return nil, errors.New("detector: not implemented yet")
}

// Run consumes until ctx is done.
func (w *Worker) Run(ctx context.Context) error { return errors.New("detector: not implemented yet") }

// Reload re-reads the rule file; a bad file leaves the running rules in
// force and returns why.
func (w *Worker) Reload() error { return errors.New("detector: not implemented yet") }

// ScanOptions for Scan.
type ScanOptions struct {
	Workers  int       // 0: one per core
	Progress io.Writer // progress bar target (nil: none)
}

// Scan reads NDJSON/JSONL files (.gz, .zst) and writes findings as NDJSON
// to out; the summary goes to summary.
func Scan(ctx context.Context, e *Engine, files []string, out, summary io.Writer, opts ScanOptions) error {
	return errors.New("detector: not implemented yet")
}

// Eval scores a labelled corpus and writes the report (text, or JSON when
// asJSON) to out.
func Eval(e *Engine, corpus string, out io.Writer, asJSON bool) error {
	return errors.New("detector: not implemented yet")
}
