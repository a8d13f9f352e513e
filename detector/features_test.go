package detector

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// shippedEngine is what the binary runs: the rule file and the model file
// of the checkout, which are the ones built in.
func shippedEngine(t testing.TB) *Engine {
	t.Helper()
	e, err := Load(filepath.Join("..", "configs", "rules.yaml"), filepath.Join("..", "configs", "model.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Model() == nil {
		t.Fatal("no model loaded")
	}
	return e
}

func TestWordShape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"young", "young"},
		{"13", "#minor"},
		{"13yo", "#minoryo"},
		{"u13", "u#minor"},
		{"19", "#adult"},
		{"2024", "#long"},
		{"0", "#n"},
		{"12y", "#minory"},
		{"a1b2", "#long"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := wordShape(tc.in); got != tc.want {
				t.Fatalf("wordShape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func vectorNames(t *testing.T, text string) []string {
	t.Helper()
	e, err := LoadEngine(filepath.Join("..", "configs", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	a := e.withVectors(16).Analyze(&wire.Post{Text: text})
	if a.vector == nil {
		t.Fatalf("%q: no vector (no handle?)", text)
	}
	return e.featurize(a.vector.in, 16, true).v.Names()
}

func TestFeaturesHideHandleText(t *testing.T) {
	names := vectorNames(t, "fresh young collection, wickr: demo_kid01")
	for _, n := range names {
		if strings.Contains(n, "demo") || strings.Contains(n, "kid01") {
			t.Errorf("feature %q leaks the handle's own letters", n)
		}
	}
	for _, want := range []string{"w:fresh", "w:young", "b:young collection", "ha:wickr", "hk:mention"} {
		if !slices.Contains(names, want) {
			t.Errorf("missing feature %q in %v", want, names)
		}
	}
}

func TestFeaturesMorphology(t *testing.T) {
	names := vectorNames(t, "Verkaufe Kinderfahrrad für 8 Jahre, Nachricht an telegram @example_rad01")
	for _, want := range []string{"cmp:kinder", "w:fahrrad", "w:#minor"} {
		if !slices.Contains(names, want) {
			t.Errorf("missing feature %q in %v", want, names)
		}
	}
	// A stem of an inflected word, whatever language the guesser picks on
	// a short post.
	names = vectorNames(t, "collections of videos, kik: demo_stem01")
	if !slices.Contains(names, "s:collect") {
		t.Errorf("no stem s:collect in %v", names)
	}
}

func TestFeaturesAgesNeedContext(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
		not  []string
	}{
		{"post 20: new stuff, kik: demo_age01", []string{"w:#num"}, []string{"w:#adult"}},
		{"13 yo pics, kik: demo_age02", []string{"w:#minor", "b:#minor yo"}, nil},
		{"age 12, kik: demo_age03", []string{"w:#minor"}, nil},
		{"12-14 only, kik: demo_age04", []string{"w:#minor"}, []string{"w:#num"}},
		{"2 for 10 euros, kik: demo_age05", []string{"w:#num"}, []string{"w:#minor"}},
	} {
		t.Run(tc.text, func(t *testing.T) {
			names := vectorNames(t, tc.text)
			for _, w := range tc.want {
				if !slices.Contains(names, w) {
					t.Errorf("missing %q in %v", w, names)
				}
			}
			for _, w := range tc.not {
				if slices.Contains(names, w) {
					t.Errorf("unexpected %q in %v", w, names)
				}
			}
		})
	}
}

func TestFeaturesEmojiIgnoreSkinTone(t *testing.T) {
	a := vectorNames(t, "👧🏻 menu, tg @sample_emo01")
	b := vectorNames(t, "👧🏿 menu, tg @sample_emo02")
	if !slices.Contains(a, "e:👧") || !slices.Contains(b, "e:👧") {
		t.Fatalf("skin tones not folded: %v / %v", a, b)
	}
}

// TestShippedModelDecides pins the behaviours a moderator relies on: an ad
// is a finding explained in words, and the hard negatives the issue names
// are not.
func TestShippedModelDecides(t *testing.T) {
	e := shippedEngine(t)
	for _, tc := range []struct {
		name, text string
		finding    bool
	}{
		{"coded ad", "trading young collection, wickr: placeholder_01", true},
		{"coded ad under a numbered title", "post 20\ntrading young collection, wickr: placeholder_02", true},
		{"age menu", "13yo packs for trade, add me on kik example.age01", true},
		{"arrest news quoting codes and a handle", "Police said the man, 41, was arrested after " +
			"investigators found he had advertised a \"young collection\" and \"pthc\" folders to buyers. " +
			"According to court documents he used the Wickr account placeholder_news01. He was charged on Tuesday.", false},
		{"kids bike sale", "Selling our kids bike for 8 to 10 year olds, barely used, 40 euros. WhatsApp +44 7700 900123", false},
		{"control panel licence", "CP licence for sale, cPanel hosting control panel, 12 months. Telegram @demo_hosting01", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := e.Detect(&wire.Post{Source: "t", ID: tc.name, Text: tc.text})
			if (f != nil) != tc.finding {
				a := e.Analyze(&wire.Post{Text: tc.text})
				t.Fatalf("finding = %v, want %v (score %.3f: %s)", f != nil, tc.finding, a.Score, a.Reason)
			}
			if f == nil {
				return
			}
			if f.Model != e.Model().Version || len(f.Evidence) == 0 {
				t.Fatalf("finding not explained by the model: model %q evidence %v", f.Model, f.Evidence)
			}
			for _, ev := range f.Evidence {
				if ev.Text == "" || ev.Weight <= 0 {
					t.Errorf("bad evidence %+v", ev)
				}
			}
		})
	}
}

func TestBuiltInDefaults(t *testing.T) {
	e, err := Load("", "")
	if err != nil {
		t.Fatal(err)
	}
	s := shippedEngine(t)
	if e.Version() != s.Version() {
		t.Fatalf("built-in %s, checkout %s: rebuild after training", e.Version(), s.Version())
	}
	r, err := Load("", NoModel)
	if err != nil {
		t.Fatal(err)
	}
	if r.Model() != nil || r.Version() != r.RulesVersion() {
		t.Fatalf("none still loads a model: %s", r.Version())
	}
	if _, err := Load("", "testdata/no-such-model.json.gz"); err == nil {
		t.Fatal("missing model file accepted")
	}
}

// TestNoCandidateNoScorer: a post without a handle candidate never reaches
// the scorer, whatever its words, so the firehose pays nothing for it.
func TestNoCandidateNoScorer(t *testing.T) {
	e := shippedEngine(t)
	for _, text := range []string{
		"trading young collection, dm me",
		"selling kids bikes, 8 to 10 years, pm for price",
		"",
	} {
		a := e.Analyze(&wire.Post{Text: text})
		if a.vector != nil || a.Finding || a.Score != a.RuleScore {
			t.Errorf("%q reached the scorer: vector %v finding %v score %v", text, a.vector != nil, a.Finding, a.Score)
		}
	}
}

func TestAgeWordTokens(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // the tokens after ageContext, in order
	}{
		{"spanish range in words", "once a trece años", []string{"#minor", "a", "#minor", "anos"}},
		{"german range in words", "elf bis dreizehn", []string{"#minor", "bis", "#minor"}},
		{"turkish teen", "on bir yas", []string{"#minor", "yas"}},
		{"indonesian teen", "dua belas tahun", []string{"#minor", "tahun"}},
		{"a number word alone stays a word", "once upon a time", []string{"once", "upon", "a", "time"}},
		{"a french date is no age", "le 12 sept", []string{"le", "#num", "sept"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var toks []token
			for _, w := range strings.Fields(normalize.Normalize(tt.text).Norm) {
				toks = append(toks, token{s: wordShape(w)})
			}
			toks = ageWordTokens(toks)
			ageContext(toks)
			var got []string
			for _, tk := range toks {
				got = append(got, tk.s)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("tokens of %q = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestLongPostsScoredByWindow: a long post's score is the best of its own
// and its windows' scores, and a short post has no windows.
func TestLongPostsScoredByWindow(t *testing.T) {
	e, err := Load(filepath.Join("..", "configs", "rules.yaml"), filepath.Join("..", "configs", "model.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	long := "Selling my old road bike, 54 cm frame, new tyres, serviced last month, 180 quid, collection only from " +
		"the north side, no time wasters please, cash or bank transfer. Also for the ones who asked before: the " +
		"little ones folders are still here, 9 to 12, kik placeholder_bike55"
	tests := []struct {
		name, text string
		windows    int
	}{
		{"short post", "kik placeholder_short1 trading folders", 0},
		{"long post", long, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.Analyze(&wire.Post{ID: "w", Text: tt.text})
			if a.vector == nil {
				t.Fatalf("%q: no vector", tt.text)
			}
			full := e.features(a.vector.in, e.model.Bits)
			ws := e.windows(full)
			if len(ws) != tt.windows {
				t.Fatalf("%d windows, want %d (%d tokens)", len(ws), tt.windows, full.ntoks)
			}
			want := e.model.Prob(full.v)
			for _, w := range ws {
				want = max(want, e.model.Prob(w.v))
			}
			if a.Score != round4(want) {
				t.Errorf("score %.4f, want the best of the post and its windows %.4f", a.Score, round4(want))
			}
		})
	}
}

// TestContactOnlyIsNoFinding: a post of nothing but a contact and the
// words that say how to reach it is no finding, whatever the app and its
// score; a word, an age or an emoji beside the contact leaves the decision
// to the scorer.
func TestContactOnlyIsNoFinding(t *testing.T) {
	e := shippedEngine(t)
	const reason = "nothing but a contact"
	tests := []struct {
		name, text string
		guarded    bool
	}{
		{"label and name", "kik: placeholder_co1", true},
		{"an ID alone", "Threema: PLC4HLD9", true},
		{"a label in another language", "mi snap: placeholder.co2", true},
		{"possessive and copula", "my kik is placeholder_co3", true},
		{"two apps", "tg / wickr: placeholder_co4", true},
		{"a link alone", "t.me/placeholder_co5", true},
		{"an emoji beside it", "🍕 kik: placeholder_co6", false},
		{"a code word beside it", "cp kik: placeholder_co7", false},
		{"an age beside it", "kik: placeholder_co8 12yo", false},
		{"a greeting beside it", "hello from vienna, threema: PLC4HLD8", false},
		{"a disguised contact is a sign", "Ｔｅｌｅｇｒａｍ：＠ｐｌａｃｅｈｏｌｄｅｒ＿ｃｏ９", false},
		{"words between the app word and the handle count", "dm on discord for the folders: placeholder_co10", false},
		{"a handle spelled out is disguised", "telegram: placeholder underscore co11", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.Analyze(&wire.Post{ID: "c", Text: tt.text})
			if a == nil || len(a.Handles) == 0 {
				t.Fatalf("%q: no handle; pick another case", tt.text)
			}
			got := strings.HasPrefix(a.Reason, reason)
			if got != tt.guarded {
				t.Errorf("%q: reason %q, want guarded %v", tt.text, a.Reason, tt.guarded)
			}
			if got && a.Finding {
				t.Errorf("%q: a finding for a contact alone", tt.text)
			}
		})
	}
}
