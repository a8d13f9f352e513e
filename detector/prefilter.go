package detector

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/detector/handles"
	"github.com/handlewatch/handlewatch/detector/normalize"
)

// The prefilter rules out, on the raw NDJSON line, the posts that cannot
// yield a handle candidate, so that scan decodes, normalises and extracts
// only the rest. It is sound: a line it skips is one the full path would
// count as a post and find nothing in (prefilter_test.go holds it to that
// on every corpus here and under fuzzing). Why, in short: a candidate
// needs one of the extractor's entry points in Norm, and each has a
// trace in the text that survives normalisation:
//
//   - a word whose first four bytes start an app word or a link label
//     (handles.Extractor.TriggerKeys, the extractor's own table): Norm's
//     words are the text's words lowercased, with look-alikes and
//     compatibility forms folded (done here through normalize's own table,
//     normalize.PrefilterRune) and leetspeak undone, so every reading of
//     a word's leet characters is tried; a word with a non-ASCII letter
//     or an emoji is normalised for real, on its own;
//   - letter spacing ("w i c k r"), the only rewrite that joins words:
//     three one-character words in a row (symbols between them are gaps),
//     two of them letters other than "a" and "i", or two letters before a
//     ':', send the line to the full path;
//   - a word of 32 bytes or more (Session and Tox IDs);
//   - an '@' or '#' before a ':' (Matrix IDs), an '@' name ending in
//     "bot", and a bare "@name" unless it is plainly a reply (no cue word
//     before it, words after it on its line, no pointing mark).
//
// Only lines of one simple shape are skipped: a flat object of the keys
// skippableKeys, string values without \u escapes, an integer id or time,
// a non-empty "text". Anything else (Reddit fields, links, nested values,
// invalid UTF-8) takes the full path, so the posts and malformed lines
// counted stay what the decoder would count.
type prefilter struct {
	x     *handles.Extractor
	bloom [1 << 20 / 64]uint64 // hashed trigger keys
	keys  map[uint32]bool      // the same, exact
}

// skippableKeys are the keys a skipped line may have, each once.
var skippableKeys = map[string]uint8{
	"id": 1, "text": 2, "created_utc": 3, "author": 4, "lang": 4, "source": 4, "source_kind": 4, "name": 4,
}

func newPrefilter(x *handles.Extractor) *prefilter {
	pf := &prefilter{x: x, keys: map[uint32]bool{}}
	for _, k := range x.TriggerKeys() {
		pf.keys[k] = true
		h := bloomHash(k)
		pf.bloom[h>>6] |= 1 << (h & 63)
	}
	return pf
}

func bloomHash(k uint32) uint32 { return (k * 0x9E3779B1) >> 12 }

func (pf *prefilter) trigger(k uint32) bool {
	h := bloomHash(k)
	return pf.bloom[h>>6]&(1<<(h&63)) != 0 && pf.keys[k]
}

// pfScratch is one goroutine's working memory.
type pfScratch struct {
	f    []byte  // the text folded: ASCII, markers for non-ASCII
	segs []int32 // pairs of text offsets (unescaped) of words to normalise
	ats  []int32 // pairs (f offset, text offset) of each '@'
	d    []byte  // the unescaped text, when it had escapes
	txt  string  // the unescaped text (d, or the line's own bytes)
	word [64]byte
	n    *normalize.Normalizer
	t    normalize.Text
}

// Markers in f for a non-ASCII code point: an emoji or symbol, and a
// letter (or a look-alike) that only normalising its word reads.
const (
	markInert  = 0x80
	markLetter = 0x81
)

// pfWord: bytes of the words looked at (extractor word bytes, leet
// symbols, markers).
var pfWord = func() (t [256]bool) {
	for i := range t {
		c := byte(i)
		t[i] = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '@' || c == '$' || c == '|' || c >= 0x80
	}
	return t
}()

