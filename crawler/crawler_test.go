package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/handlewatch/handlewatch/crawler/fetch/fetchtest"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// collector is a Publisher that keeps what it gets; failOn may refuse a
// post.
type collector struct {
	mu     sync.Mutex
	posts  []wire.Post
	failOn func(p *wire.Post) error
}

func (c *collector) PublishPost(_ context.Context, p *wire.Post) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failOn != nil {
		if err := c.failOn(p); err != nil {
			return err
		}
	}
	c.posts = append(c.posts, *p)
	return nil
}

func (c *collector) ids() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var ids []string
	for _, p := range c.posts {
		ids = append(ids, p.ID)
	}
	return ids
}

type store interface {
	state.Seen
	state.Cursors
}

func testConfig() Config {
	return Config{
		UserAgent: "handlewatch-test/1 (+https://example.org/contact)", AllowPrivateNetworks: true,
		HostRate: 1000, HostBurst: 100, RequestTimeout: 5 * time.Second,
		BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, BlockedBackoff: time.Hour,
		CheckpointInterval: time.Hour, CheckpointPosts: 3, OnceStreamTimeout: 2 * time.Second,
	}
}

type testDeps struct {
	store     store
	pub       Publisher
	log       *zap.Logger
	reg       *prometheus.Registry
	transport http.RoundTripper
}

func newTestCrawler(t *testing.T, cfg Config, sources []SourceConfig, d testDeps) *Crawler {
	t.Helper()
	if d.store == nil {
		d.store = state.NewMemory()
	}
	if d.pub == nil {
		d.pub = &collector{}
	}
	if d.log == nil {
		d.log = zaptest.NewLogger(t)
	}
	if d.reg == nil {
		d.reg = prometheus.NewRegistry()
	}
	c, err := New(cfg, sources, Deps{Log: d.log, Seen: d.store, Cursors: d.store, Publisher: d.pub, Metrics: d.reg, Transport: d.transport})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// feedSite serves an RSS feed whose items embed media, with an ETag, and
// every media file, counting requests by path.
type feedSite struct {
	mu          sync.Mutex
	items       []string // ids, oldest first
	version     int
	notModified int
	counter     fetchtest.Counter
	// feed overrides the /feed.xml handler when set.
	feed http.HandlerFunc
}

func (f *feedSite) add(ids ...string) {
	f.mu.Lock()
	f.items = append(f.items, ids...)
	f.version++
	f.mu.Unlock()
}

func (f *feedSite) serve(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private\n")
	})
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		h := f.feed
		f.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		f.writeFeed(w, r)
	})
	mux.HandleFunc("/media/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(make([]byte, 4096))
	})
	srv := httptest.NewServer(f.counter.Wrap(mux))
	t.Cleanup(srv.Close)
	return srv
}

