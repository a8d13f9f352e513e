package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/handlewatch/handlewatch/detector"
	"github.com/handlewatch/handlewatch/internal/benchcorpus"
	"github.com/handlewatch/handlewatch/internal/dump"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Row is one measurement.
type Row struct {
	Name          string   `json:"name"`
	Value         float64  `json:"value"`
	Unit          string   `json:"unit"`
	Baseline      string   `json:"baseline"`
	BaselineValue *float64 `json:"baseline_value"`
	Ratio         *float64 `json:"ratio"`
}

// Options of Run.
type Options struct {
	Posts         int    // posts of the scan corpus
	DetectorPosts int    // posts of the detector sample (held in memory)
	Rules         string // rule file ("": the built-in rules)
	Model         string // model file ("": the built-in model, detector.NoModel: none)
	Dir           string // scratch directory for the corpus ("" : a temporary one)
	RG            string // ripgrep binary ("": rg from PATH, "-": none)
	// E2E runs the pipeline benchmark and returns its rows (internal/app
	// has the pipeline; bench cannot import it). nil skips the e2e rows;
	// the rss rows then measure the scan and detector runs.
	E2E func(ctx context.Context) ([]Row, error)
	// E2EOnly stops after the e2e and rss rows: no corpus is generated,
	// nothing else is timed.
	E2EOnly bool
	Note    io.Writer // notes for a person (baselines skipped), stderr
	Seed    uint64
}

// Defaults.
const (
	DefaultPosts         = 1_000_000
	DefaultDetectorPosts = 100_000
	// RSSGoal, E2EGoal and P99Goal are issue 11's goals, the baselines of
	// the rows that have no program to compare with.
	RSSGoal = 300.0    // MB
	E2EGoal = 20_000.0 // posts/s
	P99Goal = 250.0    // ms
)

// Run measures and writes a row per line to out as soon as it is known.
func Run(ctx context.Context, o Options, out io.Writer) error {
	if o.Posts <= 0 {
		o.Posts = DefaultPosts
	}
	if o.DetectorPosts <= 0 {
		o.DetectorPosts = DefaultDetectorPosts
	}
	if o.Note == nil {
		o.Note = io.Discard
	}
	if o.Seed == 0 {
		o.Seed = 20261128
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	emit := func(rows ...Row) error {
		for _, r := range rows {
			if err := enc.Encode(r); err != nil {
				return fmt.Errorf("writing results: %w", err)
			}
		}
		return nil
	}
	if o.E2E != nil {
		rows, err := o.E2E(ctx)
		if err != nil {
			return fmt.Errorf("e2e: %w", err)
		}
		// Peak and final RSS of the process that just ran the pipeline.
		if err := emit(append(rows, rssRows()...)...); err != nil {
			return err
		}
		if o.E2EOnly {
			return nil
		}
	}
	e, err := detector.Load(o.Rules, o.Model)
	if err != nil {
		return err
	}
	dir := o.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "handlewatch-bench-"); err != nil {
			return fmt.Errorf("making scratch directory: %w", err)
		}
		defer os.RemoveAll(dir)
	}
	rows, err := scanRows(ctx, e, dir, o)
	if err != nil {
		return err
	}
	if err := emit(rows...); err != nil {
		return err
	}
	if rows, err = detectorRows(e, filepath.Join(dir, "corpus.ndjson"), o.DetectorPosts); err != nil {
		return err
	}
	if err := emit(rows...); err != nil {
		return err
	}
	if o.E2E == nil {
		return emit(rssRows()...)
	}
	return nil
}

func ptr(f float64) *float64 { return &f }

// Compared is a row against a measured or goal baseline; ratio is
// handlewatch's time over the baseline's for the same work, given as
// the two times (or their stand-ins: any unit, the same for both).
func Compared(name string, value float64, unit, baseline string, baselineValue, ourTime, theirTime float64) Row {
	r := Row{Name: name, Value: round(value), Unit: unit, Baseline: baseline, BaselineValue: ptr(round(baselineValue))}
	if theirTime > 0 {
		r.Ratio = ptr(round(ourTime / theirTime))
	}
	return r
}

func round(f float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 4, 64), 64)
	return v
}

