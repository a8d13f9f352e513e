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

	goredis "github.com/redis/go-redis/v9"
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

// finish waits for every case to be alerted and every post to be
// tallied, or for the tallies to stop moving (verify then says what is
// missing or counted twice, instead of a timeout).
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
		return n >= p.wantFindings && (tallied == int64(p.posts) || stable >= 50)
	})
	time.Sleep(2 * time.Second) // room for a wrong second alert
}

// waitScanning waits until the detector is scanning posts right now (its
// posts-scanned metric moves within 100 ms).
func (p *pipeline) waitScanning(t *testing.T) {
	t.Helper()
	waitUntil(t, 20*time.Second, "the detector scanning", func() bool {
		before, err := scrape(p.detA, "handlewatch_detector_posts_scanned_total")
		if err != nil {
			return false
		}
		time.Sleep(100 * time.Millisecond)
		after, err := scrape(p.detA, "handlewatch_detector_posts_scanned_total")
		return err == nil && after > before
	})
}

// verify checks what must hold after any fault: every finding in the
// stream exactly once, every case alerted exactly once, no post lost (the
// cursors resumed without a gap), every post of the posts stream counted
// exactly once in the posts-scanned counter, and the sink's counters
// equal to a recount from the streams.
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
	if rec.tallied != rec.posts {
		t.Logf("the tallies count %d posts, %d of them again (a recount after a crash): the sink counts them once",
			rec.tallied, rec.tallied-rec.posts)
	}
	n, twice := p.w.hook.newCases()
	if n != p.wantFindings || len(twice) > 0 {
		t.Errorf("%d cases alerted, want %d; alerted more than once: %v", n, p.wantFindings, twice)
	}
	// A repeated key is a sink killed between sending and recording: at
	// most the alerts it had in flight, and none without a kill.
	p.sink.mu.Lock()
	kills := p.sink.kills
	p.sink.mu.Unlock()
	if resent := p.w.hook.resentCount(); resent > kills*maxResentPerKill {
		t.Errorf("%d deliveries repeated an accepted key after %d sink kills, want at most %d", resent, kills, kills*maxResentPerKill)
	} else if resent > 0 {
		t.Logf("%d deliveries repeated an accepted key (sent, then the sink was killed before it recorded them)", resent)
	}
	p.checkCounters(t, int64(p.wantFindings), int64(p.posts))
	return rec
}

// maxResentPerKill bounds the alerts one killed sink can have sent and not
// recorded: its findings in hand.
const maxResentPerKill = 16

