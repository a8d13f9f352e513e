package normalize

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The second pass works on the folded bytes: it undoes leetspeak inside
// letter words (in place, one byte for one byte), and, when the text has
// letter spacing or obfuscated link punctuation, rewrites it.

// Byte kinds of the second pass.
const (
	kOther  = iota // ends words
	kLetter        // a-z
	kDigit         // 0-9
	kSym           // @ $ |: leet symbols
	kHigh          // a byte of a non-ASCII rune: part of a word, never leet
)

var kind = func() (t [256]uint8) {
	for i := range t {
		switch {
		case i >= 'a' && i <= 'z':
			t[i] = kLetter
		case i >= '0' && i <= '9':
			t[i] = kDigit
		case i == '@' || i == '$' || i == '|':
			t[i] = kSym
		case i >= 0x80:
			t[i] = kHigh
		}
	}
	return t
}()

// leetTo is the letter a leet character stands for inside a word; 0 when
// it stands for none.
var leetTo = [256]byte{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '|': 'l'}

// maxLeetWord bounds the words leetspeak is undone in: long runs of letters
// and digits are IDs and keys (Session, Tox, hashes), not words.
const maxLeetWord = 24

// leetAndCheck undoes leetspeak in b in place and reports whether b also
// needs the rewriting pass; it returns as soon as it knows that (the caller
// then runs it again after rewriting).
//
// It classifies eight bytes at a time through one table and only stops at
// the few bytes that may need work (see candidates); plain words cost a
// handful of instructions per eight bytes.
func leetAndCheck(b []byte) (rewrite, leet bool) {
	n := len(b)
	leetEnd := 0    // words before this were already looked at for leetspeak
	spacedEnd := 0  // single characters before this were looked at for spacing
	var prev uint64 // class flags of the chunk before
	for base := 0; base < n; base += 8 {
		var w uint64
		if base+8 <= n {
			w = binary.LittleEndian.Uint64(b[base : base+8])
		} else {
			var tail [8]byte
			copy(tail[:], b[base:])
			w = binary.LittleEndian.Uint64(tail[:])
		}
		m := classes(w)
		cands := candidates(m, prev)
		prev = m
		for cand := cands; cand != 0; cand &= cand - 1 {
			p := base + bits.TrailingZeros64(cand)>>3
			if p >= n {
				break
			}
			switch c := b[p]; {
			case kind[c] == kDigit || kind[c] == kSym:
				if p >= leetEnd {
					s, e, ok := leetWordAround(b, p)
					leetEnd = e
					if ok {
						leet = undoLeet(b, s, e) || leet
						// The word may have become a spelled-out dot ("d0t"),
						// which was looked at before it was undone.
						if spelledAfterWord(b, s) {
							return true, leet
						}
					}
				}
				if p >= spacedEnd && (p == 0 || kind[b[p-1]] == kOther) {
					runLen, end := spacedRun(b, p)
					if runLen > 0 {
						return true, leet
					}
					spacedEnd = end
				}
			case c == '[' || c == '(' || c == '{' || c == '<':
				if w, _ := bracketSym(b, p); w > 0 {
					return true, leet
				}
			case c == '.' || c == '/':
				if joinAround(b, p) {
					return true, leet
				}
			case kind[c] == kLetter:
				if p >= spacedEnd && (p+1 >= n || kind[b[p+1]] == kOther) {
					runLen, end := spacedRun(b, p)
					if runLen > 0 {
						return true, leet
					}
					spacedEnd = end
				}
				if spelledAfterWord(b, p) {
					return true, leet
				}
				// "t titik me": 't' starts no spelled word the pass stops
				// at, so the one-letter host does.
				if c == 't' && p+2 < n && b[p+1] == ' ' && spelledAfterWord(b, p+2) {
					return true, leet
				}
			case c >= 0xC0:
				if c == 0xD1 && spelledAfterWord(b, p) { // точка
					return true, leet
				}
				if p >= spacedEnd && (p == 0 || kind[b[p-1]] == kOther) {
					if size, _ := spacingUnit(b, p); size > 0 {
						runLen, end := spacedRun(b, p)
						if runLen > 0 {
							return true, leet
						}
						spacedEnd = end
					}
				}
			}
		}
	}
	return false, leet
}

