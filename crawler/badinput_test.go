package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/badinput"
	"github.com/handlewatch/handlewatch/internal/dump/dumptest"
	"github.com/handlewatch/handlewatch/internal/state"
)

// badInputSeed seeds the corpus of every bad-input test.
const badInputSeed = 20261207

// badInputTotal is the size of the corpus: every kind, every class.
const badInputTotal = 10_000

// validEvery puts a valid post after every validEvery-1 bad payloads of
// a kind.
const validEvery = 5

// badCorpus is the corpus every crawler bad-input test takes its share
// of: the HTTP kinds, Jetstream, dump lines and dump files.
func badCorpus() []badinput.Payload {
	return badinput.Corpus(badinput.Options{Seed: badInputSeed, N: badInputTotal, Huge: badInputHuge,
		HugeBy: map[string]int{badinput.Jetstream: 1, badinput.Line: badInputHugeLines}})
}

// badItem is what a kind's server answers one poll with: a bad payload,
// or (bad == nil) the valid post numbered valid.
type badItem struct {
	bad   *badinput.Payload
	valid int
}

// badSite is the server of one HTTP kind: each main request gets the next
// item of its queue and is recorded with the round it came in.
type badSite struct {
	kind  string
	mu    sync.Mutex
	queue []badItem
	next  int
	round int
	// served[r] is the items served in round r.
	served map[int][]badItem
}

func (s *badSite) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/robots.txt":
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		return
	case r.URL.Path == "/api/v2/instance": // mastodon: before 4.0, no timelines_access to honour
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	var it badItem
	if s.next < len(s.queue) {
		it = s.queue[s.next]
		s.next++
	} else {
		it = badItem{valid: -1} // drained: an empty answer
	}
	s.served[s.round] = append(s.served[s.round], it)
	s.mu.Unlock()
	if it.bad == nil {
		w.Header().Set("Content-Type", badinput.ContentTypeOf(s.kind))
		if it.valid < 0 {
			http.Error(w, "drained", http.StatusNotFound)
			return
		}
		badinput.Valid(w, s.kind, it.valid)
		return
	}
	p := it.bad
	w.Header().Set("Content-Type", p.ContentType())
	if ce := p.ContentEncoding(); ce != "" {
		w.Header().Set("Content-Encoding", ce)
	}
	if n := p.ContentLength(); n >= 0 {
		w.Header().Set("Content-Length", fmt.Sprint(n))
	}
	p.WriteTo(&flushWriter{w: w, ctx: r.Context()}) // ends when the client gives up on an endless or huge body
}

// flushWriter flushes after each write, so an endless body is chunked,
// and fails once the request is gone.
type flushWriter struct {
	w   http.ResponseWriter
	ctx context.Context
}

func (f *flushWriter) Write(b []byte) (int, error) {
	if err := f.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := f.w.Write(b)
	if fl, ok := f.w.(http.Flusher); ok && err == nil {
		fl.Flush()
	}
	return n, err
}

// badSources are the sources of the HTTP kinds, pointed at base URLs.
func badSources(base map[string]string) []SourceConfig {
	one := map[string]string{"max_pages": "1"}
	return []SourceConfig{
		{Name: "bad-reddit", Kind: "reddit", BaseURL: base[badinput.Reddit], Targets: []string{"r/example"}, Options: one},
		{Name: "bad-mastodon", Kind: "mastodon", BaseURL: base[badinput.Mastodon], Targets: []string{"tag:example"}},
		{Name: "bad-lemmy", Kind: "lemmy", BaseURL: base[badinput.Lemmy], Targets: []string{"c/example"}, Options: one},
		{Name: "bad-tumblr", Kind: "tumblr", BaseURL: base[badinput.Tumblr], Targets: []string{"tag:example"}, Options: one,
			Auth: source.AuthConfig{APIKeyEnv: "HW_BADINPUT_TUMBLR_KEY"}},
		{Name: "bad-bluesky", Kind: "bluesky", BaseURL: base[badinput.Bluesky], Targets: []string{"author:example.bsky.social"}, Options: one},
		{Name: "bad-rss", Kind: "rss", BaseURL: base[badinput.RSS], Targets: []string{"/feed.xml"}},
		{Name: "bad-telegram", Kind: "telegram", BaseURL: base[badinput.Telegram], Targets: []string{"example_channel"}, Options: map[string]string{"max_pages": "1"}},
		{Name: "bad-html", Kind: "html", BaseURL: base[badinput.HTML], Targets: []string{"/new"}, Options: map[string]string{"max_pages": "1"},
			HTML: &source.HTMLSelectors{Post: badinput.HTMLSelectors[0], ID: badinput.HTMLSelectors[1], Text: badinput.HTMLSelectors[2],
				Author: badinput.HTMLSelectors[3], Permalink: badinput.HTMLSelectors[4], Time: badinput.HTMLSelectors[5]}},
	}
}

