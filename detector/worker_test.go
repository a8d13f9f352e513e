package detector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap/zaptest"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// servers runs fn against the embedded NATS with the memory store, and
// against the real NATS on 127.0.0.1:4222 with the real Redis on
// 127.0.0.1:6379 (both must be running: the test fails without them).
func servers(t *testing.T, fn func(t *testing.T, b *bus.Bus, sets state.Sets)) {
	t.Run("embedded", func(t *testing.T) { fn(t, bustest.Embedded(t, ""), state.NewMemory()) })
	t.Run("external", func(t *testing.T) { fn(t, bustest.External(t), realRedis(t)) })
}

// realRedis is the Redis of HW_TEST_REDIS_URL (default 127.0.0.1:6379)
// under a key prefix of this test's own, deleted at the end.
func realRedis(t *testing.T) *state.Redis {
	url := os.Getenv("HW_TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	ctx := context.Background()
	prefix := fmt.Sprintf("hwtest:detector:%d:", time.Now().UnixNano())
	r, err := state.NewRedis(ctx, url, prefix)
	if err != nil {
		t.Fatalf("redis at %s (set HW_TEST_REDIS_URL): %v", url, err)
	}
	t.Cleanup(func() {
		if keys, _ := r.Client().Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			r.Client().Del(ctx, keys...)
		}
		r.Close()
	})
	return r
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type findingSink struct {
	mu       sync.Mutex
	findings map[string]wire.Finding // by post id
}

func (s *findingSink) get(id string) (wire.Finding, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.findings[id]
	return f, ok
}

func (s *findingSink) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.findings)
}

func workerPost(source, id, text string, fetched time.Time) wire.Post {
	return wire.Post{Schema: 1, Source: source, SourceKind: "rss", ID: id, Text: text,
		Permalink: "https://example.org/" + id, CreatedAt: fetched, FetchedAt: fetched}
}