// Class flags of a byte for the check pass; classes packs eight of them
// into a word so that each class is a shift and a mask away.
const (
	clLetter  = 0x80 // a-z
	clWord    = 0x40 // letters, digits, non-ASCII
	clSpace   = 0x20 // ' '
	clLeet    = 0x10 // digits, '@', '|'
	clAlways  = 0x08 // '$' and brackets: always looked at
	clDotlike = 0x04 // '.', '/'
	clAI      = 0x02 // 'a', 'i': the one-letter words
	clSpelled = 0x01 // the first byte of a spelled-out dot or slash (spelledWords)
)

var classOf = func() (t [256]uint8) {
	for i := range t {
		c := byte(i)
		switch {
		case c >= 'a' && c <= 'z':
			t[i] = clLetter | clWord
		case c >= '0' && c <= '9':
			t[i] = clWord | clLeet
		case c >= 0x80:
			t[i] = clWord
		}
		switch c {
		case ' ':
			t[i] |= clSpace
		case '@', '|':
			t[i] |= clLeet
		case '$', '[', '(', '{', '<':
			t[i] |= clAlways
		case '.', '/':
			t[i] |= clDotlike
		case 'a', 'i':
			t[i] |= clAI
		}
		if spelledDotFirst[c] {
			t[i] |= clSpelled
		}
		if c >= 0xC0 {
			// A non-ASCII rune starts here: a one-letter word of another
			// script may be letter spacing ("т е л е г р а м").
			t[i] |= clAlways
		}
	}
	return t
}()

// classes returns the class flags of the eight bytes of w, byte for byte.
func classes(w uint64) uint64 {
	return uint64(classOf[byte(w)]) | uint64(classOf[byte(w>>8)])<<8 |
		uint64(classOf[byte(w>>16)])<<16 | uint64(classOf[byte(w>>24)])<<24 |
		uint64(classOf[byte(w>>32)])<<32 | uint64(classOf[byte(w>>40)])<<40 |
		uint64(classOf[byte(w>>48)])<<48 | uint64(classOf[byte(w>>56)])<<56
}

// candidates are the bytes of a chunk (class flags m; prev for the chunk
// before) that may need work: a leet character after a letter ("w1ckr",
// "sn@p"), '$', a bracket, a '.' or '/' next to a space ("t . me", "t.me /
// x"), a one-letter word other than "a" and "i" (letter spacing), and a
// word that may be a spelled-out dot or slash. The last byte's right
// neighbour is unknown, so a '.' or '/' there counts. Each is one flag, the
// high bit of its byte.
func candidates(m, prev uint64) uint64 {
	class := func(v uint64, bit uint) uint64 { return v << (7 - bit) & highs }
	letter, pletter := class(m, 7), class(prev, 7)
	word, pword := class(m, 6), class(prev, 6)
	space, pspace := class(m, 5), class(prev, 5)
	starts := word &^ (word<<8 | pword>>56)
	singles := starts &^ (word >> 8) & letter &^ class(m, 1)
	spaceAround := space<<8 | pspace>>56 | space>>8 | 0x80<<56
	return class(m, 4)&(letter<<8|pletter>>56) | class(m, 3) | class(m, 2)&spaceAround | singles | starts&class(m, 0)
}

// leetWordAround returns the word (letters, digits, leet symbols) around
// b[p] and whether leetspeak may be undone in it: it has letters and no
// non-ASCII, and is short enough to be a word rather than an ID.
func leetWordAround(b []byte, p int) (start, end int, ok bool) {
	start, end = p, p+1
	for start > 0 && kind[b[start-1]] != kOther {
		start--
	}
	for end < len(b) && kind[b[end]] != kOther {
		end++
	}
	if end-start > maxLeetWord {
		return start, end, false
	}
	letters := false
	for _, c := range b[start:end] {
		switch kind[c] {
		case kHigh:
			return start, end, false
		case kLetter:
			letters = true
		}
	}
	return start, end, letters
}

// spelledAfterWord reports whether a spelled-out dot or slash at b[p]
// follows a host label or a link TLD and takes part in a join.
func spelledAfterWord(b []byte, p int) bool {
	if w, _ := spelledSym(b[p:]); w == 0 {
		return false
	}
	if p < 2 || b[p-1] != ' ' || kind[b[p-2]] == kOther {
		return false
	}
	s := p - 2
	for s > 0 && kind[b[s-1]] != kOther {
		s--
	}
	if l := p - 1 - s; l > 10 || hostShape[b[s]]&(1<<l) == 0 && (s == 0 || b[s-1] != '.') {
		return false
	}
	return linkJoinAfter(b, s, p-1)
}

