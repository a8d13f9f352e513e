package detector

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/detector/handles"
	"github.com/handlewatch/handlewatch/detector/model"
	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// featureInput is what analyze saw of a post that has a handle candidate:
// the scorer only ever sees such posts.
type featureInput struct {
	text    *normalize.Text
	matches []handles.Match
	occs    []occurrence
	cats    map[string]bool // positive categories that counted
	gateOK  bool
	score   float64 // the rules' own score
}

// featurizer turns a post into the scorer's vector and remembers, for
// each feature, the words a moderator should read for it.
type featurizer struct {
	e     *Engine
	v     *model.Vector
	notes map[string]string
}

func (e *Engine) features(in featureInput, bits uint8) *featurizer {
	fz := &featurizer{e: e, v: model.NewVector(bits), notes: make(map[string]string, 16)}
	fz.add("bias", 1, "")
	fz.rules(in)
	fz.contacts(in)
	toks := fz.words(in)
	fz.morphology(toks)
	fz.emoji(in.text.Orig)
	return fz
}

func (fz *featurizer) add(name string, v float32, note string) {
	fz.v.Add(name, v)
	fz.note(name, note)
}

// prior adds a feature of the rules' knowledge (see model.Feature.Prior).
func (fz *featurizer) prior(name string, v float32, note string) {
	fz.v.AddPrior(name, v)
	fz.note(name, note)
}

func (fz *featurizer) note(name, note string) {
	if note != "" {
		if _, ok := fz.notes[name]; !ok {
			fz.notes[name] = note
		}
	}
}

// categoryWords says in a moderator's words what a rule category is.
var categoryWords = map[string]string{
	"minor": "a word for a minor", "offer": "an offer or trade word", "request": "a request or purchase word",
	"coded": "a known coded term", "goods": "a word for goods or content", "contact": "a contact invitation",
	"evasion": "disguised writing", "news": "news reporting", "law": "law-enforcement wording",
	"safety": "safety advice", "activism": "activists exposing codes", "adult": "an adult-only marker",
	"family": "family context", "finance": "finance or crypto wording", "food": "food context",
	"gaming": "gaming context", "health": "health context", "market": "marketplace wording",
	"education": "school or education context", "youth": "youth activity context", "not": "a negation",
}

func catWords(c string) string {
	if w, ok := categoryWords[c]; ok {
		return w
	}
	return "the " + c + " category"
}

// rules turns the rule engine's view into features: every rule and
// category that counted, scaled by its proximity to a handle, the pairs of
// categories that stand together near a handle, and the old gate's verdict,
// so the scorer starts from what the rules know and learns the rest.
func (fz *featurizer) rules(in featureInput) {
	rs := fz.e.rules
	near := make(map[string]bool, 8)
	for _, o := range in.occs {
		if !o.counted {
			continue
		}
		r := &rs.Rules[o.rule]
		quote := clip(in.text.Orig[o.span.Start:o.span.End], 40)
		val := float32(o.prox)
		if r.Weight < 0 {
			val = float32(max(o.prox, 0.5))
		}
		fz.prior("r:"+r.ID, val, fmt.Sprintf("%s %q", catWords(r.Category), quote))
		fz.prior("c:"+r.Category, val, catWords(r.Category))
		if r.Weight > 0 && o.prox >= 0.999 {
			near[r.Category] = true
			fz.prior("cn:"+r.Category, 1, fmt.Sprintf("%s %q next to the contact", catWords(r.Category), quote))
		}
	}
	cats := make([]string, 0, len(near))
	for c := range near {
		cats = append(cats, c)
	}
	slices.Sort(cats)
	for i := range cats {
		for j := i + 1; j < len(cats); j++ {
			fz.prior("cc:"+cats[i]+"+"+cats[j], 1, catWords(cats[i])+" and "+catWords(cats[j])+" together near the contact")
		}
	}
	if in.gateOK {
		fz.prior("gate", 1, "the rule gate (minor with offer, request or goods, or a coded term)")
	}
	if in.score > 0 {
		fz.prior("rulescore", float32(in.score), fmt.Sprintf("the rules' score %.2f", in.score))
	}
}

func (fz *featurizer) contacts(in featureInput) {
	apps := make(map[string]bool, 4)
	for _, m := range in.matches {
		fz.prior("hk:"+string(m.Kind), 1, "a contact written as a "+string(m.Kind))
		apps[m.App] = true
	}
	for a := range apps {
		fz.prior("ha:"+a, 1, "a "+a+" contact")
	}
	n := len(apps)
	fz.prior("hn:"+strconv.Itoa(min(n, 3)), 1, "")
	// No length feature: generated posts are shorter than real ones, and
	// the scorer learnt length instead of words.
}

// token is a word of the normalised text; a handle's own letters are one
// "<h>" token, so placeholder names never become evidence.
type token struct {
	s      string
	handle bool
}