func TestWorkerPostsInFindingsOut(t *testing.T) {
	servers(t, func(t *testing.T, b *bus.Bus, sets state.Sets) {
		ctx := context.Background()
		if err := sets.AddToSet(ctx, wire.WatchlistCleared, wire.WatchMember("kik", "cleared_handle")); err != nil {
			t.Fatal(err)
		}
		if err := sets.AddToSet(ctx, wire.WatchlistKnown, wire.WatchMember("wickr", "known_handle")); err != nil {
			t.Fatal(err)
		}
		reg := prometheus.NewRegistry()
		w, err := NewWorker(Config{Rules: "../configs/rules.yaml", TallyInterval: time.Second, WatchlistRefresh: time.Second, Concurrency: 2},
			WorkerDeps{Log: zaptest.NewLogger(t), Bus: b, Sets: sets, Metrics: reg})
		if err != nil {
			t.Fatal(err)
		}
		day1 := time.Date(2026, 11, 27, 23, 0, 0, 0, time.UTC)
		day2 := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)
		// Poison first: the good posts behind it must still be scanned.
		if _, err := b.Publish(ctx, "hw.posts.rss.feed_a", "poison-1", "not a post"); err != nil {
			t.Fatal(err)
		}
		bad := workerPost("feed_a", "bad", "x", day1)
		bad.Schema = 99
		if _, err := b.Publish(ctx, bad.Subject(), bad.Key(), bad); err != nil {
			t.Fatal(err)
		}
		posts := []wire.Post{
			workerPost("feed_a", "ad", "trading young collection, wickr: placeholder_01", day1),
			workerPost("feed_a", "benign", "lovely weather today, see you at the park", day1),
			workerPost("feed_a", "known", "hello again, wickr: known_handle", day2),
			workerPost("feed_b", "cleared", "trading young collection, kik: cleared_handle", day2),
		}
		for _, p := range posts {
			if _, err := b.Publish(ctx, p.Subject(), p.Key(), p); err != nil {
				t.Fatal(err)
			}
		}

		got := &findingSink{findings: map[string]wire.Finding{}}
		cctx, stopSink := context.WithCancel(ctx)
		sinkDone := make(chan error, 1)
		go func() {
			sinkDone <- b.Consume(cctx, bus.ConsumerSpec{Stream: bus.StreamFindings, Durable: "test_sink"}, func(_ context.Context, m bus.Msg) error {
				var f wire.Finding
				if err := json.Unmarshal(m.Data, &f); err != nil {
					return bus.Poison(err)
				}
				if m.MsgID != f.ID || m.Subject != f.Subject() {
					t.Errorf("finding published with msg id %q on %q, want %q on %q", m.MsgID, m.Subject, f.ID, f.Subject())
				}
				got.mu.Lock()
				got.findings[f.Post.ID] = f
				got.mu.Unlock()
				return nil
			})
		}()

		if err := w.Ready(ctx); err == nil {
			t.Fatal("ready before Run read the watchlists")
		}
		wctx, stopWorker := context.WithCancel(ctx)
		runDone := make(chan error, 1)
		go func() { runDone <- w.Run(wctx) }()
		waitFor(t, "ready", func() bool { return w.Ready(ctx) == nil })
		scanned := func() float64 { return metricValue(w.metrics.scanned.WithLabelValues("feed_a")) }
		waitFor(t, "four good posts scanned", func() bool {
			return scanned()+metricValue(w.metrics.scanned.WithLabelValues("feed_b")) == 4
		})
		waitFor(t, "two findings", func() bool { return got.len() == 2 })
		stopWorker()
		if err := <-runDone; err != nil {
			t.Fatalf("Run: %v", err)
		}

		ad, ok := got.get("ad")
		if !ok || ad.Severity.Rank() < wire.SeverityHigh.Rank() || ad.Handles[0].Handle != "placeholder_01" {
			t.Fatalf("finding for the ad: %+v", ad)
		}
		if err := ad.Validate(); err != nil {
			t.Fatal(err)
		}
		known, ok := got.get("known")
		if !ok || known.Handles[0].Watch != wire.WatchKnown || known.Severity.Rank() < wire.SeverityHigh.Rank() {
			t.Fatalf("finding for the known handle: %+v", known)
		}
		if _, ok := got.get("cleared"); ok {
			t.Fatal("a post whose only handle was cleared made a finding")
		}
		if n := metricValue(w.metrics.poison); n != 2 {
			t.Fatalf("poison posts = %v, want 2", n)
		}

		// Tallies: posts per source and UTC day of fetch, published by
		// the last flush at the latest.
		tally := map[string]int64{}
		ids := map[string]bool{}
		err = b.Replay(ctx, bus.StreamStats, "", func(m bus.Msg) error {
			var st wire.ScanTally
			if err := json.Unmarshal(m.Data, &st); err != nil {
				return err
			}
			if ids[st.ID] || m.MsgID != st.ID || !strings.HasPrefix(st.ID, w.instance+"-") {
				t.Errorf("tally id %q (msg id %q) repeated or not the worker's", st.ID, m.MsgID)
			}
			ids[st.ID] = true
			tally[st.Source+" "+st.Day] += st.Posts
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{"feed_a 2026-11-27": 2, "feed_a 2026-11-28": 1, "feed_b 2026-11-28": 1}
		if len(tally) != len(want) {
			t.Fatalf("tallies %v, want %v", tally, want)
		}
		for k, n := range want {
			if tally[k] != n {
				t.Fatalf("tallies %v, want %v", tally, want)
			}
		}
		stopSink()
		if err := <-sinkDone; err != nil {
			t.Fatal(err)
		}
	})
}

func TestTallyRetryKeepsItsIDAndItsPosts(t *testing.T) {
	tl := newTallies("w1")
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	msg := func(seq uint64) bus.Msg { return bus.Msg{Seq: seq, Stream: "HW_POSTS@1"} }
	tl.add(msg(7), "s", at)
	tl.add(msg(5), "s", at)
	tl.add(msg(7), "s", at) // redelivered to this worker: one sequence
	tl.add(msg(6), "s", at)
	first := tl.batch(at)
	if len(first) != 1 || first[0].tally.Posts != 3 || len(first[0].msgs) != 3+1 ||
		!slices.Equal(first[0].tally.Seqs, [][2]uint64{{5, 7}}) || first[0].tally.Stream != "HW_POSTS@1" {
		t.Fatalf("first batch %+v", first)
	}
	tl.add(msg(9), "s", at) // arrives while the first batch is unpublished
	again := tl.batch(at)
	if len(again) != 1 || again[0].tally.ID != first[0].tally.ID || again[0].tally.Posts != 3 {
		t.Fatalf("retry batch %+v, want the same tally again", again)
	}
	if acks := tl.done(first[0].tally.ID); len(acks) != 4 {
		t.Fatalf("published tally releases %d messages to ack, want 4", len(acks))
	}
	next := tl.batch(at)
	if len(next) != 1 || next[0].tally.ID == first[0].tally.ID || next[0].tally.Posts != 1 || len(next[0].msgs) != 1 {
		t.Fatalf("next batch %+v", next)
	}
}

func TestSeqRanges(t *testing.T) {
	for _, tc := range []struct {
		in   []uint64
		want [][2]uint64
	}{
		{nil, nil},
		{[]uint64{4}, [][2]uint64{{4, 4}}},
		{[]uint64{3, 1, 2, 2, 9, 10, 12}, [][2]uint64{{1, 3}, {9, 10}, {12, 12}}},
		{[]uint64{5, 5, 5}, [][2]uint64{{5, 5}}},
	} {
		if got := seqRanges(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("seqRanges(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// failingTallies is the real bus with tally publishing switched off, as
// when the STATS stream cannot take a write, or with the confirmation
// failing, as when the streams cannot be read back after a full disk.
type failingTallies struct {
	*bus.Bus
	fail, failConfirm atomic.Bool
}

func (f *failingTallies) Confirm(ctx context.Context, rs []bus.Receipt) (int, error) {
	if f.failConfirm.Load() {
		return 0, errors.New("streams unreadable (test)")
	}
	return f.Bus.Confirm(ctx, rs)
}

func (f *failingTallies) Publish(ctx context.Context, subject, msgID string, v any) (bool, error) {
	if f.fail.Load() && strings.HasPrefix(subject, wire.SubjectStats+".") {
		return false, errors.New("stats stream unavailable (test)")
	}
	return f.Bus.Publish(ctx, subject, msgID, v)
}

func (f *failingTallies) PublishReceipt(ctx context.Context, subject, msgID string, v any) (bus.Receipt, bool, error) {
	if f.fail.Load() && strings.HasPrefix(subject, wire.SubjectStats+".") {
		return bus.Receipt{}, false, errors.New("stats stream unavailable (test)")
	}
	return f.Bus.PublishReceipt(ctx, subject, msgID, v)
}

// TestPostsAckedOnlyOnceTallied: a post stays unacked (in the work
// queue) until a tally counting it is published and confirmed stored
// with its findings; once tallies go out again every post is counted and
// acked.
func TestPostsAckedOnlyOnceTallied(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(fb *failingTallies, on bool)
	}{
		{"tally publish fails", func(fb *failingTallies, on bool) { fb.fail.Store(on) }},
		{"confirmation fails", func(fb *failingTallies, on bool) { fb.failConfirm.Store(on) }},
	} {
		t.Run(tc.name, func(t *testing.T) { testPostsAckedOnlyOnceTallied(t, tc.fail) })
	}
}

func testPostsAckedOnlyOnceTallied(t *testing.T, fail func(fb *failingTallies, on bool)) {
	servers(t, func(t *testing.T, b *bus.Bus, sets state.Sets) {
		ctx := context.Background()
		fb := &failingTallies{Bus: b}
		fail(fb, true)
		w, err := NewWorker(Config{Rules: "../configs/rules.yaml", TallyInterval: time.Second, WatchlistRefresh: time.Second, Concurrency: 2},
			WorkerDeps{Log: zaptest.NewLogger(t), Bus: fb, Sets: sets})
		if err != nil {
			t.Fatal(err)
		}
		const n = 30
		at := time.Now().UTC()
		for i := range n {
			p := workerPost("feed_a", fmt.Sprint("p", i), "lovely weather today, see you at the park", at)
			if _, err := b.Publish(ctx, p.Subject(), p.Key(), p); err != nil {
				t.Fatal(err)
			}
		}
		wctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(wctx) }()
		waitFor(t, "every post scanned", func() bool { return metricValue(w.metrics.scanned.WithLabelValues("feed_a")) == n })
		time.Sleep(2 * time.Second) // past TallyInterval: the flush was tried and failed
		st, err := b.JetStream().Stream(ctx, b.StreamName(bus.StreamPosts))
		if err != nil {
			t.Fatal(err)
		}
		left := func() uint64 {
			info, err := st.Info(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return info.State.Msgs
		}
		if got := left(); got != n {
			t.Fatalf("%d of %d posts left in the work queue while no tally could be published: acked uncounted", got, n)
		}
		fail(fb, false)
		waitFor(t, "the work queue empty once tallies go out", func() bool { return left() == 0 })
		stop()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		var counted int64
		seqs := map[uint64]int{}
		if err := b.Replay(ctx, bus.StreamStats, "", func(m bus.Msg) error {
			var tl wire.ScanTally
			if err := json.Unmarshal(m.Data, &tl); err != nil {
				return err
			}
			counted += tl.Posts
			for _, r := range tl.Seqs {
				for q := r[0]; q <= r[1]; q++ {
					seqs[q]++
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if counted != n || len(seqs) != n {
			t.Fatalf("tallies count %d posts over %d sequences, want %d", counted, len(seqs), n)
		}
	})
}

func TestWorkerReloadKeepsRulesOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rules.yaml")
	good, err := os.ReadFile("testdata/rules_small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	w, err := NewWorker(Config{Rules: path}, WorkerDeps{Log: zaptest.NewLogger(t), Bus: bustest.Embedded(t, ""), Sets: state.NewMemory(), Metrics: reg})
	if err != nil {
		t.Fatal(err)
	}
	if w.RulesVersion() != "test-1" {
		t.Fatalf("version %q", w.RulesVersion())
	}
	bad := strings.Replace(string(good), "weight: 0.4", "weight: 4", 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	err = w.Reload()
	if err == nil || !strings.Contains(err.Error(), path+":") || !strings.Contains(err.Error(), "weight must be between -1 and 1") {
		t.Fatalf("Reload of a bad file = %v", err)
	}
	if w.RulesVersion() != "test-1" {
		t.Fatalf("a bad file replaced the rules: version %q", w.RulesVersion())
	}
	newer := strings.Replace(string(good), `version: "test-1"`, `version: "test-2"`, 1)
	if err := os.WriteFile(path, []byte(newer), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if w.RulesVersion() != "test-2" {
		t.Fatalf("version %q after reload", w.RulesVersion())
	}
	if ok, failed := metricValue(w.metrics.reloads.WithLabelValues("ok")), metricValue(w.metrics.reloads.WithLabelValues("failed")); ok != 1 || failed != 1 {
		t.Fatalf("reloads ok=%v failed=%v", ok, failed)
	}
	if v := metricValue(w.metrics.rulesInfo.WithLabelValues("test-2")); v != 1 {
		t.Fatalf("rules_info{version=test-2} = %v", v)
	}
	if n := metricCount(w.metrics.rulesInfo); n != 1 {
		t.Fatalf("rules_info has %d series, want only the version in force", n)
	}
}

func TestWorkerWatchlistFiles(t *testing.T) {
	dir := t.TempDir()
	list := filepath.Join(dir, "known.txt")
	if err := os.WriteFile(list, []byte("# shared list\nkik:listed_one\n\n telegram : tg_listed \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := NewWorker(Config{Rules: "testdata/rules_small.yaml", Watchlists: []string{list}},
		WorkerDeps{Bus: bustest.Embedded(t, ""), Sets: state.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	if !w.watch.Known("kik", "listed_one") || !w.watch.Known("telegram", "tg_listed") || w.watch.Known("kik", "other") {
		t.Fatal("watchlist file not read as known handles")
	}
	if err := os.WriteFile(list, []byte("kik listed_one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err == nil || !strings.Contains(err.Error(), list+":1: want app:handle") {
		t.Fatalf("Reload with a bad watchlist = %v", err)
	}
	if !w.watch.Known("kik", "listed_one") {
		t.Fatal("a bad watchlist file replaced the running one")
	}
	if err := os.WriteFile(list, []byte("myspace:someone\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err == nil || !strings.Contains(err.Error(), "unknown app \"myspace\"") {
		t.Fatalf("Reload with an unknown app = %v", err)
	}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{}, ""},
		{Config{WatchlistRefresh: time.Millisecond}, "detector.watchlist_refresh"},
		{Config{TallyInterval: time.Millisecond}, "detector.tally_interval"},
		{Config{TallyInterval: 10 * time.Second}, "detector.tally_interval"},
		{Config{Concurrency: -1}, "detector.concurrency"},
		{Config{Watchlists: []string{"a", " "}}, "detector.watchlists[1]"},
	}
	for _, tc := range cases {
		err := tc.cfg.WithDefaults().Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// metricValue reads a counter or gauge (prometheus' testutil would pull a
// module we do not pin).
func metricValue(c prometheus.Collector) float64 {
	ch := make(chan prometheus.Metric, 16)
	c.Collect(ch)
	close(ch)
	var sum float64
	for m := range ch {
		var d dto.Metric
		if err := m.Write(&d); err != nil {
			panic(err)
		}
		switch {
		case d.Counter != nil:
			sum += d.Counter.GetValue()
		case d.Gauge != nil:
			sum += d.Gauge.GetValue()
		}
	}
	return sum
}

func metricCount(c prometheus.Collector) int {
	ch := make(chan prometheus.Metric, 16)
	c.Collect(ch)
	close(ch)
	n := 0
	for range ch {
		n++
	}
	return n
}

// failingSets is a state store that is down.
type failingSets struct{ state.Sets }

func (failingSets) SetMembers(context.Context, string) ([]string, error) {
	return nil, errors.New("connection refused")
}

func TestWorkerRunNeedsTheWatchlists(t *testing.T) {
	w, err := NewWorker(Config{Rules: "testdata/rules_small.yaml"},
		WorkerDeps{Log: zaptest.NewLogger(t), Bus: bustest.Embedded(t, ""), Sets: failingSets{state.NewMemory()}})
	if err != nil {
		t.Fatal(err)
	}
	err = w.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Run with the state store down = %v, want it to refuse to start", err)
	}
	if w.Ready(context.Background()) == nil {
		t.Fatal("ready without watchlists")
	}
}
