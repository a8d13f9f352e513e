package app

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler"
	"github.com/handlewatch/handlewatch/detector"
	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/stats"
)

// cmdStages runs run, detect and sink: the long-running stages.
func cmdStages(ctx context.Context, args []string, _, stderr io.Writer, st stages) error {
	name := "run"
	switch {
	case st == stages{detect: true}:
		name = "detect"
	case st == stages{sink: true}:
		name = "sink"
	}
	fs := newFlagSet(name, stderr)
	var cf commonFlags
	cf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("%s takes no arguments, got %q", name, fs.Args())}
	}
	cfg, log, err := cf.load()
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // stderr may not sync

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	p, err := Start(ctx, cfg, log, st)
	if err != nil {
		return err
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for range hup {
			if err := p.Reload(); err != nil {
				log.Error("rule reload refused: the running rules stay in force", zap.Error(err))
			} else {
				log.Info("rules reloaded")
			}
		}
	}()
	return p.Run(ctx)
}

// cmdCrawl runs the crawler alone: into NATS, or with --stdout as NDJSON
// on stdout with no NATS and no shared state (the way to try a source by
// hand).
func cmdCrawl(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("crawl", stderr)
	var cf commonFlags
	cf.register(fs)
	once := fs.Bool("once", false, "fetch every target once, then exit")
	toStdout := fs.Bool("stdout", false, "print posts as NDJSON on stdout instead of publishing them")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, log, err := cf.load()
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // stderr may not sync
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	if !*toStdout {
		p, err := Start(ctx, cfg, log, stages{crawl: true})
		if err != nil {
			return err
		}
		if *once {
			defer p.close()
			return p.crawler.Once(ctx)
		}
		return p.Run(ctx)
	}
	mem := state.NewMemory()
	c, err := crawler.New(cfg.Crawler, cfg.Sources, crawler.Deps{Log: log.Named("crawler"), Seen: mem, Cursors: mem,
		Publisher: &ndjsonPublisher{enc: json.NewEncoder(stdout)}})
	if err != nil {
		return fmt.Errorf("starting crawler: %w", err)
	}
	if *once {
		return c.Once(ctx)
	}
	return c.Run(ctx)
}

// ndjsonPublisher prints each post as one JSON line.
type ndjsonPublisher struct {
	mu  sync.Mutex
	enc *json.Encoder
}

var _ crawler.Publisher = (*ndjsonPublisher)(nil)

func (n *ndjsonPublisher) PublishPost(_ context.Context, p *wire.Post) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.enc.Encode(p); err != nil {
		return fmt.Errorf("writing post %s: %w", p.Key(), err)
	}
	return nil
}

// cmdScan scans dump files offline: no NATS, no config needed.
func cmdScan(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("scan", stderr)
	rules := fs.String("rules", "", "rule `FILE` (default: the built-in rules)")
	modelPath := fs.String("model", "", "model `FILE` (default: the built-in model; \"none\": the rules alone)")
	workers := fs.Int("workers", runtime.NumCPU(), "detector goroutines")
	prefilter := fs.Bool("prefilter", false, "skip, on the raw line, posts that provably have no handle (sound, but not yet faster)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return &usageError{msg: "scan needs at least one FILE (.ndjson, .jsonl, .gz, .zst, .zstd)"}
	}
	e, err := detector.Load(*rules, *modelPath)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return detector.Scan(ctx, e, fs.Args(), stdout, stderr, detector.ScanOptions{Workers: *workers, Progress: stderr, Prefilter: *prefilter})
}