// scanRows times scan against ripgrep on the same generated file (page
// cache warm, each the best of two runs, alternated), then on the zstd
// copy against the plain file.
func scanRows(ctx context.Context, e *detector.Engine, dir string, o Options) ([]Row, error) {
	path := filepath.Join(dir, "corpus.ndjson")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("writing corpus: %w", err)
	}
	size, err := benchcorpus.Corpus(f, o.Posts, o.Seed)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	patterns := filepath.Join(dir, "apps.txt")
	if err := os.WriteFile(patterns, []byte(strings.Join(wire.Apps, "\n")+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("writing patterns: %w", err)
	}
	if err := warm(path); err != nil {
		return nil, err
	}
	rg := o.RG
	switch rg {
	case "":
		rg, _ = exec.LookPath("rg")
	case "-":
		rg = ""
	}
	// CPU time (user + system) is kept beside wall time: on a machine
	// shared with other work it is the steadier of the two.
	var ourCPU, theirCPU time.Duration
	keepMin := func(d *time.Duration, v time.Duration) {
		if *d == 0 || v < *d {
			*d = v
		}
	}
	scan := func(file string) (time.Duration, error) {
		cpu0 := ProcessCPU()
		start := time.Now()
		sum, err := detector.ScanFiles(ctx, e, []string{file}, io.Discard, detector.ScanOptions{})
		if err != nil {
			return 0, err
		}
		if sum.Posts != int64(o.Posts) {
			return 0, fmt.Errorf("scan read %d posts of %d", sum.Posts, o.Posts)
		}
		wall := time.Since(start)
		if file == path {
			keepMin(&ourCPU, ProcessCPU()-cpu0)
		}
		return wall, nil
	}
	grep := func() (time.Duration, error) {
		start := time.Now()
		cmd := exec.CommandContext(ctx, rg, "-c", "-i", "-F", "-f", patterns, path)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		// rg exits 1 when nothing matches: still a measurement.
		if err := cmd.Run(); err != nil && (cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 1) {
			return 0, fmt.Errorf("running %s: %w: %s", rg, err, strings.TrimSpace(stderr.String()))
		}
		keepMin(&theirCPU, cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime())
		return time.Since(start), nil
	}
	best := func(d *time.Duration, fn func() (time.Duration, error)) error {
		t, err := fn()
		if err == nil && (*d == 0 || t < *d) {
			*d = t
		}
		return err
	}
	var ours, theirs time.Duration
	for range 2 {
		if err := best(&ours, func() (time.Duration, error) { return scan(path) }); err != nil {
			return nil, err
		}
		if rg != "" {
			if err := best(&theirs, grep); err != nil {
				return nil, err
			}
		}
	}
	mb := float64(size) / 1e6
	posts := float64(o.Posts)
	var rows []Row
	if rg != "" {
		name := fmt.Sprintf("rg -c -i -F -f <%d app names>", len(wire.Apps))
		rows = append(rows,
			Compared("scan", mb/ours.Seconds(), "MB/s", name, mb/theirs.Seconds(), ours.Seconds(), theirs.Seconds()),
			Compared("scan_posts", posts/ours.Seconds(), "posts/s", name, posts/theirs.Seconds(), ours.Seconds(), theirs.Seconds()),
			Compared("scan_cpu", ourCPU.Seconds(), "CPU s", name, theirCPU.Seconds(), ourCPU.Seconds(), theirCPU.Seconds()))
	} else {
		fmt.Fprintln(o.Note, "bench: rg (ripgrep) is not installed: the scan rows have no baseline (apt-get install ripgrep)")
		rows = append(rows,
			Row{Name: "scan", Value: round(mb / ours.Seconds()), Unit: "MB/s", Baseline: "rg not installed"},
			Row{Name: "scan_posts", Value: round(posts / ours.Seconds()), Unit: "posts/s", Baseline: "rg not installed"},
			Row{Name: "scan_cpu", Value: round(ourCPU.Seconds()), Unit: "CPU s", Baseline: "rg not installed"})
	}

	zst := path + ".zst"
	if err := compressZstd(path, zst); err != nil {
		return nil, err
	}
	var zt time.Duration
	for range 2 {
		if err := best(&zt, func() (time.Duration, error) { return scan(zst) }); err != nil {
			return nil, err
		}
	}
	rows = append(rows, Compared("scan_zst", mb/zt.Seconds(), "MB/s", "scan of the plain file", mb/ours.Seconds(), zt.Seconds(), ours.Seconds()))
	return rows, os.Remove(zst)
}

