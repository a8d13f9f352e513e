package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/detector"
	"github.com/handlewatch/handlewatch/internal/bench"
	"github.com/handlewatch/handlewatch/internal/benchcorpus"
	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/config"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink"
)

// cmdBench measures scan, the detector and the pipeline beside their
// baselines: one JSON object per line on stdout (internal/bench).
func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench", stderr)
	rules := fs.String("rules", "", "rule `FILE` (default: the built-in rules)")
	modelPath := fs.String("model", "", "model `FILE` (default: the built-in model; \"none\": the rules alone)")
	posts := fs.Int("posts", bench.DefaultPosts, "posts of the generated NDJSON file scan and rg read")
	detectorPosts := fs.Int("detector-posts", bench.DefaultDetectorPosts, "posts the detector rows time (held in memory)")
	e2ePosts := fs.Int("e2e-posts", 100_000, "posts pushed through the pipeline for the e2e throughput and rss rows (0: skip e2e)")
	latencySecs := fs.Int("latency-seconds", 5, "seconds of posts at 1,000 posts/s for the e2e latency rows")
	dir := fs.String("dir", "", "scratch `DIR` for the corpus (default: a temporary directory)")
	e2eOnly := fs.Bool("e2e-only", false, "time only the pipeline (the e2e and rss rows): no corpus, no scan or detector rows")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to `FILE`")
	blockProfile := fs.String("blockprofile", "", "write a block (and a mutex, FILE.mutex) profile of the whole run to `FILE`")
	rg := fs.String("rg", "rg", "ripgrep `BINARY`; when it is not found the scan rows have no baseline")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *posts < 1 || *detectorPosts < 1 || *e2ePosts < 0 || *latencySecs < 1 {
		return &usageError{msg: "bench: --posts and --detector-posts must be at least 1, --e2e-posts at least 0, --latency-seconds at least 1"}
	}
	if *e2eOnly && *e2ePosts == 0 {
		return &usageError{msg: "bench: --e2e-only needs --e2e-posts above 0"}
	}
	// Load once here so that a bad --rules or --model is a usage error
	// before anything is generated.
	if _, err := detector.Load(*rules, *modelPath); err != nil {
		return &usageError{msg: fmt.Sprintf("bench: %v", err)}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	prof, err := startProfiles(*cpuProfile, *blockProfile)
	if err != nil {
		return err
	}
	defer prof.stop()
	o := bench.Options{Posts: *posts, DetectorPosts: *detectorPosts, Rules: *rules, Model: *modelPath, Dir: *dir, Note: stderr,
		E2EOnly: *e2eOnly}
	if path, err := lookPath(*rg); err == nil {
		o.RG = path
	} else {
		o.RG = "-" // not installed: bench notes it
	}
	if *e2ePosts > 0 {
		o.E2E = func(ctx context.Context) ([]bench.Row, error) {
			return benchE2E(ctx, *rules, *modelPath, *e2ePosts, time.Duration(*latencySecs)*time.Second, prof.arm)
		}
	}
	return bench.Run(ctx, o, stdout)
}

// profiles are the profiles a bench run writes.
type profiles struct {
	stops []func()
	block bool
}

// stop writes the profiles.
func (p *profiles) stop() {
	for _, s := range slices.Backward(p.stops) {
		s()
	}
}

// arm (re)sets the block and mutex profile rates: the embedded NATS
// server sets the block rate to its own option (0) when it starts.
func (p *profiles) arm() {
	if p.block {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
		runtime.SetMutexProfileFraction(10)
	}
}

