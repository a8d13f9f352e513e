package stats

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/state/statetest"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/duration"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

var ctx = context.Background()

// ---- stores: memory and the real Redis (never skipped).

func forEachStore(t *testing.T, f func(t *testing.T, store Store)) {
	t.Run("memory", func(t *testing.T) { f(t, state.NewMemory()) })
	t.Run("redis", func(t *testing.T) { f(t, statetest.OpenRedis(t, "stats")) })
}

var (
	day1 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	day2 = day1.AddDate(0, 0, 1)
	now  = time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC)
)

func newStats(t testing.TB, store Store) *Stats {
	t.Helper()
	s, err := New(Config{}, Deps{Store: store, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ---- the fixed data set

type handle struct{ app, handle string }

func mkFinding(source, kind string, n int, day time.Time, sev wire.Severity, hs ...handle) wire.Finding {
	text := "trading young collection, contact: placeholder"
	postID := fmt.Sprintf("%s-post-%d", source, n)
	f := wire.Finding{
		Schema: 1, ID: wire.FindingID(source, postID, "r1"),
		Post: wire.PostRef{Source: source, SourceKind: kind, ID: postID,
			Permalink: "https://" + source + ".example/@author_" + fmt.Sprint(n%3) + "/" + postID,
			Author:    fmt.Sprintf("author_%d", n%3), AuthorURL: fmt.Sprintf("https://%s.example/@author_%d", source, n%3),
			CreatedAt: day.Add(time.Hour)},
		Excerpt: wire.Excerpt{Text: text},
		Signals: []wire.Signal{{Rule: "offer.trade", Category: "offer", Weight: 2, Span: wire.Span{Start: 0, End: 7}},
			{Rule: "minor.young", Category: "minor_indicator", Weight: 2, Span: wire.Span{Start: 8, End: 13}}},
		Score: 0.8125, Severity: sev, RulesVersion: "r1", Mode: wire.ModeAlert,
		DetectedAt: day.Add(time.Duration(n) * time.Second),
	}
	for _, h := range hs {
		f.Handles = append(f.Handles, wire.Handle{App: h.app, Handle: h.handle, Raw: h.app + ": " + h.handle,
			Kind: wire.HandleMention, Span: wire.Span{Start: 26, End: 33}})
	}
	if err := f.Validate(); err != nil {
		panic(err)
	}
	return f
}

type fixture struct {
	tallies  []wire.ScanTally
	findings []wire.Finding
	events   []wire.CaseEvent
}

// theFixture: day 1 has 40,000 posts scanned (reddit-a 2 × 10,000,
// masto-b 20,000) and 12 findings (reddit-a 8, masto-b 4); day 2 has
// 7,000 posts (reddit-a 5,000, masto-b 2,000) and 1 finding (masto-b).
func theFixture() fixture {
	var fx fixture
	tally := func(id, src string, day time.Time, n int64) {
		fx.tallies = append(fx.tallies, wire.ScanTally{Schema: 1, ID: id, Source: src, Day: day.Format(time.DateOnly), Posts: n, At: day.Add(23 * time.Hour)})
	}
	tally("w1-d1-a", "reddit-a", day1, 10000)
	tally("w2-d1-a", "reddit-a", day1, 10000)
	tally("w1-d1-b", "masto-b", day1, 20000)
	tally("w1-d2-a", "reddit-a", day2, 5000)
	tally("w1-d2-b", "masto-b", day2, 2000)

	tg := func(h string) handle { return handle{"telegram", h} }
	wk := func(h string) handle { return handle{"wickr", h} }
	C, H, M, L := wire.SeverityCritical, wire.SeverityHigh, wire.SeverityMedium, wire.SeverityLow
	reddit := []struct {
		sev wire.Severity
		hs  []handle
	}{
		{C, []handle{tg("tg_a")}}, {C, []handle{tg("tg_a")}}, {H, []handle{tg("tg_b")}}, {H, []handle{tg("tg_c")}},
		{H, []handle{tg("tg_c")}}, {M, []handle{tg("tg_c")}}, {M, []handle{tg("tg_d")}}, {M, []handle{tg("tg_e"), wk("w_1")}},
	}
	for i, r := range reddit {
		fx.findings = append(fx.findings, mkFinding("reddit-a", "reddit", i, day1, r.sev, r.hs...))
	}
	masto := []struct {
		sev wire.Severity
		h   handle
	}{{C, wk("w_1")}, {H, wk("w_2")}, {L, wk("w_2")}, {L, wk("w_3")}}
	for i, m := range masto {
		fx.findings = append(fx.findings, mkFinding("masto-b", "mastodon", i, day1, m.sev, m.h))
	}
	fx.findings = append(fx.findings, mkFinding("masto-b", "mastodon", 10, day2, H, wk("w_2")))

	ev := func(id string, h handle, d wire.Decision) wire.CaseEvent {
		return wire.CaseEvent{Schema: 1, ID: id, CaseID: wire.CaseKey(h.app, h.handle), App: h.app, Handle: h.handle,
			Type: wire.EventDecision, Decision: d, Actor: "mod_alice", At: day2.Add(10 * time.Hour)}
	}
	fx.events = []wire.CaseEvent{
		ev("dec-1", tg("tg_a"), wire.DecisionConfirm),
		ev("dec-2", wk("w_2"), wire.DecisionConfirm),
		ev("dec-3", tg("tg_b"), wire.DecisionDismiss),
		ev("dec-1", tg("tg_a"), wire.DecisionConfirm), // redelivered: counted once
		{Schema: 1, ID: "td:x:sent:1", CaseID: wire.CaseKey("telegram", "tg_a"), App: "telegram", Handle: "tg_a",
			Type: wire.EventTakedown, Actor: "handlewatch/takedown", At: day2,
			Takedown: &wire.TakedownChange{RequestID: "td-x", Target: "m", Channel: "mastodon", State: wire.TakedownSent}},
	}
	return fx
}

func (fx fixture) observe(t testing.TB, s *Stats) {
	t.Helper()
	for _, tl := range fx.tallies {
		if err := s.ObserveTally(ctx, tl); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range fx.findings {
		if err := s.ObserveFinding(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	for _, ev := range fx.events {
		if err := s.ObserveEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
}

// replay serves the fixture as the three streams would.
func (fx fixture) replay(extra ...bus.Msg) ReplayFunc {
	return func(_ context.Context, stream, filter string, fn func(bus.Msg) error) error {
		var msgs []bus.Msg
		add := func(subject, id string, v any) {
			b, _ := json.Marshal(v)
			msgs = append(msgs, bus.Msg{Subject: subject, MsgID: id, Data: b})
		}
		switch stream {
		case bus.StreamStats:
			for _, t := range fx.tallies {
				add(t.Subject(), t.ID, t)
			}
		case bus.StreamFindings:
			for _, f := range fx.findings {
				add(f.Subject(), f.ID, f)
			}
			msgs = append(msgs, extra...)
		case bus.StreamCases:
			for _, ev := range fx.events {
				add(ev.Subject(), ev.ID, ev)
			}
		}
		for _, m := range msgs {
			if err := fn(m); err != nil {
				return err
			}
		}
		return nil
	}
}

// ---- expected values

// rate4 compares a rate to hand-computed values at 4 decimals.
func checkRate(t *testing.T, what string, got *Rate, est, lo, hi float64) {
	t.Helper()
	if got == nil {
		t.Fatalf("%s: no rate", what)
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"estimate", got.Estimate, est}, {"low", got.Low, lo}, {"high", got.High, hi}} {
		if math.Abs(c.got-c.want) > 0.00005 {
			t.Errorf("%s %s = %.6f, want %.4f", what, c.name, c.got, c.want)
		}
	}
}

// The Wilson score interval, by hand, with z = 1.959964 (z² = 3.841459):
//
//	p = x/n, d = 1 + z²/n, centre = (p + z²/2n)/d,
//	half = z/d · √(p(1−p)/n + z²/4n²), interval = centre ± half.
//
// Values per 10,000 posts.
func TestWilson(t *testing.T) {
	cases := []struct {
		x, n          int64
		est, low, hig float64
	}{
		// 12/40000: p = 0.0003, z²/n = 9.6036e-5, d = 1.000096,
		// centre = (0.0003 + 4.8018e-5)/1.000096 = 3.47985e-4,
		// half = 1.959964/1.000096 · √(7.49775e-9 + 6.00228e-10) = 1.76358e-4
		// → [1.7163, 5.2434] per 10k.
		{12, 40000, 3.0, 1.7163, 5.2434},
		// 13/47000: p = 2.76596e-4, centre 3.17436e-4, half 1.55778e-4.
		{13, 47000, 2.7660, 1.6166, 4.7321},
		// 0/5000: p = 0, centre = half = (z²/2n)/d = 3.83851e-4 → [0, 7.6770].
		{0, 5000, 0, 0, 7.6770},
		// 1/2000: p = 5e-4, centre 1.45757e-3, half 1.3693e-3.
		{1, 2000, 5.0, 0.8827, 28.2686},
		// 8/20000: p = 4e-4, centre 4.95941e-4, half 2.93238e-4.
		{8, 20000, 4.0, 2.0270, 7.8918},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%d/%d", c.x, c.n), func(t *testing.T) {
			lo, hi := Wilson(c.x, c.n, Z95)
			checkRate(t, "wilson", &Rate{Estimate: 1e4 * float64(c.x) / float64(c.n), Low: 1e4 * lo, High: 1e4 * hi}, c.est, c.low, c.hig)
		})
	}
	if lo, hi := Wilson(1, 0, Z95); !math.IsNaN(lo) || !math.IsNaN(hi) {
		t.Fatal("Wilson of n = 0 is defined")
	}
}

func TestFiguresHandComputed(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		s := newStats(t, store)
		theFixture().observe(t, s)
		rep, err := s.Report(ctx, day1, day2, true)
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, rep)
	})
}

func checkReport(t *testing.T, rep Report) {
	t.Helper()
	if rep.From != "2026-03-01" || rep.To != "2026-03-02" || len(rep.Warnings) != 0 {
		t.Fatalf("period %s–%s, warnings %v", rep.From, rep.To, rep.Warnings)
	}
	// Overall: 40,000 + 7,000 = 47,000 posts; 12 + 1 = 13 findings.
	if rep.Overall.PostsScanned != 47000 || rep.Overall.Findings != 13 {
		t.Fatalf("overall %+v", rep.Overall)
	}
	// 13/47000 = 2.7660 per 10k, Wilson [1.6166, 4.7321].
	checkRate(t, "overall", rep.Overall.Per10k, 2.7660, 1.6166, 4.7321)

	d1, d2 := rep.Days[0], rep.Days[1]
	// Day 1: 12/40000 = 3.0000 per 10k, [1.7163, 5.2434]; distinct
	// handles: telegram tg_a…tg_e (5) + wickr w_1, w_2, w_3 (3) = 8.
	if d1.PostsScanned != 40000 || d1.Findings != 12 || d1.DistinctHandles != 8 {
		t.Fatalf("day 1 %+v", d1)
	}
	checkRate(t, "day 1", d1.Per10k, 3.0, 1.7163, 5.2434)
	// Telegram: 8 findings, 5 handles; wickr: 1 (reddit) + 4 (masto) = 5
	// findings, 3 handles.
	if want := []AppDay{{"telegram", 8, 5}, {"wickr", 5, 3}}; !reflect.DeepEqual(d1.Apps, want) {
		t.Fatalf("day 1 apps %+v, want %+v", d1.Apps, want)
	}
	// Day 2: 1/7000 = 1.4286, [0.2522, 8.0882].
	if d2.PostsScanned != 7000 || d2.Findings != 1 || d2.DistinctHandles != 1 {
		t.Fatalf("day 2 %+v", d2)
	}
	checkRate(t, "day 2", d2.Per10k, 1.4286, 0.2522, 8.0882)

	// Apps over the period, per 47,000 posts: telegram 8 → 1.7021
	// [0.8625, 3.3587]; wickr 6 → 1.2766 [0.5851, 2.7852]. Decisions:
	// dec-1 (confirm tg_a, delivered twice: counted once), dec-3 (dismiss
	// tg_b), dec-2 (confirm w_2).
	if len(rep.Apps) != 2 || rep.Apps[0].App != "telegram" || rep.Apps[1].App != "wickr" {
		t.Fatalf("apps %+v", rep.Apps)
	}
	tgm, wkr := rep.Apps[0], rep.Apps[1]
	if tgm.Findings != 8 || wkr.Findings != 6 {
		t.Fatalf("app findings telegram %d, wickr %d", tgm.Findings, wkr.Findings)
	}
	checkRate(t, "telegram", tgm.Per10k, 1.7021, 0.8625, 3.3587)
	checkRate(t, "wickr", wkr.Per10k, 1.2766, 0.5851, 2.7852)
	if !reflect.DeepEqual(tgm.Decisions, map[string]int64{"confirm": 1, "dismiss": 1}) ||
		!reflect.DeepEqual(wkr.Decisions, map[string]int64{"confirm": 1}) {
		t.Fatalf("decisions telegram %v, wickr %v", tgm.Decisions, wkr.Decisions)
	}
	if want := map[string]int64{"confirm": 2, "dismiss": 1, "escalate": 0, "clear": 0}; !reflect.DeepEqual(rep.Decisions, want) {
		t.Fatalf("decisions %v, want %v", rep.Decisions, want)
	}
	// Severities: critical 2 + 1 = 3; high 3 + 1 + 1 = 5; medium 3; low 2.
	// 3/47000 = 0.6383 [0.2171, 1.8767].
	sev := map[string]int64{}
	for _, v := range rep.Severities {
		sev[v.Severity] = v.Findings
	}
	if want := map[string]int64{"critical": 3, "high": 5, "medium": 3, "low": 2}; !reflect.DeepEqual(sev, want) {
		t.Fatalf("severities %v, want %v", sev, want)
	}
	checkRate(t, "critical", rep.Severities[0].Per10k, 0.6383, 0.2171, 1.8767)

	// Sources: masto-b 5/22000 = 2.2727 [0.9708, 5.3197]; reddit-a
	// 8/25000 = 3.2000 [1.6216, 6.3138], its day 1 8/20000 = 4.0000
	// [2.0270, 7.8918] with 6 handles (tg_a…tg_e and w_1), day 2 0/5000 =
	// 0 [0, 7.6770].
	if len(rep.Sources) != 2 || rep.Sources[0].Source != "masto-b" || rep.Sources[1].Source != "reddit-a" {
		t.Fatalf("sources %+v", rep.Sources)
	}
	mb, ra := rep.Sources[0], rep.Sources[1]
	checkRate(t, "masto-b", mb.Per10k, 2.2727, 0.9708, 5.3197)
	checkRate(t, "reddit-a", ra.Per10k, 3.2, 1.6216, 6.3138)
	checkRate(t, "reddit-a day 1", ra.Days[0].Per10k, 4.0, 2.0270, 7.8918)
	checkRate(t, "reddit-a day 2", ra.Days[1].Per10k, 0, 0, 7.6770)
	if ra.Days[0].DistinctHandles != 6 || mb.Days[0].DistinctHandles != 3 || mb.Days[1].DistinctHandles != 1 {
		t.Fatalf("per-source handles: reddit-a %d, masto-b %d/%d", ra.Days[0].DistinctHandles,
			mb.Days[0].DistinctHandles, mb.Days[1].DistinctHandles)
	}
	// masto-b day 2: 1/2000 = 5.0000 [0.8827, 28.2686].
	checkRate(t, "masto-b day 2", mb.Days[1].Per10k, 5.0, 0.8827, 28.2686)
}

func TestSourceFilter(t *testing.T) {
	s := newStats(t, state.NewMemory())
	theFixture().observe(t, s)
	rep, err := s.ReportQuery(ctx, Query{From: day1, To: day2, Source: "masto-b"})
	if err != nil {
		t.Fatal(err)
	}
	// 5/22000 = 2.2727 [0.9708, 5.3197]; only wickr; no decisions per app.
	checkRate(t, "masto-b", rep.Overall.Per10k, 2.2727, 0.9708, 5.3197)
	if len(rep.Apps) != 1 || rep.Apps[0].App != "wickr" || rep.Apps[0].Findings != 5 || rep.Apps[0].Decisions != nil {
		t.Fatalf("apps %+v", rep.Apps)
	}
	sev := map[string]int64{}
	for _, v := range rep.Severities {
		sev[v.Severity] = v.Findings
	}
	if want := map[string]int64{"critical": 1, "high": 2, "medium": 0, "low": 2}; !reflect.DeepEqual(sev, want) {
		t.Fatalf("severities %v", sev)
	}
}

func TestReplayTwiceChangesNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		s := newStats(t, store)
		fx := theFixture()
		for i := 0; i < 2; i++ {
			res, err := Rebuild(ctx, s, fx.replay())
			if err != nil {
				t.Fatal(err)
			}
			if res.Skipped != 0 || res.Findings != 13 || res.Tallies != 5 || res.Events != 5 {
				t.Fatalf("rebuild %d read %+v", i, res)
			}
		}
		fx.observe(t, s) // and once more directly
		rep, err := s.Report(ctx, day1, day2, true)
		if err != nil {
			t.Fatal(err)
		}
		checkReport(t, rep)
	})
}

