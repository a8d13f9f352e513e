package detector

import (
	"strings"

	"github.com/abadojack/whatlanggo"
	snowball "github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/russian"
	"github.com/blevesearch/snowballstem/spanish"
	"github.com/blevesearch/snowballstem/turkish"
)

// stemmers are the Snowball stemmers of the languages the detector reads,
// by ISO 639-1 code.
var stemmers = map[string]func(*snowball.Env) bool{
	"en": english.Stem, "es": spanish.Stem, "pt": portuguese.Stem, "de": german.Stem,
	"fr": french.Stem, "it": italian.Stem, "nl": dutch.Stem, "ru": russian.Stem, "tr": turkish.Stem,
}

// stemLangs is the order "every language" is tried in on short posts.
var stemLangs = []string{"en", "es", "pt", "de", "fr", "it", "nl", "ru", "tr"}

var langOptions = whatlanggo.Options{Whitelist: map[whatlanggo.Lang]bool{
	whatlanggo.Eng: true, whatlanggo.Spa: true, whatlanggo.Por: true, whatlanggo.Deu: true,
	whatlanggo.Fra: true, whatlanggo.Ita: true, whatlanggo.Nld: true, whatlanggo.Rus: true,
	whatlanggo.Tur: true, whatlanggo.Pol: true, whatlanggo.Ind: true,
}}

// guessLang is the post's language when the guesser is confident, else "".
func guessLang(text string) string {
	info := whatlanggo.DetectWithOptions(text, langOptions)
	if info.Confidence < 0.5 {
		return ""
	}
	return info.Lang.Iso6391()
}

func stem(lang, w string) string {
	f := stemmers[lang]
	if f == nil {
		return w
	}
	env := snowball.NewEnv(w)
	f(env)
	return env.Current()
}

// compoundRoots are the words for a child and for youth that German,
// Dutch and the Nordic languages glue into compounds
// ("Kinderfahrrad", "kinderkleding"): a compound is read as its root and
// its rest, so the rest (a bike, clothes) can tell goods from the rest.
var compoundRoots = []string{"kinder", "kindes", "kind", "madchen", "maedchen", "jungen", "junge", "jugend",
	"schuler", "schul", "baby", "kleinkind", "meisjes", "meisje", "jongens", "jeugd", "tiener", "teen", "kid", "kids"}

// morphology adds stems (in the guessed language, or every language on a
// short post where guessing is noise) and compound parts.
func (fz *featurizer) morphology(toks []token) {
	var b strings.Builder
	words := 0
	for _, t := range toks {
		if t.handle || strings.HasPrefix(t.s, "#") {
			continue
		}
		b.WriteString(t.s)
		b.WriteByte(' ')
		words++
	}
	langs := stemLangs
	if words >= 8 {
		if l := guessLang(b.String()); l != "" && stemmers[l] != nil {
			langs = []string{l}
		}
	}
	for _, t := range toks {
		if t.handle || strings.ContainsAny(t.s, "#<") || len(t.s) < 4 {
			continue
		}
		for _, l := range langs {
			if s := stem(l, t.s); s != t.s && len(s) >= 3 {
				fz.add("s:"+s, 1, "a form of "+quoteWord(s))
			}
		}
		if len(t.s) >= 8 {
			for _, root := range compoundRoots {
				if rest, ok := strings.CutPrefix(t.s, root); ok && len(rest) >= 3 {
					fz.add("w:"+root, 1, "the word "+quoteWord(root)+" inside "+quoteWord(t.s))
					fz.add("cmp:"+root, 1, "a compound of "+quoteWord(root))
					fz.add("w:"+strings.TrimPrefix(rest, "s"), 1, "")
					break
				}
			}
		}
	}
}

func quoteWord(s string) string { return "\u201c" + s + "\u201d" }
