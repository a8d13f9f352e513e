package detector

import (
	"fmt"
	"maps"
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
	langs   []string // the stemmers' languages (langsFor)
	occs    []occurrence
	cats    map[string]bool // positive categories that counted
	gateOK  bool
	score   float64 // the rules' own score
}

// featurizer turns a post into the scorer's vector and remembers, for
// each feature, the words a moderator should read for it.
type featurizer struct {
	e     *Engine
	in    featureInput
	bits  uint8
	v     *model.Vector
	notes map[string]string // only when explaining: most posts never need words
	// win, when set, limits the word features to the tokens [win.lo,
	// win.hi): a window of a long post (see windowScore). ntoks is how
	// many tokens the post has.
	win   *tokenWindow
	ntoks int
	toks  []token // the post's tokens, age classes settled
}

// tokenWindow is a run of a post's tokens; toks are the post's, read
// once for the whole post and shared by its windows.
type tokenWindow struct {
	lo, hi int
	toks   []token
}

func (e *Engine) features(in featureInput, bits uint8) *featurizer {
	return e.featurize(in, bits, false)
}

func (e *Engine) featurize(in featureInput, bits uint8, explain bool) *featurizer {
	return e.featurizeWindow(in, bits, explain, nil)
}

func (e *Engine) featurizeWindow(in featureInput, bits uint8, explain bool, win *tokenWindow) *featurizer {
	return e.featurizeInto(nil, in, bits, explain, win)
}

// featurizeInto is featurizeWindow into v, emptied first (nil: a new one).
func (e *Engine) featurizeInto(v *model.Vector, in featureInput, bits uint8, explain bool, win *tokenWindow) *featurizer {
	if v == nil {
		v = model.NewVector(bits)
	} else {
		v.Reset()
	}
	fz := &featurizer{e: e, in: in, bits: bits, v: v, win: win}
	if explain {
		fz.v = model.NewNamedVector(bits)
		fz.notes = make(map[string]string, 64)
	}
	fz.add("", "bias", 1, nil)
	fz.rules(in)
	fz.contacts(in)
	toks := fz.words(in)
	fz.ntoks = len(toks)
	fz.toks = toks
	if win != nil {
		toks = toks[min(win.lo, len(toks)):min(win.hi, len(toks))]
	}
	fz.morphology(toks, in.langs)
	fz.emoji(in.text.Orig)
	return fz
}

// onlyContact reports whether the post is nothing but contacts and the
// words that say how to reach them ("kik: name", "add me on snap x",
// "Threema: ID", a bare link): no rule's category counted, no contact is
// disguised, and with the contacts cut out every word left is a contact
// word (handles.IsContactWord) and no emoji or other sign is left. Such a post is no finding, whatever the app: the scorer would
// judge it by the app alone, and an app is not evidence.
func (fz *featurizer) onlyContact() bool {
	if len(fz.toks) > maxContactOnlyTokens || len(fz.in.matches) == 0 || len(fz.in.cats) > 0 {
		return false // long, or a rule's category counted (a code word in a handle: "demo_pthc")
	}
	for _, o := range fz.in.occs {
		if o.rule == fz.e.obfRule {
			return false // a disguised contact ("Ｔｅｌｅｇｒａｍ", "s n a p : x") is a sign of its own
		}
	}
	orig := fz.in.text.Orig
	for _, m := range fz.in.matches {
		if m.HandleStart >= 0 && m.HandleEnd <= len(orig) && strings.ContainsAny(orig[m.HandleStart:m.HandleEnd], " \t\n") {
			return false // a handle written across words ("x underscore y", "d e m o") is disguised too
		}
	}
	// A link goes whole; of a mention only the handle, since the words
	// between the app word and the handle may say anything.
	cuts := make([][2]int, 0, len(fz.in.matches))
	for _, m := range fz.in.matches {
		if m.Kind == wire.HandleLink {
			cuts = append(cuts, [2]int{m.Start, m.End})
		} else {
			cuts = append(cuts, [2]int{m.HandleStart, m.HandleEnd})
		}
	}
	slices.SortFunc(cuts, func(a, b [2]int) int { return a[0] - b[0] })
	var rest strings.Builder
	last := 0
	for _, c := range cuts {
		if c[0] > last {
			rest.WriteString(orig[last:c[0]])
		}
		rest.WriteByte(' ')
		last = max(last, c[1])
	}
	rest.WriteString(orig[min(last, len(orig)):])
	for _, r := range rest.String() {
		if r >= utf8.RuneSelf && (unicode.IsSymbol(r) || unicode.IsNumber(r)) {
			return false
		}
	}
	words := strings.FieldsFunc(normalize.Normalize(rest.String()).Norm, func(r rune) bool { return !isTokenRune(r) })
	for _, w := range words {
		if !handles.IsContactWord(w) {
			return false
		}
	}
	return true
}