func (f *feedSite) writeFeed(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	etag := fmt.Sprintf(`"v%d"`, f.version)
	if r.Header.Get("If-None-Match") == etag {
		f.notModified++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	fmt.Fprint(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>t</title><link>https://news.example/</link><language>en</language>`)
	for i := len(f.items) - 1; i >= 0; i-- {
		id := f.items[i]
		fmt.Fprintf(w, `<item><guid>%s</guid><title>post %s</title><link>/p/%s</link><pubDate>%s</pubDate>`+
			`<description><![CDATA[<p>text of %s, see <a href="https://other.example/a">a</a> and <a href="/media/%s-full.jpg">the photo</a></p><img src="/media/%s.jpg"><video src="/media/%s.mp4"></video>]]></description>`+
			`<enclosure url="/media/%s.mp3" type="audio/mpeg" length="10"/><media:thumbnail url="/media/%s-thumb.png"/></item>`,
			id, id, id, time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC).Format(time.RFC1123Z), id, id, id, id, id, id)
	}
	fmt.Fprint(w, `</channel></rss>`)
}

func rssSource(name, base string, targets ...string) SourceConfig {
	if len(targets) == 0 {
		targets = []string{"/feed.xml"}
	}
	return SourceConfig{Name: name, Kind: "rss", BaseURL: base, Targets: targets, Interval: 100 * time.Millisecond}
}

func TestOnceRSSAndConditionalGET(t *testing.T) {
	site := &feedSite{}
	site.add("a", "b", "c")
	srv := site.serve(t)
	pub := &collector{}
	reg := prometheus.NewRegistry()
	c := newTestCrawler(t, testConfig(), []SourceConfig{rssSource("news", srv.URL)}, testDeps{pub: pub, reg: reg})
	ctx := context.Background()
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pub.ids(), ","); got != "a,b,c" {
		t.Fatalf("published %s, want a,b,c oldest first", got)
	}
	p := pub.posts[0]
	if p.Schema != wire.SchemaVersion || p.Source != "news" || p.SourceKind != "rss" || p.FetchedAt.IsZero() ||
		// Attachments: img, video, enclosure, thumbnail and the link to the full photo.
		p.Permalink != "https://news.example/p/a" || p.Lang != "en" || p.Attachments != 5 ||
		!slices.Equal(p.Links, []string{"https://other.example/a"}) || p.Validate() != nil {
		t.Errorf("post = %+v", p)
	}
	if p.Subject() != "hw.posts.rss.news" || p.Key() != "news/a" {
		t.Errorf("subject %s key %s", p.Subject(), p.Key())
	}

	// A second run is answered 304 and publishes nothing.
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(pub.ids()); n != 3 || site.notModified != 1 {
		t.Fatalf("after a 304: %d posts, %d 304s", n, site.notModified)
	}
	site.add("d")
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pub.ids(), ","); got != "a,b,c,d" {
		t.Errorf("published %s", got)
	}
	for path := range site.counter.Paths() {
		if strings.HasPrefix(path, "/media/") {
			t.Errorf("media requested: %s", path)
		}
	}
	if v := metricValue(c.metrics.published.WithLabelValues("news")); v != 4 {
		t.Errorf("published metric %v", v)
	}
	if v := metricValue(c.metrics.requests.WithLabelValues("news", "not_modified")); v != 1 {
		t.Errorf("not_modified requests metric %v", v)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range families {
		names[f.GetName()] = true
	}
	for _, want := range []string{"handlewatch_crawler_runs_total", "handlewatch_crawler_last_success_timestamp_seconds",
		"handlewatch_crawler_requests_total", "handlewatch_crawler_consecutive_failures", "handlewatch_crawler_run_posts"} {
		if !names[want] {
			t.Errorf("metric %s not registered", want)
		}
	}
	h := c.Health()
	if len(h) != 1 || h[0].LastSuccess.IsZero() || h[0].ConsecutiveFailures != 0 || h[0].LastPosts != 1 {
		t.Errorf("health %+v", h)
	}
}

// stores runs f against the memory store and a real Redis with a unique
// prefix; a missing Redis fails the test.
func stores(t *testing.T, f func(t *testing.T, st store)) {
	t.Run("memory", func(t *testing.T) { f(t, state.NewMemory()) })
	t.Run("redis", func(t *testing.T) {
		url := os.Getenv("HW_TEST_REDIS_URL")
		if url == "" {
			url = "redis://127.0.0.1:6379/0"
		}
		ctx := context.Background()
		prefix := fmt.Sprintf("hwtest:crawler:%d:", time.Now().UnixNano())
		r, err := state.NewRedis(ctx, url, prefix)
		if err != nil {
			t.Fatalf("redis at %s (set HW_TEST_REDIS_URL): %v", url, err)
		}
		t.Cleanup(func() {
			keys, _ := r.Client().Keys(ctx, prefix+"*").Result()
			if len(keys) > 0 {
				r.Client().Del(ctx, keys...)
			}
			r.Close()
		})
		f(t, r)
	})
}

