package gen

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/handlewatch/handlewatch/detector/handles"
	"github.com/handlewatch/handlewatch/detector/internal/contentrule"
	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// full is the size the trainer uses; every test that needs the whole set
// shares one generation.
const full = 50000

// minLangs is the number of languages the generator must write.
const minLangs = 8

var fullSet = func() func() []Example {
	var once []Example
	return func() []Example {
		if once == nil {
			once = Generate(1, full)
		}
		return once
	}
}()

func TestAppsMatchWire(t *testing.T) {
	if !slices.Equal(apps, wire.Apps) {
		t.Fatalf("gen apps %v differ from wire.Apps %v", apps, wire.Apps)
	}
}

func TestDeterministic(t *testing.T) {
	a, b := Generate(7, 3000), Generate(7, 3000)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave different examples")
	}
	c := Generate(8, 3000)
	same := 0
	for i := range a {
		if a[i].Text == c[i].Text {
			same++
		}
	}
	if same > len(a)/20 {
		t.Errorf("seeds 7 and 8 share %d of %d texts", same, len(a))
	}
	// A prefix of a longer run is not required, but n must be honoured.
	if got := len(Generate(7, 17)); got != 17 {
		t.Errorf("Generate(7, 17) returned %d examples", got)
	}
	if Generate(7, 0) != nil {
		t.Error("Generate(7, 0) is not empty")
	}
}

func TestFiftyThousandQuickly(t *testing.T) {
	// CPU time, not wall time: the test machine is shared, and a loaded
	// machine must not fail a generator that is fast.
	cpu0, start := cpuTime(t), time.Now()
	ex := Generate(3, full)
	cpu, took := cpuTime(t)-cpu0, time.Since(start)
	t.Logf("%d examples in %v of CPU (%v wall)", len(ex), cpu, took)
	if len(ex) != full {
		t.Fatalf("got %d examples, want %d", len(ex), full)
	}
	if limit := 5 * time.Second * raceSlowdown; cpu > limit {
		t.Errorf("generation took %v of CPU, want under %v", cpu, limit)
	}
	ids := map[string]bool{}
	for _, e := range ex {
		if ids[e.ID] {
			t.Fatalf("duplicate id %s", e.ID)
		}
		ids[e.ID] = true
	}
}

// cpuTime is the process's user and system time so far.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCoverageAndBalance(t *testing.T) {
	ex := fullSet()
	byFam := map[string]int{}
	famLangs := map[string]map[string]bool{}
	pos, negFam := 0, 0
	texts := map[string]bool{}
	for _, e := range ex {
		byFam[e.Family]++
		if famLangs[e.Family] == nil {
			famLangs[e.Family] = map[string]bool{}
		}
		famLangs[e.Family][e.Lang] = true
		texts[e.Text] = true
		switch e.Label {
		case LabelSolicitation:
			pos++
			if !strings.HasPrefix(e.Family, "pos.") {
				t.Errorf("%s: solicitation from family %s", e.ID, e.Family)
			}
		case LabelBenign:
			if !strings.HasPrefix(e.Family, "neg.") {
				t.Errorf("%s: benign from family %s", e.ID, e.Family)
			}
		default:
			t.Fatalf("%s: label %q", e.ID, e.Label)
		}
	}
	for _, f := range Families() {
		if byFam[f] == 0 {
			t.Errorf("family %s never appears", f)
		}
		if strings.HasPrefix(f, "neg.") {
			negFam++
		}
		if n := len(famLangs[f]); n < len(Langs()) {
			t.Errorf("family %s appears in %d languages, want %d", f, n, len(Langs()))
		}
	}
	share := float64(pos) / float64(len(ex))
	t.Logf("%d families (%d negative), %d languages, solicitation share %.3f, %d distinct texts of %d",
		len(Families()), negFam, len(Langs()), share, len(texts), len(ex))
	if share < 0.38 || share > 0.42 {
		t.Errorf("solicitation share %.3f, want 0.40±0.02", share)
	}
	if negFam*2 < len(Families()) {
		t.Errorf("%d negative families of %d, want at least half", negFam, len(Families()))
	}
	if len(texts) < len(ex)*95/100 {
		t.Errorf("only %d distinct texts of %d", len(texts), len(ex))
	}
	if len(Langs()) < minLangs {
		t.Errorf("languages %v, want at least %d", Langs(), minLangs)
	}
}

var (
	matrixServer = regexp.MustCompile(`:(example\.org|example\.net|matrix\.example\.com|chat\.example\.org)$`)
)