// joinAround reports whether the '.' or '/' or spelled-out word at b[p]
// takes part in a link join: it looks at the word before it.
func joinAround(b []byte, p int) bool {
	e := p
	if e > 0 && b[e-1] == ' ' {
		e--
	}
	if e == 0 || kind[b[e-1]] == kOther {
		return false
	}
	s := e
	for s > 0 && kind[b[s-1]] != kOther {
		s--
	}
	return linkJoinAfter(b, s, e)
}

// undoLeet rewrites the leet characters of the word b[start:end] that stand
// between letters ("w1ckr", "sn@p", "l33t"), and a '$' that starts a word
// before a letter ("$c"). Edge digits stay ("18yo", "mp3", "4k"), and so do
// e-mail addresses ("name@host.tld").
func undoLeet(b []byte, start, end int) (changed bool) {
	letters, leets := 0, 0
	for _, c := range b[start:end] {
		if kind[c] == kLetter {
			letters++
		} else if leetTo[c] != 0 {
			leets++
		}
	}
	if leets == 0 || letters < leets {
		return false // mostly digits: a number, a code, an ID
	}
	if end < len(b) && b[end] == '.' {
		for k := start; k < end; k++ {
			if b[k] == '@' {
				return false
			}
		}
	}
	if b[start] == '$' && start+1 < end && kind[b[start+1]] == kLetter {
		b[start] = 's'
		changed = true
	}
	for k := start + 1; k < end-1; k++ {
		if leetTo[b[k]] == 0 || kind[b[k-1]] != kLetter {
			continue
		}
		// A run of leet characters after a letter: convert it when a letter
		// follows it.
		e := k
		for e < end && leetTo[b[e]] != 0 {
			e++
		}
		if e < end && kind[b[e]] == kLetter {
			for m := k; m < e; m++ {
				b[m] = leetTo[b[m]]
			}
			changed = true
		}
		k = e
	}
	return changed
}

func isSpacingSep(s []byte) bool {
	switch string(s) {
	case " ", ".", "-", "_", "*", "~", "+", "/", " . ", " - ", " _ ", " * ", " ~ ", " + ", ". ", "- ":
		return true
	}
	return isRuneSep(s)
}

// symRuneAt returns the size of the symbol rune at b[p] (an emoji, '•',
// '★'), or 0: writers put one between the letters of a name to get it past
// filters ("d🔹e🔹m🔹o").
func symRuneAt(b []byte, p int) int {
	if p >= len(b) || b[p] < utf8.RuneSelf {
		return 0
	}
	r, size := utf8.DecodeRune(b[p:])
	if r == utf8.RuneError || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) ||
		!unicode.IsSymbol(r) && !unicode.IsPunct(r) {
		return 0
	}
	return size
}

// symRuneBefore returns the size of the symbol rune that ends at b[p], or 0.
func symRuneBefore(b []byte, p int) int {
	if p <= 0 || b[p-1] < utf8.RuneSelf {
		return 0
	}
	_, size := utf8.DecodeLastRune(b[:p])
	if symRuneAt(b, p-size) != size {
		return 0
	}
	return size
}

// isRuneSep reports whether s is one symbol rune with at most one space on
// each side: a separator of a letter-spaced word.
func isRuneSep(s []byte) bool {
	if len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	if len(s) > 0 && s[len(s)-1] == ' ' {
		s = s[:len(s)-1]
	}
	size := symRuneAt(s, 0)
	return size > 0 && size == len(s)
}

// runSepAt returns the width of the separator at b[p] after a character of
// a letter-spaced word: one to three ASCII spaces or punctuation, or a
// symbol rune with at most one space on each side; 0 when there is none.
func runSepAt(b []byte, p int) int {
	k := p
	// A '_' after punctuation is a character of the word ("d.e.m.o._.x"),
	// not more of the separator.
	for k < len(b) && k-p <= 3 && kind[b[k]] == kOther && (b[k] != '_' || k == p || b[k-1] == ' ') {
		k++
	}
	if k < len(b) && b[k] >= utf8.RuneSelf && (k == p || k == p+1 && b[p] == ' ') {
		if size := symRuneAt(b, k); size > 0 {
			k += size
			if k < len(b) && b[k] == ' ' {
				k++
			}
			return k - p
		}
	}
	if k-p > 3 {
		return 0
	}
	return k - p
}

