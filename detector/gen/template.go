package gen

import (
	"sort"
	"strconv"
	"strings"
)

// lexicon maps a slot name to its choices. A choice may name other slots
// ("{minor} {goods}"); "T:<family>" holds a family's templates.
type lexicon map[string][]string

// lexicons holds one lexicon per language, keyed by language code.
var lexicons = map[string]lexicon{}

// shared holds the template shapes every language fills with its own words;
// it is consulted when a language has no choice for a slot.
var shared = lexicon{}

// register adds a language's lexicon, with its extra solicitation and
// hard-negative shapes (package variables are set before any init runs, so
// posExtra and negExtra are ready).
func register(lang string, l lexicon) {
	for _, extra := range []map[string]lexicon{posExtra, negExtra} {
		for k, v := range extra[lang] {
			l[k] = append(l[k], v...)
		}
	}
	lexicons[lang] = l
}

// ctx is one example being written.
type ctx struct {
	r       *rng
	lang    string
	lex     lexicon
	fam     *family
	handles []Handle
	tags    map[string]bool
	depth   int
	// disguise is the chance that an obfuscatable word or a handle is
	// disguised: higher for solicitation, non-zero for negatives so that a
	// disguise alone does not give the label away.
	disguise float64
	usedApps map[string]bool
}

func (c *ctx) tag(t string) {
	if t != "" {
		c.tags[t] = true
	}
}

// choices returns the lexicon entries for slot, the language's first.
func (c *ctx) choices(slot string) []string {
	if v := c.lex[slot]; len(v) > 0 {
		return v
	}
	return shared[slot]
}

// obfuscatable slots carry the words a detector must read through
// disguises.
var obfuscatable = map[string]bool{
	"minor": true, "minor_n": true, "goods": true, "sell": true, "trade": true,
	"coded": true, "request": true, "kiditem": true, "adultw": true,
}

// expand fills every {slot} of s.
func (c *ctx) expand(s string) string {
	if c.depth > 8 {
		panic("gen: slot recursion too deep in " + s)
	}
	c.depth++
	defer func() { c.depth-- }()
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			panic("gen: unclosed slot in " + s)
		}
		b.WriteString(s[:i])
		b.WriteString(c.slot(s[i+1 : i+j]))
		s = s[i+j+1:]
	}
	return b.String()
}

func (c *ctx) slot(name string) string {
	r := c.r
	switch name {
	case "contact":
		return c.contact("")
	case "contactnl":
		c.tag("split-lines")
		return "\n" + c.contact("")
	case "link":
		return c.contact("link")
	case "twoapps":
		return c.twoApps()
	case "app":
		w, tags := c.appWord(pick(r, c.fam.appList()))
		for _, t := range tags {
			c.tag(t)
		}
		return w
	case "age":
		return c.age(c.fam.ageLo, c.fam.ageHi)
	case "num":
		return strconv.Itoa(r.between(2, 60))
	case "adultnum":
		return strconv.Itoa(r.between(19, 68))
	case "bignum":
		return strconv.Itoa(r.between(100, 9000))
	case "year":
		return strconv.Itoa(r.between(2012, 2026))
	case "hour":
		return strconv.Itoa(r.between(1, 11))
	case "hour24":
		return strconv.Itoa(r.between(8, 21))
	case "pct":
		return strconv.Itoa(r.between(5, 70))
	case "order":
		return strconv.Itoa(r.between(1000, 99999))
	case "price":
		return c.expand(pick(r, c.choices("price")))
	case "emo_minor":
		c.tag("emoji")
		return emojiMinor(r)
	case "emo_goods":
		c.tag("emoji")
		return pick(r, emojiGoods)
	case "emo":
		return pick(r, emojiDeco)
	case "nl":
		return "\n"
	}
	ch := c.choices(name)
	if len(ch) == 0 {
		panic("gen: no choices for slot " + name + " in " + c.lang)
	}
	v := c.expand(pick(r, ch))
	if name == "mg" && r.chance(c.disguise/4) && isASCIIWord(v) && len(v) < 40 {
		// A whole phrase letter-spaced: letters one space apart, words
		// two (wordGap survives tidy).
		words := strings.Fields(v)
		for i, w := range words {
			words[i] = spaced(w, " ")
		}
		c.tag("spaced")
		return strings.Join(words, wordGap)
	}
	if obfuscatable[name] && r.chance(c.disguise/2) && !strings.ContainsAny(v, " {") && len(v) > 2 {
		w, t := disguiseWord(r, v)
		c.tag(t)
		return w
	}
	return v
}