// skip reports whether line (trimmed) is a well-formed post of the simple
// shape that cannot yield a handle candidate.
func (pf *prefilter) skip(line string, sc *pfScratch) bool {
	i := 0
	if len(line) < 2 || line[0] != '{' {
		return false
	}
	i = skipWS(line, 1)
	if i < len(line) && line[i] == '}' {
		return false // no text: malformed, the full path says so
	}
	var seen uint8
	hasText := false
	for {
		if i >= len(line) || line[i] != '"' {
			return false
		}
		end := strings.IndexByte(line[i+1:], '"')
		if end < 0 {
			return false
		}
		key := line[i+1 : i+1+end]
		kind, ok := skippableKeys[key]
		if !ok {
			return false
		}
		bit := uint8(1) << (kind - 1)
		if kind == 4 {
			bit = 0 // strings nothing reads: repeats do no harm
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		i = skipWS(line, i+2+end)
		if i >= len(line) || line[i] != ':' {
			return false
		}
		i = skipWS(line, i+1)
		switch kind {
		case 1: // id: a plain string or an integer
			if i < len(line) && line[i] == '"' {
				i, ok = plainString(line, i)
			} else {
				i, ok = integer(line, i, 19)
			}
		case 2:
			if i >= len(line) || line[i] != '"' {
				return false
			}
			hasText = true
			i, ok = pf.text(line, i, sc)
		case 3:
			i, ok = integer(line, i, 11)
		default:
			i, ok = jsonString(line, i)
		}
		if !ok {
			return false
		}
		i = skipWS(line, i)
		if i >= len(line) {
			return false
		}
		if line[i] == '}' {
			if skipWS(line, i+1) != len(line) {
				return false
			}
			break
		}
		if line[i] != ',' {
			return false
		}
		i = skipWS(line, i+1)
	}
	return hasText && pf.clear(sc)
}

func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n') {
		i++
	}
	return i
}

// integer reads a JSON integer of at most maxDigits digits at s[i].
func integer(s string, i, maxDigits int) (int, bool) {
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	if j == i || j-i > maxDigits || s[i] == '0' && j-i > 1 {
		return j, false
	}
	return j, true
}

// plainString reads a string without escapes or control bytes, valid
// UTF-8, at s[i] ('"').
func plainString(s string, i int) (int, bool) {
	end := strings.IndexByte(s[i+1:], '"')
	if end < 0 {
		return i, false
	}
	v := s[i+1 : i+1+end]
	for k := 0; k < len(v); k++ {
		if v[k] < 0x20 || v[k] == '\\' {
			return i, false
		}
	}
	return i + 2 + end, utf8.ValidString(v)
}

// jsonString reads a string at s[i]: escapes other than \u, no control
// bytes, valid UTF-8.
func jsonString(s string, i int) (int, bool) {
	if i >= len(s) || s[i] != '"' {
		return i, false
	}
	for j := i + 1; j < len(s); {
		c := s[j]
		switch {
		case c == '"':
			return j + 1, true
		case c == '\\':
			if j+1 >= len(s) || strings.IndexByte(`"\/bfnrt`, s[j+1]) < 0 {
				return j, false
			}
			j += 2
		case c < 0x20:
			return j, false
		case c < utf8.RuneSelf:
			j++
		default:
			r, size := utf8.DecodeRuneInString(s[j:])
			if r == utf8.RuneError && size == 1 {
				return j, false
			}
			j += size
		}
	}
	return i, false
}