// maxContactOnlyTokens bounds the posts onlyContact looks at: a longer one
// says something besides its contacts.
const maxContactOnlyTokens = 16

// add adds a feature; note, called only when explaining, says it in a
// moderator's words (nil: a feature no one needs to read).
// add adds the feature prefix+word; note, called only when explaining,
// says it in a moderator's words (nil: a feature no one needs to read).
func (fz *featurizer) add(prefix, word string, v float32, note func() string) {
	fz.v.AddParts(prefix, word, v)
	fz.note(prefix, word, note)
}

// prior adds a feature of the rules' knowledge (see model.Feature.Prior).
func (fz *featurizer) prior(prefix, word string, v float32, note func() string) {
	fz.v.AddPriorParts(prefix, word, v)
	fz.note(prefix, word, note)
}

func (fz *featurizer) note(prefix, word string, say func() string) {
	if fz.notes == nil || say == nil {
		return
	}
	name := prefix + word
	note := say()
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
		fz.prior("r:", r.ID, val, func() string { return fmt.Sprintf("%s %q", catWords(r.Category), quote) })
		fz.prior("c:", r.Category, val, func() string { return catWords(r.Category) })
		if r.Weight > 0 && o.prox >= 0.999 {
			near[r.Category] = true
			fz.prior("cn:", r.Category, 1, func() string { return fmt.Sprintf("%s %q next to the contact", catWords(r.Category), quote) })
		}
	}
	cats := make([]string, 0, len(near))
	for c := range near {
		cats = append(cats, c)
	}
	slices.Sort(cats)
	for i := range cats {
		for j := i + 1; j < len(cats); j++ {
			fz.prior("cc:", cats[i]+"+"+cats[j], 1, func() string { return catWords(cats[i]) + " and " + catWords(cats[j]) + " together near the contact" })
		}
	}
	if in.gateOK {
		fz.prior("", "gate", 1, func() string { return "the rule gate (minor with offer, request or goods, or a coded term)" })
	}
	if in.score > 0 {
		fz.prior("", "rulescore", float32(in.score), func() string { return fmt.Sprintf("the rules' score %.2f", in.score) })
	}
}

func (fz *featurizer) contacts(in featureInput) {
	apps := make(map[string]bool, 4)
	for _, m := range in.matches {
		fz.prior("hk:", string(m.Kind), 1, func() string { return "a contact written as a " + string(m.Kind) })
		// How sure the extractor is that this is a handle: an unsure one
		// (a common word after an app name) is weaker evidence of an ad.
		fz.prior("hc:", confidenceBucket(m.Confidence), 1, nil)
		apps[m.App] = true
	}
	// In sorted order: the order of features decides which ones dropout
	// hides, so a map's order would make training differ run to run.
	for _, a := range slices.Sorted(maps.Keys(apps)) {
		fz.prior("ha:", a, 1, func() string { return "a " + a + " contact" })
	}
	n := len(apps)
	fz.prior("hn:", strconv.Itoa(min(n, 3)), 1, nil)
	// No length feature: generated posts are shorter than real ones, and
	// the scorer learnt length instead of words.
}

// token is a word of the normalised text; a handle's own letters are one
// "<h>" token, so placeholder names never become evidence.
type token struct {
	s      string
	handle bool
	// word is the number word an age class stands for ("once", "on
	// bir"): it is the token again when no age context keeps the class.
	word string
}

func (fz *featurizer) words(in featureInput) []token {
	if fz.win != nil && fz.win.toks != nil {
		return fz.wordFeatures(fz.win.toks)
	}
	return fz.wordFeatures(tokens(in))
}

