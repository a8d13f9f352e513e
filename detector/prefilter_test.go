package detector

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/detector/gen"
	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/benchcorpus"
	"github.com/handlewatch/handlewatch/internal/dump"
)

// candidates is what the full path finds in text before scoring: the
// extractor's matches, else the bare mentions (Engine.analyze).
func candidates(e *Engine, text string) int {
	t := normalize.Normalize(text)
	if m := e.x.Extract(t); len(m) > 0 {
		return len(m)
	}
	return len(bareMentions(t))
}

// textLine is the simple line the prefilter may skip.
func textLine(id, text string) string {
	b, _ := json.Marshal(map[string]any{"id": id, "text": text, "created_utc": 1764300000, "lang": "en"})
	return string(b)
}

// soundness runs every text through the prefilter, as a line and in
// variants (upper case, escaped slashes, non-ASCII escaped by encoding),
// and fails on a skipped one that has a candidate. It returns how many
// texts had a candidate and how many were skipped.
type soundness struct {
	t                        *testing.T
	e                        *Engine
	pf                       *prefilter
	sc                       pfScratch
	texts, withCand, skipped int
	quiet                    bool // blind sets: count, never print a text
}

func (s *soundness) check(id, text string) {
	s.t.Helper()
	if !utf8.ValidString(text) {
		return
	}
	n := candidates(s.e, text)
	s.texts++
	if n > 0 {
		s.withCand++
	}
	variants := []string{textLine(id, text), textLine(id, strings.ToUpper(text)), strings.ReplaceAll(textLine(id, text), "/", `\/`)}
	for k, line := range variants {
		if !s.pf.skip(line, &s.sc) {
			continue
		}
		if k == 0 {
			s.skipped++
		}
		var l dump.Line
		p, err := scanPost(line, &l, "t", 1)
		if err != nil {
			s.fail(id, line, "skipped a line the full path calls malformed: "+err.Error())
			continue
		}
		if c := candidates(s.e, p.Text); c > 0 || s.e.Detect(p) != nil {
			s.fail(id, line, "skipped a post with a handle candidate")
		}
	}
}

func (s *soundness) fail(id, line, why string) {
	s.t.Helper()
	if s.quiet {
		s.t.Errorf("%s (blind example, text not shown)", why)
		return
	}
	s.t.Errorf("%s: %s\n%s", id, why, line)
}

