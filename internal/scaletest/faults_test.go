package scaletest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state/statetest"
	"github.com/handlewatch/handlewatch/sink/stats"
)

const (
	faultPosts = 20000
	everyNth   = 20 // one post in 20 is a solicitation with a handle of its own
)

// writeDump writes n synthetic posts as NDJSON (content rule: coded terms,
// demo handles).
func writeDump(t testing.TB, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dump.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for i := range n {
		text := fmt.Sprintf("Seed swap number %d on Saturday, bring spare tomatoes.", i)
		if i%everyNth == 0 {
			text = fmt.Sprintf("trading young collection, wickr: demo_f%d", i)
		}
		fmt.Fprintf(w, `{"id":"p%05d","text":%q,"author":"user_demo_%d","created_utc":%d}`+"\n", i, text, i%97, 1764320400+i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// pipeline is one crawl, one detect and one sink process on a world.
type pipeline struct {
	w                   *world
	crawl, detect, sink *proc
	crawlA, detA, sinkA string
	posts, wantFindings int
}

func startPipeline(t *testing.T, natsURL, redisURL string, posts int, sinkExtra string) *pipeline {
	t.Helper()
	dump := writeDump(t, posts)
	src := fmt.Sprintf("  - { name: dump, kind: file, targets: [%q], interval: 1s }", dump)
	w := newWorld(t, natsURL, redisURL, src, sinkExtra, "")
	p := &pipeline{w: w, posts: posts, wantFindings: (posts + everyNth - 1) / everyNth}
	p.sink, p.sinkA = w.stage(t, "sink", "sink")
	p.detect, p.detA = w.stage(t, "detect", "detect")
	waitUntil(t, 30*time.Second, "sink and detector ready", func() bool { return ready(p.sinkA) && ready(p.detA) })
	p.crawl, p.crawlA = w.stage(t, "crawl", "crawl")
	return p
}

// progress is how far the run got: cases alerted, posts tallied.
func (p *pipeline) progress(t *testing.T) (alerted int, tallied int64) {
	n, _ := p.w.hook.newCases()
	return n, p.w.read(t).posts
}

// finish waits for every case to be alerted and the tallies to settle.
// A detector killed with -9 loses the tallies it had not flushed (and a
// redelivered post is tallied again), so the tallies are not waited for
// to reach the post count: the findings, one in every everyNth post, are
// what shows that no post was lost.
func (p *pipeline) finish(t *testing.T, d time.Duration) {
	t.Helper()
	last := time.Now()
	var prev int64 = -1
	stable := 0
	waitUntil(t, d, "every case alerted and the tallies settled", func() bool {
		n, tallied := p.progress(t)
		if time.Since(last) > 10*time.Second {
			last = time.Now()
			t.Logf("progress: %d of %d cases alerted, %d of %d posts tallied, %d findings in the stream",
				n, p.wantFindings, tallied, p.posts, len(p.w.read(t).findings))
		}
		if tallied == prev {
			stable++
		} else {
			prev, stable = tallied, 0
		}
		return n >= p.wantFindings && (tallied >= int64(p.posts) || stable >= 20)
	})
	time.Sleep(2 * time.Second) // room for a wrong second alert
}

// verify checks what must hold after any fault: every finding in the
// stream exactly once, every case alerted exactly once, no post lost (the
// cursors resumed without a gap), and the sink's counters equal to a
// recount from the streams.
func (p *pipeline) verify(t *testing.T) record {
	t.Helper()
	rec := p.w.read(t)
	for id, n := range rec.findings {
		if n != 1 {
			t.Errorf("finding %s is in the stream %d times", id, n)
		}
	}
	if len(rec.findingPosts) != p.wantFindings {
		t.Errorf("findings for %d posts in the stream, want %d", len(rec.findingPosts), p.wantFindings)
	}
	if rec.posts != int64(p.posts) {
		// detector/worker.go acks a post before its tally is published.
		t.Logf("posts tallied = %d for %d posts: a killed detector's unflushed tallies are lost, a redelivered post counts twice",
			rec.posts, p.posts)
	}
	n, twice := p.w.hook.newCases()
	if n != p.wantFindings || len(twice) > 0 {
		t.Errorf("%d cases alerted, want %d; alerted more than once: %v", n, p.wantFindings, twice)
	}
	// The sink's counters against a recount from the streams (`stats`).
	live := p.liveStats(t)
	var out strings.Builder
	today := time.Now().UTC().Format(time.DateOnly)
	cmd := exec.Command(binary, "stats", "--json", "--from", today, "--to", today, "--config", p.w.config)
	cmd.Stdout, cmd.Stderr = &out, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("handlewatch stats: %v", err)
	}
	var recount stats.Report
	if err := json.Unmarshal([]byte(out.String()), &recount); err != nil {
		t.Fatalf("stats --json: %v: %s", err, out.String())
	}
	if live.Overall.Findings != recount.Overall.Findings || live.Overall.PostsScanned != recount.Overall.PostsScanned {
		t.Errorf("sink counters: %d findings, %d posts; recount from the streams: %d findings, %d posts",
			live.Overall.Findings, live.Overall.PostsScanned, recount.Overall.Findings, recount.Overall.PostsScanned)
	}
	if recount.Overall.Findings != int64(p.wantFindings) {
		t.Errorf("recount: %d findings, want %d", recount.Overall.Findings, p.wantFindings)
	}
	return rec
}

func (p *pipeline) liveStats(t *testing.T) stats.Report {
	t.Helper()
	today := time.Now().UTC().Format(time.DateOnly)
	resp, err := http.Get("http://" + p.sinkA + "/api/stats?from=" + today + "&to=" + today)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r stats.Report
	if err := json.Unmarshal(body, &r); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/stats: %d %v: %s", resp.StatusCode, err, body)
	}
	return r
}

// injectPoison publishes a malformed post and a malformed finding
// straight onto the subjects, as a broken or hostile publisher would.
func (p *pipeline) injectPoison(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{URL: p.w.natsURL, Namespace: p.w.ns, PostsRetention: time.Hour,
		FindingsRetention: 24 * time.Hour, DuplicateWindow: time.Hour}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	js := b.JetStream()
	for _, subj := range []string{p.w.ns + ".posts.file.dump", p.w.ns + ".findings.dump"} {
		if _, err := js.Publish(ctx, subj, []byte(`{"schema":1,"id":`)); err != nil {
			t.Fatal(err)
		}
	}
}

// checkDeadLetters: the two poison messages are kept with their reasons.
func (p *pipeline) checkDeadLetters(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	b, err := bus.Open(ctx, bus.Config{URL: p.w.natsURL, Namespace: p.w.ns, PostsRetention: time.Hour,
		FindingsRetention: 24 * time.Hour, DuplicateWindow: time.Hour}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got := map[string]bus.DeadLetter{}
	waitUntil(t, 20*time.Second, "the dead letters", func() bool {
		clear(got)
		_ = b.DeadLetters(ctx, func(d bus.DeadLetter) error { got[d.Stream] = d; return nil })
		return len(got) >= 2
	})
	for _, s := range []string{bus.StreamPosts, bus.StreamFindings} {
		d, ok := got[s]
		if !ok || !d.Poison || d.Reason == "" || string(d.Data) != `{"schema":1,"id":` {
			t.Errorf("dead letter of the poison on %s = %+v, want poison with a reason and the data", s, d)
		}
	}
}

// TestKillStages kills each stage with -9 at random points of a 20,000
// post run and restarts it; nothing is lost and nothing is sent twice.
func TestKillStages(t *testing.T) {
	p := startPipeline(t, bustest.URL(), statetest.RedisURL(), faultPosts, "")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	p.injectPoison(t)
	for round, victim := range []*proc{p.crawl, p.detect, p.sink, p.crawl, p.detect, p.sink} {
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		n, tallied := p.progress(t)
		t.Logf("round %d: kill -9 %s after %d cases alerted, %d posts tallied", round, victim.name, n, tallied)
		victim.kill9()
		time.Sleep(time.Duration(rng.IntN(500)) * time.Millisecond)
		victim.restart()
	}
	p.finish(t, 60*time.Second)
	p.verify(t)
	p.checkDeadLetters(t)
}

// TestNATSRestart restarts a private NATS server (JetStream on disk) twice
// mid-run; the stages reconnect and nothing is lost or sent twice.
func TestNATSRestart(t *testing.T) {
	nats := privateNATS(t, "")
	p := startPipeline(t, nats.url(), statetest.RedisURL(), faultPosts, "")
	p.injectPoison(t)
	for range 2 {
		time.Sleep(1500 * time.Millisecond)
		n, _ := p.progress(t)
		t.Logf("restarting NATS after %d cases alerted", n)
		nats.restart(time.Second)
	}
	p.finish(t, 60*time.Second)
	p.verify(t)
	p.checkDeadLetters(t)
}

// TestRedisRestartAndFlush flushes a private Redis mid-run and then
// restarts it (no persistence: empty again); the sink finds its derived
// state gone, rebuilds it from the streams, and alerts nothing twice.
func TestRedisRestartAndFlush(t *testing.T) {
	redis := privateRedis(t)
	p := startPipeline(t, bustest.URL(), redis.url(), faultPosts/2, "")
	time.Sleep(1500 * time.Millisecond)
	n, _ := p.progress(t)
	t.Logf("FLUSHALL after %d cases alerted", n)
	if out, err := exec.Command(findBinary(t, "redis-cli"), "-u", redis.url(), "FLUSHALL").CombinedOutput(); err != nil {
		t.Fatalf("FLUSHALL: %v: %s", err, out)
	}
	time.Sleep(1500 * time.Millisecond)
	n, _ = p.progress(t)
	t.Logf("restarting Redis after %d cases alerted", n)
	redis.restart(time.Second)
	p.finish(t, 60*time.Second)
	p.verify(t)
	if !p.sink.logContains("derived state is missing from Redis") {
		t.Error("the sink never noticed its state was wiped")
	}
}

// TestWebhookFlakyThenDown: the receiver fails every other request, then
// refuses everything for a while (the "a minute", shortened with
// the retry settings), then recovers; every case is alerted exactly once.
func TestWebhookFlakyThenDown(t *testing.T) {
	retry := "  alerts: { min_severity: low, digest_interval: 2s, reconcile_interval: 2s, retry: { attempts: 12, initial_backoff: 200ms, max_backoff: 2s } }"
	p := startPipeline(t, bustest.URL(), statetest.RedisURL(), faultPosts, retry)
	p.w.hook.setMode(true, false)
	time.Sleep(2 * time.Second)
	n, _ := p.progress(t)
	t.Logf("receiver down after %d cases alerted", n)
	p.w.hook.setMode(false, true)
	time.Sleep(8 * time.Second)
	p.w.hook.setMode(false, false)
	p.finish(t, 60*time.Second)
	p.verify(t)
}