// tokens splits the normalised post into words, a handle's letters one
// "<h>" token, number words for ages joined, age classes settled.
func tokens(in featureInput) []token {
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
	toks = ageWordTokens(toks)
	ageContext(toks)
	return toks
}

// wordFeatures adds the features of toks (the window's, when there is one).
func (fz *featurizer) wordFeatures(toks []token) []token {
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
	lo, hi := 0, len(toks)
	if fz.win != nil {
		lo, hi = min(fz.win.lo, len(toks)), min(fz.win.hi, len(toks))
	}
	for i, tk := range toks {
		if tk.handle {
			lastH = i
		}
		if i < lo || i >= hi {
			continue
		}
		if !tk.handle {
			fz.add("w:", tk.s, 1, func() string { return wordNote(tk.s) })
			fz.charGrams(tk.s)
			if i-lastH <= nearWords || nextH[i]-i <= nearWords {
				fz.add("n:", tk.s, 1, func() string { return nearNote(tk.s) })
			}
		}
		if i > lo {
			a, b := toks[i-1].s, tk.s
			fz.v.AddPair("b:", a, b, 1)
			if fz.notes != nil { // the pair's name is built only to explain
				fz.note("b:", a+" "+b, func() string { return pairNote(a, b) })
			}
		}
	}
	return toks
}