// bracketSym recognises "[.]", "(dot)", "{ . }", "[/]", "(slash)" … at b[i]
// and returns its width and the character it stands for.
func bracketSym(b []byte, i int) (int, byte) {
	var closing byte
	switch b[i] {
	case '[':
		closing = ']'
	case '(':
		closing = ')'
	case '{':
		closing = '}'
	case '<':
		closing = '>'
	default:
		return 0, 0
	}
	k := i + 1
	if k < len(b) && b[k] == ' ' {
		k++
	}
	w, sym := spelledSym(b[k:])
	if w == 0 {
		switch {
		case k < len(b) && b[k] == '.':
			w, sym = 1, '.'
		case k < len(b) && b[k] == '/':
			w, sym = 1, '/'
		default:
			return 0, 0
		}
	}
	k += w
	if k < len(b) && b[k] == ' ' {
		k++
	}
	if k >= len(b) || b[k] != closing {
		return 0, 0
	}
	return k + 1 - i, sym
}

// spelledSym recognises a spelled-out dot or slash at the start of b, in
// the languages posts spell links in ("t punt me schuine streep x", "t
// nokta me eğik çizgi x", "t kropka me ukośnik x"); see spelledWords.
func spelledSym(b []byte) (int, byte) {
	if len(b) < 3 {
		return 0, 0
	}
	for _, sw := range spelledByFirst[b[0]] {
		w := len(sw.w)
		if len(b) >= w && string(b[:w]) == sw.w && (len(b) == w || !isWordByte(b[w])) {
			return w, sw.sym
		}
	}
	return 0, 0
}

// spelledWords are the normalised words and phrases for '.' and '/'.
var spelledWords = map[byte][]string{
	'.': {"dot", "punto", "ponto", "punkt", "point", "punt", "nokta", "titik", "kropka", "tecka", "точка"},
	'/': {"slash", "barra", "diagonal", "schragstrich", "schraegstrich", "schuine streep", "egik cizgi",
		"garis miring", "ukosnik", "barre oblique", "слэш", "слеш"},
}

// SpelledSymbol returns the normalised words and phrases that the
// normaliser reads as sym ('.' or '/'), so that a reader of links said in
// words elsewhere (handles' spelled invites) uses the same vocabulary.
func SpelledSymbol(sym byte) []string { return slices.Clone(spelledWords[sym]) }

type spelledWord struct {
	w   string
	sym byte
}

// spelledDotFirst are the first bytes of the spelled dots: a spelled
// link starts with one after a host label ("t punt me"), and shape reads
// the slashes once it is in the link, so only these need the check pass
// to stop. 't' (titik, tecka) is left out: it starts too many words to
// look at each, and "t.me" is written "t titik me" far less than "t.me".
var spelledDotFirst = func() (t [256]bool) {
	for _, w := range spelledWords['.'] {
		if w[0] != 't' {
			t[w[0]] = true
		}
	}
	return t
}()

// SpelledWord reports whether w is, or is one word of, a spelled-out dot
// or slash that the normaliser joins into a link ("punt", "streep"): a
// caller that rules texts out before normalising them (the detector's
// prefilter) treats such a word as link punctuation.
func SpelledWord(w []byte) bool { return spelledParts[string(w)] }

var spelledParts = func() map[string]bool {
	m := map[string]bool{}
	for _, ws := range spelledWords {
		for _, p := range ws {
			for _, f := range strings.Fields(p) {
				m[f] = true
			}
		}
	}
	return m
}()

// spelledByFirst holds spelledWords by first byte, longer ones first.
var spelledByFirst = func() (t [256][]spelledWord) {
	for sym, ws := range spelledWords {
		for _, w := range ws {
			t[w[0]] = append(t[w[0]], spelledWord{w, sym})
		}
	}
	for i := range t {
		slices.SortFunc(t[i], func(a, b spelledWord) int { return len(b.w) - len(a.w) })
	}
	return t
}()