// text reads the "text" value at s[i] ('"') and folds it into sc.f the
// way normalize's first pass would, as far as the prefilter needs.
func (pf *prefilter) text(s string, i int, sc *pfScratch) (int, bool) {
	f := sc.f[:0]
	sc.segs, sc.ats, sc.d = sc.segs[:0], sc.ats[:0], sc.d[:0]
	start := i + 1
	escapes := 0 // bytes the escapes before j take beyond their value
	inWord, exact := false, false
	var wordStart int32 // text offset of the word's first byte
	textEnd := -1
	// emit appends one folded byte that comes from the text at [a, b).
	emit := func(c byte, a, b int) {
		switch {
		case pfWord[c]:
			if !inWord {
				inWord, exact, wordStart = true, false, int32(a)
			}
			if c >= 0x80 {
				exact = true
			}
			if c == '@' {
				sc.ats = append(sc.ats, int32(len(f)), int32(a))
			}
			f = append(f, c)
		case c == ' ' || c == '\n':
			if n := len(f); n > 0 && (f[n-1] == ' ' || f[n-1] == '\n') {
				if c == '\n' {
					f[n-1] = '\n'
				}
			} else {
				f = append(f, c)
			}
		default:
			f = append(f, c)
		}
		if !pfWord[c] && inWord {
			inWord = false
			if exact {
				sc.segs = append(sc.segs, wordStart, int32(a))
			}
		}
	}
	j := start
loop:
	for j < len(s) {
		c := s[j]
		a := j - start - escapes
		// The common bytes first: runs of lowercase letters, and a space.
		if c >= 'a' && c <= 'z' {
			if !inWord {
				inWord, exact, wordStart = true, false, int32(a)
			}
			k := j + 1
			for k < len(s) && s[k] >= 'a' && s[k] <= 'z' {
				k++
			}
			f = append(f, s[j:k]...)
			j = k
			continue
		}
		if c == ' ' && len(f) > 0 && f[len(f)-1] != ' ' && f[len(f)-1] != '\n' {
			if inWord {
				inWord = false
				if exact {
					sc.segs = append(sc.segs, wordStart, int32(a))
				}
			}
			f = append(f, ' ')
			j++
			continue
		}
		switch {
		case c == '"':
			textEnd = j
			break loop
		case c == '\\':
			if j+1 >= len(s) {
				return j, false
			}
			switch s[j+1] {
			case 'n':
				emit('\n', a, a+1)
			case 'r', 't', 'f':
				emit(' ', a, a+1)
			case '"', '\\', '/':
				emit(s[j+1], a, a+1)
			case 'b': // a control character: dropped, its neighbours join
			default:
				return j, false
			}
			j += 2
			escapes++
		case c < 0x20:
			return j, false
		case c < utf8.RuneSelf:
			switch {
			case c == 0x7F: // dropped
			case c >= 'A' && c <= 'Z':
				emit(c+'a'-'A', a, a+1)
			default:
				emit(c, a, a+1)
			}
			j++
		default:
			r, size := utf8.DecodeRuneInString(s[j:])
			if r == utf8.RuneError && size == 1 {
				return j, false
			}
			fold, class := normalize.PrefilterRune(r)
			switch class {
			case normalize.RuneDrop:
			case normalize.RuneSpace:
				emit(' ', a, a+size)
			case normalize.RuneASCII:
				// All word bytes or none: a word's text span must hold
				// whole code points.
				w := 0
				for k := 0; k < len(fold); k++ {
					if pfWord[fold[k]] {
						w++
					}
				}
				if w != 0 && w != len(fold) {
					return j, false
				}
				for k := 0; k < len(fold); k++ {
					emit(fold[k], a, a+size)
				}
			case normalize.RuneInert:
				emit(markInert, a, a+size)
			case normalize.RuneLetter:
				emit(markLetter, a, a+size)
			default:
				return j, false
			}
			j += size
		}
	}
	if textEnd < 0 || textEnd == start {
		return j, false // unterminated, or empty: the full path reports it
	}
	if inWord && exact {
		sc.segs = append(sc.segs, wordStart, int32(textEnd-start-escapes))
	}
	sc.f = f
	sc.txt = s[start:textEnd]
	if escapes > 0 && (len(sc.segs) > 0 || len(sc.ats) > 0) {
		sc.d = appendUnescaped(sc.d[:0], sc.txt)
		sc.txt = string(sc.d)
	}
	return textEnd + 1, true
}

// appendUnescaped appends the JSON string body s (escapes other than \u
// only, checked) unescaped.
func appendUnescaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'f':
			b = append(b, '\f')
		case 'b':
			b = append(b, '\b')
		default:
			b = append(b, s[i])
		}
	}
	return b
}

