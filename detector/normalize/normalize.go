package normalize

import (
	"encoding/binary"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// load64 reads eight bytes of s at i (little endian); i+8 <= len(s).
func load64(s string, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:i+8]), 8))
}

func store64(b []byte, j int, w uint64) { binary.LittleEndian.PutUint64(b[j:j+8], w) }

// Text is a post's text in normalised forms with offset maps back to the
// original.
type Text struct {
	Orig string // the original text
	// Norm is Orig fully folded for lexicon matching: compatibility forms
	// (NFKC), case folded, default-ignorable and zero-width code points
	// removed, look-alike letters read as ASCII, diacritics stripped,
	// leetspeak undone inside letter words, letter-spaced and punctuated
	// words collapsed ("w i c k r" → "wickr") and obfuscated link
	// punctuation joined ("t . me / x", "t[.]me/x", "t dot me slash x" →
	// "t.me/x"). Words are separated by single spaces; Norm never starts or
	// ends with a space and never contains '\n', so callers may batch texts
	// joined by '\n'.
	//
	// When the Text was filled by Normalizer.Normalize, Norm shares memory
	// with the Text: the next Normalize into the same Text overwrites it.
	// Copy it (strings.Clone) to keep it longer.
	Norm string

	buf []byte
	// segs maps Norm back to Orig, one segment per run of Norm bytes that
	// map alike (see seg); an ASCII text with single spaces has one.
	segs []seg
	leet bool // the second pass read leetspeak as letters somewhere
	// glued: a symbol rune sits between two ASCII letters or digits
	// ("d🔹e🔹m🔹o"), which the check pass does not look at.
	glued bool
	// mixed: a word of a script with no ASCII reading (Russian) has ASCII
	// letters in it ("тeлeгрaм" with Latin e and a), which the rewriting
	// pass reads as that script's look-alikes (see cyrillicLookalike).
	mixed bool
}

// HasLeet reports whether Norm reads some digit or symbol of Orig as a
// letter ("w1ckr" → "wickr"): only then can a word of Norm without digits
// have had digits in Orig.
func (t *Text) HasLeet() bool { return t.leet }

// seg maps the Norm bytes from n up to the next segment's n. A linear
// segment (oe < 0) maps Norm byte p to Orig byte o+(p-n); a block segment
// maps each of its bytes to the whole of Orig[o:oe] (a rune that became
// several bytes, a spelled-out "dot" that became '.').
type seg struct{ n, o, oe int32 }

// span returns the Orig span of Norm byte p inside segment s.
func (s seg) span(p int) (int, int) {
	if s.oe < 0 {
		o := int(s.o) + p - int(s.n)
		return o, o + 1
	}
	return int(s.o), int(s.oe)
}

// segAt returns the segment holding Norm byte p.
func (t *Text) segAt(p int) seg {
	lo, hi := 0, len(t.segs)
	for hi-lo > 1 {
		m := int(uint(lo+hi) >> 1)
		if int(t.segs[m].n) <= p {
			lo = m
		} else {
			hi = m
		}
	}
	return t.segs[lo]
}

// OrigSpan maps a byte span [start,end) of t.Norm to the byte span of
// t.Orig it came from. The result is always inside Orig with start <= end,
// on UTF-8 boundaries; bad input spans are clamped to Norm first.
func (t *Text) OrigSpan(start, end int) (int, int) {
	n := len(t.buf)
	start = min(max(start, 0), n)
	end = min(max(end, start), n)
	if n == 0 {
		return 0, 0
	}
	if start == end {
		if start < n {
			o, _ := t.segAt(start).span(start)
			return o, o
		}
		_, o := t.segAt(n - 1).span(n - 1)
		return o, o
	}
	o, _ := t.segAt(start).span(start)
	_, e := t.segAt(end - 1).span(end - 1)
	return o, e
}

// mapNext records that the next Norm byte (at len(t.buf)) comes from
// Orig[from:to], extending the last segment when it can.
func (t *Text) mapNext(from, to int) {
	j := int32(len(t.buf))
	if k := len(t.segs) - 1; k >= 0 {
		last := t.segs[k]
		if last.oe < 0 && to == from+1 && int32(from) == last.o+j-last.n {
			return
		}
		if last.oe >= 0 && int32(from) == last.o && int32(to) == last.oe {
			return
		}
		if last.n == j {
			t.segs = t.segs[:k] // empty: replace it
		}
	}
	if to == from+1 {
		t.segs = append(t.segs, seg{j, int32(from), -1})
	} else {
		t.segs = append(t.segs, seg{j, int32(from), int32(to)})
	}
}

// emit appends one Norm byte that comes from Orig[from:to].
func (t *Text) emit(c byte, from, to int) {
	t.mapNext(from, to)
	t.buf = append(t.buf, c)
}