func isWordByte(c byte) bool { return kind[c] != kOther || c == '_' || c == '-' }

// hostLabels are the first labels of messaging-app link hosts; a spaced or
// spelled-out dot after one of them joins the host ("t . me", "discord dot
// gg").
var hostLabels = map[string]bool{
	"t": true, "telegram": true, "wa": true, "whatsapp": true, "chat": true, "api": true,
	"discord": true, "discordapp": true, "signal": true, "snapchat": true, "kik": true,
	"matrix": true, "simplex": true, "threema": true, "line": true, "lin": true,
	"invite": true, "join": true, "skype": true, "viber": true, "teleguard": true,
}

// whatsappSub are the first labels of WhatsApp's three-label hosts
// ("chat . whatsapp . com").
var whatsappSub = map[string]bool{"chat": true, "api": true, "web": true}

// linkTLDs are the second labels of those hosts.
var linkTLDs = map[string]bool{
	"me": true, "gg": true, "com": true, "to": true, "chat": true, "id": true, "ee": true,
	"dog": true, "group": true, "im": true, "io": true, "org": true, "net": true, "app": true,
}

// hostDotAt reports whether a spaced or spelled dot follows the host label
// b[start:end] and is followed by a link TLD; it returns where the TLD
// starts.
func hostDotAt(b []byte, start, end int) (tld int, ok bool) {
	k := end
	spaced := false
	if k < len(b) && b[k] == ' ' {
		k++
		spaced = true
	}
	if k >= len(b) {
		return 0, false
	}
	if b[k] == '.' {
		k++
	} else if w, sym := spelledSym(b[k:]); w > 0 && sym == '.' && spaced {
		k += w
	} else {
		return 0, false
	}
	if k < len(b) && b[k] == ' ' {
		k++
		spaced = true
	}
	if !spaced {
		return 0, false // "t.me" is already joined
	}
	e := k
	for e < len(b) && kind[b[e]] == kLetter {
		e++
	}
	if e == k || end-start > 10 || !hostLabels[string(b[start:end])] {
		return 0, false
	}
	if !linkTLDs[string(b[k:e])] && !(whatsappSub[string(b[start:end])] && string(b[k:e]) == "whatsapp") {
		return 0, false
	}
	return k, true
}

// slashAt recognises a spaced, spelled or bracketed slash at b[k:] ("/ ",
// " / ", " slash ", "[/]") followed by a path character; it returns the
// width up to that character. A plain "/" is not a join.
func slashAt(b []byte, k int) (int, bool) {
	i := k
	spaced := false
	if i < len(b) && b[i] == ' ' {
		i++
		spaced = true
	}
	if i >= len(b) {
		return 0, false
	}
	if b[i] == '/' {
		i++
	} else if w, sym := spelledSym(b[i:]); w > 0 && sym == '/' && spaced {
		i += w
	} else if bw, bsym := bracketSym(b, i); bw > 0 && bsym == '/' {
		i += bw
		spaced = true
	} else {
		return 0, false
	}
	if i < len(b) && b[i] == ' ' {
		i++
		spaced = true
	}
	if !spaced || i >= len(b) || !(isWordByte(b[i]) || b[i] == '#' || b[i] == '+' || b[i] == '~') {
		return 0, false
	}
	return i - k, true
}

// afterHost reports whether the word b[start:end] is the TLD of a link host
// ("me" in "t.me").
func afterHost(b []byte, start, end int) bool {
	if !linkTLDs[string(b[start:end])] || start < 2 || b[start-1] != '.' {
		return false
	}
	h := start - 1
	for h > 0 && kind[b[h-1]] == kLetter {
		h--
	}
	return hostLabels[string(b[h:start-1])]
}

// linkJoinAfter reports whether the word b[start:end] starts a link join.
func linkJoinAfter(b []byte, start, end int) bool {
	c := b[end]
	if c != ' ' && c != '.' && c != '/' {
		return false
	}
	if start >= 2 && b[start-1] == '.' && end-start <= 5 {
		if _, ok := slashAt(b, end); ok && afterHost(b, start, end) {
			return true
		}
	}
	if end-start <= 10 && c != '/' && hostShape[b[start]]&(1<<(end-start)) != 0 {
		if _, ok := hostDotAt(b, start, end); ok {
			return true
		}
	}
	return false
}

