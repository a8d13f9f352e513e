package app

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/config"
	"github.com/handlewatch/handlewatch/sink/notify"
)

// feedServer serves an RSS feed with one synthetic solicitation post among
// benign ones (content rule: coded terms, placeholder handle).
type feedServer struct {
	*httptest.Server
	mu    sync.Mutex
	polls int
}

const e2eFeed = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>e2e forum</title><link>%[1]s/</link><description>test</description>
<item><title>Seed swap</title><link>%[1]s/p/1</link><guid>p1</guid><pubDate>Sat, 28 Nov 2026 09:00:00 +0000</pubDate>
<description>Bring spare tomato seeds on Saturday.</description></item>
<item><title>new stuff</title><link>%[1]s/p/2</link><guid>p2</guid><pubDate>Sat, 28 Nov 2026 09:05:00 +0000</pubDate>
<description>trading young collection, wickr: placeholder_01</description></item>
<item><title>Game night</title><link>%[1]s/p/3</link><guid>p3</guid><pubDate>Sat, 28 Nov 2026 09:10:00 +0000</pubDate>
<description>Friday raid night, all skill levels welcome.</description></item>
<item><title>News</title><link>%[1]s/p/4</link><guid>p4</guid><pubDate>Sat, 28 Nov 2026 09:15:00 +0000</pubDate>
<description>Court documents say offenders used Wickr Me; police arrested a suspect.</description></item>
</channel></rss>`

func newFeedServer(t *testing.T) *feedServer {
	fs := &feedServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "User-agent: *\nAllow: /\n") })
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, _ *http.Request) {
		fs.mu.Lock()
		fs.polls++
		fs.mu.Unlock()
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, e2eFeed, fs.URL)
	})
	fs.Server = httptest.NewServer(mux)
	t.Cleanup(fs.Close)
	return fs
}

func (fs *feedServer) pollCount() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.polls
}

// receiver is a webhook endpoint that verifies signatures and counts.
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	verified int
	bad      int
	bodies   []string
}

func newReceiver(t *testing.T, secret string) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ok := notify.Verify([]byte(secret), req.Header.Get("X-Handlewatch-Signature"), req.Header.Get("X-Handlewatch-Timestamp"),
			body, time.Now(), 5*time.Minute) == nil
		r.mu.Lock()
		defer r.mu.Unlock()
		if !ok {
			r.bad++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		r.verified++
		r.bodies = append(r.bodies, string(body))
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) counts() (verified, bad int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.verified, r.bad
}

func e2eConfig(t *testing.T, feedURL, hookURL, dataDir string) *config.Config {
	t.Helper()
	rules, _ := filepath.Abs("../../configs/rules.yaml")
	yaml := fmt.Sprintf(`
log: { format: console, level: debug }
nats: { url: "", data_dir: %q }
crawler: { user_agent: "handlewatch-e2e/1 (+https://example.org/contact)", allow_private_networks: true }
sources:
  - { name: e2e-forum, kind: rss, base_url: %q, targets: ["/feed.xml"], interval: 10s }
detector: { rules: %q }
sink:
  listen: 127.0.0.1:0
  base_url: http://dashboard.example
  webhooks: [ { name: receiver, url: %q, secret_env: HW_E2E_WEBHOOK_SECRET } ]