// Normalizer holds reusable buffers: not safe for concurrent use; one per
// goroutine.
type Normalizer struct {
	// scratch receives the first pass when the second one has to rewrite.
	scratch Text
}

// NewNormalizer returns a Normalizer.
func NewNormalizer() *Normalizer { return &Normalizer{} }

// Normalize returns the Text of s in fresh memory.
func Normalize(s string) *Text {
	t := &Text{}
	NewNormalizer().Normalize(t, s)
	return t
}

// Normalize fills dst (reusing its buffers) from s. Invalid UTF-8 is treated
// as U+FFFD for matching but offsets still map into s.
func (n *Normalizer) Normalize(dst *Text, s string) {
	dst.Orig = s
	if len(s) > maxLen {
		s = s[:maxLen] // offsets are int32; nothing real is this long
	}
	fold(dst, s)
	rewrite, leet := leetAndCheck(dst.buf)
	if rewrite || dst.glued || dst.mixed {
		src := &n.scratch
		src.buf, dst.buf = dst.buf, src.buf
		src.segs, dst.segs = dst.segs, src.segs
		shape(dst, src)
		_, again := leetAndCheck(dst.buf)
		leet = leet || again
	}
	dst.leet = leet
	if len(dst.buf) == 0 {
		dst.Norm = ""
		return
	}
	dst.Norm = unsafe.String(&dst.buf[0], len(dst.buf))
}

const maxLen = 1<<31 - 64

// lower maps ASCII to lowercase.
var lower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// Byte classes of the first pass.
const (
	bcCopy  = iota // copied (lowercased)
	bcSpace        // ASCII white space
	bcDrop         // control character
	bcHigh         // starts a multi-byte rune
)

var byteClass = func() (t [256]uint8) {
	for i := range t {
		switch {
		case i >= utf8.RuneSelf:
			t[i] = bcHigh
		case isASCIISpace(byte(i)):
			t[i] = bcSpace
		case i < ' ' || i == 0x7F:
			t[i] = bcDrop
		}
	}
	return t
}()