// age writes an age claim or range between lo and hi in one of the forms
// of the language ("12yo", "u13", "12-14", "13 and under", a number word).
func (c *ctx) age(lo, hi int) string {
	r := c.r
	n := r.between(lo, hi)
	m := min(n+r.between(1, 3), 17)
	if m <= n {
		m = n + 1
	}
	f := pick(r, c.choices("agef"))
	words := c.choices("numw")
	w := strconv.Itoa(n)
	if n < len(words) {
		w = words[n]
	}
	c.tag("age")
	if r.chance(0.04) && strings.Contains(f, "{N}") {
		// Keycap digits ("1️⃣3️⃣") hide an age from a digit match.
		c.tag("emoji")
		return strings.ReplaceAll(strings.ReplaceAll(f, "{N}", keycaps(n)), "{M}", keycaps(m))
	}
	f = strings.ReplaceAll(f, "{N}", strconv.Itoa(n))
	f = strings.ReplaceAll(f, "{M}", strconv.Itoa(m))
	return strings.ReplaceAll(f, "{W}", w)
}

// appWord returns how a post names app, disguised now and then.
func (c *ctx) appWord(app string) (string, []string) {
	r := c.r
	var tags []string
	var w string
	variants := appVariants[app]
	if c.lang == "ru" && len(variants.cyrillic) > 0 && r.chance(0.3) {
		return pick(r, variants.cyrillic), []string{"translit"}
	}
	switch x := r.next() % 100; {
	case x < 8 && len(variants.misspelt) > 0:
		w = pick(r, variants.misspelt)
		tags = append(tags, "misspelling")
	case x < 16 && len(variants.abbrev) > 0:
		w = pick(r, variants.abbrev)
		tags = append(tags, "abbrev")
	case x < 27 && len(variants.emoji) > 0:
		w = pick(r, variants.emoji)
		tags = append(tags, "emoji")
	default:
		w = pick(r, variants.names)
	}
	if r.chance(c.disguise) && isASCIIWord(w) && !strings.Contains(w, " ") && len(tags) == 0 {
		var t string
		w, t = disguiseWord(r, w)
		tags = append(tags, t)
	}
	return w, tags
}

// contact writes one contact: an app word and a handle in one of many
// orders, or a link on its own; it records the canonical handle. allow
// limits the handle's kinds ("link" for group invites; "" for any).
func (c *ctx) contact(allow string) string {
	r := c.r
	list := c.fam.appList()
	app := pick(r, list)
	for i := 0; i < 4 && c.usedApps[app] && len(list) > 1; i++ {
		app = pick(r, list)
	}
	c.usedApps[app] = true
	h, htags := makeHandle(r, app, c.lang, allow)
	for _, t := range htags {
		c.tag(t)
	}
	c.handles = append(c.handles, Handle{App: app, Handle: h.canon})
	c.tag(h.kind)
	text := h.text
	if h.kind == "link" && r.chance(c.disguise*0.8) {
		var t string
		text, t = linkWords(r, text, c.lang)
		c.tag(t)
	} else if (h.name || h.caseSensitive) && r.chance(c.disguise) {
		var t string
		text, t = disguiseHandle(r, h)
		c.tag(t)
	} else if h.name && r.chance(0.15) {
		text = strings.ToUpper(text[:1]) + text[1:]
	}
	if h.standalone && (r.chance(0.6) || !strings.Contains(h.text, "/") && h.kind != "id") {
		switch r.intn(5) {
		case 0, 1:
			return text
		default:
			return c.expand(pick(r, c.choices("cinvlink"))) + " " + text
		}
	}
	aw, atags := c.appWord(app)
	for _, t := range atags {
		c.tag(t)
	}
	pat := pick(r, contactPatterns)
	if strings.HasPrefix(pat, "{H}") {
		c.tag("handle-first")
	}
	if strings.Contains(pat, "\n") {
		c.tag("split-lines")
	}
	return c.expand(fill(pat, "{A}", aw, "{H}", text))
}

