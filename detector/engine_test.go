package detector

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/detector/handles"
	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// stubExtractor finds "wickr: x", "kik: x" and "telegram: x" only, so the
// scoring tests do not depend on the real extractor's coverage.
type stubExtractor struct{}

var stubRE = regexp.MustCompile(`\b(wickr|kik|telegram) ?: ?([a-z0-9_.]{3,32})`)

func (stubExtractor) Extract(t *normalize.Text) []handles.Match {
	var out []handles.Match
	for _, m := range stubRE.FindAllStringSubmatchIndex(t.Norm, -1) {
		s, e := t.OrigSpan(m[0], m[1])
		hs, he := t.OrigSpan(m[4], m[5])
		out = append(out, handles.Match{App: t.Norm[m[2]:m[3]], Handle: strings.Clone(t.Norm[m[4]:m[5]]),
			Raw: t.Orig[hs:he], Kind: wire.HandleMention, Start: s, End: e, HandleStart: hs, HandleEnd: he})
	}
	return out
}

var testClock = func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }

// smallEngine is the engine of testdata/rules_small.yaml with the stub
// extractor.
func smallEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := LoadEngine("testdata/rules_small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e.x = stubExtractor{}
	return e.withClock(testClock)
}

func post(text string) *wire.Post {
	return &wire.Post{Schema: 1, Source: "test", SourceKind: "file", ID: "p1", Text: text,
		Permalink: "https://example.org/p1", CreatedAt: testClock(), FetchedAt: testClock()}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-3 }

