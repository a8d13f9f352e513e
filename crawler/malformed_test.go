package crawler

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/handlewatch/handlewatch/internal/state"
)

// malformedSite answers every request but robots.txt with the next
// payload of a corpus of broken bodies, generated here: invalid JSON, HTML
// where JSON is expected, invalid UTF-8, deep nesting, huge fields,
// endless chunked bodies, a gzip bomb, truncated and empty bodies, broken
// XML. It counts what it served.
type malformedSite struct {
	served atomic.Int64
	bomb   []byte // 64 MiB of zeros, gzipped
}

var malformedKinds = []string{"invalid_json", "html_for_json", "invalid_utf8", "deep_nesting", "huge_field",
	"endless_chunked", "gzip_bomb", "truncated", "empty", "broken_xml", "deep_xml", "nul_bytes"}

func newMalformedSite(t *testing.T) (*malformedSite, *httptest.Server) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zero := make([]byte, 1<<20)
	for range 64 {
		zw.Write(zero)
	}
	zw.Close()
	s := &malformedSite{bomb: buf.Bytes()}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	return s, srv
}

func (s *malformedSite) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/robots.txt" {
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		return
	}
	n := s.served.Add(1)
	kind := malformedKinds[int(n)%len(malformedKinds)]
	jsonCT := func() { w.Header().Set("Content-Type", "application/json") }
	switch kind {
	case "invalid_json":
		jsonCT()
		fmt.Fprint(w, `{"data": {"children": [{"kind": "t3", "data": {"id": "x1", "title": "tr`)
	case "html_for_json":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<!doctype html><html><body><form action=/login>Sign in to continue</form></body></html>")
	case "invalid_utf8":
		jsonCT()
		w.Write([]byte("[{\"id\":\"1\",\"content\":\"\xff\xfe\xfd trading \xc3\x28\",\"created_at\":\"2026-11-28T10:00:00Z\"}]"))
	case "deep_nesting":
		jsonCT()
		w.Write(bytes.Repeat([]byte("["), 200000))
	case "huge_field":
		jsonCT()
		fmt.Fprint(w, `[{"id":"1","content":"`)
		chunk := bytes.Repeat([]byte("a"), 64<<10)
		for range 50 << 20 / len(chunk) { // 50 MB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		fmt.Fprint(w, `"}]`)
	case "endless_chunked":
		jsonCT()
		fl, _ := w.(http.Flusher)
		chunk := bytes.Repeat([]byte(`{"a":1},`), 8<<10)
		for {
			if _, err := w.Write(chunk); err != nil {
				return // the client gave up: the body cap or the timeout
			}
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
				return
			default:
			}
		}
	case "gzip_bomb":
		jsonCT()
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(s.bomb)
	case "truncated":
		jsonCT()
		w.Header().Set("Content-Length", "4096")
		fmt.Fprint(w, `[{"id":"1","content":"cut`)
	case "empty":
		jsonCT()
	case "broken_xml":
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</title><description>&bogus;<![CDATA[`)
	case "deep_xml":
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bytes.Repeat([]byte("<a>"), 200000))
	case "nul_bytes":
		jsonCT()
		w.Write(append([]byte(`[{"id":"`), bytes.Repeat([]byte{0}, 4096)...))
	}
}

// TestMalformedPayloadsAtVolume crawls a few thousand malformed payloads
// through the real fetcher and every adapter that reads JSON or XML from
// a base_url: no crash, memory bounded, no post published from garbage,
// and each failed run logged once, with its source and target.
func TestMalformedPayloadsAtVolume(t *testing.T) {
	site, srv := newMalformedSite(t)
	cfg := testConfig()
	cfg.MaxBodyBytes = 1 << 20
	cfg.RequestTimeout = 2 * time.Second
	cfg.MaxConcurrency = 8
	cfg.MaxPages = 1
	var targets []string
	for i := range 6 {
		targets = append(targets, fmt.Sprint(i))
	}
	with := func(prefix string) []string {
		out := make([]string, len(targets))
		for i, t := range targets {
			out[i] = prefix + t
		}
		return out
	}
	sources := []SourceConfig{
		{Name: "rss-bad", Kind: "rss", BaseURL: srv.URL, Targets: with("/feed/"), Interval: time.Second},
		{Name: "reddit-bad", Kind: "reddit", BaseURL: srv.URL, Targets: with("r/example_"), Interval: time.Second},
		{Name: "mastodon-bad", Kind: "mastodon", BaseURL: srv.URL, Targets: with("tag:example"), Interval: time.Second},
		{Name: "lemmy-bad", Kind: "lemmy", BaseURL: srv.URL, Targets: with("c/example_"), Interval: time.Second},
	}
	core, logs := observer.New(zapcore.InfoLevel)
	pub := &collector{}
	c, err := New(cfg, sources, Deps{Log: zap.New(core), Seen: state.NewMemory(), Cursors: state.NewMemory(), Publisher: pub})
	if err != nil {
		t.Fatal(err)
	}
	var peak atomic.Uint64
	stopSampling := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stopSampling:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	ctx := context.Background()
	const want = 1200
	runs := 0
	deadline := time.Now().Add(90 * time.Second)
	for site.served.Load() < want && time.Now().Before(deadline) {
		_ = c.Once(ctx) // every target fails, one way or another
		runs += len(c.targets)
	}
	close(stopSampling)
	sampler.Wait()
	served := site.served.Load()
	t.Logf("%d malformed payloads served over %d runs; peak heap %d MiB", served, runs, peak.Load()>>20)
	if served < want {
		t.Fatalf("only %d payloads served in 90 s, want %d", served, want)
	}
	if p := peak.Load(); p > 256<<20 {
		t.Errorf("peak heap %d MiB: the body cap does not bound memory", p>>20)
	}
	for _, p := range pub.posts {
		if strings.Contains(p.Text, "\x00") || !utf8Valid(p.Text) {
			t.Errorf("post %s published from garbage: %q", p.ID, p.Text)
		}
	}
	// One line per failed run, naming its source and target; no line
	// without them.
	failed := 0
	for _, e := range logs.All() {
		if e.Level < zapcore.WarnLevel {
			continue
		}
		fields := e.ContextMap()
		if fields["source"] == nil || fields["target"] == nil {
			t.Errorf("warning without its source and target: %s %v", e.Message, fields)
		}
		if strings.HasPrefix(e.Message, "poll ") {
			failed++
		}
	}
	if failed > runs {
		t.Errorf("%d failure lines for %d runs: an error was logged more than once", failed, runs)
	}
	if failed < runs*9/10 {
		t.Errorf("%d failure lines for %d runs of garbage: failures went unlogged", failed, runs)
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "\uFFFD") == s }