// contactPatterns: {A} is the app word, {H} the handle.
var contactPatterns = []string{
	"{A}: {H}", "{A}: {H}", "{A} {H}", "{A} - {H}", "{A} ID: {H}", "{A} {idlabel}: {H}",
	"{cinv} {A} {H}", "{cinv} {A}: {H}", "{cinv} {A} {H}", "{H} {on} {A}", "{H} ({A})",
	"({A}) {H}", "{A}\n{H}", "{idlabel} {A}: {H}", "{A} 👉 {H}", "{A} ➡️ {H}", "{A} = {H}",
	"{A} | {H}", "{A} >> {H}", "{cinv} {A}\n{H}", "{H} @ {A}", "{A} ({idlabel}) {H}",
	"[{A}] {H}", "{A}:{H}", "{cinv} {A} ({idlabel}: {H})",
}

// twoApps gives one username for two apps: "kik or wickr, both: name".
func (c *ctx) twoApps() string {
	r := c.r
	for i := 0; i < 10; i++ {
		a, b := pick(r, nameApps), pick(r, nameApps)
		if a == b {
			continue
		}
		n, ok := sharedName(r, a, b, c.lang)
		if !ok {
			continue
		}
		aw, t1 := c.appWord(a)
		bw, t2 := c.appWord(b)
		for _, t := range append(t1, t2...) {
			c.tag(t)
		}
		c.handles = append(c.handles, Handle{App: a, Handle: n}, Handle{App: b, Handle: n})
		c.tag("mention")
		c.tag("two-apps")
		pat := pick(r, c.choices("twoapps"))
		return c.expand(fill(fill(pat, "{A}", aw, "{B}", bw), "{H}", n, "", ""))
	}
	return c.contact("")
}

// finishTags returns the example's tags, sorted.
func (c *ctx) finishTags() []string {
	out := make([]string, 0, len(c.tags))
	for t := range c.tags {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// tidy collapses the double spaces and stray spaces before punctuation
// that slot expansion leaves.
func tidy(s string) string {
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	s = strings.ReplaceAll(s, " ,", ",")
	s = strings.ReplaceAll(s, " \n", "\n")
	s = strings.ReplaceAll(s, "\n ", "\n")
	return strings.ReplaceAll(strings.TrimSpace(s), wordGap, "  ")
}

// wordGap stands for the two spaces between letter-spaced words until tidy
// has collapsed every other run of spaces.
const wordGap = "\x00"

// fill puts the app words and the handle into a contact pattern. The
// values hold no braces, so expanding the result never reads a handle as
// a slot.
func fill(pat, a, av, b, bv string) string {
	pat = strings.ReplaceAll(pat, a, av)
	if b != "" {
		pat = strings.ReplaceAll(pat, b, bv)
	}
	return pat
}

// keycaps writes n in keycap emoji: digit, U+FE0F, U+20E3.
func keycaps(n int) string {
	var b strings.Builder
	for _, d := range strconv.Itoa(n) {
		b.WriteRune(d)
		b.WriteString("\ufe0f\u20e3")
	}
	return b.String()
}