// clear reports whether the folded text has none of the extractor's
// entry points.
func (pf *prefilter) clear(sc *pfScratch) bool {
	f := sc.f
	if maySpace(f) {
		return false
	}
	// Words: long ones, and the starts of every reading of the ASCII ones.
	for i := 0; i < len(f); {
		if !pfWord[f[i]] {
			i++
			continue
		}
		s, exact, size := i, false, 0
		for i < len(f) && pfWord[f[i]] {
			if f[i] >= 0x80 {
				exact = true
				size += 4
			} else {
				size++
			}
			i++
		}
		if size >= 32 {
			return false
		}
		if exact {
			continue // normalised below
		}
		w := f[s:i]
		for k := 0; k < len(w); k++ {
			if (k == 0 || isLeetSym(w[k-1])) && pf.mayStart(w[k:]) && pf.mayMatch(f, s+k, i, sc) {
				return false
			}
		}
	}
	for k := 0; k < len(sc.segs); k += 2 {
		if !pf.clearWord(sc.txt[sc.segs[k]:sc.segs[k+1]], sc) {
			return false
		}
	}
	for k := 0; k < len(f); k++ {
		if (f[k] == '@' || f[k] == '#') && sigilColon(f, k) {
			return false
		}
		if f[k] == '#' && k >= 2 && f[k-2] == '/' && strings.IndexByte("acgi", f[k-1]) >= 0 {
			return false // a SimpleX short link on any relay host ("smp.example.net/a#T")
		}
	}
	if saidLink(f) {
		return false
	}
	for k := 0; k < len(sc.ats); k += 2 {
		if !safeAt(f, int(sc.ats[k]), sc.txt, int(sc.ats[k+1])) {
			return false
		}
	}
	return true
}

// saidLink reports whether f may hold a Telegram invite said in words
// ("t me slash plus Code"): a '+' or a plus word, and a '/' or a slash
// word, as the extractor's saidInvites asks before it reads one.
func saidLink(f []byte) bool {
	return (bytes.IndexByte(f, '+') >= 0 || containsAny(f, saidPlus)) && (bytes.IndexByte(f, '/') >= 0 || containsAny(f, saidSlash))
}

var saidPlus, saidSlash = func() ([][]byte, [][]byte) {
	plus, slash := handles.SaidLinkWords()
	return asBytes(plus), asBytes(slash)
}()

func asBytes(ws []string) [][]byte {
	out := make([][]byte, len(ws))
	for i, w := range ws {
		out[i] = []byte(w)
	}
	return out
}

func containsAny(f []byte, words [][]byte) bool {
	for _, w := range words {
		if bytes.Contains(f, w) {
			return true
		}
	}
	return false
}

func isLeetSym(c byte) bool { return c == '@' || c == '$' || c == '|' }

// leetLetter is the letter Norm may read a leet character as.
var leetLetter = [256]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '|': 'l'}

// mayStart reports whether some reading of the word w (ASCII, folded)
// starts with a trigger key: each leet digit as itself or its letter,
// each leet symbol as its letter or as the end of the word.
func (pf *prefilter) mayStart(w []byte) bool {
	return pf.readings(w, 0, 0)
}

func (pf *prefilter) readings(w []byte, k int, v uint32) bool {
	for ; k < 4; k++ {
		if k >= len(w) {
			return pf.trigger(v)
		}
		c := w[k]
		if l := leetLetter[c]; l != 0 {
			if isLeetSym(c) {
				// The symbol ends the word unless it stands for a letter.
				if k > 0 && pf.trigger(v) {
					return true
				}
			} else if pf.readings(w, k+1, v|uint32(c)<<(8*k)) {
				return true
			}
			c = l
		}
		v |= uint32(c) << (8 * k)
	}
	return pf.trigger(v)
}

// mayMatch reports whether some reading of the word f[s:e] (ASCII) as
// Norm may have it passes the extractor's word gate (WordMayMatch): each
// leet digit as itself or its letter, each leet symbol as its letter or
// the end of the word. A word with too many leet characters to try them
// all may.
func (pf *prefilter) mayMatch(f []byte, s, e int, sc *pfScratch) bool {
	w := f[s:e]
	leets := 0
	for _, c := range w {
		if leetLetter[c] != 0 {
			leets++
		}
	}
	if len(w) > len(sc.word) || leets > 6 {
		return true
	}
	return pf.matchReadings(f, s, w, 0, sc)
}

