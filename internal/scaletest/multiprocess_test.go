package scaletest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/state/statetest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// rssSite serves targets /feed/<n>.xml of posts each; every fifth post
// is a synthetic solicitation with a handle of its own (content rule:
// coded terms, placeholder handles).
func rssSite(t testing.TB, targets, posts int) (*httptest.Server, int) {
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "User-agent: *\nAllow: /\n") })
	var srv *httptest.Server
	mux.HandleFunc("/feed/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		if _, err := fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/feed/"), "%d.xml", &n); err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>forum %d</title><link>%s/</link><description>t</description>`, n, srv.URL)
		for i := range posts {
			text := fmt.Sprintf("Seed swap number %d on Saturday, bring spare tomatoes.", i)
			if i%5 == 0 {
				text = fmt.Sprintf("trading young collection, wickr: demo_t%dp%d", n, i)
			}
			fmt.Fprintf(w, `<item><title>post %d</title><link>%s/p/%d/%d</link><guid>f%d-p%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
				i, srv.URL, n, i, n, i, time.Date(2026, 11, 28, 9, 0, i, 0, time.UTC).Format(time.RFC1123Z), text)
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	srv = httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, targets * ((posts + 4) / 5)
}

// world is one deployment's shared services, namespaced for one test.
type world struct {
	ns, redisPrefix string
	natsURL         string
	redisURL        string
	hook            *receiver
	config          string // path of the config file
}

// newWorld writes a config for NATS at natsURL and Redis at redisURL, in a
// namespace and key prefix of the test's own, with sources as the YAML of
// the sources list and extra appended as YAML at the top level.
func newWorld(t testing.TB, natsURL, redisURL, sources, sinkExtra, extra string) *world {
	t.Helper()
	if sinkExtra == "" {
		sinkExtra = "  alerts: { min_severity: low, digest_interval: 2s, reconcile_interval: 5s }"
	}
	w := &world{ns: bustest.Namespace(), redisPrefix: statetest.Prefix("scale"), natsURL: natsURL, redisURL: redisURL, hook: newReceiver(t)}
	rules, _ := filepath.Abs("../../configs/rules.yaml")
	yaml := fmt.Sprintf(`
log: { format: json, level: info }
nats: { url: %q, namespace: %q, lease_ttl: 2s, posts_retention: 1h, findings_retention: 24h, duplicate_window: 1h }
redis: { url: %q, prefix: %q }
crawler: { user_agent: "handlewatch-scaletest/1 (+https://example.org/contact)", allow_private_networks: true, host_rate: 1000, host_burst: 1000 }
sources:
%s
detector: { rules: %q, tally_interval: 1s }
sink:
  base_url: http://dashboard.example
  checkpoint_interval: 1s
  research: { retention: 1d }
  webhooks: [ { name: receiver, url: %q, secret_env: HW_SCALE_WEBHOOK_SECRET, rate_per_minute: 6000, timeout: 2s } ]
%s
%s
`, natsURL, w.ns, redisURL, w.redisPrefix, sources, rules, w.hook.URL, sinkExtra, extra)
	w.config = filepath.Join(t.TempDir(), "handlewatch.yaml")
	if err := os.WriteFile(w.config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.clean(t) })
	return w
}

// clean deletes the namespace's streams and buckets and the key prefix.
func (w *world) clean(t testing.TB) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, bus.Config{URL: w.natsURL, Namespace: w.ns}, zap.NewNop())
	if err == nil {
		for _, s := range []string{bus.StreamPosts, bus.StreamFindings, bus.StreamCases, bus.StreamStats, bus.StreamDead} {
			_ = b.JetStream().DeleteStream(ctx, b.StreamName(s))
		}
		for _, kv := range []string{bus.BucketCursors, bus.BucketLeases} {
			_ = b.JetStream().DeleteKeyValue(ctx, b.StreamName(kv))
		}
		b.Close()
	}
	if r, err := state.NewRedis(ctx, w.redisURL, w.redisPrefix); err == nil {
		statetest.DeletePrefix(r, w.redisPrefix)
		r.Close()
	}
}

// stage starts one stage process with its HTTP endpoints on a free port,
// and returns the process and that address.
func (w *world) stage(t testing.TB, name, cmd string) (*proc, string) {
	addr := freeAddr(t)
	env := []string{"HW_SCALE_WEBHOOK_SECRET=" + hookSecret, "HW_OPS_LISTEN=" + addr, "HW_SINK_LISTEN=" + addr}
	return start(t, name, env, cmd, "--config", w.config), addr
}

// record is what the streams hold, read back by the test.
type record struct {
	findings     map[string]int // finding id → copies in the stream
	findingPosts map[string]bool
	posts        int64 // posts scanned, from the tallies, each stream sequence once
	tallied      int64 // the tallies' posts added up: more than posts after a recount
	terminated   int
}