var markerRE = regexp.MustCompile(`valid-post-\d{6}`)

// TestBadInputHTTP serves the HTTP kinds' share of the bad-input corpus
// to the real adapters through the real fetcher on loopback, a valid post
// after every few bad payloads: nothing panics, the heap stays bounded,
// every valid post arrives, and every bad payload is one warning line at
// most, naming its source and target (exactly one where the payload
// cannot be read).
func TestBadInputHTTP(t *testing.T) {
	t.Setenv("HW_BADINPUT_TUMBLR_KEY", "test-key")
	all := badCorpus()
	sites := map[string]*badSite{}
	base := map[string]string{}
	for _, k := range badinput.HTTPKinds {
		s := &badSite{kind: k, served: map[int][]badItem{}}
		srv := httptest.NewServer(http.HandlerFunc(s.serve))
		t.Cleanup(srv.Close)
		sites[k], base[k] = s, srv.URL
	}
	var valid []int
	for i := range all {
		p := &all[i]
		s := sites[p.Kind]
		if s == nil {
			continue
		}
		s.queue = append(s.queue, badItem{bad: p})
		if len(s.queue)%validEvery == validEvery-1 {
			n := badinput.ValidAfter(*p)
			s.queue = append(s.queue, badItem{valid: n})
			valid = append(valid, n)
		}
	}
	rounds := 0
	for _, s := range sites {
		rounds = max(rounds, len(s.queue))
	}

	cfg := testConfig()
	cfg.MaxBodyBytes = 4 << 20
	cfg.RequestTimeout = 3 * time.Second
	cfg.MaxConcurrency = len(sites)
	cfg.MaxPages = 1
	core, logs := observer.New(zapcore.InfoLevel)
	pub := &collector{}
	c, err := New(cfg, badSources(base), Deps{Log: zap.New(core), Seen: state.NewMemory(), Cursors: state.NewMemory(), Publisher: pub})
	if err != nil {
		t.Fatal(err)
	}
	sourceOf := map[string]string{}
	for _, sc := range badSources(base) {
		sourceOf[sc.Name] = sc.Kind
	}

	table := map[string]map[int]int{} // kind/class -> warnings -> payloads
	var failures []string
	failed := 0
	fail := func(format string, a ...any) {
		if failed++; len(failures) < 40 {
			failures = append(failures, fmt.Sprintf(format, a...))
		}
	}
	start := time.Now()
	peak := dumptest.Measure(func() {
		for r := range rounds {
			for _, s := range sites {
				s.mu.Lock()
				s.round = r
				s.mu.Unlock()
			}
			_ = c.Once(context.Background()) // a bad payload fails its target's run
			entries := logs.TakeAll()
			warnings := map[string][]observer.LoggedEntry{}
			for _, e := range entries {
				if e.Level < zapcore.WarnLevel {
					continue
				}
				f := e.ContextMap()
				src, _ := f["source"].(string)
				kind := sourceOf[src]
				if kind == "" {
					fail("round %d: warning without a source: %s %v", r, e.Message, f)
					continue
				}
				if f["target"] == nil && f["url"] == nil {
					fail("round %d: warning without its target or url: %s %v", r, e.Message, f)
				}
				warnings[kind] = append(warnings[kind], e)
			}
			for k, s := range sites {
				s.mu.Lock()
				served := s.served[r]
				s.mu.Unlock()
				if len(served) > 1 {
					fail("round %d: %s was asked %d times", r, k, len(served))
				}
				ws := warnings[k]
				for _, it := range served {
					switch {
					case it.bad == nil && it.valid < 0:
						// drained: the other kinds have payloads left
					case it.bad == nil && len(ws) > 0:
						fail("round %d: %s valid post %d: %d warnings: %s %v", r, k, it.valid, len(ws), ws[0].Message, ws[0].ContextMap())
					case it.bad != nil:
						key := it.bad.Kind + "/" + it.bad.Class
						if table[key] == nil {
							table[key] = map[int]int{}
						}
						table[key][len(ws)]++
						if len(ws) > 1 && !itemWarnings(ws) {
							fail("round %d: %v: %d warnings: %s", r, it.bad, len(ws), messages(ws))
						}
						if len(ws) == 0 && mustWarn(it.bad) {
							fail("round %d: %v: read without a warning", r, it.bad)
						}
						if len(ws) == 1 && it.bad.Class == badinput.InvalidJSON && badinput.ContentTypeOf(k) == "application/json" {
							// Where in the body: the byte, or what it starts with.
							if e := fmt.Sprint(ws[0].ContextMap()["error"]); !strings.Contains(e, "at byte ") && !strings.Contains(e, "body starts with") {
								fail("round %d: %v: the error does not say where: %s", r, it.bad, e)
							}
						}
					}
				}
			}
		}
	})
	elapsed := time.Since(start)
	served := 0
	for _, s := range sites {
		served += s.next
	}
	t.Logf("%d payloads and valid posts served to %d kinds in %d rounds, %v: %v", served, len(sites), rounds, elapsed.Round(time.Millisecond), peak)
	if os.Getenv("HW_BADINPUT_TABLE") != "" {
		keys := make([]string, 0, len(table))
		for k := range table {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.Logf("%-28s warnings→payloads %v", k, table[k])
		}
	}
	for _, f := range failures {
		t.Error(f)
	}
	if failed > len(failures) {
		t.Errorf("… and %d more", failed-len(failures))
	}
	// Eight polls at once, each body capped at 4 MiB (bombs and endless
	// bodies included), a few copies of each: measured 60-180 MiB.
	if peak.Heap > 256<<20 {
		t.Errorf("%v: the body cap does not bound memory", peak)
	}
	checkPosts(t, pub, valid)
}