func TestHyperLogLogWithinTolerance(t *testing.T) {
	const n = 2000
	forEachStore(t, func(t *testing.T, store Store) {
		s := newStats(t, store)
		for i := 0; i < n; i++ {
			// Each handle twice: distinct counts must not double.
			for j := 0; j < 2; j++ {
				f := mkFinding("reddit-a", "reddit", i*2+j, day1, wire.SeverityHigh, handle{"telegram", fmt.Sprintf("tg_demo_%d", i)})
				if err := s.ObserveFinding(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
		}
		rep, err := s.Report(ctx, day1, day1, false)
		if err != nil {
			t.Fatal(err)
		}
		got := rep.Days[0].DistinctHandles
		// HyperLogLog's standard error is 0.81 %: allow 3 %.
		if math.Abs(float64(got-n)) > 0.03*n {
			t.Fatalf("distinct handles %d, want %d ± 3 %%", got, n)
		}
		if rep.Days[0].Findings != 2*n {
			t.Fatalf("findings %d, want %d (counters are exact)", rep.Days[0].Findings, 2*n)
		}
	})
}

func TestRetention(t *testing.T) {
	store := state.NewMemory()
	s, err := New(Config{Retention: Duration(30 * 24 * time.Hour)}, Deps{Store: store, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	old := now.AddDate(0, 0, -30) // 2026-02-01: one day past a 30-day window ending today
	if err := s.ObserveTally(ctx, wire.ScanTally{Schema: 1, ID: "old", Source: "reddit-a", Day: old.Format(time.DateOnly), Posts: 100}); err != nil {
		t.Fatal(err)
	}
	if err := s.ObserveFinding(ctx, mkFinding("reddit-a", "reddit", 1, old, wire.SeverityHigh, handle{"telegram", "tg_a"})); err != nil {
		t.Fatal(err)
	}
	inside := now.AddDate(0, 0, -29)
	if err := s.ObserveTally(ctx, wire.ScanTally{Schema: 1, ID: "new", Source: "reddit-a", Day: inside.Format(time.DateOnly), Posts: 100}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Time{old, inside} {
		n, _ := store.Count(ctx, keyPosts+"all", state.Day, d)
		want := int64(100)
		if d.Equal(old) {
			want = 0
		}
		if n != want {
			t.Errorf("posts on %s = %d, want %d", d.Format(time.DateOnly), n, want)
		}
	}
	rep, err := s.Report(ctx, now.AddDate(0, 0, -60), now, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.From != inside.Format(time.DateOnly) || len(rep.Days) != 30 || len(rep.Warnings) != 1 {
		t.Fatalf("report from %s with %d days, warnings %v", rep.From, len(rep.Days), rep.Warnings)
	}
}

// TestTallySequencesCountOnce: tallies that name their posts' stream
// sequences count every sequence once, as after a detector crashed
// between publishing a tally and acking its posts, and a recount repeated
// some of them in a tally of another id, mixed with new posts.
func TestTallySequencesCountOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		s := newStats(t, store)
		day := day1.Format(time.DateOnly)
		tally := func(id, source, stream string, seqs ...[2]uint64) wire.ScanTally {
			tl := wire.ScanTally{Schema: 1, ID: id, Source: source, Day: day, Stream: stream, Seqs: seqs}
			tl.Posts = tl.SeqCount()
			return tl
		}
		steps := []struct {
			name      string
			tally     wire.ScanTally
			all, srcA int64 // counters after it
		}{
			{"first", tally("w1-1", "a", "HW_POSTS@1", [2]uint64{1, 100}), 100, 100},
			{"its republish", tally("w1-1", "a", "HW_POSTS@1", [2]uint64{1, 100}), 100, 100},
			{"recount after a crash, with new posts", tally("w2-1", "a", "HW_POSTS@1", [2]uint64{51, 100}, [2]uint64{151, 160}), 110, 110},
			{"another source", tally("w2-2", "b", "HW_POSTS@1", [2]uint64{101, 150}), 160, 110},
			{"a recreated stream's sequences are new", tally("w3-1", "a", "HW_POSTS@2", [2]uint64{1, 5}), 165, 115},
			{"an old detector's tally counts by id", wire.ScanTally{Schema: 1, ID: "old-1", Source: "a", Day: day, Posts: 7}, 172, 122},
			{"and once", wire.ScanTally{Schema: 1, ID: "old-1", Source: "a", Day: day, Posts: 7}, 172, 122},
		}
		for _, st := range steps {
			if err := s.ObserveTally(ctx, st.tally); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			all, _ := store.Count(ctx, keyPosts+"all", state.Day, day1)
			srcA, _ := store.Count(ctx, keyPosts+scopeSrc("a"), state.Day, day1)
			if all != st.all || srcA != st.srcA {
				t.Fatalf("after %s: posts %d, source a %d; want %d, %d", st.name, all, srcA, st.all, st.srcA)
			}
		}
		if got, _ := store.SetMembers(ctx, setSources); !reflect.DeepEqual(got, []string{"a", "b"}) {
			t.Fatalf("sources %v", got)
		}
	})
}

func TestInvalidMessages(t *testing.T) {
	s := newStats(t, state.NewMemory())
	bad := []error{
		s.ObserveTally(ctx, wire.ScanTally{Schema: 1, ID: "x", Source: "a", Day: "yesterday", Posts: 1}),
		s.ObserveTally(ctx, wire.ScanTally{Schema: 1, ID: "y", Source: "a", Day: "2026-03-01", Posts: -1}),
		s.ObserveTally(ctx, wire.ScanTally{Schema: 1, ID: "s1", Source: "a", Day: "2026-03-01", Posts: 3,
			Stream: "HW_POSTS@1", Seqs: [][2]uint64{{1, 2}}}), // 2 sequences for 3 posts
		s.ObserveTally(ctx, wire.ScanTally{Schema: 1, ID: "s2", Source: "a", Day: "2026-03-01", Posts: 0,
			Stream: "HW_POSTS@1", Seqs: [][2]uint64{{5, 4}}}), // reversed
		s.ObserveTally(ctx, wire.ScanTally{Schema: 1, ID: "s3", Source: "a", Day: "2026-03-01", Posts: 2,
			Seqs: [][2]uint64{{1, 2}}}), // no stream
		s.ObserveFinding(ctx, wire.Finding{Schema: 1, ID: "z"}),
		s.ObserveEvent(ctx, wire.CaseEvent{Schema: 1, ID: "e", Type: wire.EventDecision, Decision: "maybe", CaseID: "c", Actor: "a"}),
	}
	for i, err := range bad {
		if err == nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("message %d: %v, want ErrInvalid", i, err)
		}
	}
	fx := theFixture()
	res, err := Rebuild(ctx, s, fx.replay(bus.Msg{MsgID: "junk", Data: []byte("{not json")}))
	if err != nil || res.Skipped != 1 {
		t.Fatalf("rebuild with a malformed finding: %+v, %v", res, err)
	}
}

func TestConfig(t *testing.T) {
	for _, tc := range []struct {
		retention time.Duration
		want      string
	}{{0, ""}, {24 * time.Hour, ""}, {400 * 24 * time.Hour, ""}, {time.Hour, "sink.research.retention"}, {401 * 24 * time.Hour, "sink.research.retention"}} {
		err := Config{Retention: Duration(tc.retention)}.WithDefaults().Validate()
		if (err == nil) != (tc.want == "") {
			t.Errorf("retention %s: %v", tc.retention, err)
		}
	}
	if d, err := duration.Parse("365d"); err != nil || d != 365*24*time.Hour {
		t.Fatalf("365d = %v, %v", d, err)
	}
}