// hostShape has, for each first byte of a host label, a bit per length.
var hostShape = func() (t [256]uint16) {
	for h := range hostLabels {
		t[h[0]] |= 1 << len(h)
	}
	return t
}()

// shape rewrites src into dst: letter-spaced words collapsed, bracketed,
// spaced and spelled-out link punctuation joined.
func shape(dst, src *Text) {
	b := src.buf
	dst.buf, dst.segs = dst.buf[:0], dst.segs[:0]
	k := 0 // src segment cursor: positions only grow
	origin := func(p int) (int, int) {
		for k+1 < len(src.segs) && int(src.segs[k+1].n) <= p {
			k++
		}
		return src.segs[k].span(p)
	}
	emit := func(c byte, a, e int) {
		from, _ := origin(a)
		_, to := origin(e - 1)
		dst.emit(c, from, to)
	}
	popSpace := func() {
		if n := len(dst.buf); n > 0 && dst.buf[n-1] == ' ' {
			dst.buf = dst.buf[:n-1]
			if last := len(dst.segs) - 1; dst.segs[last].n == int32(n-1) {
				dst.segs = dst.segs[:last]
			}
		}
	}
	inLink := false
	spacedEnd := 0
	mixed := dst.mixed
	for i := 0; i < len(b); {
		c := b[i]
		k := kind[c]
		if k == kOther {
			if w, sym := bracketSym(b, i); w > 0 && len(dst.buf) > 0 {
				j := i + w
				if j < len(b) && b[j] == ' ' {
					j++
				}
				prev := dst.buf[len(dst.buf)-1]
				if prev == ' ' && len(dst.buf) > 1 {
					prev = dst.buf[len(dst.buf)-2]
				}
				if j < len(b) && isWordByte(b[j]) && isWordByte(prev) {
					popSpace()
					emit(sym, i, i+w)
					i = j
					inLink = inLink || sym == '/'
					continue
				}
			}
			if inLink && (c == ' ' || c == '/') {
				if w, ok := slashAt(b, i); ok {
					emit('/', i, i+w)
					i += w
					i = plusAfterSlash(b, i, emit)
					continue
				}
			}
			if c != '/' && c != '.' && c != '-' && c != '_' {
				inLink = false
			}
			emit(c, i, i+1)
			i++
			continue
		}
		start := i
		for i < len(b) && kind[b[i]] != kOther {
			i++
		}
		if size, _ := spacingUnit(b, start); size > 0 && start >= spacedEnd {
			n, end := spacedRun(b, start)
			spacedEnd = end
			if n > 0 {
				collapse(b, start, end, emit)
				i = end
				// "t🍒g🍒 name": the separator closing the run ends the word.
				if u, _ := spacingUnit(b, start); u > 0 {
					if w := symRuneAt(b, start+u); w > 0 && bytes.HasPrefix(b[end:], b[start+u:start+u+w]) {
						i = end + w
						if i < len(b) && b[i] == ' ' {
							i++
						}
						if i < len(b) {
							emit(' ', end, end+w)
						}
					}
				}
				continue
			}
		}
		if !mixed || !emitCyrillic(b, start, i, emit) {
			for m := start; m < i; m++ {
				emit(b[m], m, m+1)
			}
		}
		if i >= len(b) {
			break
		}
		if tld, ok := hostDotAt(b, start, i); ok {
			emit('.', i, tld)
			i = tld
			inLink = true
			continue
		}
		// The host may have been joined just now ("discord(dot)gg slash x"),
		// so look at what was written, not at the source.
		if k := len(dst.buf); afterHost(dst.buf, k-(i-start), k) {
			inLink = true
		}
		if inLink {
			if w, ok := slashAt(b, i); ok {
				emit('/', i, i+w)
				i += w
				i = plusAfterSlash(b, i, emit)
			}
		}
	}
}

// cyrillicLookalike is the Cyrillic letter (UTF-8) a lowercase Latin one
// stands for inside a Cyrillic word, by the shape of either case: "тeлeгрaм"
// is "телеграм", "ТEЛEГРAM" too.
var cyrillicLookalike = [128]string{'a': "а", 'b': "в", 'c': "с", 'e': "е", 'h': "н", 'k': "к", 'm': "м",
	'o': "о", 'p': "р", 't': "т", 'x': "х", 'y': "у"}