// checkCounters compares the sink's counters with a recount from the
// streams (`handlewatch stats`), which must find want findings and
// wantPosts posts scanned (the distinct posts of the posts stream; -1:
// not known).
func (p *pipeline) checkCounters(t *testing.T, want, wantPosts int64) {
	t.Helper()
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
	if recount.Overall.Findings != want {
		t.Errorf("recount: %d findings, want %d", recount.Overall.Findings, want)
	}
	if wantPosts >= 0 && (live.Overall.PostsScanned != wantPosts || recount.Overall.PostsScanned != wantPosts) {
		t.Errorf("posts scanned: sink counter %d, recount %d, want %d (every post of the stream once)",
			live.Overall.PostsScanned, recount.Overall.PostsScanned, wantPosts)
	}
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
		if victim == p.detect {
			// Killed while it scans: a kill in an idle moment would show
			// nothing about the counts it holds.
			p.waitScanning(t)
		}
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
	opt, _ := goredis.ParseURL(redis.url())
	rc := goredis.NewClient(opt)
	if err := rc.FlushAll(context.Background()).Err(); err != nil {
		t.Fatalf("FLUSHALL: %v", err)
	}
	rc.Close()
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

// TestDiskFull fills the JetStream store's disk mid-run (a small tmpfs
// the test mounts, with ballast), then frees it and restarts the server:
// publishing stalls while the disk is full, nothing is lost and nothing
// is sent twice. It needs root to mount; elsewhere it is skipped with the
// reason.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("disk-full test skipped: cannot mount a tmpfs here (%v: %s)", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Logf("umount %s: %v: %s", dir, err, out)
		}
	})
	store := filepath.Join(dir, "js")
	natsConf := filepath.Join(t.TempDir(), "nats.conf")
	nats := privateNATS(t, store)
	// A config file raises the store limit above the disk, so the disk
	// (not a JetStream limit) is what runs out.
	nats.stop()
	conf := fmt.Sprintf("listen: %q\njetstream { store_dir: %q, max_file_store: 4G }\n", nats.addr, store)
	if err := os.WriteFile(natsConf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	nats.args = []string{"-c", natsConf}
	nats.start()

	p := startPipeline(t, nats.url(), statetest.RedisURL(), faultPosts, "")
	time.Sleep(1500 * time.Millisecond)
	// Ballast: fill the disk to the last few hundred KiB.
	ballast := filepath.Join(dir, "ballast")
	f, err := os.Create(ballast)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 256<<10)
	written := 0
	for {
		if _, err := f.Write(chunk); err != nil {
			break
		}
		written += len(chunk)
	}
	f.Close()
	// Only the receiver is asked while the disk is full: a reader's
	// stream check would wait on the full store itself.
	n, _ := p.w.hook.newCases()
	t.Logf("disk full (ballast %d MiB) after %d cases alerted", written>>20, n)
	time.Sleep(5 * time.Second)
	n, _ = p.w.hook.newCases()
	t.Logf("with the disk full for 5s: %d cases alerted", n)
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	nats.restart(500 * time.Millisecond)
	// The server's file store acknowledges a message once it is in its
	// write buffer; a write that meets the full disk drops the buffer
	// ("failed to store a msg … no space left on device"), the stream's
	// last sequence goes back and new messages take the lost sequences.
	// The detector acks no post and the bus terminates no poison before
	// bus.Confirm found the findings, tallies and dead letters stored,
	// and the consumers hand over what the stream stored at sequences
	// they had passed (bus tail watch). So once the disk has room: every
	// finding in the stream, each exactly once, every case alerted
	// exactly once, counters equal to a recount. (A post the posts stream
	// drops after acknowledging it is not yet published again: the
	// crawler marks it seen and saves its cursor at once.)
	lastPost := fmt.Sprintf("p%05d", (faultPosts-1)/everyNth*everyNth)
	waitUntil(t, 60*time.Second, "the run to go on to the last post", func() bool {
		return p.w.read(t).findingPosts["dump/"+lastPost]
	})
	// What the streams lost is published again within seconds (a
	// confirmation waits bus.Settle).
	rec := p.w.read(t)
	for deadline := time.Now().Add(30 * time.Second); len(rec.findingPosts) < p.wantFindings && time.Now().Before(deadline); {
		time.Sleep(time.Second)
		rec = p.w.read(t)
	}
	time.Sleep(3 * time.Second)
	rec = p.w.read(t)
	for id, c := range rec.findings {
		if c != 1 {
			t.Errorf("finding %s is in the stream %d times", id, c)
		}
	}
	waitUntil(t, 30*time.Second, "every finding in the stream alerted", func() bool {
		n, _ := p.w.hook.newCases()
		return n >= len(rec.findings)
	})
	n, twice := p.w.hook.newCases()
	if n != len(rec.findings) || len(twice) > 0 {
		t.Errorf("%d cases alerted for %d findings in the stream; alerted more than once: %v", n, len(rec.findings), twice)
	}
	if len(rec.findingPosts) != p.wantFindings {
		t.Errorf("findings for %d posts in the stream after the disk was full and NATS restarted, want %d",
			len(rec.findingPosts), p.wantFindings)
	}
	p.checkCounters(t, int64(p.wantFindings), -1)
}
