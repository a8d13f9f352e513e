package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/config"
	"github.com/handlewatch/handlewatch/internal/logging"
	"github.com/handlewatch/handlewatch/internal/version"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2 // bad flags or config: nothing started
)

const usage = `handlewatch watches approved public sources for messaging-app handles posted
with child-sexual-abuse-material solicitation language, and reports them.

Usage:
  handlewatch run    --config FILE          all stages in one process
  handlewatch crawl  --config FILE [--once] [--stdout]   posts as NDJSON on stdout with --stdout
  handlewatch detect --config FILE          detector worker
  handlewatch sink   --config FILE          sink and dashboard
  handlewatch scan   [--rules FILE] FILE…   findings as NDJSON on stdout; .ndjson/.jsonl, .gz, .zst/.zstd
  handlewatch eval   --corpus FILE [--json] precision / recall / F1 on a labelled corpus
  handlewatch train  [--corpus FILE…] [--add FILE…] [--out FILE]  fit the scorer, write the model file
  handlewatch labels export --config FILE [--out FILE]   moderators' decisions as training examples
  handlewatch bench  [--posts N] [--e2e-posts N]   speed beside baselines, one JSON object per line
  handlewatch stats  --config FILE [--from DAY] [--to DAY] [--by-source] [--json]
  handlewatch export --config FILE [--format csv|ndjson] [--from DAY] [--to DAY] [--include-text]
                                            pseudonymised research export (needs the study key)
  handlewatch signals export --config FILE [--since 24h] [--partner NAME] [--out FILE]
                                            confirmed handles as a STIX 2.1 bundle
  handlewatch signals import --config FILE --partner NAME FILE|URL
                                            a partner's indicators, watched in shadow mode
  handlewatch user add --name NAME --role moderator|researcher|admin [--generate]
                                            a dashboard account for sink.dashboard.users (password on stdin)
  handlewatch version

Common flags: --log-format json|console, --log-level debug|info|warn|error.
The config file may also be given as HW_CONFIG. See README.md.
`

// Main runs the command line and returns the process's exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	var err error
	switch cmd {
	case "run":
		err = cmdStages(ctx, rest, stdout, stderr, stages{crawl: true, detect: true, sink: true})
	case "crawl":
		err = cmdCrawl(ctx, rest, stdout, stderr)
	case "detect":
		err = cmdStages(ctx, rest, stdout, stderr, stages{detect: true})
	case "sink":
		err = cmdStages(ctx, rest, stdout, stderr, stages{sink: true})
	case "scan":
		err = cmdScan(ctx, rest, stdout, stderr)
	case "eval":
		err = cmdEval(rest, stdout, stderr)
	case "train":
		err = cmdTrain(rest, stdout, stderr)
	case "labels":
		err = cmdLabels(ctx, rest, stdout, stderr)
	case "bench":
		err = cmdBench(ctx, rest, stdout, stderr)
	case "stats":
		err = cmdStats(ctx, rest, stdout, stderr)
	case "export":
		err = cmdExport(ctx, rest, stdout, stderr)
	case "signals":
		err = cmdSignals(ctx, rest, stdout, stderr)
	case "user":
		err = cmdUser(rest, os.Stdin, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, version.String())
	case "help", "--help", "-h":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "handlewatch: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	return exitCode(err, stderr)
}

// usageError is a mistake on the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func exitCode(err error, stderr io.Writer) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ue *usageError
	var ce *config.Error
	switch {
	case errors.As(err, &ue), errors.As(err, &ce):
		fmt.Fprintf(stderr, "handlewatch: %v\n", err)
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitOK
	}
	fmt.Fprintf(stderr, "handlewatch: %v\n", err)
	return exitError
}

// commonFlags are the flags of every command that reads the config.
type commonFlags struct {
	config    string
	logFormat string
	logLevel  string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	def := os.Getenv("HW_CONFIG")
	if def == "" {
		def = "configs/handlewatch.yaml"
	}
	fs.StringVar(&c.config, "config", def, "config `FILE`")
	fs.StringVar(&c.logFormat, "log-format", "", "log format: json or console (overrides log.format)")
	fs.StringVar(&c.logLevel, "log-level", "", "log level: debug, info, warn or error (overrides log.level)")
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("handlewatch "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	return nil
}

// load reads the config and builds the logger it asks for.
func (c *commonFlags) load() (*config.Config, *zap.Logger, error) {
	cfg, err := config.Load(c.config)
	if err != nil {
		return nil, nil, err
	}
	if c.logFormat != "" {
		cfg.Log.Format = c.logFormat
	}
	if c.logLevel != "" {
		cfg.Log.Level = c.logLevel
	}
	log, err := logging.New(cfg.Log)
	if err != nil {
		return nil, nil, &usageError{msg: strings.TrimPrefix(err.Error(), "log.")}
	}
	return cfg, log, nil
}