// emitCyrillic writes the word b[start:end] with its Latin letters read as
// Cyrillic when it is a Cyrillic word with look-alikes in it: two Cyrillic
// letters or more, every Latin one a look-alike, and nothing else (a
// digit, another script) in it. It reports whether it wrote the word.
func emitCyrillic(b []byte, start, end int, emit func(c byte, a, e int)) bool {
	cyr, lat := 0, 0
	for m := start; m < end; {
		switch c := b[m]; {
		case c < utf8.RuneSelf:
			if cyrillicLookalike[c] == "" {
				return false
			}
			lat++
			m++
		case (c == 0xD0 || c == 0xD1) && m+1 < end && b[m+1]&0xC0 == 0x80:
			cyr++
			m += 2
		default:
			return false
		}
	}
	if lat == 0 || cyr < 2 {
		return false
	}
	for m := start; m < end; m++ {
		if c := b[m]; c < utf8.RuneSelf {
			for _, x := range []byte(cyrillicLookalike[c]) {
				emit(x, m, m+1)
			}
			continue
		}
		emit(b[m], m, m+1)
	}
	return true
}

// plusAfterSlash joins a spaced or spelled '+' at b[i], right after a
// joined slash, to the invite code after it ("t.me/ plus Code", "t.me/ +
// Code"), and returns where the code starts.
func plusAfterSlash(b []byte, i int, emit func(c byte, a, e int)) int {
	w := 0
	switch {
	case i+2 < len(b) && b[i] == '+' && b[i+1] == ' ':
		w = 2
	case i+5 < len(b) && string(b[i:i+5]) == "plus ":
		w = 5
	default:
		return i
	}
	if !isWordByte(b[i+w]) {
		return i
	}
	emit('+', i, i+w)
	return i + w
}

// inRunSym reports whether sep is " _ ", " . " or " - ": inside a run
// spaced by single spaces, the character of a word (see spacedRun).
func inRunSym(sep []byte) bool {
	return len(sep) == 3 && sep[0] == ' ' && sep[2] == ' ' && (sep[1] == '_' || sep[1] == '.' || sep[1] == '-')
}

// collapse writes the letter-spaced word b[start:end] as one word. Its
// look-alike letters are read as ASCII when every one of them has an ASCII
// reading, as the first pass does for a word written in one piece
// ("w і c k r" → "wickr", "т е л е г р а м" → "телеграм").
func collapse(b []byte, start, end int, emit func(c byte, a, e int)) {
	ascii := true
	for m := start; m < end; {
		if kind[b[m]] != kHigh {
			m++
			continue
		}
		if size := symRuneAt(b, m); size > 0 {
			m += size
			continue
		}
		r, size := utf8.DecodeRune(b[m:])
		if s, ok := FoldRune(r); !ok || s == "" || s[0] < 'a' || s[0] > 'z' {
			ascii = false
		}
		m += size
	}
	// Spaced by single spaces: a lone '_', '.' or '-' is the word's own.
	size, _ := spacingUnit(b, start)
	spaced := start+size+1 < end && b[start+size] == ' ' && kind[b[start+size+1]] != kOther
	for m := start; m < end; {
		c := b[m]
		switch kind[c] {
		case kOther:
			if spaced && m > start && m+1 < end && b[m-1] == ' ' && b[m+1] == ' ' && inRunSym(b[m-1:m+2]) {
				emit(c, m, m+1)
			} else if !spaced && c == '_' && runUnderscore(b, m, start, end) {
				emit(c, m, m+1)
			}
			m++
		case kHigh:
			if size := symRuneAt(b, m); size > 0 {
				m += size // a separator ("d🔹e🔹m🔹o")
				continue
			}
			r, size := utf8.DecodeRune(b[m:])
			if s, _ := FoldRune(r); ascii {
				for k := 0; k < len(s); k++ {
					emit(s[k], m, m+size)
				}
			} else {
				for k := m; k < m+size; k++ {
					emit(b[k], m, m+size)
				}
			}
			m += size
		default:
			emit(c, m, m+1)
			m++
		}
	}
}