func TestResumeAfterRestartPoller(t *testing.T) {
	stores(t, func(t *testing.T, st store) {
		site := &feedSite{}
		site.add("p1", "p2", "p3", "p4", "p5")
		srv := site.serve(t)
		sources := []SourceConfig{rssSource("news", srv.URL)}
		ctx := context.Background()

		// The publisher fails at p3: p1 and p2 are out, the cursor is not
		// saved and p3's seen key is removed again.
		first := &collector{failOn: func(p *wire.Post) error {
			if p.ID == "p3" {
				return errors.New("nats down")
			}
			return nil
		}}
		if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: first}).Once(ctx); err == nil {
			t.Fatal("want the publish error")
		}
		if got := strings.Join(first.ids(), ","); got != "p1,p2" {
			t.Fatalf("first run published %s", got)
		}
		if _, ok, _ := st.Cursor(ctx, "news//feed.xml"); ok {
			t.Error("the cursor was saved although a post of the batch was not published")
		}
		if seen, _ := st.IsSeen(ctx, "news/p3"); seen {
			t.Error("p3 stayed marked seen after its publish failed")
		}

		// A new crawler on the same store: the rest, once.
		second := &collector{}
		if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: second}).Once(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(second.ids(), ","); got != "p3,p4,p5" {
			t.Fatalf("after the restart: %s, want p3,p4,p5", got)
		}
		site.add("p6")
		third := &collector{}
		if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: third}).Once(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(third.ids(), ","); got != "p6" {
			t.Fatalf("third crawler: %s, want p6", got)
		}
	})
}

func TestResumeAfterRestartStream(t *testing.T) {
	stores(t, func(t *testing.T, st store) {
		dir := t.TempDir()
		var lines []string
		for i := 1; i <= 10; i++ {
			lines = append(lines, fmt.Sprintf(`{"id":"d%02d","text":"dump line %d"}`, i, i))
		}
		lines = append(lines[:5], append([]string{`{"broken`}, lines[5:]...)...)
		path := filepath.Join(dir, "dump.ndjson")
		os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
		sources := []SourceConfig{{Name: "dumps", Kind: "file", Targets: []string{filepath.Join(dir, "*.ndjson")}}}
		ctx := context.Background()

		var n atomic.Int32
		first := &collector{failOn: func(p *wire.Post) error {
			if n.Add(1) == 7 {
				return errors.New("nats down")
			}
			return nil
		}}
		if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: first}).Once(ctx); err == nil {
			t.Fatal("want the publish error")
		}
		if len(first.ids()) != 6 {
			t.Fatalf("first run published %v", first.ids())
		}
		second := &collector{}
		if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: second}).Once(ctx); err != nil {
			t.Fatal(err)
		}
		all := append(first.ids(), second.ids()...)
		want := "d01,d02,d03,d04,d05,d06,d07,d08,d09,d10"
		if strings.Join(all, ",") != want {
			t.Fatalf("published %s\nwant      %s (no repeat, nothing skipped, the broken line skipped)", strings.Join(all, ","), want)
		}
		third := &collector{}
		if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: third}).Once(ctx); err != nil || len(third.ids()) != 0 {
			t.Fatalf("a finished dump replayed again: %v %v", third.ids(), err)
		}
	})
}

func TestZeroMediaRequests(t *testing.T) {
	var counter fetchtest.Counter
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "User-agent: *\nAllow: /\n") })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		if page == "" {
			page = "1"
		}
		b, err := os.ReadFile(filepath.Join("html", "testdata", "forum", "page"+page+".html"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		w.Write(b)
	})
	site := &feedSite{}
	site.add("f1", "f2")
	mux.HandleFunc("/feed.xml", site.writeFeed)
	media := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.Write(make([]byte, 4096))
	}
	for _, p := range []string{"/media/", "/uploads/", "/static/"} {
		mux.HandleFunc(p, media)
	}
	srv := httptest.NewServer(counter.Wrap(mux))
	defer srv.Close()

	sources := []SourceConfig{
		{Name: "board", Kind: "html", BaseURL: "https://board.example", Targets: []string{"/new"},
			HTML: &source.HTMLSelectors{Post: "article.post", ID: "data-post-id", Text: ".body", Title: ".title",
				Author: ".author", Permalink: "a.permalink", Time: "time", Next: "a.next"}},
		{Name: "news", Kind: "rss", BaseURL: "https://news.example", Targets: []string{"/feed.xml"}},
	}
	cfg := testConfig()
	cfg.AllowPrivateNetworks = false // the real host names go through the rewriting transport
	pub := &collector{}
	c := newTestCrawler(t, cfg, sources, testDeps{pub: pub,
		transport: fetchtest.Rewrite(map[string]*httptest.Server{"board.example": srv, "news.example": srv})})
	if err := c.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(pub.ids()) != 8 {
		t.Errorf("published %v, want 6 forum posts and 2 feed items", pub.ids())
	}
	for path, n := range counter.Paths() {
		switch path {
		case "/robots.txt", "/new", "/feed.xml":
		default:
			t.Errorf("%s requested %d times: nothing but pages and feeds may be fetched", path, n)
		}
	}
	for _, p := range pub.posts {
		for _, l := range p.Links {
			if source.IsMediaURL(l) {
				t.Errorf("%s: media link %s", p.Key(), l)
			}
		}
	}
}

