package gen

import (
	"strings"
	"unicode"
)

// The disguises below are the ones posts use to slip past word lists. Each
// is undone by Unfold (fold.go) except leet, punctuation, misspelling and
// emoji, which are only ever applied to words that are not handles.

// homoglyphs maps ASCII letters to look-alikes (Cyrillic, Greek).
var homoglyphs = map[rune][]rune{
	'a': {'а', 'α'}, 'c': {'с'}, 'e': {'е'}, 'o': {'о', 'ο'}, 'p': {'р', 'ρ'},
	'x': {'х', 'χ'}, 'y': {'у'}, 'i': {'і', 'ι'}, 's': {'ѕ'}, 'j': {'ј'}, 'k': {'к', 'κ'},
	'h': {'һ'}, 'n': {'ո'}, 'v': {'ν'}, 't': {'т'}, 'm': {'м'}, 'b': {'Ь'}, 'g': {'ɡ'},
	'A': {'А', 'Α'}, 'B': {'В', 'Β'}, 'C': {'С'}, 'E': {'Е', 'Ε'}, 'H': {'Н', 'Η'},
	'K': {'К', 'Κ'}, 'M': {'М', 'Μ'}, 'O': {'О', 'Ο'}, 'P': {'Р', 'Ρ'}, 'T': {'Т', 'Τ'},
	'X': {'Х', 'Χ'}, 'Y': {'Υ'}, 'I': {'І', 'Ι'}, 'S': {'Ѕ'}, 'Z': {'Ζ'}, 'N': {'Ν'},
}

var smallCaps = map[rune]rune{
	'a': 'ᴀ', 'b': 'ʙ', 'c': 'ᴄ', 'd': 'ᴅ', 'e': 'ᴇ', 'f': 'ꜰ', 'g': 'ɢ', 'h': 'ʜ', 'i': 'ɪ',
	'j': 'ᴊ', 'k': 'ᴋ', 'l': 'ʟ', 'm': 'ᴍ', 'n': 'ɴ', 'o': 'ᴏ', 'p': 'ᴘ', 'r': 'ʀ', 's': 'ꜱ',
	't': 'ᴛ', 'u': 'ᴜ', 'v': 'ᴠ', 'w': 'ᴡ', 'y': 'ʏ', 'z': 'ᴢ',
}

// unfoldMap undoes homoglyphs and small capitals.
var unfoldMap = func() map[rune]rune {
	m := map[rune]rune{}
	for a, gs := range homoglyphs {
		for _, g := range gs {
			m[g] = a
		}
	}
	for a, g := range smallCaps {
		m[g] = a
	}
	return m
}()

var zeroWidth = []rune{'\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad'}

var leetMap = map[rune][]string{
	'a': {"4", "@"}, 'e': {"3"}, 'i': {"1", "!"}, 'o': {"0"}, 's': {"5", "$"}, 't': {"7"}, 'l': {"1"}, 'g': {"9"}, 'b': {"8"},
}

func fullwidth(s string) string {
	var b strings.Builder
	for _, c := range s {
		if c > 0x20 && c < 0x7f {
			c += 0xFEE0
		}
		b.WriteRune(c)
	}
	return b.String()
}

// mathStyles: capital A, small a and digit 0 of three styles without holes
// (bold, sans-serif bold, monospace).
var mathStyles = [][3]rune{{0x1D400, 0x1D41A, 0x1D7CE}, {0x1D5D4, 0x1D5EE, 0x1D7EC}, {0x1D670, 0x1D68A, 0x1D7F6}}

func mathLetters(r *rng, s string) string {
	st := pick(r, mathStyles)
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z':
			c = st[0] + c - 'A'
		case c >= 'a' && c <= 'z':
			c = st[1] + c - 'a'
		case c >= '0' && c <= '9':
			c = st[2] + c - '0'
		}
		b.WriteRune(c)
	}
	return b.String()
}

func circled(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
			c = 0x24D0 + c - 'a'
		case c >= 'A' && c <= 'Z':
			c = 0x24B6 + c - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}

func regionalIndicators(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if c >= 'a' && c <= 'z' {
			c = 0x1F1E6 + c - 'a'
			b.WriteRune(c)
			b.WriteRune('\u200b') // keeps pairs from reading as flags
			continue
		}
		b.WriteRune(c)
	}
	return strings.TrimSuffix(b.String(), "\u200b")
}