// warm reads a file once so that neither contestant pays for the disk.
func warm(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("reading corpus: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		return fmt.Errorf("reading corpus: %w", err)
	}
	return nil
}

func compressZstd(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("compressing corpus: %w", err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("compressing corpus: %w", err)
	}
	defer out.Close()
	zw, err := zstd.NewWriter(out, zstd.WithEncoderLevel(zstd.SpeedFastest))
	if err != nil {
		return fmt.Errorf("compressing corpus: %w", err)
	}
	if _, err := io.Copy(zw, in); err != nil {
		zw.Close()
		return fmt.Errorf("compressing corpus: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compressing corpus: %w", err)
	}
	return out.Close()
}

// naiveRegexp is the baseline a person writes first: any app name, then
// up to three separators and something handle-shaped, case-insensitive,
// on the raw text.
func naiveRegexp() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\b(?:` + strings.Join(wire.Apps, "|") + `)\b\W{0,3}@?[a-z0-9_.]{3,32}`)
}

// detectorRows times Engine.Detect on one goroutine (per core) over posts
// decoded beforehand, against the naive regexp on the same texts.
func detectorRows(e *detector.Engine, corpus string, n int) ([]Row, error) {
	f, err := os.Open(corpus)
	if err != nil {
		return nil, fmt.Errorf("reading corpus: %w", err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var posts []*wire.Post
	var textBytes int64
	var l dump.Line
	for len(posts) < n {
		line, _, err := dump.ReadLine(br, 1<<20)
		if errors.Is(err, io.EOF) && len(line) == 0 {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading corpus: %w", err)
		}
		if err := dump.Decode(line, &l); err != nil || l.Text == nil {
			return nil, fmt.Errorf("corpus line %d: %v", len(posts)+1, err)
		}
		id, _ := dump.ParseID(l.ID)
		posts = append(posts, &wire.Post{Schema: wire.SchemaVersion, Source: "bench", SourceKind: "file", ID: id, Text: *l.Text})
		textBytes += int64(len(*l.Text))
	}
	if len(posts) == 0 {
		return nil, errors.New("empty corpus")
	}
	runtime.GC()
	start := time.Now()
	findings := 0
	for _, p := range posts {
		if e.Detect(p) != nil {
			findings++
		}
	}
	ours := time.Since(start)
	re := naiveRegexp()
	start = time.Now()
	for _, p := range posts {
		re.FindAllStringIndex(p.Text, -1)
	}
	theirs := time.Since(start)
	mb, np := float64(textBytes)/1e6, float64(len(posts))
	const name = "naive regexp (app name + handle, (?i)), 1 core"
	return []Row{
		Compared("detector", mb/ours.Seconds(), "MB/s per core", name, mb/theirs.Seconds(), ours.Seconds(), theirs.Seconds()),
		Compared("detector_posts", np/ours.Seconds(), "posts/s per core", name, np/theirs.Seconds(), ours.Seconds(), theirs.Seconds()),
	}, nil
}

// RSS returns the process's peak (VmHWM) and current (VmRSS) resident
// set in MB, from /proc/self/status (zero elsewhere).
func RSS() (peak, current float64) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || (k != "VmHWM" && k != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		if err != nil {
			continue
		}
		if k == "VmHWM" {
			peak = kb * 1024 / 1e6
		} else {
			current = kb * 1024 / 1e6
		}
	}
	return peak, current
}

// ProcessCPU is the user and system time this process has used.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rssRows() []Row {
	runtime.GC()
	peak, current := RSS()
	return []Row{
		Compared("rss_peak", peak, "MB", "goal", RSSGoal, peak, RSSGoal),
		Compared("rss_final", current, "MB", "goal", RSSGoal, current, RSSGoal),
	}
}