// runUnderscore reports whether the '_' at b[m] is a character of the
// letter-spaced word b[start:end] rather than part of a separator: it
// stands alone between two separators ("d.e.m.o._.x.1", "d🔹_🔹x").
func runUnderscore(b []byte, m, start, end int) bool {
	if m <= start || m+1 >= end {
		return false
	}
	before := kind[b[m-1]] == kOther && b[m-1] != '_' || symRuneBefore(b, m) > 0
	after := kind[b[m+1]] == kOther && b[m+1] != '_' || symRuneAt(b, m+1) > 0
	return before && after
}

// spacingUnit returns the byte size of the one-character word at b[p]: an
// ASCII letter, digit or leet symbol, or a single non-ASCII letter; 0 when
// the word at b[p] is longer or is no letter. counts is false for the
// one-letter words "a" and "i" and for digits and symbols, which alone do
// not make a letter-spaced word.
func spacingUnit(b []byte, p int) (size int, counts bool) {
	c := b[p]
	switch kind[c] {
	case kLetter:
		size, counts = 1, c != 'a' && c != 'i'
	case kDigit, kSym:
		size = 1
	case kHigh:
		r, sz := utf8.DecodeRune(b[p:])
		if sz < 2 || !unicode.IsLetter(r) {
			return 0, false
		}
		size, counts = sz, true
	default:
		return 0, false
	}
	if p+size < len(b) && kind[b[p+size]] != kOther && (kind[c] == kHigh || symRuneAt(b, p+size) == 0) {
		return 0, false // a symbol splits ASCII letters only: CJK runs have brackets between
	}
	return size, counts
}

// spacedRun returns the number of characters and the end of a letter-spaced
// word starting at b[start] ("w i c k r", "w.i.c.k.r", "т е л е г р а м");
// n is 0 when there is none, and end is then where the run of single
// characters ends, so that callers do not look at its rest again. Every
// separator must be the same.
func spacedRun(b []byte, start int) (n, end int) {
	size, counts := spacingUnit(b, start)
	if size == 0 {
		return 0, start + 1
	}
	n, letters, end := 1, 0, start+size
	if counts {
		letters++
	}
	// last is where the last character read starts: a run cut short by a
	// different separator ("x d.e.m.o") lets that character start another.
	sepStart, sepEnd, last := 0, 0, start
	for {
		w := runSepAt(b, end)
		k := end + w
		if w == 0 || k >= len(b) {
			break
		}
		sep := b[end:k]
		if sepEnd-sepStart == 1 && b[sepStart] == ' ' && inRunSym(sep) {
			// "d e m o _ x 1": between letters spaced by single spaces, a
			// lone '_', '.' or '-' is one of the word's characters (a
			// handle's), not a separator.
			if size, counts := spacingUnit(b, k); size > 0 {
				if counts {
					letters++
				}
				n += 2
				last, end = k, k+size
				continue
			}
			break
		}
		if !isSpacingSep(sep) || sepEnd > 0 && string(sep) != string(b[sepStart:sepEnd]) {
			break
		}
		if b[k] == '_' && sep[0] != '_' && sep[0] != ' ' && bytes.HasPrefix(b[k+1:], sep) {
			// "d.e.m.o._.x.1": between letters spaced by '.', '-' or a
			// symbol, a lone '_' is one of the word's characters.
			if size, _ := spacingUnit(b, k+1+len(sep)); size > 0 {
				sepStart, sepEnd = end, k
				n++
				end = k + 1
				continue
			}
			break
		}
		size, counts := spacingUnit(b, k)
		if size == 0 || kind[b[k]] == kHigh && isRuneSep(sep) {
			break
		}
		sepStart, sepEnd = end, k
		if counts {
			letters++
		}
		n++
		last, end = k, k+size
	}
	if n == 2 && letters == 2 && (sepEnd-sepStart == 1 && b[sepStart] == ' ' && colonAfter(b, end) ||
		sepEnd-sepStart == symRuneAt(b, sepStart) && sepStart < sepEnd) {
		// "t g : name", "t🍒g": a two-letter app word spaced out before its
		// label colon, or split by a symbol
		return n, end
	}
	if n < 3 || letters < 2 {
		if last > start {
			return 0, last
		}
		return 0, end
	}
	return n, end
}

// colonAfter reports whether a ':' follows b[p], after at most one space.
func colonAfter(b []byte, p int) bool {
	if p < len(b) && b[p] == ' ' {
		p++
	}
	return p < len(b) && b[p] == ':'
}