// cmdEval scores a labelled corpus, real posts for false positives, and
// leave-one-family-out recall of the training recipe.
func cmdEval(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("eval", stderr)
	rules := fs.String("rules", "", "rule `FILE` (default: the built-in rules)")
	modelPath := fs.String("model", "", "model `FILE` (default: the built-in model; \"none\": the rules alone)")
	corpus := fs.String("corpus", "", "labelled corpus `FILE` (JSON Lines)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	var real listFlag
	fs.Var(&real, "real", "real posts `GLOB` (crawler golden files, NDJSON dumps): every finding is a false positive; repeatable")
	lofo := fs.Bool("lofo", false, "leave-one-family-out recall of the training recipe (run in the checkout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *corpus == "" && len(real) == 0 && !*lofo {
		return &usageError{msg: "eval needs --corpus FILE, --real GLOB or --lofo"}
	}
	e, err := detector.Load(*rules, *modelPath)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	if *corpus != "" {
		if err := detector.Eval(e, *corpus, stdout, *asJSON); err != nil {
			return err
		}
	}
	if len(real) > 0 {
		if err := evalReal(e, real, stdout, *asJSON); err != nil {
			return err
		}
	}
	if *lofo {
		return evalLOFO(e, stdout, *asJSON)
	}
	return nil
}

// cmdStats prints the research figures, rebuilt by replaying the streams
// (it changes nothing). With the embedded server, stop `run` first or give
// it nats.listen and point this command at it with HW_NATS_URL.
func cmdStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("stats", stderr)
	var cf commonFlags
	cf.register(fs)
	days := registerDays(fs, "; default 29 days before --to", "; default today")
	source := fs.String("source", "", "only this source")
	bySource := fs.Bool("by-source", false, "figures per source")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	fromDay, toDay, err := days.parse()
	if err != nil {
		return err
	}
	cfg, log, err := cf.load()
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // stderr may not sync
	// OpenShared: beside a running `run` on the embedded store, read
	// through that process's server.
	b, err := bus.OpenShared(ctx, cfg.NATS, log.Named("bus"))
	if err != nil {
		return err
	}
	defer b.Close()
	return stats.Command(ctx, b.Replay, stdout, stats.CommandOptions{From: fromDay, To: toDay, Source: *source,
		BySource: *bySource, JSON: *asJSON, Retention: time.Duration(cfg.Sink.Research.Retention)})
}

// cmdExport writes the pseudonymised research export.
func cmdExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", stderr)
	var cf commonFlags
	cf.register(fs)
	days := registerDays(fs, "", "")
	format := fs.String("format", "csv", "csv or ndjson")
	withText := fs.Bool("include-text", false, "include the evidence excerpts (crawled text; may contain raw handles)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "csv" && *format != "ndjson" {
		return &usageError{msg: fmt.Sprintf("export: --format %q is not csv or ndjson", *format)}
	}
	fromDay, toDay, err := days.parse()
	if err != nil {
		return err
	}
	cfg, log, err := cf.load()
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // stderr may not sync
	if cfg.Sink.Research.StudyKeyEnv == "" {
		return &usageError{msg: "export: set sink.research.study_key_env to the variable holding this study's pseudonymisation key"}
	}
	b, err := bus.OpenShared(ctx, cfg.NATS, log.Named("bus"))
	if err != nil {
		return err
	}
	defer b.Close()
	skipped := 0
	err = stats.Export(ctx, b.Replay, stdout, stats.ExportOptions{Format: *format, StudyKeyEnv: cfg.Sink.Research.StudyKeyEnv,
		IncludeText: *withText, From: fromDay, To: toDay,
		OnSkip: func(id string, err error) {
			skipped++
			log.Warn("export: malformed finding left out", zap.String("msg_id", id), zap.Error(err))
		}})
	if err == nil && skipped > 0 {
		log.Warn("export: findings left out as malformed", zap.Int("count", skipped))
	}
	return err
}

// dayFlags are --from and --to: an inclusive range of UTC days.
type dayFlags struct{ from, to *string }

func registerDays(fs *flag.FlagSet, fromDefault, toDefault string) dayFlags {
	return dayFlags{
		from: fs.String("from", "", "first UTC `DAY` (2006-01-02)"+fromDefault),
		to:   fs.String("to", "", "last UTC `DAY`"+toDefault),
	}
}

func (d dayFlags) parse() (from, to time.Time, err error) {
	if from, err = parseDay("--from", *d.from); err != nil {
		return
	}
	to, err = parseDay("--to", *d.to)
	return
}

func parseDay(flagName, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, &usageError{msg: fmt.Sprintf("%s %q is not a day like 2026-11-28", flagName, s)}
	}
	return d, nil
}