// fold is the first pass: per code point, case, compatibility forms,
// ignorables, white space and look-alikes; ASCII takes a fast path that
// copies bytes while the offset map stays one linear segment.
func fold(t *Text, s string) {
	t.buf, t.segs = t.buf[:0], t.segs[:0]
	t.glued, t.mixed = false, false
	if cap(t.buf) < len(s) {
		t.buf = make([]byte, 0, max(len(s), 2*cap(t.buf)))
	}
	// Look-alike decisions hold for a whole word: until decidedEnd, asciiMode
	// says whether look-alike letters are read as ASCII.
	decidedEnd, asciiMode := -1, false
	buf := t.buf[:cap(t.buf)]
	j := 0
	t.segs = append(t.segs, seg{0, 0, -1})
	for i := 0; i < len(s); {
		// Fast path. Invariant: room for every remaining byte of s is
		// reserved in buf, and Norm byte j maps linearly to Orig byte i.
		// Eight bytes at a time while they are printable ASCII without two
		// spaces in a row.
		for i+8 <= len(s) {
			w, ok := lowerWord(load64(s, i), j == 0 || buf[j-1] == ' ')
			if !ok {
				break
			}
			store64(buf, j, w)
			i += 8
			j += 8
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if byteClass[c] == bcCopy {
			buf[j] = lower[c]
			j++
			i++
			continue
		}
		if c == ' ' && j > 0 && buf[j-1] != ' ' {
			buf[j] = ' '
			j++
			i++
			continue
		}
		t.buf = buf[:j]
		switch byteClass[c] {
		case bcSpace:
			if c != ' ' && j > 0 && buf[j-1] != ' ' {
				t.emit(' ', i, i+1)
			}
			i++
		case bcDrop:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			var out string
			switch code := lookup(r); {
			case r == utf8.RuneError && size == 1:
				out = "\uFFFD"
			case code == codeIdentity:
				out = s[i : i+size]
				if !t.glued && len(t.buf) > 0 && i+size < len(s) && isASCIIAlnum(t.buf[len(t.buf)-1]) &&
					isASCIIAlnum(lower[s[i+size]]) && symRuneAt([]byte(out), 0) == size {
					t.glued = true
				}
			case code == codeDrop:
			case code == codeSpace:
				out = " "
			default:
				e := &foldEntries[code-codeEntry]
				out = e.plain
				if e.ascii != "" && e.ascii != e.plain {
					if i >= decidedEnd {
						var latin bool
						decidedEnd, asciiMode, latin = decideWord(s, i)
						t.mixed = t.mixed || !asciiMode && latin
					}
					if asciiMode {
						out = e.ascii
					}
				}
			}
			if need := len(t.buf) + len(out) + len(s) - i - size; need > cap(t.buf) {
				nb := make([]byte, len(t.buf), max(need, 2*cap(t.buf)))
				copy(nb, t.buf)
				t.buf = nb
			}
			for k := 0; k < len(out); k++ {
				if b := out[k]; b != ' ' || len(t.buf) > 0 && t.buf[len(t.buf)-1] != ' ' {
					t.emit(b, i, i+size)
				}
			}
			i += size
		}
		// Back to the fast path: the next byte starts a linear segment.
		j = len(t.buf)
		buf = t.buf[:cap(t.buf)]
		if i < len(s) {
			t.mapNext(i, i+1)
		}
	}
	if j > 0 && buf[j-1] == ' ' {
		j--
	}
	t.buf = buf[:j]
	if j == 0 {
		t.segs = t.segs[:0]
	}
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// lowerWord lowercases eight bytes of ASCII text at once. It reports false
// when the bytes need the byte-by-byte path: non-ASCII, a control character
// or DEL, or two spaces in a row (counting a space just written before them,
// spaceBefore).
func lowerWord(w uint64, spaceBefore bool) (uint64, bool) {
	x := w & ^uint64(highs)
	// Bytes >= 0x80 or == 0x7F, or < 0x20: each test sets the byte's high bit.
	bad := w | (x + ones) | ^(x + (0x80-0x20)*ones)
	if bad&highs != 0 {
		return w, false
	}
	t := x ^ (' ' * ones)
	spaces := ^(((t & ^uint64(highs)) + ^uint64(highs)) | t) & highs
	if spaces&(spaces<<8) != 0 || spaceBefore && spaces&0x80 != 0 {
		return w, false
	}
	upper := (x + (0x80-'A')*ones) & ^(x + (0x80-'Z'-1)*ones) & highs
	return w | upper>>2, true
}

// Word classes for the look-alike decision.
const (
	wcBoundary = iota // ends the word
	wcNeutral         // part of the word, no say (ASCII letters and digits)
	wcIgnored         // removed before matching: neither part nor end of a word
	wcFoldable        // a letter with an ASCII reading
	wcBlock           // a letter of a look-alike script with no ASCII reading
)

func wordClass(r rune) int {
	if r < utf8.RuneSelf {
		c := byte(r)
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '@' || c == '$' || c == '|' {
			return wcNeutral
		}
		if byteClass[c] == bcDrop {
			return wcIgnored
		}
		return wcBoundary
	}
	code := lookup(r)
	switch {
	case code == codeDrop:
		return wcIgnored
	case code < codeEntry:
		return wcBoundary
	}
	e := &foldEntries[code-codeEntry]
	switch {
	case e.flags&flagBlock != 0:
		return wcBlock
	case e.plain != "" && e.plain[0] < utf8.RuneSelf && isAlnum(e.plain[0]):
		// Becomes ASCII letters or digits whatever the word (ｗ, 𝐰, ⒲, 🅦):
		// in Norm it is like an ASCII letter.
		return wcNeutral
	case e.ascii != "" && (unicode.IsLetter(r) || unicode.IsLetter(firstRune(e.plain))):
		return wcFoldable
	}
	return wcBoundary
}

// firstRune returns the first rune of s after any spaces.
func firstRune(s string) rune {
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// decideWord finds the word around the look-alike letter at i and decides
// whether its look-alike letters are read as ASCII: yes unless the word also
// has a letter of that script with no ASCII reading (then it is a real word
// of that script, say Russian, and stays readable). It returns the end of
// the word, and whether it has an ASCII letter.
func decideWord(s string, i int) (end int, ascii, latin bool) {
	ascii = true
	units := 0 // code points of the word other than ignorables
	count := func(r rune, cl int) {
		if cl != wcIgnored {
			units++
		}
		if r < utf8.RuneSelf && (r|0x20 >= 'a' && r|0x20 <= 'z') {
			latin = true
		}
		if cl == wcBlock {
			ascii = false
		}
	}
	for k := i; k > 0; {
		r, size := utf8.DecodeLastRuneInString(s[:k])
		cl := wordClass(r)
		if cl == wcBoundary {
			break
		}
		count(r, cl)
		k -= size
	}
	end = i
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		cl := wordClass(r)
		if cl == wcBoundary && end > i {
			break
		}
		count(r, cl)
		end += size
	}
	// A one-letter word keeps its script: Russian "в" stays "в", and a
	// letter-spaced word ("т е л е г р а м", "w і c k r") is decided as a
	// whole once the second pass has collapsed it.
	if units == 1 {
		ascii = false
	}
	return end, ascii, latin
}

func isUpper(r rune) bool {
	return unicode.IsUpper(r) || unicode.IsTitle(r) || unicode.Is(unicode.Other_Uppercase, r)
}

func isASCIIAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