func TestSchedulerHonoursRetryAfter(t *testing.T) {
	site := &feedSite{}
	site.add("a")
	var (
		mu    sync.Mutex
		times []time.Time
	)
	site.feed = func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		times = append(times, time.Now())
		first := len(times) == 1
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		site.writeFeed(w, r)
	}
	srv := site.serve(t)
	pub := &collector{}
	c := newTestCrawler(t, testConfig(), []SourceConfig{rssSource("news", srv.URL)}, testDeps{pub: pub})
	ctx, cancel := context.WithTimeout(context.Background(), 1800*time.Millisecond)
	defer cancel()
	if err := c.Run(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(times) < 2 {
		t.Fatalf("%d requests: the target was not retried after Retry-After", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < time.Second {
		t.Errorf("retried after %v, want at least the 1 s Retry-After (interval is 100 ms)", gap)
	}
	if strings.Join(pub.ids(), ",") != "a" {
		t.Errorf("published %v", pub.ids())
	}
}

func TestSchedulerBacksOffOnServerErrors(t *testing.T) {
	site := &feedSite{}
	var mu sync.Mutex
	var at []time.Time
	site.feed = func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}
	srv := site.serve(t)
	cfg := testConfig()
	cfg.BackoffBase, cfg.BackoffMax = 100*time.Millisecond, 800*time.Millisecond
	c := newTestCrawler(t, cfg, []SourceConfig{rssSource("news", srv.URL)}, testDeps{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	for {
		mu.Lock()
		n := len(at)
		mu.Unlock()
		if n >= 4 || ctx.Err() != nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(at) < 4 {
		t.Fatalf("%d requests in 20 s, want 4", len(at))
	}
	// The interval alone (100 ms) would space them evenly; backoff 100,
	// 200, 400 ms, each jittered down to half at most, spaces them at
	// least 50, 100, 200 ms apart. Load only makes the gaps longer, so
	// the test bounds them from below alone.
	for i, min := range []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond} {
		if gap := at[i+1].Sub(at[i]); gap < min {
			t.Errorf("gap %d after %d failures = %s, want at least %s (exponential backoff)", i+1, i+1, gap, min)
		}
	}
	h := c.Health()[0]
	if h.ConsecutiveFailures < 3 || !strings.Contains(h.LastError, "503") {
		t.Errorf("health %+v", h)
	}
}

func TestBlockedTargetBacksOffLong(t *testing.T) {
	site := &feedSite{}
	var n atomic.Int32
	site.feed = func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, "<html><title>whoa there, pardner!</title></html>")
	}
	srv := site.serve(t)
	core, logs := observer.New(zapcore.InfoLevel)
	c := newTestCrawler(t, testConfig(), []SourceConfig{rssSource("news", srv.URL)}, testDeps{log: zap.New(core)})
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	c.Run(ctx)
	if got := n.Load(); got != 1 {
		t.Errorf("%d requests, want 1: a blocked target waits crawler.blocked_backoff", got)
	}
	blocked := logs.FilterLevelExact(zapcore.ErrorLevel).FilterMessageSnippet("BLOCKED").All()
	if len(blocked) != 1 || blocked[0].ContextMap()["source"] != "news" {
		t.Errorf("want one error line naming the source, got %v", logs.All())
	}
	h := c.Health()[0]
	if !strings.Contains(h.LastError, "whoa there") || time.Until(h.NextRun) < 30*time.Minute {
		t.Errorf("health %+v", h)
	}
}

func TestBadInputSkippedCrawlGoesOn(t *testing.T) {
	good := `<rss version="2.0"><channel><title>t</title><item><guid>g1</guid><title>good item</title></item></channel></rss>`
	badUTF8 := "<rss version=\"2.0\"><channel><title>t</title><item><guid>u1</guid><title>bad \xff\xfe here</title></item><item><guid>u2</guid><title>fine</title></item></channel></rss>"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(strings.Repeat(good, 200)))
	zw.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	serve := func(path, ct string, body []byte, hdr map[string]string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			for k, v := range hdr {
				w.Header().Set(k, v)
			}
			w.Write(body)
		})
	}
	serve("/good.xml", "application/rss+xml", []byte(good), nil)
	serve("/bad-utf8.xml", "application/rss+xml", []byte(badUTF8), nil)
	serve("/garbage.xml", "application/xml", []byte("<html><body>Error 500: something broke</body></html>"), nil)
	serve("/json.xml", "application/json", []byte(`{"not": "a feed"`), nil)
	serve("/huge.xml", "application/rss+xml", bytes.Repeat([]byte("<!-- padding -->"), 10<<20/16), nil)
	serve("/cut.xml", "application/rss+xml", gz.Bytes()[:gz.Len()/3], map[string]string{"Content-Encoding": "gzip"})
	serve("/error-page.xml", "text/html", []byte("<title>Login</title>"), nil)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cfg := testConfig()
	cfg.MaxBodyBytes = 1 << 20
	pub := &collector{}
	targets := []string{"/garbage.xml", "/good.xml", "/huge.xml", "/bad-utf8.xml", "/cut.xml", "/json.xml", "/error-page.xml"}
	c := newTestCrawler(t, cfg, []SourceConfig{rssSource("news", srv.URL, targets...)}, testDeps{pub: pub})
	err := c.Once(context.Background())
	if err == nil {
		t.Fatal("want the failed targets reported")
	}
	for _, bad := range []string{"garbage.xml", "huge.xml", "cut.xml", "json.xml", "error-page.xml"} {
		if !strings.Contains(err.Error(), bad) {
			t.Errorf("error does not name %s: %v", bad, err)
		}
	}
	ids := pub.ids()
	sort.Strings(ids)
	if strings.Join(ids, ",") != "g1,u1,u2" {
		t.Errorf("published %v, want the good items of every good feed", ids)
	}
	for _, p := range pub.posts {
		if p.ID == "u1" && p.Text != "bad \uFFFD here" {
			t.Errorf("invalid UTF-8 not replaced: %q", p.Text)
		}
	}
}