func confidenceBucket(c float64) string {
	switch {
	case c >= 0.95:
		return "sure"
	case c >= 0.8:
		return "likely"
	case c >= 0.65:
		return "fair"
	}
	return "weak"
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

// ageUnits and ageLabels are the words that make a bare number an age:
// "13 yo", "age 13", "13 jahre", "13 лет". Any other bare number ("post
// 20", "2 for 10") is just a number.
var ageUnits = map[string]bool{"yo": true, "y": true, "yr": true, "yrs": true, "year": true, "years": true, "old": true,
	"jahre": true, "jahren": true, "j": true, "anos": true, "ano": true, "años": true, "ans": true, "an": true,
	"anni": true, "anno": true, "jaar": true, "jr": true, "lat": true, "lata": true, "лет": true, "года": true, "год": true,
	"yas": true, "yasinda": true, "tahun": true, "thn": true, "aastane": true, "ar": true, "år": true}

var ageLabels = map[string]bool{"age": true, "aged": true, "ages": true, "edad": true, "alter": true, "idade": true,
	"eta": true, "leeftijd": true, "wiek": true, "возраст": true, "yas": true, "usia": true, "umur": true,
	"under": true, "u": true, "unter": true, "menos": true, "moins": true, "sotto": true, "onder": true, "до": true, "alti": true}

// ageContext keeps the age classes of wordShape only for numbers that
// read as ages: a unit after or a label before, or a range of two ages
// ("12-14", "12 & 13", "elf bis dreizehn"). A bare number elsewhere
// becomes "#num"; a bare number word is its word again.
func ageContext(toks []token) {
	isBare := func(s string) bool { return s == "#minor" || s == "#adult" }
	minorAt := func(i int) bool { return i >= 0 && i < len(toks) && toks[i].s == "#minor" }
	ages := make([]bool, len(toks))
	for i := range toks {
		s := toks[i].s
		if !isBare(s) {
			continue
		}
		age := i+1 < len(toks) && ageUnits[toks[i+1].s] || i > 0 && ageLabels[toks[i-1].s]
		if s == "#minor" {
			age = age || minorAt(i+1) || minorAt(i-1) ||
				i+2 < len(toks) && rangeWords[toks[i+1].s] && minorAt(i+2) ||
				i >= 2 && rangeWords[toks[i-1].s] && minorAt(i-2)
		}
		ages[i] = age
	}
	for i := range toks {
		if !isBare(toks[i].s) || ages[i] {
			continue
		}
		if toks[i].word != "" {
			toks[i].s = toks[i].word
		} else {
			toks[i].s = "#num"
		}
	}
}

// rangeWords join the two ends of an age range written in words.
var rangeWords = map[string]bool{"to": true, "till": true, "a": true, "al": true, "ao": true, "à": true, "bis": true,
	"tot": true, "t": true, "do": true, "до": true, "ile": true, "sampai": true, "hingga": true, "and": true, "y": true,
	"e": true, "et": true, "und": true, "en": true, "ve": true, "i": true, "и": true, "or": true, "o": true, "ou": true,
	"oder": true, "of": true, "или": true, "atau": true, "veya": true, "lub": true}

// ageWords are the number words for the ages 5 to 17 in the supported
// languages (normalised: no accents), so that "once años" and "elf bis
// dreizehn" read as ages as "11 años" and "11-13" do; less those that are
// also common words next to a number (French "sept" for September,
// Turkish "on", Indonesian "lima"). Turkish and Indonesian write the teens
// in two words ("on bir", "dua belas"); see ageWordTokens.
var ageWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen
		cinco seis siete ocho nueve diez once doce trece catorce quince dieciseis diecisiete
		sete oito nove dez onze doze treze catorze quatorze quinze dezesseis dezasseis dezessete dezassete
		funf sechs sieben acht neun zehn elf zwolf dreizehn vierzehn funfzehn sechzehn siebzehn
		cinq huit neuf dix douze treize quatorze seize dix-sept
		cinque sei sette otto dieci undici dodici tredici quattordici quindici sedici diciassette
		vijf zes zeven negen tien twaalf dertien veertien vijftien zestien zeventien
		piec szesc siedem osiem dziewiec dziesiec jedenascie dwanascie trzynascie czternascie pietnascie szesnascie siedemnascie
		пять шесть семь восемь девять десять одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать семнадцать
		bes alti yedi sekiz dokuz
		enam tujuh delapan sembilan sepuluh sebelas`) {
		m[w] = true
	}
	return m
}()

// teenUnits are the second words of Turkish ("on bir" … "on yedi") and
// the first of Indonesian ("dua belas" … "tujuh belas") teens.
var (
	trTeenUnits = map[string]bool{"bir": true, "iki": true, "uc": true, "dort": true, "bes": true, "alti": true, "yedi": true}
	idTeenUnits = map[string]bool{"dua": true, "tiga": true, "empat": true, "lima": true, "enam": true, "tujuh": true}
)

// ageWordTokens turns number words for ages into the "#minor" class
// (ageContext keeps it only in an age's context) and joins the two-word
// teens of Turkish and Indonesian into one.
func ageWordTokens(toks []token) []token {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		if tk.handle {
			out = append(out, tk)
			continue
		}
		switch {
		case tk.s == "on" && i+1 < len(toks) && trTeenUnits[toks[i+1].s]:
			out = append(out, token{s: "#minor", word: "on " + toks[i+1].s})
			i++
		case idTeenUnits[tk.s] && i+1 < len(toks) && toks[i+1].s == "belas":
			out = append(out, token{s: "#minor", word: tk.s + " belas"})
			i++
		case ageWords[tk.s]:
			out = append(out, token{s: "#minor", word: tk.s})
		default:
			out = append(out, tk)
		}
	}
	return out
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
	var offs [48]int
	n := 0
	for i := range w {
		if n == len(offs) {
			return // a word this long is no word
		}
		offs[n] = i
		n++
	}
	if n < 4 {
		return
	}
	end := func(k int) int {
		if k < n {
			return offs[k]
		}
		return len(w)
	}
	fz.add("g:^", w[:end(3)], 0.5, nil)
	for k := 0; k+4 <= n; k++ {
		fz.add("g:", w[offs[k]:end(k+4)], 0.5, nil)
	}
	fz.add("g$:", w[offs[n-3]:], 0.5, nil)
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
			fz.add("e:", string(r), 1, func() string { return "the emoji " + string(r) })
			if prev != 0 {
				fz.add("e2:", string(prev)+string(r), 1, func() string { return "the emoji " + string(prev) + string(r) })
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

// evidence says in words what pushed a finding's score most. The words are
// built only now, for a finding, by featurizing the post again with notes.
func (fz *featurizer) evidence(m *model.Model, k int) []wire.Evidence {
	if fz.notes == nil {
		fz = fz.e.featurizeWindow(fz.in, fz.bits, true, fz.win)
	}
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