func TestContentRule(t *testing.T) {
	for _, e := range fullSet() {
		if n := utf8.RuneCountInString(e.Text); n > maxText {
			t.Errorf("%s: %d characters", e.ID, n)
		}
		if !utf8.ValidString(e.Text) || e.Text == "" {
			t.Errorf("%s: empty or invalid text", e.ID)
		}
		if e.Handles == nil || e.Tags == nil {
			t.Errorf("%s: nil handles or tags", e.ID)
		}
		for _, h := range e.Handles {
			re, ok := canonShapes[h.App]
			if !ok {
				t.Fatalf("%s: unknown app %q", e.ID, h.App)
			}
			if !re.MatchString(h.Handle) {
				t.Errorf("%s: %s handle %q is not canonical", e.ID, h.App, h.Handle)
			}
			if !handles.Valid(h.App, h.Handle) {
				t.Errorf("%s: detector/handles does not take %s %q as canonical", e.ID, h.App, h.Handle)
			}
			switch {
			case contentrule.IsPhone(h.Handle):
				if !contentrule.FictionalPhone(h.Handle) {
					t.Errorf("%s: phone %s outside the fiction ranges", e.ID, h.Handle)
				}
			case h.App == "matrix":
				if !matrixServer.MatchString(h.Handle) {
					t.Errorf("%s: matrix server of %s", e.ID, h.Handle)
				}
			case h.App == "tox":
				if !contentrule.ValidTox(h.Handle) {
					t.Errorf("%s: tox checksum of %s", e.ID, h.Handle)
				}
			}
			if !contentrule.IDLike(h.App, h.Handle) && !contentrule.Placeholder(h.Handle) {
				t.Errorf("%s: handle %q is not a placeholder", e.ID, h.Handle)
			}
		}
		if e.Label == LabelSolicitation && len(e.Text) > maxPosText {
			t.Errorf("%s: solicitation example of %d bytes is not short", e.ID, len(e.Text))
		}
	}
}

// unfold undoes the generator's own disguises: compatibility forms
// (fullwidth, mathematical, circled letters), invisible characters,
// homoglyphs, small capitals and regional indicators, and case.
func unfold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, c := range s {
		if slices.Contains(zeroWidth, c) {
			continue
		}
		if a, ok := unfoldMap[c]; ok {
			c = a
		}
		if c >= 0x1F1E6 && c <= 0x1F1FF {
			c = 'a' + c - 0x1F1E6
		}
		b.WriteRune(c)
	}
	return strings.ToLower(b.String())
}