// fakePoller returns one post per poll, always with more to come.
type fakePoller struct {
	mu      sync.Mutex
	calls   []string // cursors it was called with
	running atomic.Int32
	peak    atomic.Int32
	delay   time.Duration
}

func (f *fakePoller) Poll(ctx context.Context, _ source.Fetcher, t source.Target, cursor string) (source.Batch, error) {
	n := f.running.Add(1)
	defer f.running.Add(-1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	f.mu.Lock()
	f.calls = append(f.calls, t.Name+"@"+cursor)
	i := len(f.calls)
	f.mu.Unlock()
	return source.Batch{Posts: []wire.Post{{ID: fmt.Sprintf("%s-%d", t.Name, i), Text: "x"}}, Cursor: fmt.Sprint(i), More: true}, nil
}

func TestMaxPagesBoundsMore(t *testing.T) {
	cfg := testConfig()
	cfg.MaxPages = 3
	st := state.NewMemory()
	c := newTestCrawler(t, cfg, nil, testDeps{store: st})
	fp := &fakePoller{}
	if err := c.addTargets(SourceConfig{Name: "fake", Kind: "rss", Targets: []string{"t"}}, fp); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(fp.calls, " "); got != "t@ t@1 t@2" {
		t.Errorf("calls %s: want three pages, each from the cursor of the one before", got)
	}
	if cur, _, _ := st.Cursor(ctx, "fake/t"); cur != "3" {
		t.Errorf("cursor %q", cur)
	}
	c.Once(ctx)
	if got := fp.calls[3]; got != "t@3" {
		t.Errorf("the next run starts at %s, want t@3", got)
	}
}

func TestConcurrencyBound(t *testing.T) {
	cfg := testConfig()
	cfg.MaxConcurrency, cfg.MaxPages = 2, 1
	c := newTestCrawler(t, cfg, nil, testDeps{})
	fp := &fakePoller{delay: 30 * time.Millisecond}
	c.addTargets(SourceConfig{Name: "fake", Kind: "rss", Targets: []string{"a", "b", "c", "d", "e", "f"}}, fp)
	if err := c.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := fp.peak.Load(); p != 2 {
		t.Errorf("peak concurrency %d, want 2", p)
	}
}

// liveStream emits one post, then waits for the end of its context.
type liveStream struct{}

func (liveStream) Stream(ctx context.Context, t source.Target, cursor string, emit source.Emit) error {
	if cursor == "" {
		if err := emit(ctx, &wire.Post{ID: "live-1", Text: "from the stream"}, "c1"); err != nil {
			return err
		}
	}
	<-ctx.Done()
	return ctx.Err()
}

// mixed serves the target "live" by a stream and others by polling.
type mixed struct{ poller *fakePoller }

func (m mixed) ForTarget(t source.Target) (any, error) {
	if t.Name == "live" {
		return liveStream{}, nil
	}
	return m.poller, nil
}

type both struct{ liveStream }

func (both) Poll(context.Context, source.Fetcher, source.Target, string) (source.Batch, error) {
	return source.Batch{}, nil
}

func TestPerTargetAndOnceStreamWindow(t *testing.T) {
	cfg := testConfig()
	cfg.OnceStreamTimeout, cfg.MaxPages = 300*time.Millisecond, 1
	st := state.NewMemory()
	pub := &collector{}
	c := newTestCrawler(t, cfg, nil, testDeps{store: st, pub: pub})
	if err := c.addTargets(SourceConfig{Name: "sky", Kind: "bluesky", Targets: []string{"live", "feed"}}, mixed{&fakePoller{}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.Once(context.Background()); err != nil {
		t.Fatalf("a stream that outlives the window is not an error: %v", err)
	}
	if d := time.Since(start); d < 300*time.Millisecond || d > 2*time.Second {
		t.Errorf("Once took %v", d)
	}
	ids := pub.ids()
	sort.Strings(ids)
	if strings.Join(ids, ",") != "feed-1,live-1" {
		t.Errorf("published %v", ids)
	}
	if cur, _, _ := st.Cursor(context.Background(), "sky/live"); cur != "c1" {
		t.Errorf("stream cursor %q, want it saved at the end", cur)
	}
	if err := c.addTargets(SourceConfig{Name: "odd", Kind: "bluesky", Targets: []string{"x"}}, both{}); err == nil || !strings.Contains(err.Error(), "PerTarget") {
		t.Errorf("an adapter that is both must be refused: %v", err)
	}
	if err := c.addTargets(SourceConfig{Name: "odd", Kind: "bluesky", Targets: []string{"x"}}, struct{}{}); err == nil {
		t.Error("an adapter that is neither must be refused")
	}
}

func TestStreamCheckpoints(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, `{"id":"%d","text":"x"}`+"\n", i)
	}
	os.WriteFile(filepath.Join(dir, "d.ndjson"), []byte(b.String()), 0o644)
	cfg := testConfig()
	cfg.CheckpointPosts = 4
	c := newTestCrawler(t, cfg, []SourceConfig{{Name: "dumps", Kind: "file", Targets: []string{filepath.Join(dir, "d.ndjson")}}}, testDeps{})
	if err := c.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Every 4 cursors (posts and the end-of-file mark) and once at the end.
	if v := metricValue(c.metrics.cursorSaves.WithLabelValues("dumps")); v != 3 {
		t.Errorf("%v cursor saves, want 3", v)
	}
}

func TestReady(t *testing.T) {
	site := &feedSite{}
	srv := site.serve(t)
	c := newTestCrawler(t, testConfig(), []SourceConfig{rssSource("news", srv.URL)}, testDeps{})
	ctx, cancel := context.WithCancel(context.Background())
	if c.Ready(ctx) == nil {
		t.Error("ready before Run")
	}
	done := make(chan error)
	go func() { done <- c.Run(ctx) }()
	deadline := time.Now().Add(2 * time.Second)
	for c.Ready(ctx) != nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := c.Ready(ctx); err != nil {
		t.Errorf("not ready while running: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
	if c.Ready(ctx) == nil {
		t.Error("ready after Run returned")
	}
}

// metricValue reads a counter or gauge.
func metricValue(m prometheus.Metric) float64 {
	var out dto.Metric
	if err := m.Write(&out); err != nil {
		panic(err)
	}
	if out.Counter != nil {
		return out.Counter.GetValue()
	}
	return out.Gauge.GetValue()
}

func TestOnceRunsDumpsToTheEnd(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "d.ndjson"), []byte(`{"id":"1","text":"x"}`+"\n"), 0o644)
	cfg := testConfig()
	cfg.OnceStreamTimeout = time.Nanosecond
	pub := &collector{}
	c := newTestCrawler(t, cfg, []SourceConfig{{Name: "dumps", Kind: "file", Targets: []string{filepath.Join(dir, "*.ndjson")}}}, testDeps{pub: pub})
	if err := c.Once(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(pub.ids()) != 1 {
		t.Errorf("a dump under Once must not be cut by once_stream_timeout: %v", pub.ids())
	}
}

// pageCollector is a collector that takes pages (PagePublisher), keeping
// each page's size; fail refuses a whole page.
type pageCollector struct {
	collector
	pages []int
	fail  error
}

func (c *pageCollector) PublishPosts(_ context.Context, posts []*wire.Post) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.pages = append(c.pages, len(posts))
	for _, p := range posts {
		c.posts = append(c.posts, *p)
	}
	return nil
}

var _ PagePublisher = (*pageCollector)(nil)

// TestPollPublishesByPage: a Publisher that takes pages gets each polled
// page's new posts in one call; seen posts stay out, a failed page saves
// no cursor and marks nothing seen, and the next run sends it again.
func TestPollPublishesByPage(t *testing.T) {
	stores(t, func(t *testing.T, st store) {
		site := &feedSite{}
		site.add("p1", "p2", "p3")
		srv := site.serve(t)
		sources := []SourceConfig{rssSource("news", srv.URL)}
		ctx := context.Background()

		down := &pageCollector{fail: errors.New("nats down")}
		if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: down}).Once(ctx); err == nil {
			t.Fatal("want the page's publish error")
		}
		if seen, _ := st.IsSeen(ctx, "news/p1"); seen {
			t.Error("p1 was marked seen although its page was refused")
		}
		if _, ok, _ := st.Cursor(ctx, "news//feed.xml"); ok {
			t.Error("the cursor was saved although the page was refused")
		}

		first := &pageCollector{}
		if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: first}).Once(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(first.ids(), ","); got != "p1,p2,p3" || !slices.Equal(first.pages, []int{3}) {
			t.Fatalf("published %s in pages %v, want p1,p2,p3 in one page of 3", got, first.pages)
		}
		site.add("p4", "p5")
		second := &pageCollector{}
		if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: second}).Once(ctx); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(second.ids(), ","); got != "p4,p5" || !slices.Equal(second.pages, []int{2}) {
			t.Fatalf("second run published %s in pages %v, want p4,p5 in one page", got, second.pages)
		}
	})
}