// startProfiles starts the CPU profile and the block and mutex
// profiles the bench was asked for; stop writes them.
func startProfiles(cpuPath, blockPath string) (*profiles, error) {
	p := &profiles{}
	if cpuPath != "" {
		f, err := os.Create(cpuPath)
		if err != nil {
			return nil, fmt.Errorf("bench: --cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("bench: --cpuprofile: %w", err)
		}
		p.stops = append(p.stops, func() { pprof.StopCPUProfile(); f.Close() })
	}
	if blockPath != "" {
		p.block = true
		p.arm()
		p.stops = append(p.stops, func() {
			for name, path := range map[string]string{"block": blockPath, "mutex": blockPath + ".mutex"} {
				if f, err := os.Create(path); err == nil {
					_ = pprof.Lookup(name).WriteTo(f, 0)
					f.Close()
				}
			}
			runtime.SetBlockProfileRate(0)
			runtime.SetMutexProfileFraction(0)
		})
	}
	return p, nil
}

// benchReceiver is the webhook end of the e2e benchmark: it notes when
// each handle's first alert arrived.
type benchReceiver struct {
	mu      sync.Mutex
	arrived map[string]time.Time
	srv     *http.Server
	url     string
}

func newBenchReceiver() (*benchReceiver, error) {
	r := &benchReceiver{arrived: map[string]time.Time{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening for webhooks: %w", err)
	}
	r.url = "http://" + ln.Addr().String() + "/hook"
	r.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		now := time.Now()
		var body struct {
			Alerts []struct {
				Handle string `json:"handle"`
			} `json:"alerts"`
		}
		if err := json.NewDecoder(io.LimitReader(req.Body, 1<<20)).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		for _, a := range body.Alerts {
			if _, seen := r.arrived[a.Handle]; !seen {
				r.arrived[a.Handle] = now
			}
		}
		r.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	go r.srv.Serve(ln) //nolint:errcheck // ends with Close
	return r, nil
}

func (r *benchReceiver) at(handle string) (time.Time, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.arrived[handle]
	return t, ok
}

// benchE2E runs the detector and sink stages on embedded NATS and memory
// state, publishes posts the way the crawler does (busPublisher) and
// measures throughput until every consumer has drained, then alert
// latency at a fixed 1,000 posts/s. Nothing leaves 127.0.0.1.
func benchE2E(ctx context.Context, rules, modelPath string, n int, latencyFor time.Duration, started func()) ([]bench.Row, error) {
	dir, err := os.MkdirTemp("", "handlewatch-bench-e2e-")
	if err != nil {
		return nil, fmt.Errorf("making data directory: %w", err)
	}
	defer os.RemoveAll(dir)
	recv, err := newBenchReceiver()
	if err != nil {
		return nil, err
	}
	defer recv.srv.Close()
	const secretEnv = "HW_BENCH_WEBHOOK_SECRET"
	if os.Getenv(secretEnv) == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("making webhook secret: %w", err)
		}
		os.Setenv(secretEnv, hex.EncodeToString(b))
	}
	// Empty paths keep the built-in rules and model, as the config does.
	abs := func(p string) (string, error) {
		if p == "" || p == detector.NoModel {
			return p, nil
		}
		return filepath.Abs(p)
	}
	rulesAbs, err := abs(rules)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	modelAbs, err := abs(modelPath)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	yaml := fmt.Sprintf(`
log: { format: console, level: error }
nats: { url: "", data_dir: %q }
detector: { rules: %q, model: %q }
sink:
  listen: 127.0.0.1:0
  base_url: http://dashboard.example
  webhooks: [ { name: bench, url: %q, secret_env: %s, rate_per_minute: 6000 } ]
`, filepath.Join(dir, "nats"), rulesAbs, modelAbs, recv.url, secretEnv)
	cfg, err := config.Parse(filepath.Join(dir, "bench.yaml"), []byte(yaml), os.LookupEnv)
	if err != nil {
		return nil, err
	}
	log := zap.NewNop()
	p, err := Start(ctx, cfg, log, stages{detect: true, sink: true})
	if err != nil {
		return nil, err
	}
	started()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	defer func() {
		cancel()
		<-done
	}()
	b := p.bus
	pub := busPublisher{b}

	// Throughput: n posts, published by 16 goroutines at once, the way
	// 16 crawl targets would, then n more a page at a time. Post by post
	// each publish waits for its JetStream ack, as the crawler's do
	// today; a page of benchPage posts goes out as one PublishPosts,
	// every post in flight at once and the page let go of once all are
	// acknowledged. The second run finds most of its handles' cases
	// already open, so its sink sends fewer new-case alerts. Texts are
	// made as they are published, so the bench's own memory stays out of
	// the rss rows.
	var rows []bench.Row
	for _, run := range []struct {
		name, id string
		page     int
	}{{"e2e", "t", 1}, {"e2e_pages", "p", benchPage}} {
		rate, perPost, err := benchThroughput(ctx, b, pub, n, run.id, run.page)
		if err != nil {
			return nil, err
		}
		// CPU per post is the steadier number on a machine shared with
		// other work; its baseline is what the machine's cores have per
		// post at the goal rate.
		budget := float64(runtime.NumCPU()) * 1e6 / bench.E2EGoal
		rows = append(rows,
			bench.Compared(run.name, rate, "posts/s", "goal", bench.E2EGoal, bench.E2EGoal, rate),
			bench.Compared(run.name+"_cpu", perPost, "CPU µs/post", "all cores at the goal rate", budget, perPost, budget))
	}

	// Latency: 1,000 posts/s in 10 ms ticks; one post in 20 is a new
	// case (a handle never seen), whose alert the receiver times.
	const perTick, tick = 10, 10 * time.Millisecond
	total := int(latencyFor / tick * perTick)
	ads, err := benchAds(rules, modelPath, total/20+1)
	if err != nil {
		return nil, err
	}
	sent := map[string]time.Time{}
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	for i := 0; i < total; {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ticker.C:
		}
		for range perTick {
			text := "lovely weather at the market today, see you there"
			var handle string
			if i%20 == 0 {
				handle, text = ads[i/20].handle, ads[i/20].text
			}
			post := &wire.Post{Schema: wire.SchemaVersion, Source: "bench", SourceKind: "file", ID: fmt.Sprintf("l%d", i),
				Text: text, FetchedAt: time.Now().UTC()}
			if handle != "" {
				sent[handle] = time.Now()
			}
			if err := pub.PublishPost(ctx, post); err != nil {
				return nil, err
			}
			i++
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	var lat []float64
	for {
		lat = lat[:0]
		for h, at := range sent {
			if got, ok := recv.at(h); ok {
				lat = append(lat, float64(got.Sub(at))/float64(time.Millisecond))
			}
		}
		if len(lat) == len(sent) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(lat) == 0 {
		return nil, fmt.Errorf("no alert of %d new cases reached the webhook in 30 s", len(sent))
	}
	slices.Sort(lat)
	pct := func(q float64) float64 { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
	name := "goal (p99)"
	if len(lat) < len(sent) {
		name = fmt.Sprintf("goal (p99); %d of %d alerts arrived", len(lat), len(sent))
	}
	rows = append(rows,
		bench.Compared("e2e_p50", pct(0.50), "ms", name, bench.P99Goal, pct(0.50), bench.P99Goal),
		bench.Compared("e2e_p99", pct(0.99), "ms", name, bench.P99Goal, pct(0.99), bench.P99Goal))
	return rows, nil
}

// benchPage is the page size of the e2e_pages run: a Reddit listing's.
const benchPage = 100

// benchThroughput publishes n posts (ids prefixed with id) from 16
// goroutines, post by post when page is 1 and else page posts at a time,
// and waits for the pipeline to drain: posts/s and CPU µs per post.
func benchThroughput(ctx context.Context, b *bus.Bus, pub busPublisher, n int, id string, page int) (rate, perPost float64, err error) {
	type job struct {
		i    int
		text string
	}
	jobs := make(chan job, 1024)
	genErr := make(chan error, 1)
	genCtx, stopGen := context.WithCancel(ctx)
	defer stopGen()
	go func() {
		defer close(jobs)
		genErr <- benchcorpus.Texts(n, 20261207, func(i int, text string) error {
			select {
			case jobs <- job{i, text}:
				return nil
			case <-genCtx.Done():
				return genCtx.Err()
			}
		})
	}()
	start, cpu0 := time.Now(), bench.ProcessCPU()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			posts := make([]*wire.Post, 0, page)
			flush := func() error {
				var err error
				if page == 1 {
					err = pub.PublishPost(ctx, posts[0])
				} else {
					err = pub.PublishPosts(ctx, posts)
				}
				posts = posts[:0]
				return err
			}
			for j := range jobs {
				posts = append(posts, &wire.Post{Schema: wire.SchemaVersion, Source: "bench", SourceKind: "file",
					ID: id + strconv.Itoa(j.i), Text: j.text, FetchedAt: time.Now().UTC()})
				if len(posts) < page {
					continue
				}
				if err := flush(); err != nil {
					errs <- err
					stopGen()
					return
				}
			}
			if len(posts) > 0 {
				if err := flush(); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, 0, err
	}
	if err := <-genErr; err != nil {
		return 0, 0, err
	}
	if err := drained(ctx, b, 10*time.Minute); err != nil {
		return 0, 0, err
	}
	elapsed, cpu := time.Since(start), bench.ProcessCPU()-cpu0
	return float64(n) / elapsed.Seconds(), float64(cpu) / float64(time.Microsecond) / float64(n), nil
}

type benchAd struct{ handle, text string }

// benchAds makes n solicitation posts with distinct placeholder handles,
// each checked to be a finding naming its handle by the engine in use:
// which handle shapes a rule file accepts is the engine's business.
func benchAds(rules, modelPath string, n int) ([]benchAd, error) {
	e, err := detector.Load(rules, modelPath)
	if err != nil {
		return nil, err
	}
	var ads []benchAd
	for i := 0; len(ads) < n && i < 50*n+1000; i++ {
		var suffix []byte
		for v := i; ; v /= 26 {
			suffix = append(suffix, byte('a'+v%26))
			if v < 26 {
				break
			}
		}
		handle := "placeholder_" + string(suffix)
		text := "trading young collection, wickr: " + handle
		f := e.Detect(&wire.Post{Schema: wire.SchemaVersion, Source: "bench", SourceKind: "file", ID: "probe", Text: text})
		if f != nil && slices.ContainsFunc(f.Handles, func(h wire.Handle) bool { return h.Handle == handle }) {
			ads = append(ads, benchAd{handle, text})
		}
	}
	if len(ads) < n {
		return nil, fmt.Errorf("the rules find only %d of %d placeholder solicitation posts", len(ads), n)
	}
	return ads, nil
}

// drained waits until the pipeline's consumers (the detector's on the
// posts, the sink's on the findings and on the scan tallies) have
// nothing pending and nothing unacknowledged. Other consumers are not
// the pipeline's: an ordered consumer a replay left behind counts
// messages as pending until the server drops it.
func drained(ctx context.Context, b *bus.Bus, limit time.Duration) error {
	js := b.JetStream()
	deadline := time.Now().Add(limit)
	for {
		idle := true
		for _, c := range []struct{ stream, durable string }{
			{bus.StreamPosts, detector.Durable}, {bus.StreamFindings, sink.ConsumerName}, {bus.StreamStats, sink.TalliesConsumerName},
		} {
			s, err := js.Stream(ctx, b.StreamName(c.stream))
			if err != nil {
				return fmt.Errorf("reading stream %s: %w", c.stream, err)
			}
			info, err := s.Info(ctx)
			if err != nil {
				return fmt.Errorf("reading stream %s: %w", c.stream, err)
			}
			cons, err := s.Consumer(ctx, c.durable)
			switch {
			case errors.Is(err, jetstream.ErrConsumerNotFound):
				if info.State.Msgs > 0 {
					idle = false // the stage has not made its consumer yet
				}
				continue
			case err != nil:
				return fmt.Errorf("reading consumer %s of %s: %w", c.durable, c.stream, err)
			}
			ci, err := cons.Info(ctx)
			if err != nil {
				return fmt.Errorf("reading consumer %s of %s: %w", c.durable, c.stream, err)
			}
			if ci.NumPending > 0 || ci.NumAckPending > 0 || ci.Delivered.Stream < info.State.LastSeq {
				idle = false
			}
		}
		if idle {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the pipeline did not drain in %s", limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// lookPath finds a program; "-" is never one.
func lookPath(name string) (string, error) {
	if name == "-" || name == "" {
		return "", errors.New("no program")
	}
	return exec.LookPath(name)
}