func (w *world) read(t testing.TB) record {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := bus.Open(ctx, bus.Config{URL: w.natsURL, Namespace: w.ns, PostsRetention: time.Hour,
		FindingsRetention: 24 * time.Hour, DuplicateWindow: time.Hour}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rec := record{findings: map[string]int{}, findingPosts: map[string]bool{}}
	if err := b.Replay(ctx, bus.StreamFindings, "", func(m bus.Msg) error {
		var f wire.Finding
		if json.Unmarshal(m.Data, &f) == nil {
			rec.findings[f.ID]++
			rec.findingPosts[f.Post.Source+"/"+f.Post.ID] = true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{} // stream/sequence counted
	if err := b.Replay(ctx, bus.StreamStats, "", func(m bus.Msg) error {
		var tl wire.ScanTally
		if json.Unmarshal(m.Data, &tl) != nil {
			return nil
		}
		rec.tallied += tl.Posts
		if len(tl.Seqs) == 0 {
			rec.posts += tl.Posts
			return nil
		}
		for _, r := range tl.Seqs {
			for q := r[0]; q <= r[1]; q++ {
				k := tl.Stream + "/" + strconv.FormatUint(q, 10)
				if !seen[k] {
					seen[k] = true
					rec.posts++
				}
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestMultiProcess runs two crawl, two detect and two sink processes on
// the real NATS and Redis: every post is scanned once, every finding is
// in the stream once, every case alerted once, and both crawlers crawl.
func TestMultiProcess(t *testing.T) {
	const targets, perTarget = 4, 60
	site, wantFindings := rssSite(t, targets, perTarget)
	var src strings.Builder
	src.WriteString(fmt.Sprintf("  - { name: forum, kind: rss, base_url: %q, interval: 1s, targets: [", site.URL))
	for i := range targets {
		if i > 0 {
			src.WriteString(", ")
		}
		fmt.Fprintf(&src, `"/feed/%d.xml"`, i)
	}
	src.WriteString("] }")
	w := newWorld(t, bustest.URL(), statetest.RedisURL(), src.String(), "", "")

	var sinks, detects, crawls []string
	for i := range 2 {
		_, a := w.stage(t, fmt.Sprintf("sink-%d", i), "sink")
		sinks = append(sinks, a)
	}
	for i := range 2 {
		_, a := w.stage(t, fmt.Sprintf("detect-%d", i), "detect")
		detects = append(detects, a)
	}
	for _, a := range append(append([]string{}, sinks...), detects...) {
		waitUntil(t, 30*time.Second, "ready "+a, func() bool { return ready(a) })
	}
	for i := range 2 {
		_, a := w.stage(t, fmt.Sprintf("crawl-%d", i), "crawl")
		crawls = append(crawls, a)
	}
	waitUntil(t, 60*time.Second, "every case alerted", func() bool {
		n, _ := w.hook.newCases()
		if n < wantFindings && time.Now().Second()%10 == 0 {
			rec := w.read(t)
			t.Logf("so far: %d of %d cases alerted, %d findings in the stream, %d posts tallied, %d webhook attempts",
				n, wantFindings, len(rec.findings), rec.posts, w.hook.attemptCount())
			time.Sleep(time.Second)
		}
		return n >= wantFindings
	})
	waitUntil(t, 30*time.Second, "every post tallied", func() bool { return w.read(t).posts >= targets*perTarget })
	// The second crawler gets its share of the targets (the first gives
	// them up one per lease TTL).
	waitUntil(t, 30*time.Second, "both crawlers to hold targets", func() bool {
		for _, a := range crawls {
			if n, _ := scrape(a, "handlewatch_crawler_target_leased"); n < 1 {
				return false
			}
		}
		return true
	})
	time.Sleep(3 * time.Second) // room for a wrong second alert or scan

	rec := w.read(t)
	if rec.posts != targets*perTarget {
		t.Errorf("posts scanned (tallies) = %d, want exactly %d: a post was scanned twice or not at all", rec.posts, targets*perTarget)
	}
	if len(rec.findings) != wantFindings || len(rec.findingPosts) != wantFindings {
		t.Errorf("%d findings (%d posts) in the stream, want %d", len(rec.findings), len(rec.findingPosts), wantFindings)
	}
	n, twice := w.hook.newCases()
	if n != wantFindings || len(twice) > 0 {
		t.Errorf("%d cases alerted, want %d; alerted more than once: %v", n, wantFindings, twice)
	}
	if resent := w.hook.resentCount(); resent != 0 {
		t.Errorf("%d deliveries repeated an accepted Idempotency-Key with no sink killed: two sinks sent one alert", resent)
	}
	if bad := w.hook.badSignatures(); bad != 0 {
		t.Errorf("%d alerts with a bad signature", bad)
	}
	for i, a := range detects {
		v, err := scrape(a, "handlewatch_detector_posts_scanned_total")
		t.Logf("detect-%d scanned %v posts (%v)", i, v, err)
	}
	for i, a := range sinks {
		v, err := scrape(a, "handlewatch_sink_findings_consumed_total")
		t.Logf("sink-%d consumed %v findings (%v)", i, v, err)
	}
	for i, a := range crawls {
		v, _ := scrape(a, "handlewatch_crawler_target_leased")
		t.Logf("crawl-%d holds %v of %d targets", i, v, targets)
	}
}