func digitsOf(s string) string {
	s = strings.ReplaceAll(norm.NFKC.String(s), "(0)", "")
	var b strings.Builder
	for _, c := range s {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func recoverable(h Handle, text string) bool {
	if contentrule.IsPhone(h.Handle) {
		return strings.Contains(digitsOf(text), h.Handle[1:])
	}
	h.Handle = strings.TrimPrefix(h.Handle, "+") // a Telegram invite: t.me/+H or t.me/joinchat/H
	plain := norm.NFKC.String(text)
	for _, z := range zeroWidth {
		plain = strings.ReplaceAll(plain, string(z), "")
	}
	if strings.Contains(plain, h.Handle) {
		return true
	}
	u, want := unfold(text), strings.ToLower(h.Handle)
	return strings.Contains(u, want) || strings.Contains(strings.ReplaceAll(u, " ", ""), want)
}

func TestHandlesRecoverable(t *testing.T) {
	bad := 0
	for _, e := range fullSet() {
		for _, h := range e.Handles {
			if !recoverable(h, e.Text) {
				if bad++; bad <= 20 {
					t.Errorf("%s: %s %q not recoverable from %q", e.ID, h.App, h.Handle, e.Text)
				}
			}
		}
	}
}

func TestSolicitationHasContact(t *testing.T) {
	none := 0
	ex := fullSet()
	for _, e := range ex {
		if e.Label == LabelSolicitation && len(e.Handles) == 0 {
			none++
		}
	}
	if none > 0 {
		t.Errorf("%d solicitation examples without a handle", none)
	}
}

// TestExtractorRecall measures how many generated handles detector/handles
// finds. It guards the generator (a broken shape shows as a collapse) more
// than the extractor, which another branch is changing: the floor is low,
// the rates are in the log.
func TestExtractorRecall(t *testing.T) {
	x := handles.NewExtractor()
	type count struct{ found, total int }
	byApp := map[string]*count{}
	var clean, disguised count
	extra := 0
	ex := fullSet()[:20000]
	for _, e := range ex {
		got := map[Handle]bool{}
		for _, m := range x.Extract(normalize.Normalize(e.Text)) {
			got[Handle{App: m.App, Handle: m.Handle}] = true
		}
		isDisguised := false
		for _, tg := range e.Tags {
			switch tg {
			case "fullwidth", "math", "homoglyph", "zerowidth", "spaced", "punctuated", "dot-slash-words",
				"leet", "smallcaps", "circled", "regional-indicator", "misspelling", "mixed-case", "emoji", "translit":
				isDisguised = true
			}
		}
		want := map[Handle]bool{}
		for _, h := range e.Handles {
			want[h] = true
			c := byApp[h.App]
			if c == nil {
				c = &count{}
				byApp[h.App] = c
			}
			c.total++
			tc := &clean
			if isDisguised {
				tc = &disguised
			}
			tc.total++
			if got[h] {
				c.found++
				tc.found++
			}
		}
		for h := range got {
			if !want[h] {
				extra++
			}
		}
	}
	rate := func(c count) float64 { return float64(c.found) / float64(max(c.total, 1)) }
	all := count{clean.found + disguised.found, clean.total + disguised.total}
	t.Logf("extractor recall %.3f (%d/%d): clean %.3f (%d), disguised %.3f (%d); %d handles found that are not labelled",
		rate(all), all.found, all.total, rate(clean), clean.total, rate(disguised), disguised.total, extra)
	for _, a := range apps {
		if c := byApp[a]; c != nil {
			t.Logf("  %-10s %.3f of %d", a, rate(*c), c.total)
		}
	}
	if rate(clean) < 0.6 {
		t.Errorf("extractor finds %.3f of the clean handles, want at least 0.6", rate(clean))
	}
}

// specialSlots are filled by code, not by a lexicon.
var specialSlots = map[string]bool{
	"contact": true, "contactnl": true, "link": true, "twoapps": true, "app": true, "age": true, "num": true,
	"bignum": true, "adultnum": true, "year": true, "hour": true, "hour24": true, "pct": true, "order": true,
	"price": true, "emo_minor": true, "emo_goods": true, "emo": true, "nl": true,
	// Placeholders of the two-apps patterns and ages.
	"A": true, "B": true, "H": true, "N": true, "M": true, "W": true,
}

// TestEverySlotResolves reads every choice of every language: a slot that
// a rare draw would hit and no lexicon fills fails here, not in training.
func TestEverySlotResolves(t *testing.T) {
	slotRE := regexp.MustCompile(`\{([^{}]+)\}`)
	for lang, lex := range lexicons {
		for key, choices := range lex {
			for _, ch := range choices {
				for _, m := range slotRE.FindAllStringSubmatch(ch, -1) {
					name := m[1]
					if specialSlots[name] {
						continue
					}
					if len(lex[name]) == 0 && len(shared[name]) == 0 {
						t.Errorf("%s: %s uses {%s}, which %s does not fill", lang, key, name, lang)
					}
				}
			}
		}
		for key, choices := range shared {
			for _, ch := range choices {
				for _, m := range slotRE.FindAllStringSubmatch(ch, -1) {
					if name := m[1]; !specialSlots[name] && len(lex[name]) == 0 && len(shared[name]) == 0 {
						t.Errorf("%s: shared %s uses {%s}, which %s does not fill", lang, key, name, lang)
					}
				}
			}
		}
		if len(lex["price"]) == 0 || len(lex["agef"]) == 0 || len(lex["numw"]) < 20 {
			t.Errorf("%s: price, agef or numw missing", lang)
		}
	}
	for _, extra := range []map[string]lexicon{posExtra, negExtra} {
		for lang := range extra {
			if lexicons[lang] == nil {
				t.Errorf("extra templates for unregistered language %s", lang)
			}
		}
	}
}

// TestHandlesMostlyUnique guards against a broken random stream: neighbouring
// examples must not share handles.
func TestHandlesMostlyUnique(t *testing.T) {
	seen := map[Handle]int{}
	total := 0
	for _, e := range fullSet() {
		for _, h := range e.Handles {
			seen[h]++
			total++
		}
	}
	t.Logf("%d handles, %d distinct", total, len(seen))
	if len(seen) < total*80/100 {
		t.Errorf("only %d distinct handles of %d", len(seen), total)
	}
}
