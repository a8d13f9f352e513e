package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/detector"
	"github.com/handlewatch/handlewatch/detector/model"
	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/sink/labels"
)

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// cmdTrain fits the scorer and writes the model file.
func cmdTrain(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("train", stderr)
	rules := fs.String("rules", "", "rule `FILE` (default: the built-in rules)")
	out := fs.String("out", "configs/model.json.gz", "model `FILE` to write")
	version := fs.String("version", "", "model version (default: rules version + seed)")
	seed := fs.Uint64("seed", 1, "random seed: the same seed and data give the same model")
	epochs := fs.Int("epochs", 0, "training epochs (default 4)")
	average := fs.Int("average", 10, "average the weights of `N` fits with consecutive seeds: less of one seed's noise")
	var corpora, add listFlag
	fs.Var(&corpora, "corpus", "labelled corpus `FILE` (JSON Lines) to train on instead of the recipe; repeatable")
	fs.Var(&add, "add", "moderators' labels `FILE` (from `labels export`), weighted 3x; repeatable")
	lofo := fs.Bool("lofo", false, "also report leave-one-family-out recall")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	e, err := detector.Load(*rules, detector.NoModel)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	var sets []detector.TrainSet
	if len(corpora) == 0 {
		if sets, err = trainingRecipe(defaultRecipe); err != nil {
			return err
		}
	}
	for _, c := range corpora {
		exs, err := detector.ReadCorpus(c)
		if err != nil {
			return err
		}
		sets = append(sets, detector.TrainSet{Name: c, Examples: exs, Calibrate: !generated(exs)})
	}
	for _, c := range add {
		exs, err := detector.ReadCorpus(c)
		if err != nil {
			return err
		}
		sets = append(sets, detector.TrainSet{Name: c, Examples: exs, Weight: 3, Calibrate: true})
	}
	v := *version
	if v == "" {
		v = fmt.Sprintf("%s-s%d", e.RulesVersion(), *seed)
	}
	if *average < 1 {
		return &usageError{msg: "--average must be at least 1"}
	}
	opts := model.Options{Version: v, Seed: *seed, Epochs: *epochs, Average: *average}
	rep, err := detector.Train(e, sets, opts)
	if err != nil {
		return err
	}
	m := rep.Model
	if m.Trained.Folds > 0 {
		fmt.Fprintf(stdout, "model %s: %d examples (%d solicitation); %d calibration examples scored out of their writer's set (%d folds)\n",
			m.Version, m.Trained.Examples, m.Trained.Positives, m.Trained.Validation, m.Trained.Folds)
	} else {
		fmt.Fprintf(stdout, "model %s: %d examples (%d solicitation), %d held out for calibration\n",
			m.Version, m.Trained.Examples, m.Trained.Positives, m.Trained.Validation)
	}
	for _, s := range sets {
		fmt.Fprintf(stdout, "  %-50s %6d used, %6d without a handle candidate\n", s.Name, rep.Used[s.Name], rep.NoHandle[s.Name])
	}
	fmt.Fprintf(stdout, "threshold %.3f: validation precision %.3f, recall %.3f\n", m.Threshold, m.Trained.ValPrec, m.Trained.ValRecall)
	if *lofo {
		frs, err := detector.LeaveOneFamilyOut(e, sets, opts)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, "leave-one-family-out recall:\n")
		for _, f := range frs {
			fmt.Fprintf(stdout, "  %-40s %.3f (%d/%d)\n", f.Family, f.Recall, f.Found, f.Positives)
		}
	}
	if err := m.WriteFile(*out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s\n", *out)
	return nil
}

func evalReal(e *detector.Engine, globs []string, stdout io.Writer, asJSON bool) error {
	var paths []string
	for _, g := range globs {
		m, err := filepath.Glob(g)
		if err != nil {
			return &usageError{msg: fmt.Sprintf("--real %s: %v", g, err)}
		}
		if len(m) == 0 {
			return &usageError{msg: fmt.Sprintf("--real %s: no such file", g)}
		}
		paths = append(paths, m...)
	}
	rep, err := detector.EvaluateReal(e, paths)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"real": rep})
	}
	fmt.Fprintf(stdout, "\nreal posts: %d in %d files, %d with a handle candidate, %d findings (false-positive rate %.3f%%)\n",
		rep.Posts, rep.FileCount, rep.Scored, len(rep.Findings), 100*rep.FPRate)
	for _, f := range rep.Findings {
		fmt.Fprintf(stdout, "  %s  score %.3f  (%s)\n    %s\n", f.ID, f.Score, f.Reason, detector.OneLine(f.Text))
	}
	return nil
}

func evalLOFO(e *detector.Engine, stdout io.Writer, asJSON bool) error {
	sets, err := trainingRecipe(defaultRecipe)
	if err != nil {
		return err
	}
	frs, err := detector.LeaveOneFamilyOut(e, sets, model.Options{Version: "lofo", Seed: 1})
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"leave_one_family_out": frs})
	}
	found, total := 0, 0
	fmt.Fprint(stdout, "\nleave-one-family-out recall (each family's solicitation examples, scored by a model trained without them):\n")
	for _, f := range frs {
		fmt.Fprintf(stdout, "  %-40s %.3f (%d/%d)\n", f.Family, f.Recall, f.Found, f.Positives)
		found += f.Found
		total += f.Positives
	}
	if total > 0 {
		fmt.Fprintf(stdout, "  %-40s %.3f (%d/%d)\n", "all families", float64(found)/float64(total), found, total)
	}
	return nil
}

// cmdLabels turns moderators' decisions into training examples.
func cmdLabels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "export" {
		return &usageError{msg: "usage: handlewatch labels export --config FILE [--out FILE]"}
	}
	fs := newFlagSet("labels export", stderr)
	var cf commonFlags
	cf.register(fs)
	out := fs.String("out", "-", "labels `FILE` (JSON Lines; - for stdout)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	cfg, log, err := cf.load()
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // stderr may not sync
	b, err := bus.Open(ctx, cfg.NATS, log.Named("bus"))
	if err != nil {
		return err
	}
	defer b.Close()
	w := stdout
	var f *os.File
	if *out != "-" {
		if f, err = os.Create(*out); err != nil {
			return fmt.Errorf("labels export: %w", err)
		}
		defer f.Close()
		w = f
	}
	c, err := labels.Export(ctx, b.Replay, w, func(id string, err error) {
		log.Warn("labels export: malformed message left out", zap.String("msg_id", id), zap.Error(err))
	})
	if err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return fmt.Errorf("labels export: %w", err)
		}
	}
	log.Info("labels exported", zap.Int("solicitation", c.Solicitation), zap.Int("benign", c.Benign),
		zap.Int("undecided", c.Undecided), zap.Int("malformed", c.Malformed))
	return nil
}

// generated reports whether a corpus came from the generator (its examples
// name their template family).
func generated(exs []detector.CorpusExample) bool {
	return len(exs) > 0 && exs[0].Family != "" && exs[0].Family != "real"
}