func TestScoring(t *testing.T) {
	e := smallEngine(t)
	filler := strings.Repeat("lorem ipsum ", 12) // 144 bytes: beyond scoring.far
	cases := []struct {
		name     string
		text     string
		finding  bool
		score    float64
		severity wire.Severity
		mode     wire.Mode
		reason   string // substring of Analysis.Reason
	}{
		{"offer and age near a handle", "sell 13yo, wickr: placeholder_01", true, 0.82, wire.SeverityHigh, wire.ModeAct, "score"},
		// Without a handle every signal counts far_factor: 1-(1-0.2)(1-0.35).
		{"no handle, no finding", "sell 13yo and more", false, 0.48, wire.SeverityLow, wire.ModeAct, "no handle"},
		// A far signal counts far_factor of its weight: 1-(1-0.4)(1-0.35).
		{"age far from the handle", "sell wickr: placeholder_01\n" + filler + "\n13yo", true, 0.61, wire.SeverityMedium, wire.ModeAct, "score"},
		// On the same line within far the weight is full.
		{"same line within far", "13yo " + strings.Repeat("x", 40) + " sell wickr: placeholder_01", true, 0.82, wire.SeverityHigh, wire.ModeAct, ""},
		{"offer alone misses the gate", "sell, wickr: placeholder_01", false, 0.4, wire.SeverityLow, wire.ModeAlert, "gate"},
		{"age alone misses the gate", "13yo wickr: placeholder_01", false, 0.7, wire.SeverityMedium, wire.ModeAct, "gate"},
		{"negative context multiplies", "reported: sell 13yo wickr: placeholder_01", false, 0.41, wire.SeverityLow, wire.ModeAct, "below"},
		{"adult marker suppressed by an age", "18+ sell 13yo wickr: placeholder_01", true, 0.82, wire.SeverityHigh, wire.ModeAct, ""},
		{"adult marker applies without an age", "18+ sell pthc wickr: placeholder_01", false, 0.3760, wire.SeverityLow, wire.ModeAct, "below"},
		{"coded term alone passes the gate", "pthc wickr: placeholder_01", true, 0.9, wire.SeverityHigh, wire.ModeAct, ""},
		{"ambiguous alone does not count", "cp wickr: placeholder_01", false, 0, wire.SeverityLow, wire.ModeShadow, "no solicitation"},
		{"ambiguous with another category", "cp trade wickr: placeholder_01", true, 0.76, wire.SeverityMedium, wire.ModeAlert, "score"},
		// "young" needs an offer and has none, but it is a minor word beside "cp".
		{"ambiguous words corroborate across categories", "young cp wickr: placeholder_01", true, 0.6, wire.SeverityMedium, wire.ModeAlert, "score"},
		{"needs: young beside an offer", "young trade, wickr: placeholder_01", true, 0.7, wire.SeverityHigh, wire.ModeAlert, "combo.minor_offer"},
		{"needs: young far from the offer", "young " + strings.Repeat("y", 30) + " trade, wickr: placeholder_01", false, 0.4, wire.SeverityLow, wire.ModeAlert, "gate"},
		{"except phrase", "young players trade, wickr: placeholder_01", false, 0.4, wire.SeverityLow, wire.ModeAlert, "gate"},
		// A near-scoped negative counts fully beside the signals, far_factor far away.
		{"near negative beside the signals", "pizza sell 13yo wickr: placeholder_01", false, 0.164, wire.SeverityLow, wire.ModeAct, "below"},
		{"near negative far away", "sell 13yo wickr: placeholder_01\n" + filler + "\npizza", false, 0.492, wire.SeverityLow, wire.ModeAct, "below"},
		// The regex only runs around "age" and is the signal's span.
		{"regex verifies the window", "age: 12, sell wickr: placeholder_01", true, 0.82, wire.SeverityHigh, wire.ModeAct, ""},
		{"regex refuses an adult age", "age: 25, sell wickr: placeholder_01", false, 0.4, wire.SeverityLow, wire.ModeAlert, "gate"},
		{"combo raises to critical", "sell 13yo cp wickr: placeholder_01", true, 0.928, wire.SeverityCritical, wire.ModeAct, "combo.all"},
		{"obfuscation is evasion", "ｓｅｌｌ 13yo wickr: placeholder_01", true, 0.856, wire.SeverityHigh, wire.ModeAct, ""},
		{"leet app name is evasion", "sell 13yo w1ckr: placeholder_01", true, 0.856, wire.SeverityHigh, wire.ModeAct, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := e.Analyze(post(tc.text))
			if a.Finding != tc.finding || !near(a.Score, tc.score) || a.Severity != tc.severity || a.Mode != tc.mode ||
				!strings.Contains(a.Reason, tc.reason) {
				t.Fatalf("got finding=%v score=%.4f severity=%s mode=%s reason=%q\nwant finding=%v score=%.4f severity=%s mode=%s reason~%q\nsignals: %+v",
					a.Finding, a.Score, a.Severity, a.Mode, a.Reason, tc.finding, tc.score, tc.severity, tc.mode, tc.reason, a.Signals)
			}
			f := e.Detect(post(tc.text))
			if (f != nil) != tc.finding {
				t.Fatalf("Detect = %v, Analyze.Finding = %v", f != nil, tc.finding)
			}
			if f != nil {
				if err := f.Validate(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestSignalsExplainTheScore(t *testing.T) {
	e := smallEngine(t)
	text := "sell sell 13yo, dm wickr: placeholder_01 reported"
	f := e.Detect(post(text))
	if f != nil {
		t.Fatalf("negative context should keep this below the threshold, got %+v", f)
	}
	a := e.Analyze(post(text))
	want := map[string]float64{"offer.sell": 0.4, "minor.age": 0.7, "contact.dm": 0.1, "neg.news": -0.5}
	got := map[string]int{}
	for _, s := range a.Signals {
		got[s.Rule]++
		if w, ok := want[s.Rule]; !ok || !near(w, s.Weight) {
			t.Errorf("signal %+v: want weight %v", s, want[s.Rule])
		}
		if text[s.Span.Start:s.Span.End] == "" {
			t.Errorf("signal %s has an empty span", s.Rule)
		}
	}
	if got["offer.sell"] != 2 || len(got) != 4 {
		t.Errorf("signals by rule = %v, want both \"sell\" and one of each other rule", got)
	}
	// noisy-or of 0.4, 0.7, 0.1, times (1-0.5)
	if wantScore := (1 - 0.6*0.3*0.9) * 0.5; !near(a.Score, wantScore) {
		t.Errorf("score = %v, want %v", a.Score, wantScore)
	}
}

func TestModeIsTheHighestCountedRuleCappedByTheFile(t *testing.T) {
	e := smallEngine(t)
	if a := e.Analyze(post("cp trade wickr: placeholder_01")); a.Mode != wire.ModeAlert {
		t.Fatalf("mode = %s, want alert (offer and cp are alert)", a.Mode)
	}
	capped := *e.rules
	capped.ModeCap = wire.ModeShadow
	ce, err := NewEngine(&capped)
	if err != nil {
		t.Fatal(err)
	}
	ce.x = stubExtractor{}
	if a := ce.Analyze(post("sell 13yo wickr: placeholder_01")); !a.Finding || a.Mode != wire.ModeShadow {
		t.Fatalf("finding=%v mode=%s, want a shadow finding under mode_cap shadow", a.Finding, a.Mode)
	}
}

func TestWatchlists(t *testing.T) {
	base := smallEngine(t)
	wl := StaticWatchlist{
		KnownSet:   map[string]bool{"kik:known_one": true, "kik:both_lists": true},
		ClearedSet: map[string]bool{"wickr:cleared_one": true, "kik:both_lists": true},
		ImportedSet: map[string]bool{"kik:shared_one": true, "kik:known_one": true, "wickr:cleared_one": true,
			"kik:shared_two": true},
	}
	e := base.WithWatchlist(wl)
	cases := []struct {
		name     string
		text     string
		finding  bool
		severity wire.Severity
		mode     wire.Mode
		watch    map[string]wire.Watch
	}{
		{"known handle with no language", "hi there kik: known_one", true, wire.SeverityHigh, wire.ModeAlert,
			map[string]wire.Watch{"known_one": wire.WatchKnown}},
		{"known handle keeps a stronger verdict", "sell 13yo cp kik: known_one", true, wire.SeverityCritical, wire.ModeAct,
			map[string]wire.Watch{"known_one": wire.WatchKnown}},
		{"cleared handle alone: dropped", "sell 13yo wickr: cleared_one", false, "", "", nil},
		{"cleared beside another handle: shadow", "sell 13yo wickr: cleared_one kik: other_one", true, wire.SeverityHigh, wire.ModeShadow,
			map[string]wire.Watch{"cleared_one": wire.WatchCleared, "other_one": wire.WatchNone}},
		{"cleared wins over known", "hello kik: both_lists", false, "", "", nil},
		// A partner's handle alone is recorded, in shadow mode only: it
		// never alerts or acts by itself.
		{"imported handle with no language: shadow", "hi there kik: shared_one", true, wire.SeverityLow, wire.ModeShadow,
			map[string]wire.Watch{"shared_one": wire.WatchImported}},
		{"imported handle does not weaken a real finding", "sell 13yo cp kik: shared_two", true, wire.SeverityCritical, wire.ModeAct,
			map[string]wire.Watch{"shared_two": wire.WatchImported}},
		{"known wins over imported", "hi there kik: known_one", true, wire.SeverityHigh, wire.ModeAlert,
			map[string]wire.Watch{"known_one": wire.WatchKnown}},
		{"cleared wins over imported", "hi there wickr: cleared_one", false, "", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := e.Detect(post(tc.text))
			if (f != nil) != tc.finding {
				t.Fatalf("finding = %v, want %v (%s)", f != nil, tc.finding, e.Analyze(post(tc.text)).Reason)
			}
			if f == nil {
				return
			}
			if err := f.Validate(); err != nil {
				t.Fatal(err)
			}
			if f.Severity != tc.severity || f.Mode != tc.mode {
				t.Fatalf("severity=%s mode=%s, want %s %s", f.Severity, f.Mode, tc.severity, tc.mode)
			}
			for _, h := range f.Handles {
				if h.Watch != tc.watch[h.Handle] {
					t.Errorf("handle %s watch=%q, want %q", h.Handle, h.Watch, tc.watch[h.Handle])
				}
			}
		})
	}
	if f := base.Detect(post("hi there kik: known_one")); f != nil {
		t.Fatalf("without a watchlist a bare handle is no finding: %+v", f)
	}
}

func TestFindingFields(t *testing.T) {
	e := smallEngine(t)
	p := post("sell 13yo, wickr: placeholder_01")
	p.Author = "someone"
	f := e.Detect(p)
	if f == nil {
		t.Fatal("no finding")
	}
	if f.ID != wire.FindingID("test", "p1", "test-1") || f.RulesVersion != "test-1" || f.Schema != wire.SchemaVersion {
		t.Fatalf("id %s version %s schema %d", f.ID, f.RulesVersion, f.Schema)
	}
	if f.Post != p.Ref() || !f.DetectedAt.Equal(testClock()) {
		t.Fatalf("post ref %+v detected %v", f.Post, f.DetectedAt)
	}
	if len(f.Handles) != 1 || f.Handles[0].App != "wickr" || f.Handles[0].Handle != "placeholder_01" {
		t.Fatalf("handles %+v", f.Handles)
	}
	h := f.Handles[0]
	if got := f.Excerpt.Text[h.Span.Start:h.Span.End]; !strings.Contains(got, "placeholder_01") {
		t.Fatalf("handle span marks %q", got)
	}
	for _, s := range f.Signals {
		if got := f.Excerpt.Text[s.Span.Start:s.Span.End]; got != "sell" && got != "13yo" {
			t.Errorf("signal %s marks %q", s.Rule, got)
		}
	}
	// Same post, same rules: same id (JetStream drops the repeat).
	if g := e.Detect(p); g.ID != f.ID {
		t.Fatalf("finding id not deterministic: %s vs %s", g.ID, f.ID)
	}
}

func TestLinksAreScannedToo(t *testing.T) {
	e := smallEngine(t)
	p := post("sell 13yo, details in the link")
	p.Links = []string{"wickr: placeholder_01"} // stand-in for a structured link field
	f := e.Detect(p)
	if f == nil || len(f.Handles) != 1 {
		t.Fatalf("a handle in the links field should count: %+v", f)
	}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidUTF8DoesNotBreakSpans(t *testing.T) {
	e := smallEngine(t)
	f := e.Detect(post("sell \xff\xfe 13yo, wickr: placeholder_01 \xc3"))
	if f == nil {
		t.Fatal("no finding")
	}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestEngineIsSafeForConcurrentUse(t *testing.T) {
	e := smallEngine(t)
	texts := []string{"sell 13yo, wickr: placeholder_01", "nothing here", "pthc kik: abc_def", "cp trade telegram: tg_demo_77"}
	want := make([]*wire.Finding, len(texts))
	for i, s := range texts {
		want[i] = e.Detect(post(s))
	}
	// Without a finding and a clean post among them the comparison below
	// could not tell a racing engine from a working one.
	if want[0] == nil || want[1] != nil {
		t.Fatalf("sequential Detect: finding %v for %q, %v for %q; want one and none", want[0] != nil, texts[0], want[1] != nil, texts[1])
	}
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			ok := true
			for n := 0; n < 200; n++ {
				i := n % len(texts)
				f := e.Detect(post(texts[i]))
				if (f == nil) != (want[i] == nil) || f != nil && (f.Score != want[i].Score || f.Excerpt.Text != want[i].Excerpt.Text) {
					ok = false
				}
			}
			done <- ok
		}()
	}
	for g := 0; g < 4; g++ {
		if !<-done {
			t.Fatal("concurrent Detect disagreed with sequential Detect")
		}
	}
}

func TestRegexSignalSpan(t *testing.T) {
	e := smallEngine(t)
	text := "ok, age: 12 and age 30, sell wickr: placeholder_01"
	a := e.Analyze(post(text))
	var claims []string
	for _, s := range a.Signals {
		if s.Rule == "minor.claim" {
			claims = append(claims, text[s.Span.Start:s.Span.End])
		}
	}
	if len(claims) != 1 || claims[0] != "age: 12" {
		t.Fatalf("minor.claim marks %q, want only \"age: 12\"", claims)
	}
}