`, dataDir, feedURL, rules, hookURL)
	cfg, err := config.Parse(filepath.Join(t.TempDir(), "e2e.yaml"), []byte(yaml), os.LookupEnv)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func waitUntil(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runPipeline starts every stage and returns a stop function that shuts it
// down gracefully and waits.
func runPipeline(t *testing.T, cfg *config.Config) (*Pipeline, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	p, err := Start(ctx, cfg, zaptest.NewLogger(t), stages{crawl: true, detect: true, sink: true})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return p, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(45 * time.Second):
			t.Error("pipeline did not shut down")
		}
	}
}

// TestEndToEnd: an RSS feed with one synthetic solicitation post and benign
// posts → exactly one signed webhook delivery; the pipeline restarted on
// the same embedded NATS data dir crawls the same feed again → still
// exactly one.
func TestEndToEnd(t *testing.T) {
	const secret = "e2e-secret-for-hmac"
	t.Setenv("HW_E2E_WEBHOOK_SECRET", secret)
	feed := newFeedServer(t)
	hook := newReceiver(t, secret)
	dataDir := t.TempDir()

	for run := 1; run <= 2; run++ {
		t.Run(fmt.Sprintf("run %d", run), func(t *testing.T) {
			before := feed.pollCount()
			p, stop := runPipeline(t, e2eConfig(t, feed.URL, hook.URL, dataDir))
			waitUntil(t, 20*time.Second, "the pipeline to be ready", func() bool {
				resp, err := http.Get("http://" + p.Addr() + "/readyz")
				if err != nil {
					return false
				}
				resp.Body.Close()
				return resp.StatusCode == http.StatusOK
			})
			waitUntil(t, 20*time.Second, "a crawl of the feed", func() bool { return feed.pollCount() > before })
			if run == 1 {
				waitUntil(t, 30*time.Second, "one webhook delivery", func() bool { v, _ := hook.counts(); return v >= 1 })
			}
			time.Sleep(3 * time.Second) // room for a wrong second delivery
			stop()
			verified, bad := hook.counts()
			if verified != 1 || bad != 0 {
				t.Fatalf("after run %d: %d verified deliveries and %d bad signatures, want exactly 1 and 0", run, verified, bad)
			}
		})
	}
	if t.Failed() {
		return
	}
	hook.mu.Lock()
	body := hook.bodies[0]
	hook.mu.Unlock()
	for _, want := range []string{"wickr", "placeholder_01", "http://dashboard.example/cases/"} {
		if !strings.Contains(body, want) {
			t.Errorf("alert body lacks %q: %s", want, body)
		}
	}
}

// TestDemo: `handlewatch run --config configs/demo.yaml` is ready in under
// 5 s and produces its first finding without network access.
func TestDemo(t *testing.T) {
	t.Setenv("HW_NATS_DATA_DIR", t.TempDir())
	t.Setenv("HW_SINK_LISTEN", "127.0.0.1:0")
	cfg, err := config.Load("../../configs/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The demo's fixed port may be taken (a `make run` beside the tests):
	// move the site, its source and its webhook to a free one.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := ln.Addr().String()
	ln.Close()
	for i := range cfg.Sources {
		cfg.Sources[i].BaseURL = strings.Replace(cfg.Sources[i].BaseURL, cfg.Demo.Listen, free, 1)
	}
	for i := range cfg.Sink.Webhooks {
		cfg.Sink.Webhooks[i].URL = strings.Replace(cfg.Sink.Webhooks[i].URL, cfg.Demo.Listen, free, 1)
	}
	cfg.Demo.Listen = free
	start := time.Now()
	p, stop := runPipeline(t, cfg)
	defer stop()
	waitUntil(t, 5*time.Second, "/readyz", func() bool {
		resp, err := http.Get("http://" + p.Addr() + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	t.Logf("ready after %s", time.Since(start).Round(time.Millisecond))
	waitUntil(t, 30*time.Second, "the first alert at the demo receiver", func() bool { return len(p.demo.Alerts()) > 0 })
	t.Logf("first alert after %s", time.Since(start).Round(time.Millisecond))
	for _, a := range p.demo.Alerts() {
		if !a.Verified {
			t.Errorf("demo receiver could not verify an alert: %s", a.Body)
		}
	}
	checkDemoLogin(t, p)
}

// TestBadConfig: one clear line and exit code 2, nothing started.
func TestBadConfig(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name, yaml, want string
	}{
		{"unknown key", "nats: { url: \"\" }\nsourcez: []\n", `unknown key "sourcez"`},
		{"bad duration", "sources:\n  - { name: a, kind: rss, base_url: https://example.org, targets: [/f], interval: often }\n", "sources[0].interval"},
		{"missing file", "", "reading config"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".yaml")
			if tc.yaml != "" {
				if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr strings.Builder
			code := Main(context.Background(), []string{"run", "--config", path}, &stdout, &stderr)
			if code != 2 {
				t.Fatalf("exit code %d, want 2 (stderr %q)", code, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if len(lines) != 1 || !strings.Contains(lines[0], tc.want) || !strings.Contains(lines[0], path) {
				t.Fatalf("stderr = %q, want one line naming %s and %q", stderr.String(), path, tc.want)
			}
		})
	}
}

func TestVersionAndUsage(t *testing.T) {
	var out, errb strings.Builder
	if code := Main(context.Background(), []string{"version"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "handlewatch ") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	if code := Main(context.Background(), []string{"frobnicate"}, &out, &errb); code != 2 {
		t.Fatalf("unknown command exit %d, want 2", code)
	}
	if code := Main(context.Background(), nil, &out, &errb); code != 2 {
		t.Fatalf("no command exit %d, want 2", code)
	}
}
