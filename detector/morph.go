package detector

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/handlewatch/handlewatch/detector/normalize"

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

var stemLangIndex = func() map[string]int {
	m := map[string]int{}
	for i, l := range stemLangs {
		m[l] = i
	}
	return m
}()

// langsFor is the stemmers' languages for a post: the guessed one on a
// post of eight words or more, every language on a shorter one, where
// guessing is noise. It runs once per post that reaches the scorer.
func langsFor(norm string) []string {
	words := 0
	in := false
	for i := 0; i < len(norm) && words < 8; i++ {
		c := norm[i]
		w := c >= 'a' && c <= 'z' || c >= 0x80
		if w && !in {
			words++
		}
		in = w
	}
	if words < 8 {
		return stemLangs
	}
	// A trigram guesser (whatlanggo) was asked here when the function words
	// did not decide; it cost ~170 us a post and decided little more, so
	// undecided posts now take every language.
	if l := stopwordLang(norm); l != "" {
		return []string{l}
	}
	return stemLangs
}

// stopwords are each language's commonest function words. Counting them
// settles most posts' language in a few map look-ups; the trigram guesser
// (a hundred times dearer) is not needed.
var stopwords = func() map[string]string {
	lists := map[string]string{
		"en": "the and for with you your this that are have from not but all was were will our they what when",
		"es": "el la los las que con por para una del pero como más este esta muy sus hay también",
		"pt": "os as que com por para uma não mais como mas dos das seu sua muito também está são",
		"de": "der die das und ist nicht mit ich ein eine für auf sich dem den des auch wir sie oder",
		"fr": "le la les et est des une pour dans que qui pas sur avec vous nous sont mais ou au",
		"it": "il lo gli che non per una sono della del con come anche questo più mi ci ho",
		"nl": "de het een en van niet dat met voor zijn op ook maar wij jullie naar bij deze",
		"ru": "и в не на что с по это как для из но от все мы вы они так же",
		"tr": "ve bir bu da de için ile ama çok daha gibi ne var yok olan en",
	}
	m := map[string]string{}
	for l, ws := range lists {
		n := normalize.NewNormalizer()
		var t normalize.Text
		for _, w := range strings.Fields(ws) {
			n.Normalize(&t, w)
			// Norm is the normaliser's buffer, rewritten by the next word:
			// a map key must be a copy.
			key := strings.Clone(t.Norm)
			if _, taken := m[key]; taken {
				m[key] = "" // shared by two languages: no vote
				continue
			}
			m[key] = l
		}
	}
	return m
}()

// stopwordLang is the language whose function words a post uses most,
// when one leads clearly (at least three, twice the runner-up).
func stopwordLang(norm string) string {
	var votes [16]int
	for i := 0; i < len(norm); {
		j := i
		for j < len(norm) && norm[j] != ' ' && norm[j] != '\n' {
			j++
		}
		if l := stopwords[norm[i:j]]; l != "" {
			votes[stemLangIndex[l]]++
		}
		i = j + 1
	}
	best, second := -1, 0
	for i := range stemLangs {
		switch {
		case best < 0 || votes[i] > votes[best]:
			if best >= 0 {
				second = max(second, votes[best])
			}
			best = i
		case votes[i] > second:
			second = votes[i]
		}
	}
	if votes[best] >= 3 && votes[best] >= 2*second {
		return stemLangs[best]
	}
	return ""
}

// stem is w's Snowball stem in lang, remembered: the featurizer and
// stemHits stem every word of every post with a handle candidate, in up
// to nine languages, and each Snowball call allocates twice, while the
// words people write repeat (a profile of scan put stemming at a twentieth
// of its time). The result is stemUncached's, whatever the cache holds.
func stem(lang, w string) string {
	if stemmers[lang] == nil {
		return w
	}
	k := stemKey{lang, w}
	if s, ok := stemCache.m.Load(k); ok {
		return s.(string)
	}
	s := stemUncached(lang, w)
	// w and s may alias a Normalizer's buffer, which the next post
	// overwrites: the cache keeps copies. Once full it stops growing, so
	// a stream of one-off words cannot grow the heap without bound.
	if stemCache.n.Load() < stemCacheMax {
		if _, loaded := stemCache.m.LoadOrStore(stemKey{lang, strings.Clone(w)}, strings.Clone(s)); !loaded {
			stemCache.n.Add(1)
		}
	}
	return s
}

// stemCacheMax bounds the stems remembered. Every entry is a few small
// pointerful objects that each garbage collection marks again; 2^14 (some
// 2 MB) holds the common words of a language, which is where the hits are.
const stemCacheMax = 1 << 14

type stemKey struct{ lang, word string }

var stemCache struct {
	m sync.Map // stemKey → string
	n atomic.Int64
}

// stemUncached runs the stemmer; stem is this, remembered.
func stemUncached(lang, w string) string {
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
func (fz *featurizer) morphology(toks []token, langs []string) {
	for _, t := range toks {
		if t.handle || strings.ContainsAny(t.s, "#<") || len(t.s) < 4 {
			continue
		}
		for _, l := range langs {
			if s := stem(l, t.s); s != t.s && len(s) >= 3 {
				fz.add("s:", s, 1, func() string { return "a form of " + quoteWord(s) })
			}
		}
		if len(t.s) >= 8 {
			for _, root := range compoundRoots {
				if rest, ok := strings.CutPrefix(t.s, root); ok && len(rest) >= 3 {
					fz.add("w:", root, 1, func() string { return "the word " + quoteWord(root) + " inside " + quoteWord(t.s) })
					fz.add("cmp:", root, 1, func() string { return "a compound of " + quoteWord(root) })
					fz.add("w:", strings.TrimPrefix(rest, "s"), 1, nil)
					break
				}
			}
		}
	}
}

func quoteWord(s string) string { return "\u201c" + s + "\u201d" }