func (pf *prefilter) matchReadings(f []byte, s int, w []byte, k int, sc *pfScratch) bool {
	b := sc.word[:]
	for ; k < len(w); k++ {
		c := w[k]
		if l := leetLetter[c]; l != 0 {
			if isLeetSym(c) {
				if k > 0 && pf.wordGate(f, s, s+k, b[:k]) {
					return true // the word ends at the symbol
				}
			} else {
				b[k] = c
				if pf.matchReadings(f, s, w, k+1, sc) {
					return true
				}
			}
			c = l
		}
		b[k] = c
	}
	return pf.wordGate(f, s, s+len(w), b[:len(w)])
}

// wordGate is WordMayMatch of one reading r of f[s:e], with the link
// punctuation a link form needs looked for around it.
func (pf *prefilter) wordGate(f []byte, s, e int, r []byte) bool {
	may, linkOnly := pf.x.WordMayMatch(string(r))
	return may && (!linkOnly || linkNeighbour(f, s, e))
}

// linkNeighbour reports whether Norm may have link punctuation right
// before or after the word f[s:e]: within one space, literal or
// bracketed ("[.]") or spelled out ("dot"), as normalize joins it.
func linkNeighbour(f []byte, s, e int) bool {
	j := s - 1
	if j >= 0 && (f[j] == ' ' || f[j] == '\n') {
		j--
	}
	if j >= 0 {
		c := f[j]
		if strings.IndexByte(handles.LinkPunct, c) >= 0 || strings.IndexByte(")]}>", c) >= 0 || c >= 0x80 {
			return true
		}
		w := j + 1
		for w > 0 && f[w-1] >= 'a' && f[w-1] <= 'z' {
			w--
		}
		if spelledWord(f[w : j+1]) {
			return true
		}
	}
	j = e
	if j < len(f) && (f[j] == ' ' || f[j] == '\n') {
		j++
	}
	if j < len(f) {
		c := f[j]
		if strings.IndexByte(handles.LinkPunct, c) >= 0 || strings.IndexByte("([{<", c) >= 0 || c >= 0x80 {
			return true
		}
		w := j
		for w < len(f) && f[w] >= 'a' && f[w] <= 'z' {
			w++
		}
		if spelledWord(f[j:w]) {
			return true
		}
	}
	return false
}

// spelledWord: the words normalize reads as a dot or a slash, or one word
// of such a phrase ("точка" is not ASCII and so a marker here anyway).
func spelledWord(w []byte) bool { return normalize.SpelledWord(w) }

// clearWord normalises one word that has non-ASCII in it and looks at its
// words as the extractor's scan would.
func (pf *prefilter) clearWord(word string, sc *pfScratch) bool {
	if sc.n == nil {
		sc.n = normalize.NewNormalizer()
	}
	sc.n.Normalize(&sc.t, word)
	n := sc.t.Norm
	run := 0
	for p := 0; p < len(n); p++ {
		if !handles.IsWordByte(n[p]) {
			run = 0
			continue
		}
		if m := handles.OpeningMarkLen(n[p:]); run == 0 && m > 0 && p+m < len(n) && handles.IsWordByte(n[p+m]) {
			p += m - 1 // "«tg", "¡kik": the scan reads the word after the mark
			continue
		}
		if run == 0 && pf.x.MayStartAt(n, p) {
			q := p
			for q < len(n) && handles.IsWordByte(n[q]) {
				q++
			}
			if may, _ := pf.x.WordMayMatch(n[p:q]); may {
				return false
			}
		}
		if run++; run >= 32 {
			return false
		}
	}
	return true
}