// mustWarn reports a payload that no adapter can read: it must give a
// warning. The others (text with invalid UTF-8, deep or broken markup,
// fields of the wrong type, an empty feed) may be read, repaired, or
// found empty.
func mustWarn(p *badinput.Payload) bool {
	switch p.Class {
	case badinput.InvalidJSON, badinput.HTMLForJSON, badinput.DeepNesting, badinput.HugeField, badinput.EndlessChunked,
		badinput.GzipBomb, badinput.Truncated, badinput.DeepXML, badinput.DeepHTML:
		return true
	}
	return false
}

// itemWarnings reports warnings that each skip one item of a page (a
// status, a feed item, a message), each a different one: a page of
// several bad items is one line per item, not one per page.
func itemWarnings(es []observer.LoggedEntry) bool {
	seen := map[string]bool{}
	for _, e := range es {
		switch e.Message {
		case "mastodon status skipped", "bluesky item skipped", "skipping feed item", "telegram message skipped", "skipping post":
		default:
			return false
		}
		f := e.ContextMap()
		at := fmt.Sprint(f["item"], f["error"])
		if seen[at] {
			return false
		}
		seen[at] = true
	}
	return true
}

func messages(es []observer.LoggedEntry) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "[%s %v] ", e.Message, e.ContextMap())
	}
	return b.String()
}