func TestPrefilterSound(t *testing.T) {
	e := shippedEngine(t)
	pf := e.prefilter()
	if pf == nil {
		t.Fatal("no prefilter for the shipped engine")
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.jsonl"))
	if err != nil || len(files) < 5 {
		t.Fatalf("corpora: %v %v", files, err)
	}
	run := func(name string, quiet bool, fn func(s *soundness)) {
		t.Run(name, func(t *testing.T) {
			s := &soundness{t: t, e: e, pf: pf, quiet: quiet}
			fn(s)
			t.Logf("%d texts, %d with a candidate, %d skipped (%.1f%%)", s.texts, s.withCand, s.skipped, 100*float64(s.skipped)/float64(max(s.texts, 1)))
			if s.texts == 0 || s.withCand == 0 && name != "real" {
				t.Fatal("nothing measured")
			}
			if s.texts-s.withCand > 20 && s.skipped == 0 {
				t.Fatal("the prefilter skipped nothing: the test would pass by accident")
			}
		})
	}
	for _, path := range files {
		base := filepath.Base(path)
		quiet := strings.HasPrefix(base, "blind")
		run(base, quiet, func(s *soundness) {
			exs, err := ReadCorpus(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, ex := range exs {
				s.check(ex.ID, ex.Text)
				// Obfuscations the corpus may lack: letter spacing and
				// leetspeak of the whole text.
				s.check(ex.ID+"/spaced", spaceOut(ex.Text))
				s.check(ex.ID+"/leet", strings.NewReplacer("a", "4", "e", "3", "i", "1", "o", "0", "s", "$", "l", "|").Replace(ex.Text))
			}
		})
	}
	run("gen", false, func(s *soundness) {
		for _, ex := range gen.Generate(20261207, 20000) {
			s.check(ex.ID, ex.Text)
		}
	})
	run("benchcorpus", false, func(s *soundness) {
		_ = benchcorpus.Texts(30000, 20261128, func(i int, text string) error {
			s.check("bench", text)
			return nil
		})
	})
	run("real", false, func(s *soundness) {
		for _, f := range []string{"RC_derived_sample.ndjson", "RS_derived_sample.ndjson"} {
			exs, err := ReadPosts(filepath.Join("testdata", f))
			if err != nil {
				t.Fatal(err)
			}
			for _, ex := range exs {
				s.check(ex.ID, ex.Text)
				for _, line := range strings.Split(ex.Text, "\n") {
					s.check(ex.ID+"/line", line)
				}
			}
		}
	})
}

// spaceOut writes the letters of every other word apart: "w i c k r".
func spaceOut(s string) string {
	words := strings.Fields(s)
	for i := 0; i < len(words); i += 2 {
		words[i] = strings.Join(strings.Split(words[i], ""), " ")
	}
	return strings.Join(words, " ")
}

// TestPrefilterCases pins the entry points one by one: each must pass the
// line to the full path (and the full path must find a candidate, or the
// case proves nothing), and plain prose must be skipped.
func TestPrefilterCases(t *testing.T) {
	e := shippedEngine(t)
	pf := e.prefilter()
	var sc pfScratch
	for _, text := range []string{
		"wickr: demo_vx77",
		"WICKR: demo_vx77",
		"w i c k r: demo_vx77",
		"w1ckr: demo_vx77",
		"t3l3gram: sample_tg",
		"73l3gr4m: sample_tg",
		"ｗｉｃｋｒ: demo_vx77",
		"t.me/sample_channel",
		"t . me / sample_channel",
		"t dot me slash sample_channel",
		"discord.gg/sampleinvite",
		"add me on kik sample_kik",
		"diskord: sample_user",
		"dm @sample_bot",
		"🍭 @sample_shop",
		"contact @sample_shop",
		"hi\n@sample_shop",
		"the menu is at @sample_user:matrix.org today",
		"05" + strings.Repeat("a1", 32),
		"телеграм: @sample_ru",
		"пиши в т е л е г р а м sample_ru",
		"discord (dot) gg / sampleinvite",
		"kik\u200b: sample_kik",
		"k\u200bik: sample_kik",
		"write «tg: sample_tg» today",
		"¡kik: sample_kik!",
		"„Telegram: sample_tg“",
		"id 05 " + strings.Repeat("a1", 32),
		"пиши в тeлeгрaм sample_ru",
		"kik ya da line sample_kik",
		"tg 【sample_tg】",
		"new address https://smp.example.net/a#SampleToken01xyz9",
		"simplex:/a#SampleToken02xyz9",
	} {
		line := textLine("x", text)
		if candidates(e, text) == 0 {
			t.Errorf("%q: the full path finds no candidate; pick another case", text)
			continue
		}
		if pf.skip(line, &sc) {
			t.Errorf("%q: skipped, but it has a candidate", text)
		}
	}
	for _, text := range []string{
		"lovely weather at the market today, see you there",
		"Great game tonight ❤️ the fans were amazing 🎉 #football",
		"café and résumé, jalapeño crème naïve straße",
		"привет спасибо пример",
		"thanks @user123 for the photo",
		"it's a nice day, don't you think",
		"the 3 trains were late again\nsee https://example.org/p/1",
	} {
		if candidates(e, text) != 0 {
			t.Errorf("%q: the full path finds a candidate; pick another case", text)
			continue
		}
		if !pf.skip(textLine("x", text), &sc) {
			t.Errorf("%q: not skipped; the prefilter is weaker than it should be", text)
		}
	}
}

// TestPrefilterShape: only well-formed lines of the simple shape are
// skipped; anything the decoder might read differently or reject goes to
// the full path.
func TestPrefilterShape(t *testing.T) {
	e := shippedEngine(t)
	pf := e.prefilter()
	var sc pfScratch
	for _, tc := range []struct {
		line string
		skip bool
	}{
		{`{"id":"a","text":"hello there"}`, true},
		{`{ "id" : 7 , "text" : "hello there" , "created_utc" : 1764300000 }`, true},
		{`{"text":"hello there"}`, true},
		{`{"id":"a","text":""}`, false},
		{`{"id":"a"}`, false},
		{`{}`, false},
		{`{"id":"a","text":"hello"`, false},
		{`{"id":"a","text":"hello"}x`, false},
		{`{"id":"a","text":"he\u006clo"}`, false},
		{`{"id":"a","text":"hello","text":"there"}`, false},
		{`{"id":"a","Text":"hello"}`, false},
		{`{"id":"a","text":"hello","links":["t.me/x"]}`, false},
		{`{"id":"a","title":"hello"}`, false},
		{`{"id":"a","text":"hello","created_utc":"1764300000"}`, false},
		{`{"id":"a","text":"hello","created_utc":01}`, false},
		{`{"id":"a\n","text":"hello"}`, false},
		{"{\"id\":\"a\",\"text\":\"he\tllo\"}", false},
		{"{\"id\":\"a\",\"text\":\"he\xffllo\"}", false},
		{`{"id":"a","text":"hello","extra":1}`, false},
		{`[1,2]`, false},
	} {
		if got := pf.skip(tc.line, &sc); got != tc.skip {
			t.Errorf("%s: skip %v, want %v", tc.line, got, tc.skip)
		}
		if tc.skip {
			var l dump.Line
			if _, err := scanPost(tc.line, &l, "t", 1); err != nil {
				t.Errorf("%s: skipped, but the full path says %v", tc.line, err)
			}
		}
	}
}

// TestScanPrefilterSame: scan with and without the prefilter writes the
// same findings and counts the same posts and malformed lines.
func TestScanPrefilterSame(t *testing.T) {
	e := shippedEngine(t).withClock(testClock)
	dir := t.TempDir()
	path := filepath.Join(dir, "c.ndjson")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := benchcorpus.Corpus(f, 20000, 20261128); err != nil {
		t.Fatal(err)
	}
	// Lines of other shapes and broken ones, between.
	for _, l := range []string{`{"id":"m1"}`, `not json`, `{"id":"m2","text":""}`, `{"id":"r1","title":"dm @sample_shop","subreddit":"x"}`} {
		f.WriteString(l + "\n")
	}
	f.Close()
	files := append([]string{path}, mustGlob(t, filepath.Join("testdata", "train_*.jsonl"))...)
	var outs [2]bytes.Buffer
	var sums [2]*ScanSummary
	for k, on := range []bool{true, false} {
		sum, err := ScanFiles(context.Background(), e, files, &outs[k], ScanOptions{Prefilter: on})
		if err != nil {
			t.Fatal(err)
		}
		sum.Elapsed = 0
		sums[k] = sum
	}
	if outs[0].String() != outs[1].String() {
		t.Error("findings differ with and without the prefilter")
	}
	a, b := *sums[0], *sums[1]
	if a.Posts != b.Posts || a.Findings != b.Findings || a.Malformed != b.Malformed || strings.Join(a.Examples, "|") != strings.Join(b.Examples, "|") {
		t.Errorf("summaries differ: %+v vs %+v", a, b)
	}
	if a.Findings == 0 || a.Malformed != 3 {
		t.Errorf("summary %+v: want findings and 3 malformed lines", a)
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("%s: %v %v", pattern, m, err)
	}
	return m
}

// FuzzPrefilter: a text the prefilter skips has no candidate; a line it
// skips is a post to the full path.
func FuzzPrefilter(f *testing.F) {
	for _, s := range []string{"wickr: demo_vx77", "w i c k r x", "t . me / x", "dm @x", "✨ @x", "пиши в телеграм @x",
		"café @user1 of", "k1k me sample", "@x:y.org", "@s4mple_b0t", "05" + strings.Repeat("ab", 32), "ｔ．ｍｅ／x"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	e := shippedEngine(f)
	pf := e.prefilter()
	f.Fuzz(func(t *testing.T, text string, raw bool) {
		var sc pfScratch
		line := textLine("x", text)
		if raw {
			line = text // the fuzzer writes the line itself
		}
		line = strings.TrimSpace(line)
		if !pf.skip(line, &sc) {
			return
		}
		var l dump.Line
		p, err := scanPost(line, &l, "t", 1)
		if err != nil {
			t.Fatalf("skipped a line the full path calls malformed (%v): %q", err, line)
		}
		if c := candidates(e, p.Text); c > 0 {
			t.Fatalf("skipped a post with %d candidates: %q", c, line)
		}
	})
}