// maySpace reports whether f has three one-character words in a row with
// short gaps, two of them letters other than "a" and "i", or two letters
// before a colon: the letter spacing Norm collapses ("w i c k r", "k.i.k",
// "t g :").
func maySpace(f []byte) bool {
	units, letters := 0, 0
	for i := 0; i < len(f); {
		if !shapeWord(f[i]) {
			g := i
			for i < len(f) && !shapeWord(f[i]) {
				i++
			}
			if i-g > 3 {
				units, letters = 0, 0
			}
			continue
		}
		s := i
		for i < len(f) && shapeWord(f[i]) {
			i++
		}
		if i-s <= 2 && f[s] == markInert && f[i-1] == markInert {
			continue // a symbol between the letters ("s 🌟 n 🌟 a 🌟 p") is a gap
		}
		if i-s != 1 {
			units, letters = 0, 0
			continue
		}
		units++
		if c := f[s]; c >= 'a' && c <= 'z' && c != 'a' && c != 'i' || c == markLetter {
			letters++
		}
		if units >= 3 && letters >= 2 {
			return true
		}
		if units == 2 && letters == 2 {
			// "t g : name": two spaced letters before a label colon
			j := i
			for j < len(f) && f[j] == ' ' {
				j++
			}
			if j < len(f) && f[j] == ':' {
				return true
			}
		}
	}
	return false
}

// shapeWord: the bytes normalize's second pass counts as part of a word.
func shapeWord(c byte) bool { return shapeWordT[c] }

var shapeWordT = func() (t [256]bool) {
	for i := range t {
		c := byte(i)
		t[i] = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '@' || c == '$' || c == '|' || c >= 0x80
	}
	return t
}()

// sigilColon reports whether the '@' or '#' at f[k] may start a Matrix ID
// ("@name:server", "#room:server"), or is an '@' name ending in "bot".
func sigilColon(f []byte, k int) bool {
	for j := k + 1; j < len(f) && j-k < 300 && f[j] != ' ' && f[j] != '\n'; j++ {
		if f[j] == ':' {
			return true
		}
	}
	if f[k] != '@' {
		return false
	}
	j := k + 1
	for j < len(f) && pfWord[f[j]] {
		j++
	}
	name := f[k+1 : j]
	for m := 0; m+3 <= len(name); m++ {
		if leetOr(name[m]) == 'b' && leetOr(name[m+1]) == 'o' && leetOr(name[m+2]) == 't' {
			return true
		}
	}
	return false
}

func leetOr(c byte) byte {
	if l := leetLetter[c]; l != 0 {
		return l
	}
	return c
}

// safeAt reports whether the '@' at f[fi] (text[ti]) is plainly not a
// bare contact (bareContact): not after a cue word, words after it on its
// line, no pointing mark before it. Anything unsure is unsafe.
func safeAt(f []byte, fi int, text string, ti int) bool {
	if fi > 0 && (f[fi-1] >= 'a' && f[fi-1] <= 'z' || f[fi-1] >= '0' && f[fi-1] <= '9' || f[fi-1] == '_') {
		return true // inside a word: an e-mail address, or leetspeak
	}
	// The word before, as Norm has it: spaces, then letters.
	e := fi
	for e > 0 && (f[e-1] == ' ' || f[e-1] == '\n') {
		e--
	}
	w := e
	for w > 0 && f[w-1] >= 'a' && f[w-1] <= 'z' {
		w--
	}
	if w > 0 && (f[w-1] >= 0x80 || leetLetter[f[w-1]] != 0) {
		return false // Norm's letters may go on further back
	}
	if w < e && (bareCues[string(f[w:e])] || barePreps[string(f[w:e])]) {
		return false // a cue, or a preposition that may follow one
	}
	// Something after the name on its line.
	k := ti + 1
	for k < len(text) && nameish(text[k]) {
		k++
	}
	if k < len(text) && (text[k] >= utf8.RuneSelf || dropped(text[k])) {
		return false // the name may go on in Norm
	}
	after := false
	for _, r := range text[k:] {
		if r == '\n' {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			after = true
			break
		}
	}
	return after && !pointedAt(text, ti)
}

// nameish: ASCII that Norm may read as part of an '@' name.
func nameish(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || isLeetSym(c)
}

// dropped: ASCII control bytes normalize removes (its neighbours join).
func dropped(c byte) bool {
	return c < ' ' && c != '\n' && c != '\t' && c != '\r' && c != '\f' && c != '\v' || c == 0x7F
}