// homoglyph swaps one to three letters for look-alikes.
func homoglyph(r *rng, s string) string {
	rs := []rune(s)
	var idx []int
	for i, c := range rs {
		if _, ok := homoglyphs[c]; ok {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return s
	}
	for k := r.between(1, min(3, len(idx))); k > 0; k-- {
		i := pick(r, idx)
		if g, ok := homoglyphs[rs[i]]; ok {
			rs[i] = pick(r, g)
		}
	}
	return string(rs)
}

func insertZeroWidth(r *rng, s string) string {
	rs := []rune(s)
	if len(rs) < 2 {
		return s
	}
	k := r.between(1, min(3, len(rs)-1))
	pos := map[int]bool{}
	for ; k > 0; k-- {
		pos[r.between(1, len(rs)-1)] = true
	}
	var b strings.Builder
	for i, c := range rs {
		if pos[i] {
			b.WriteRune(pick(r, zeroWidth))
		}
		b.WriteRune(c)
	}
	return b.String()
}

func spaced(s string, sep string) string {
	rs := []rune(s)
	parts := make([]string, len(rs))
	for i, c := range rs {
		parts[i] = string(c)
	}
	return strings.Join(parts, sep)
}

func leet(r *rng, s string) string {
	var b strings.Builder
	changed := false
	for _, c := range s {
		if l, ok := leetMap[unicode.ToLower(c)]; ok && r.chance(0.55) {
			b.WriteString(pick(r, l))
			changed = true
			continue
		}
		b.WriteRune(c)
	}
	if !changed {
		for _, c := range s {
			if l, ok := leetMap[c]; ok {
				return strings.Replace(s, string(c), l[0], 1)
			}
		}
	}
	return b.String()
}

func mixedCase(r *rng, s string) string {
	var b strings.Builder
	for i, c := range s {
		if (i%2 == 0) != r.chance(0.25) {
			c = unicode.ToUpper(c)
		} else {
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

func toSmallCaps(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if sc, ok := smallCaps[c]; ok {
			c = sc
		}
		b.WriteRune(c)
	}
	return b.String()
}

// disguiseWord applies one disguise from tags to an app word or a
// lexicon word (never a handle) and returns the text and the tag.
func disguiseWord(r *rng, s string) (string, string) {
	if !isASCIIWord(s) {
		// Cyrillic and other scripts: only disguises that keep the letters.
		switch r.intn(3) {
		case 0:
			return insertZeroWidth(r, s), "zerowidth"
		case 1:
			return spaced(s, " "), "spaced"
		default:
			return strings.ToUpper(s), "mixed-case"
		}
	}
	switch r.intn(11) {
	case 0:
		return fullwidth(s), "fullwidth"
	case 1:
		return mathLetters(r, s), "math"
	case 2:
		return homoglyph(r, s), "homoglyph"
	case 3:
		return insertZeroWidth(r, s), "zerowidth"
	case 4:
		return spaced(s, " "), "spaced"
	case 5:
		return spaced(s, pick(r, []string{".", ".", "-", "*", "_"})), "punctuated"
	case 6:
		return leet(r, s), "leet"
	case 7:
		return toSmallCaps(s), "smallcaps"
	case 8:
		if r.chance(0.5) {
			return circled(s), "circled"
		}
		return regionalIndicators(s), "regional-indicator"
	default:
		return mixedCase(r, s), "mixed-case"
	}
}

// disguiseHandle applies a disguise a reader (and Unfold) can undo to a
// handle; case-sensitive handles keep every letter's case.
func disguiseHandle(r *rng, h hshape) (string, string) {
	s := h.text
	if h.caseSensitive {
		if r.chance(0.5) {
			return insertZeroWidth(r, s), "zerowidth"
		}
		return fullwidth(s), "fullwidth"
	}
	switch r.intn(6) {
	case 0:
		return fullwidth(s), "fullwidth"
	case 1:
		return mathLetters(r, s), "math"
	case 2:
		return homoglyph(r, s), "homoglyph"
	case 3:
		return insertZeroWidth(r, s), "zerowidth"
	case 4:
		if len(s) <= 24 {
			return spaced(s, " "), "spaced"
		}
		return insertZeroWidth(r, s), "zerowidth"
	default:
		return mixedCase(r, s), "mixed-case"
	}
}

// linkWords writes a link's punctuation out ("t dot me slash x", "t[.]me/x").
func linkWords(r *rng, link, lang string) (string, string) {
	body := link
	for _, p := range []string{"https://", "http://"} {
		body = strings.TrimPrefix(body, p)
	}
	// Only the host part and the first slash are rewritten: the handle after
	// them stays as written.
	slash := strings.IndexByte(body, '/')
	if slash < 0 {
		return link, ""
	}
	host, rest := body[:slash], body[slash+1:]
	dot, sl := " dot ", " slash "
	switch lang {
	case "es", "pt":
		dot, sl = pick(r, []string{" punto ", " ponto ", " dot "}), " barra "
		if lang == "es" {
			dot = pick(r, []string{" punto ", " dot "})
		}
	case "fr":
		dot, sl = pick(r, []string{" point ", " dot "}), " slash "
	case "de":
		dot, sl = pick(r, []string{" punkt ", " dot "}), pick(r, []string{" slash ", " schrägstrich "})
	case "it":
		dot, sl = " punto ", " slash "
	case "nl":
		dot, sl = pick(r, []string{" punt ", " dot "}), " slash "
	case "ru":
		dot, sl = pick(r, []string{" точка ", " dot "}), pick(r, []string{" слэш ", " slash "})
	}
	switch r.intn(4) {
	case 0:
		return strings.ReplaceAll(host, ".", dot) + sl + rest, "dot-slash-words"
	case 1:
		return strings.ReplaceAll(host, ".", "[.]") + "/" + rest, "dot-slash-words"
	case 2:
		return strings.ReplaceAll(host, ".", "(dot)") + "/" + rest, "dot-slash-words"
	default:
		return strings.ReplaceAll(host, ".", " . ") + " / " + rest, "punctuated"
	}
}

func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