func (fz *featurizer) words(in featureInput) []token {
	t := in.text
	n := t.Norm
	toks := make([]token, 0, 32)
	inHandle := func(s, e int) bool {
		os, oe := t.OrigSpan(s, e)
		for _, m := range in.matches {
			if os < m.HandleEnd && oe > m.HandleStart {
				return true
			}
		}
		return false
	}
	for i := 0; i < len(n); {
		r, w := utf8.DecodeRuneInString(n[i:])
		if !isTokenRune(r) {
			i += w
			continue
		}
		j := i + w
		for j < len(n) {
			r2, w2 := utf8.DecodeRuneInString(n[j:])
			if !isTokenRune(r2) {
				break
			}
			j += w2
		}
		if inHandle(i, j) {
			if len(toks) == 0 || !toks[len(toks)-1].handle {
				toks = append(toks, token{s: "<h>", handle: true})
			}
		} else {
			toks = append(toks, token{s: wordShape(n[i:j])})
		}
		i = j
	}
	// Words within nearWords of a handle are also features of their own:
	// the sentence that gives the contact says what it is for, the prose
	// around it (a news story, a warning) often does not.
	const nearWords = 6
	lastH := -1 << 30
	nextH := make([]int, len(toks))
	nh := 1 << 30
	for i := len(toks) - 1; i >= 0; i-- {
		if toks[i].handle {
			nh = i
		}
		nextH[i] = nh
	}
	for i, tk := range toks {
		if tk.handle {
			lastH = i
		}
		if !tk.handle {
			fz.add("w:"+tk.s, 1, wordNote(tk.s))
			fz.charGrams(tk.s)
			if i-lastH <= nearWords || nextH[i]-i <= nearWords {
				fz.add("n:"+tk.s, 1, nearNote(tk.s))
			}
		}
		if i > 0 {
			a, b := toks[i-1].s, tk.s
			fz.add("b:"+a+" "+b, 1, pairNote(a, b))
		}
	}
	return toks
}

func isTokenRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordShape keeps words and turns numbers into what they say: an age under
// 18 is one feature whatever the number, and "13yo", "u13", "13y" keep
// their letters around the age.
func wordShape(w string) string {
	i := 0
	for i < len(w) && (w[i] < '0' || w[i] > '9') {
		i++
	}
	if i == len(w) {
		return w
	}
	j := i
	for j < len(w) && w[j] >= '0' && w[j] <= '9' {
		j++
	}
	if j-i > 3 || strings.IndexFunc(w[j:], func(r rune) bool { return r >= '0' && r <= '9' }) >= 0 {
		return "#long"
	}
	v, _ := strconv.Atoi(w[i:j])
	class := "#n"
	switch {
	case v >= 1 && v <= 17:
		class = "#minor"
	case v >= 18 && v <= 99:
		class = "#adult"
	}
	return w[:i] + class + w[j:]
}

func wordNote(w string) string {
	switch {
	case strings.Contains(w, "#minor"):
		return "an age under 18"
	case strings.Contains(w, "#adult"):
		return "an age of 18 or more"
	case strings.HasPrefix(w, "#"):
		return ""
	}
	return fmt.Sprintf("the word %q", w)
}

// charGrams adds the letter 4-grams of a word, edges marked, at a small
// value: they carry inflections, compounds and misspellings of words the
// training data spelt otherwise, in languages it barely has.
func (fz *featurizer) charGrams(w string) {
	if len(w) < 5 || strings.HasPrefix(w, "#") {
		return
	}
	rs := []rune("^" + w + "$")
	for i := 0; i+4 <= len(rs); i++ {
		fz.add("g:"+string(rs[i:i+4]), 0.5, "")
	}
}

func nearNote(w string) string {
	if n := wordNote(w); n != "" {
		return n + " next to the contact"
	}
	return ""
}

func pairNote(a, b string) string {
	if strings.HasPrefix(a, "#") || strings.HasPrefix(b, "#") || a == "<h>" || b == "<h>" {
		return ""
	}
	return fmt.Sprintf("the words %q", a+" "+b)
}

// emoji are features one by one and in pairs (🧀🍕), skin tones and
// joiners dropped so a variant is the same emoji.
func (fz *featurizer) emoji(orig string) {
	var prev rune
	for _, r := range orig {
		switch {
		case r == 0x200D || r == 0xFE0F || (r >= 0x1F3FB && r <= 0x1F3FF):
			continue
		case r >= 0x2190 && unicode.Is(unicode.So, r):
			fz.add("e:"+string(r), 1, "the emoji "+string(r))
			if prev != 0 {
				fz.add("e2:"+string(prev)+string(r), 1, "the emoji "+string(prev)+string(r))
			}
			prev = r
		case unicode.IsSpace(r):
		default:
			prev = 0
		}
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// evidence says in words what pushed a finding's score most.
func (fz *featurizer) evidence(m *model.Model, k int) []wire.Evidence {
	cs := m.Explain(fz.v, 3*k, false)
	out := make([]wire.Evidence, 0, k)
	seen := make(map[string]bool, k)
	for _, c := range cs {
		note := fz.notes[c.Name]
		if note == "" || seen[note] {
			continue
		}
		seen[note] = true
		out = append(out, wire.Evidence{Text: note, Weight: round4(c.Weight)})
		if len(out) == k {
			break
		}
	}
	return out
}
