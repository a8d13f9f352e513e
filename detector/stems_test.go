package detector

import (
	"path/filepath"
	"testing"

	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// TestStemsMatchInflections: a positive term matches its inflected forms
// in the languages the detector reads, negative context stays literal, and
// an except phrase still removes the literal term.
func TestStemsMatchInflections(t *testing.T) {
	e, err := LoadEngine(filepath.Join("..", "configs", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rulesOf := func(text string) map[string]bool {
		a := e.Analyze(&wire.Post{Text: text})
		out := map[string]bool{}
		for _, s := range a.Signals {
			out[s.Category+":"+a.Text[s.Span.Start:s.Span.End]] = true
		}
		return out
	}
	for _, tc := range []struct {
		name, text, want string
		present          bool
	}{
		{"english plural", "new collections, wickr: demo_stem01", "goods:collections", true},
		{"no handle, no stems", "new collections for everyone", "goods:collections", false},
		{"negative context stays literal", "meldet euch auf Discord, name ist demo_stem02", "activism:meldet", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := rulesOf(tc.text)
			if got[tc.want] != tc.present {
				t.Fatalf("%q: %s present=%v, want %v (signals %v)", tc.text, tc.want, got[tc.want], tc.present, got)
			}
		})
	}
}

// TestStopwordsIntact: every function word is its own normalised form and
// votes for a language that has a stemmer. Keys once aliased the
// normaliser's buffer, and a rewritten key made the language, the stems
// and so training differ from run to run.
func TestStopwordsIntact(t *testing.T) {
	for w, l := range stopwords {
		if got := normalize.Normalize(w).Norm; got != w {
			t.Errorf("stopword %q normalises to %q: the key was overwritten", w, got)
		}
		if l != "" && stemmers[l] == nil {
			t.Errorf("stopword %q votes for %q, which has no stemmer", w, l)
		}
	}
	if got := stopwordLang("das ist die neue gruppe und wir sind auf der suche"); got != "de" {
		t.Errorf("a German sentence reads as %q", got)
	}
}
