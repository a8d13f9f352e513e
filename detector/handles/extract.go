package handles

import (
	"encoding/binary"
	"math/bits"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Match is one messaging-app contact found in a text.
type Match struct {
	App    string          `json:"app"`    // one of wire.Apps
	Handle string          `json:"handle"` // canonical form (DESIGN.md)
	Raw    string          `json:"raw"`    // t.Orig[Start:End]: app word + separator + handle, or the link
	Kind   wire.HandleKind `json:"kind"`   // link, id, mention
	// Byte offsets into t.Orig of the whole contact and of the handle part.
	Start       int `json:"start"`
	End         int `json:"end"`
	HandleStart int `json:"handle_start"`
	HandleEnd   int `json:"handle_end"`
	// Confidence (0..1) that the candidate is a contact: links and checked
	// IDs near 1, usernames as the scorer (score.go) weighs their
	// evidence. Extract returns those at MinConfidence or above.
	Confidence float64 `json:"confidence"`
	// Why names the evidence that weighed most, for a moderator: "link",
	// "label word before, handle-shaped token".
	Why string `json:"why,omitempty"`
}

// Extractor finds contacts. It is immutable after construction and safe for
// concurrent use.
type Extractor struct {
	// prefixes has a bit per hash of the first three bytes of every word
	// that may start a contact (app words, link labels): the scan looks at
	// nothing else.
	prefixes [1 << 16 / 64]uint64
	// smallWords is the same for the grammar's words (contact verbs,
	// labels, prepositions …), so most words skip their map lookups.
	smallWords [1 << 16 / 64]uint64
	// triggerKeys are the unhashed first four bytes of those words (zero
	// past a word's end): the exact set prefixes approximates.
	triggerKeys map[uint32]bool
}

// small reports whether the word at n[p] may be one of the grammar's words.
func (x *Extractor) small(n string, p int) bool {
	k := prefixKey(n, p)
	return x.smallWords[k>>6]&(1<<(k&63)) != 0
}

// NewExtractor returns an Extractor.
func NewExtractor() *Extractor {
	x := &Extractor{triggerKeys: map[uint32]bool{}}
	for w := range lexicon {
		x.setPrefix(w)
	}
	for w := range wordInfo {
		for g := range gluedLetters {
			x.setPrefix(g + w)
			for g2 := range gluedLetters {
				if len(g) == 2 && len(g2) == 2 { // two Cyrillic words fill the prefix
					x.setPrefix(g + g2 + w)
				}
			}
		}
	}
	for _, set := range []map[string]bool{contactSet, labelSet, prepWords, possessive, objectPronouns, joinerWords, asWords} {
		for w := range set {
			k := prefixKey(w, 0)
			x.smallWords[k>>6] |= 1 << (k & 63)
		}
	}
	return x
}

func (x *Extractor) setPrefix(w string) {
	k := prefixKey(w, 0)
	x.prefixes[k>>6] |= 1 << (k & 63)
	x.triggerKeys[prefixWord(w, 0)] = true
}

// TriggerKeys returns the first four bytes (little endian, zero past the
// word's end) of every word that may start a contact: the scan calls
// nothing else for a word whose start is not among them, unless the word
// starts with a Han byte or a digit (see MayStartAt). A caller that
// rules posts out before normalising them (the detector's prefilter)
// builds its set from this, so the two cannot drift apart.
func (x *Extractor) TriggerKeys() []uint32 {
	out := make([]uint32, 0, len(x.triggerKeys))
	for k := range x.triggerKeys {
		out = append(out, k)
	}
	return out
}

// MayStartAt reports whether the scan of Extract looks further at the
// word starting at n[p] (n a Norm, p a word start): exactly the test of
// its loop, so false means that word alone adds no contact.
func (x *Extractor) MayStartAt(n string, p int) bool {
	k := prefixKey(n, p)
	if x.prefixes[k>>6]&(1<<(k&63)) != 0 || n[p] >= 0xE4 && n[p] <= 0xE9 {
		return true
	}
	if isDigit(n[p]) {
		k = (fullLeet32(prefixWord(n, p)) * 0x9E3779B1) >> 16
		return x.prefixes[k>>6]&(1<<(k&63)) != 0
	}
	return false
}

// IsWordByte reports whether the scan counts c as part of a word.
func IsWordByte(c byte) bool { return wordByte[c] }

// prefixKey hashes the first four bytes of the word at s[p], with bytes
// past the word's end read as zero.
func prefixKey(s string, p int) uint32 {
	return (prefixWord(s, p) * 0x9E3779B1) >> 16
}

// prefixWord is the first four bytes of the word at s[p], little endian,
// with bytes past the word's end read as zero.
func prefixWord(s string, p int) uint32 {
	var v uint32
	if p+4 <= len(s) {
		v = binary.LittleEndian.Uint32([]byte(s[p : p+4]))
	} else {
		var b [4]byte
		copy(b[:], s[p:])
		v = binary.LittleEndian.Uint32(b[:])
	}
	if ends := ^uint32(wordMask(uint64(v))) & 0x80808080; ends != 0 {
		v &= 1<<(bits.TrailingZeros32(ends)&^7) - 1
	}
	return v
}

// wordByte: bytes of the words the scan looks at. '_' belongs to words so
// that "tg_demo_77" is a handle, not the app word "tg".
var wordByte = func() (t [256]bool) {
	for i := range t {
		t[i] = i >= 'a' && i <= 'z' || i >= '0' && i <= '9' || i == '_' || i >= 0x80
	}
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
	low7  = ^uint64(highs)
)

// wordMask flags (high bit per byte) the word bytes of eight bytes of Norm.
func wordMask(w uint64) uint64 {
	high := w & highs
	x := w & low7
	letter := (x + (0x80-'a')*ones) &^ (x + (0x80-'z'-1)*ones)
	digit := (x + (0x80-'0')*ones) &^ (x + (0x80-'9'-1)*ones)
	t := x ^ '_'*ones
	under := ^((t + low7) | t)
	return (letter|digit|under)&highs&^high | high
}

// maxHandleScan bounds the bytes a handle is read over, and maxHostBack how
// far back a link's subdomains are, so that long runs without spaces cost
// linear time.
const (
	maxHandleScan = 300
	maxHostBack   = 256
)

// longWordChunks: this many whole eight-byte chunks of word bytes in a row
// mean a word of 32 bytes or more, where ID shapes live.
const longWordChunks = 4

// Extract returns the contacts in t, in order of Start, without duplicates
// (the same app and handle at overlapping spans are reported once). A text
// with no app word, no link and no long word costs one pass over t.Norm and
// allocates nothing.
func (x *Extractor) Extract(t *normalize.Text) []Match {
	return x.extract(t, false)
}

// Candidates is Extract with the username candidates below MinConfidence
// kept: every plausible contact with its Confidence, for a caller that
// weighs them itself. The syntax of each app still applies.
func (x *Extractor) Candidates(t *normalize.Text) []Match {
	return x.extract(t, true)
}

func (x *Extractor) extract(t *normalize.Text, all bool) []Match {
	e := extraction{x: x, t: t, n: t.Norm, all: all}
	n := e.n
	// The scan keeps two chunks of eight bytes and their word masks, so the
	// first four bytes of a word are at hand wherever it starts.
	w, word := chunkAt(n, 0)
	var prevWord uint64
	full := 0
	for base := 0; base < len(n); base += 8 {
		nw, nword := chunkAt(n, base+8)
		starts := word &^ (word<<8 | prevWord>>56)
		if word == highs {
			if full++; full == longWordChunks {
				e.longWord(base)
			}
		} else {
			full = 0
		}
		for ; starts != 0; starts &= starts - 1 {
			sh := uint(bits.TrailingZeros64(starts)) &^ 7
			v := uint32(w>>sh | nw<<(64-sh))
			m := uint32(word>>sh | nword<<(64-sh))
			if ends := ^m & 0x80808080; ends != 0 {
				v &= 1<<(bits.TrailingZeros32(ends)&^7) - 1
			}
			k := (v * 0x9E3779B1) >> 16
			p := base + int(sh>>3)
			if x.prefixes[k>>6]&(1<<(k&63)) != 0 || n[p] >= 0xE4 && n[p] <= 0xE9 {
				e.word(p)
			} else if n[p] == 0xC2 || n[p] == 0xE2 || n[p] == 0xE3 {
				// "«tg: x»", "¡kik: x!", "„Telegram: x“": an opening mark
				// glued to the app word, which Norm keeps as part of it.
				if m := OpeningMarkLen(n[p:]); m > 0 && p+m < len(n) && wordByte[n[p+m]] {
					e.word(p + m)
				}
			} else if isDigit(n[p]) {
				// Leetspeak that Norm kept because it starts the word
				// ("73l3gu4rd"): try the word with every digit read as a letter.
				k = (fullLeet32(v) * 0x9E3779B1) >> 16
				if x.prefixes[k>>6]&(1<<(k&63)) != 0 {
					e.word(p)
				}
			}
		}
		prevWord, w, word = word, nw, nword
	}
	return e.afterScan()
}

// simplexServerLinks reads SimpleX short links on a relay of the poster's
// own choosing, "https://smp.example.net/a#Token": a host whose first
// label starts with "smp" (as SimpleX names its relays), then /a#, /c#,
// /g# or /i# and the token, which is the handle as for simplex.im links.
// The hosts of simplex.chat and simplex.im are link forms of their own.
// first is where the first '#' of Norm is.
func (e *extraction) simplexServerLinks(first int) {
	n := e.n
	for off := first; off < len(n); {
		i := strings.IndexByte(n[off:], '#')
		if i < 0 {
			return
		}
		at := off + i
		off = at + 1
		if at < 4 || n[at-2] != '/' || strings.IndexByte("acgi", n[at-1]) < 0 {
			continue
		}
		hs := at - 2
		for hs > 0 && csHost.has(n[hs-1]) {
			hs--
		}
		host := n[hs : at-2]
		if !strings.HasPrefix(host, "smp") || !strings.Contains(host, ".") || strings.HasSuffix(host, "simplex.im") ||
			hs > 0 && (wordByte[n[hs-1]] || n[hs-1] == '@') {
			continue
		}
		ts := at + 1
		te := ts
		for te < len(n) && te-ts < 128 && csInvite.has(n[te]) {
			te++
		}
		if te < len(n) && wordByte[n[te]] {
			continue
		}
		tos, toe := e.t.OrigSpan(ts, te)
		tok := e.light(tos, toe, true)
		if !validSimpleXToken(tok) {
			continue
		}
		start := e.linkStart(hs)
		os, _ := e.t.OrigSpan(start, start+1)
		e.add(Match{App: "simplex", Handle: tok, Kind: wire.HandleLink, Start: os, End: e.linkEnd(toe), HandleStart: tos, HandleEnd: toe,
			Confidence: confLink, Why: "link"})
		off = te
	}
}

// openingMarks are the punctuation marks that open a quote, a bracket or
// a sentence and that Norm keeps (they are not ASCII).
var openingMarks = []string{"«", "¡", "¿", "„", "‹", "「", "『", "【", "〔", "〖"}

// OpeningMarkLen returns the length of the opening mark ("«", "¡", "【" …)
// that s starts with, or 0: the scan reads a word after one glued to it as
// a word of its own, and so must a caller that rules texts out before
// extracting (the detector's prefilter). Every mark starts with 0xC2, 0xE2
// or 0xE3, which the scan tests first, so that Cyrillic and accented words
// pay nothing.
func OpeningMarkLen(s string) int {
	for _, m := range openingMarks {
		if strings.HasPrefix(s, m) {
			return len(m)
		}
	}
	return 0
}

// afterScan looks for the contacts that need no app word and orders what
// was found. It is a function of its own so that the scan loop above
// keeps its registers.
func (e *extraction) afterScan() []Match {
	n := e.n
	// Bare Matrix IDs and bot names need their sigil, and an ID a ':' after
	// it: most posts skip all three scans.
	at, hash := strings.IndexByte(n, '@'), strings.IndexByte(n, '#')
	if strings.IndexByte(n, ':') >= 0 {
		if at >= 0 {
			e.bareMatrixIDs('@')
		}
		if hash >= 0 {
			e.bareMatrixIDs('#')
		}
	}
	if at >= 0 && (e.namedTelegram || e.linksTelegram() || strings.Contains(n[at:], "bot")) {
		e.bareMentions()
	}
	if mayBeSaidInvite(n) {
		e.saidInvites()
	}
	if hash >= 0 {
		e.simplexServerLinks(hash)
	}
	// Letter spacing removed some spaces: a whole phrase may have been
	// spaced out and collapsed into one word ("h m u o n w i c k r").
	if len(e.t.Orig) >= len(n)+6 && strings.Count(e.t.Orig, " ") >= strings.Count(n, " ")+6 {
		e.spacedPhrases()
	}
	return e.finish()
}

// bareMatrixIDs finds Matrix user IDs and room aliases written on their
// own: "@name:server.tld" and "#room:server.tld" have no other reading, so
// they need no app word. A sigil inside a word (e-mail) or after '/' (a
// matrix.to link, read as a link) does not start one.
func (e *extraction) bareMatrixIDs(sigil byte) {
	n := e.n
	for off := 0; off < len(n); {
		i := strings.IndexByte(n[off:], sigil)
		if i < 0 {
			return
		}
		at := off + i
		off = at + 1
		if at > 0 && (wordByte[n[at-1]] || n[at-1] == '/' || n[at-1] == '@' || n[at-1] == '#') {
			continue
		}
		p := at + 1
		for p < len(n) && p-at < maxHandleScan && csMatrixLoc.has(n[p]) {
			p++
		}
		if p == at+1 || p >= len(n) || n[p] != ':' {
			continue
		}
		host := p + 1
		q := host
		for q < len(n) && q-at < maxHandleScan && (csHost.has(n[q]) || n[q] == ':') {
			q++
		}
		for q > host && (n[q-1] == '.' || n[q-1] == '-' || n[q-1] == ':') {
			q--
		}
		if q < len(n) && (wordByte[n[q]] || n[q] == '@' || n[q] == '/') || !letterTLD(n[host:q]) {
			continue
		}
		os, oe := e.t.OrigSpan(at, q)
		id := strings.ToLower(e.light(os, oe, false))
		if validMatrix(id) {
			e.add(Match{App: "matrix", Handle: id, Kind: wire.HandleID, Start: os, End: oe, HandleStart: os, HandleEnd: oe,
				Confidence: confID, Why: "Matrix ID shape (@user:server or #room:server)"})
		}
		off = q
	}
}

// spacedNames are the app words looked for inside a collapsed
// letter-spaced phrase, longest first: three letters or more, and no emoji
// (set by init in words.go, after wordInfo).
var spacedNames []string

// shortSpacedNames are the two-letter ASCII app words, looked for at the
// start of a collapsed phrase only (set by init in words.go).
var shortSpacedNames []string

func buildShortSpacedNames() []string {
	var out []string
	for w, info := range wordInfo {
		if !info.weak && len(w) == 2 && isLetter(w[0]) && isLetter(w[1]) {
			out = append(out, w)
		}
	}
	sort.Strings(out)
	return out
}

func buildSpacedNames() []string {
	var out []string
	for w, info := range wordInfo {
		if !info.weak && utf8.RuneCountInString(w) >= 3 && !strings.Contains(w, " ") {
			out = append(out, w)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) || len(out[i]) == len(out[j]) && out[i] < out[j] })
	return out
}

// spacedPhrases finds app words inside words that the collapse of letter
// spacing made of a whole phrase ("a d d m e o n k i k" reads "addmeonkik",
// "п и ш и в с и г н а л" "пишивсигнал"), and reads the contact after each
// as after any app word: the rest of the word, or the next one.
func (e *extraction) spacedPhrases() {
	n := e.n
	for p := 0; p < len(n); {
		q := p
		for q < len(n) && wordByte[n[q]] {
			q++
		}
		if q-p >= 6 && q-p <= maxWordBack {
			os, oe := e.t.OrigSpan(p, q)
			if oe-os > q-p && strings.Count(e.t.Orig[os:oe], " ") >= utf8.RuneCountInString(n[p:q])/2 {
				e.spacedWord(p, q)
			}
		}
		p = q + 1
	}
}

func (e *extraction) spacedWord(p, q int) {
	w := e.n[p:q]
	// "t g d e m o _ x 1": a short name ("tg", "wa", "sc") opens the
	// phrase when the rest is shaped like a handle; inside a phrase two
	// letters are too often part of another word.
	for _, name := range shortSpacedNames {
		if strings.HasPrefix(w, name) && strongShape(w[len(name):]) {
			e.appWord(p, p+len(name), wordInfo[name])
			return
		}
	}
	for _, name := range spacedNames {
		i := strings.Index(w, name)
		if i < 0 || i == 0 && len(name) == len(w) {
			continue // the word itself was read by the scan
		}
		if utf8.RuneCountInString(name) < 4 && i+len(name) != len(w) {
			continue // a short name only ends the phrase: "addmeonkik"
		}
		ws := p + i
		e.appWord(ws, ws+len(name), wordInfo[name])
		return
	}
}

// bareMentions finds Telegram usernames written on their own: "@name_bot"
// with no app word (only Telegram names accounts that way, so the name is
// its own evidence), and any "@name" in a post that names Telegram
// elsewhere ("… sold through Telegram; the account @x"), unless it is said
// to be on another platform. One inside another contact (a Matrix ID, an
// e-mail address) or already read after an app word is left alone.
func (e *extraction) bareMentions() {
	n := e.n
	named := e.namedTelegram || e.linksTelegram()
	var cov coverage
	for off := 0; off < len(n); {
		i := strings.IndexByte(n[off:], '@')
		if i < 0 {
			return
		}
		at := off + i
		off = at + 1
		if at > 0 && (wordByte[n[at-1]] || n[at-1] == '/' || n[at-1] == '@') {
			continue
		}
		q := at + 1
		for q < len(n) && q-at <= 33 && csTelegram.has(n[q]) {
			q++
		}
		off = q
		bot := strings.HasSuffix(n[at+1:q], "bot")
		if q-at < 6 || q-at > 33 || !bot && !named {
			continue
		}
		if q < len(n) && (wordByte[n[q]] || n[q] == '@' || n[q] == ':' || n[q] == '.' && q+1 < len(n) && wordByte[n[q+1]]) {
			continue
		}
		if !bot && at == 0 && q+1 < len(n) && n[q] == ' ' && wordByte[n[q+1]] && !e.lineBreakAt(q) && e.linksTelegram() {
			// "@name dm me … telegram: x": a reply opens with the name
			// of the one it answers, and the post gives its own contact.
			continue
		}
		hos, hoe := e.t.OrigSpan(at+1, q)
		if cov.covered(e.matches, hos) || !bot && (e.attributedElsewhere(q) || e.afterAppWord(at) || e.afterPlatform(at)) {
			continue // "@name on insta", "Insta @name"; after an app word, the word's own reading stands
		}
		h, ok := lowerCanon(validTelegram)(e.light(hos, hoe, false))
		if !ok {
			continue
		}
		os, _ := e.t.OrigSpan(at, at+1)
		conf, why := confBot, "an @name ending in bot: a Telegram bot"
		if !bot {
			conf, why = confNamedApp, "an @name in a post that names Telegram"
		}
		e.add(Match{App: "telegram", Handle: h, Kind: wire.HandleMention, Start: os, End: hoe, HandleStart: hos, HandleEnd: hoe,
			Confidence: conf, Why: why})
	}
}

// afterAppWord reports whether an app word stands right before n[p].
func (e *extraction) afterAppWord(p int) bool {
	s, q := e.prevWordInSentence(p)
	_, ok := wordInfo[e.n[s:q]]
	return ok && s < q
}

// afterPlatform reports whether the name of a platform that is no
// messaging app stands right before n[p] ("Insta @name", "tiktok: @name").
func (e *extraction) afterPlatform(p int) bool {
	s, q := e.prevWordInSentence(p)
	return s < q && otherPlatforms[e.n[s:q]]
}

// otherPlatforms are social platforms whose @names are not contacts of a
// messaging app.
var otherPlatforms = lightSet(strings.Fields(`insta instagram ig tiktok tt twitter x fb facebook youtube yt
	onlyfans of reddit twitch threads bsky bluesky mastodon pinterest linkedin vk ok tumblr`))

// linksTelegram reports whether a Telegram link was read.
func (e *extraction) linksTelegram() bool {
	for _, m := range e.matches {
		if m.App == "telegram" {
			return true
		}
	}
	return false
}

// coverage answers whether an original offset is inside a contact found
// before it was first asked, in logarithmic time.
type coverage struct {
	built  bool
	starts []int // sorted
	maxEnd []int // maxEnd[i]: the furthest End among the first i+1 by Start
}

func (c *coverage) covered(ms []Match, o int) bool {
	if !c.built {
		c.built = true
		spans := make([][2]int, len(ms))
		for i, m := range ms {
			spans[i] = [2]int{m.Start, m.End}
		}
		sort.Slice(spans, func(i, j int) bool { return spans[i][0] < spans[j][0] })
		c.starts = make([]int, len(spans))
		c.maxEnd = make([]int, len(spans))
		for i, sp := range spans {
			c.starts[i] = sp[0]
			c.maxEnd[i] = sp[1]
			if i > 0 {
				c.maxEnd[i] = max(c.maxEnd[i], c.maxEnd[i-1])
			}
		}
	}
	i := sort.SearchInts(c.starts, o+1) - 1 // the last start <= o
	return i >= 0 && c.maxEnd[i] > o
}

// letterTLD reports whether host (with an optional ":port") ends in a dot
// and a top-level label of two letters or more: "server.tld", not "12.30".
func letterTLD(host string) bool {
	host, _, _ = strings.Cut(host, ":")
	dot := strings.LastIndexByte(host, '.')
	if dot < 1 || len(host)-dot-1 < 2 {
		return false
	}
	for i := dot + 1; i < len(host); i++ {
		if !isLetter(host[i]) {
			return false
		}
	}
	return true
}

// chunkAt loads the eight bytes of n at base (zeros past the end) and their
// word mask.
func chunkAt(n string, base int) (w, word uint64) {
	switch {
	case base+8 <= len(n):
		w = binary.LittleEndian.Uint64([]byte(n[base : base+8]))
	case base < len(n):
		var tail [8]byte
		copy(tail[:], n[base:])
		w = binary.LittleEndian.Uint64(tail[:])
	default:
		return 0, 0
	}
	word = wordMask(w)
	if base+8 > len(n) {
		word &= 1<<(8*uint(len(n)-base)) - 1
	}
	return w, word
}

// fullLeet reads every leet digit as its letter.
var fullLeet = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
	}
	t['0'], t['1'], t['3'], t['4'], t['5'], t['7'] = 'o', 'i', 'e', 'a', 's', 't'
	return t
}()

func fullLeet32(v uint32) uint32 {
	return uint32(fullLeet[byte(v)]) | uint32(fullLeet[byte(v>>8)])<<8 |
		uint32(fullLeet[byte(v>>16)])<<16 | uint32(fullLeet[byte(v>>24)])<<24
}

// extraction is the state of one Extract call.
type extraction struct {
	x       *Extractor
	t       *normalize.Text
	n       string
	matches []Match
	scratch [64]byte
	lower   [64]byte
	// The last extent scan: n[scanFrom:scanTo] is all in scanCS, so a later
	// scan from inside it goes on from scanTo.
	scanCS           *charset
	scanFrom, scanTo int
	linkedTo         int // Norm end of the last link read
	// all keeps the username candidates the scorer rejects (Candidates).
	all bool
	// namedTelegram: the post names Telegram somewhere (an app word or a
	// link), so a bare @name in it is likely a Telegram username.
	namedTelegram bool
}

// extentEnd returns where the run of cs bytes from n[p] ends, reading at
// most limit bytes.
func (e *extraction) extentEnd(p int, cs *charset, limit int) int {
	n := e.n
	end := p
	if cs == e.scanCS && p >= e.scanFrom && p <= e.scanTo {
		end = e.scanTo
	}
	stop := min(len(n), p+limit)
	for end < stop && cs.has(n[end]) {
		end++
	}
	end = min(end, stop)
	e.scanCS, e.scanFrom, e.scanTo = cs, p, end
	return end
}

func (e *extraction) wordEnd(p int) int {
	for p < len(e.n) && wordByte[e.n[p]] {
		p++
	}
	return p
}

// word looks at the word starting at n[p], which may start a contact.
func (e *extraction) word(p int) {
	n := e.n
	q := e.wordEnd(p)
	w := n[p:q]
	if n[p] >= 0xE4 && n[p] <= 0xE9 {
		// Han has no spaces: look for app names inside the run.
		for _, name := range nonASCII {
			if name[0] < 0xE4 || name[0] > 0xE9 {
				continue
			}
			for off := 0; ; {
				i := strings.Index(w[off:], name)
				if i < 0 {
					break
				}
				s := p + off + i
				e.appWord(s, s+len(name), wordInfo[name])
				off += i + len(name)
			}
		}
		return
	}
	entry, ok := lexicon[w]
	if !ok {
		// At most two glued words: "я в т е л е г р а м".
		for off, k := 0, 0; k < 2; k++ {
			size := e.gluedLetter(p+off, q)
			if size == 0 {
				break
			}
			off += size
			if entry, ok := lexicon[w[off:]]; ok && entry.app != nil {
				e.appWord(p+off, q, *entry.app)
				return
			}
		}
		// "73l3gu4rd", "w3ch47": Norm undoes leetspeak only between
		// letters; an app word may still hide behind edge digits.
		if len(w) > len(e.scratch) || strings.IndexAny(w, "013457") < 0 {
			return
		}
		b := e.scratch[:len(w)]
		for i := 0; i < len(w); i++ {
			b[i] = fullLeet[w[i]]
		}
		entry, ok = lexicon[string(b)]
		if !ok || entry.app == nil {
			return
		}
		e.appWord(p, q, *entry.app)
		return
	}
	if entry.forms != nil {
		e.link(p, entry.forms)
	}
	if w == "t" && p > 1 && n[p-1] == '.' {
		e.telegramSubdomain(p)
	}
	for _, ph := range entry.phrases {
		if strings.HasPrefix(n[p:], ph) && (p+len(ph) == len(n) || !wordByte[n[p+len(ph)]]) {
			e.appWord(p, p+len(ph), phraseInfo[ph])
			return
		}
	}
	if entry.app != nil {
		e.appWord(p, q, *entry.app)
	}
}

// gluedLetters are the one-letter words (prepositions and conjunctions of
// the six languages, and the ASCII their Cyrillic look-alikes read as) that
// letter spacing glues to the app name after them: in "пиши в с и г н а л"
// or "on a w i c k r" Norm cannot tell the word from the name's first
// letter, so the collapse writes "всигнал" and "awickr"; the lexicon can.
var gluedLetters = map[string]bool{
	"в": true, "к": true, "с": true, "у": true, "о": true, "и": true, "а": true, "я": true,
	"a": true, "b": true, "c": true, "e": true, "i": true, "k": true, "o": true, "y": true,
}

// gluedLetter returns the byte size of the one-letter word that the
// collapse of letter spacing glued to the front of the word n[p:q], or 0:
// its first letter is one of gluedLetters and stood apart in the original.
func (e *extraction) gluedLetter(p, q int) int {
	n := e.n
	size := 1
	if n[p] >= 0x80 {
		size = 2 // the Cyrillic letters of gluedLetters
	}
	if q-p < size+2 || !gluedLetters[n[p:p+size]] {
		return 0
	}
	_, end := e.t.OrigSpan(p, p+size)
	next, _ := e.t.OrigSpan(p+size, p+size+1)
	if next <= end {
		return 0
	}
	gap := e.t.Orig[end:next]
	return size * boolInt(strings.TrimSpace(gap) == "" || strings.Trim(gap, " .-_*·") == "")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lexiconEntry is everything a word may start.
type lexiconEntry struct {
	app     *appWordInfo
	forms   []linkForm
	phrases []string
}

// lexicon merges app words, phrase starts and link anchors, so a word
// costs one lookup.
var lexicon map[string]*lexiconEntry

// buildLexicon runs after the word lists are normalised (words.go init).
func buildLexicon() map[string]*lexiconEntry {
	m := map[string]*lexiconEntry{}
	get := func(w string) *lexiconEntry {
		if m[w] == nil {
			m[w] = &lexiconEntry{}
		}
		return m[w]
	}
	for w, info := range wordInfo {
		get(w).app = &info
	}
	for w, phrases := range phraseWords {
		get(w).phrases = phrases
	}
	for w, forms := range linkForms {
		get(w).forms = forms
	}
	return m
}

// longWord looks at the long word around n[base]: bare Session and Tox IDs.
func (e *extraction) longWord(base int) {
	n := e.n
	s := base
	for s > 0 && wordByte[n[s-1]] {
		s--
	}
	q := e.wordEnd(base)
	if s > 0 && (n[s-1] == '/' || n[s-1] == '=' || n[s-1] == '#' || n[s-1] == '?' || n[s-1] == '&' || n[s-1] == ':') {
		return // part of a URL or a link form, read by its own rule
	}
	switch q - s {
	case 66:
		e.bareID(s, q, "session", lowerCanon(validSession))
	case 76:
		e.bareID(s, q, "tox", upperCanon(validTox))
	default:
		if q-s < sessionIDLen && allIn(n[s:q], csHexLeet) {
			e.groupedSession(s, q)
		}
	}
}

// groupedSession reads a Session ID written in space-separated hex groups
// of which the long hex word n[s:q] is one: "05 3f9a…", the prefix apart.
// The groups start at most sessionIDLen bytes back. An ID in short groups
// only has no long word to start this, and is read only after its app
// word (hexGroups).
func (e *extraction) groupedSession(s, q int) {
	n := e.n
	try := func(k int) bool {
		if !strings.HasPrefix(n[k:], "05") {
			return false
		}
		fe := k
		for fe < len(n) && csHexLeet.has(n[fe]) {
			fe++
		}
		if end, ok := e.hexGroups(k, fe); ok && end >= q {
			e.bareID(k, end, "session", lowerCanon(validSession))
			return true
		}
		return false
	}
	if try(s) {
		return
	}
	for p := s; p > 1 && n[p-1] == ' ' && s-p < sessionIDLen; {
		k := p - 1
		for k > 0 && csHexLeet.has(n[k-1]) {
			k--
		}
		if k == p-1 || k > 0 && wordByte[n[k-1]] || try(k) {
			return
		}
		p = k
	}
}

func (e *extraction) bareID(s, q int, app string, canon func(string) (string, bool)) {
	os, oe := e.t.OrigSpan(s, q)
	raw := e.light(os, oe, true)
	h, ok := canon(raw)
	if !ok {
		return
	}
	e.add(Match{App: app, Handle: h, Kind: wire.HandleID, Start: os, End: oe, HandleStart: os, HandleEnd: oe,
		Confidence: confChecked, Why: "ID shape with its checksum or prefix"})
}

// light returns the original text of Orig[s:e] lightly folded.
func (e *extraction) light(s, end int, keepCase bool) string {
	b := normalize.AppendLight(e.scratch[:0], e.t.Orig[s:end], keepCase)
	if string(b) == e.t.Orig[s:end] {
		return e.t.Orig[s:end]
	}
	return string(b)
}

func (e *extraction) add(m Match) {
	if m.Start < 0 || m.End > len(e.t.Orig) || m.Start > m.End {
		return
	}
	if m.Kind == wire.HandleMention && m.Handle == m.App {
		return // "tg (t-e-l-e-g-r-a-m) @x": the app's name spelled again
	}
	// A contact repeated over itself ("kik-kik-kik…") is merged with the
	// last one at once, as finish would, so that the list stays short.
	if k := len(e.matches) - 1; k >= 0 {
		if l := &e.matches[k]; l.App == m.App && l.Handle == m.Handle && l.Kind == m.Kind && l.Start <= m.Start && m.Start < l.End {
			if m.End > l.End {
				l.End, l.Raw = m.End, e.t.Orig[l.Start:m.End]
			}
			l.Confidence = max(l.Confidence, m.Confidence)
			return
		}
	}
	m.Raw = e.t.Orig[m.Start:m.End]
	e.matches = append(e.matches, m)
}

// finish orders the matches and drops duplicates: the same app and handle
// at overlapping spans are one contact (a link beats a mention of it).
func (e *extraction) finish() []Match {
	ms := e.matches
	if len(ms) < 2 {
		return ms
	}
	sort.SliceStable(ms, func(i, j int) bool {
		if ms[i].Start != ms[j].Start {
			return ms[i].Start < ms[j].Start
		}
		return ms[i].End > ms[j].End
	})
	// Matches are in order of Start, so one overlaps an earlier one with
	// the same app and handle exactly when it starts before the furthest
	// end among them.
	type key struct{ app, handle string }
	last := make(map[key]int, len(ms)) // index in out of the furthest-reaching one
	out := ms[:0]
	for _, m := range ms {
		// An invite's '+' is its link's: tg://join?invite=H is also read
		// as a mention of H, and is still one contact.
		k := key{m.App, strings.TrimPrefix(m.Handle, "+")}
		if i, ok := last[k]; ok && m.Start < out[i].End {
			if m.Kind == wire.HandleLink && out[i].Kind != wire.HandleLink {
				out[i] = m
			} else if m.End > out[i].End {
				out[i].End, out[i].Raw = m.End, e.t.Orig[out[i].Start:m.End]
			}
			continue
		}
		last[k] = len(out)
		out = append(out, m)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start < out[j].Start })
	return dropInsideLinks(e.dropJumped(out))
}

// dropJumped removes a handle that an app word took over another app
// word's head: in "tele kapandı, tele gard'dayız: X" or "TG hat mich
// rausgeworfen, jetzt über Tele-Gard, ID X" the X is the nearer app's.
// Two app words share a handle only as a list ("kik or snap: x", "no
// telegram e no discord: x"), so the far one keeps it when nothing but
// joiners, prepositions and app words stands between them. ms is in order
// of Start.
func (e *extraction) dropJumped(ms []Match) []Match {
	if len(ms) < 2 {
		return ms
	}
	// The non-link matches grouped by handle span, each group in order of
	// Start (ms is): one sort, not a map of slices, as a spam post may hold
	// thousands.
	var idx []int
	for i, m := range ms {
		if m.Kind != wire.HandleLink {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := ms[idx[a]], ms[idx[b]]
		if x.HandleStart != y.HandleStart {
			return x.HandleStart < y.HandleStart
		}
		return x.HandleEnd < y.HandleEnd
	})
	var drop []bool
	for g := 0; g < len(idx); {
		h := g + 1
		for h < len(idx) && ms[idx[h]].HandleStart == ms[idx[g]].HandleStart && ms[idx[h]].HandleEnd == ms[idx[g]].HandleEnd {
			h++
		}
		group := idx[g:h]
		g = h
		for a, i := range group {
			for _, j := range group[a+1:] {
				far, near := ms[i], ms[j] // i < j: far starts first
				if far.App == near.App || near.Start <= far.Start || near.Start >= near.HandleStart || !e.prose(far.Start, near.Start) {
					continue
				}
				if drop == nil {
					drop = make([]bool, len(ms))
				}
				drop[i] = true
				break
			}
		}
	}
	if drop == nil {
		return ms
	}
	out := ms[:0]
	for i, m := range ms {
		if !drop[i] {
			out = append(out, m)
		}
	}
	return out
}

// prose reports whether the original text from one app word at t.Orig[from]
// to the next at t.Orig[to] holds a word that no list of apps has.
func (e *extraction) prose(from, to int) bool {
	words := strings.FieldsFunc(norm(e.t.Orig[from:to]), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f || r == '_')
	})
	for k, w := range words {
		if k == 0 {
			continue // the far app word itself
		}
		if _, app := wordInfo[w]; !app && !joinerWords[w] && !prepWords[w] && !bothWords[w] && !alsoWords[w] && !labelSet[w] &&
			!(joinerPairs[w] != "" && k+1 < len(words) && words[k+1] == joinerPairs[w]) && joinerPairs[words[k-1]] != w {
			return true
		}
	}
	return false
}

// dropInsideLinks removes a mention or ID whose handle lies inside another
// app's link: in "tele briar://x" the x is Briar's, not Telegram's. A
// Matrix ID holds its own '@name' the same way ("tele … @x:matrix.example.com"
// is not Telegram's x). ms is in order of Start.
func dropInsideLinks(ms []Match) []Match {
	// The containers' spans in order of Start, each with the furthest End
	// so far: spans rather than copies of the matches, as a spam post may
	// hold thousands.
	type span struct{ start, reach int }
	var links, matrix []span
	push := func(cs []span, m Match) []span {
		r := m.End
		if k := len(cs) - 1; k >= 0 {
			r = max(r, cs[k].reach)
		}
		return append(cs, span{m.Start, r})
	}
	for _, m := range ms {
		switch {
		case m.Kind == wire.HandleLink:
			links = push(links, m)
		case m.App == "matrix" && m.Kind == wire.HandleID:
			matrix = push(matrix, m)
		}
	}
	if links == nil && matrix == nil {
		return ms
	}
	inside := func(cs []span, m Match) bool {
		k := sort.Search(len(cs), func(i int) bool { return cs[i].start > m.HandleStart }) - 1
		return k >= 0 && cs[k].reach >= m.HandleEnd
	}
	out := ms[:0]
	for _, m := range ms {
		if m.Kind != wire.HandleLink && (inside(links, m) || m.App != "matrix" && inside(matrix, m)) {
			continue
		}
		out = append(out, m)
	}
	return out
}

// ---- links ----

// link tries the link forms anchored at the label at n[p].
func (e *extraction) link(anchor int, forms []linkForm) {
	n := e.n
	for i := range forms {
		f := &forms[i]
		p := anchor - f.anchorAt
		if p < e.linkedTo || !strings.HasPrefix(n[p:], f.prefix) || p > 0 && isHostByte(n[p-1]) {
			continue // inside the last link (a link in a link's fragment is its text), or not this form
		}
		hs := p + len(f.prefix)
		he := hs
		limit := maxHandleScan
		if f.extent == nxFragment {
			limit = maxFragment
		}
		he = e.extentEnd(hs, f.extent, limit)
		// Sentence punctuation after a link is not part of it.
		for he > hs && strings.IndexByte(".,;:!?)]'-", n[he-1]) >= 0 && f.extent != nxFragment {
			he--
		}
		for he > hs && f.extent == nxFragment && strings.IndexByte(".,;:!?)]'", n[he-1]) >= 0 {
			he--
		}
		if he == hs {
			continue
		}
		if f.reserved != nil {
			seg := n[hs:he]
			if i := strings.IndexAny(seg, "/?#"); i >= 0 {
				seg = seg[:i]
			}
			if f.reserved[seg] {
				return
			}
		}
		// A username ends at the first path separator (t.me/name/123).
		if f.extent == nxUser {
			if i := strings.IndexAny(n[hs:he], "/"); i >= 0 {
				he = hs + i
			}
			for he > hs && strings.IndexByte(".-", n[he-1]) >= 0 {
				he--
			}
		}
		start := e.linkStart(p)
		os, _ := e.t.OrigSpan(start, start+1)
		hos, hoe := e.t.OrigSpan(hs, he)
		raw := e.light(hos, hoe, f.keepCase)
		if f.extent == nxUser && f.app != "matrix" {
			raw = strings.TrimPrefix(raw, "@")
		}
		h, ok := f.canon(raw)
		if !ok {
			return
		}
		end := e.linkEnd(hoe)
		e.add(Match{App: f.app, Handle: h, Kind: wire.HandleLink, Start: os, End: end, HandleStart: hos, HandleEnd: hoe,
			Confidence: confLink, Why: "link"})
		e.linkedTo = he
		return
	}
}

// linkStart extends a link back over its subdomains and scheme
// ("https://www.", "smp4.").
func (e *extraction) linkStart(p int) int {
	n := e.n
	s := p
	for s >= 2 && n[s-1] == '.' && isHostByte(n[s-2]) && p-s < maxHostBack {
		k := s - 1
		for k > 0 && isHostByte(n[k-1]) && p-k < maxHostBack {
			k--
		}
		s = k
	}
	if strings.HasSuffix(n[:s], "://") {
		k := s - 3
		for k > 0 && isLetter(n[k-1]) {
			k--
		}
		if scheme := n[k : s-3]; scheme == "https" || scheme == "http" {
			s = k
		}
	}
	return s
}

func isHostByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' }

// linkEnd extends a link's original span over the rest of its path and
// query, so that Raw is the whole link, without trailing punctuation.
func (e *extraction) linkEnd(oe int) int {
	o := e.t.Orig
	end := oe
	for end < len(o) && end-oe < maxFragment && o[end] > ' ' && o[end] < 0x7f && strings.IndexByte("\"'<>`", o[end]) < 0 {
		end++
	}
	for end > oe && strings.IndexByte(".,;:!?)]", o[end-1]) >= 0 {
		end--
	}
	return end
}

// telegramSubdomain reads <name>.t.me at the "t" of n[p].
func (e *extraction) telegramSubdomain(p int) {
	n := e.n
	if !strings.HasPrefix(n[p:], "t.me") || p+4 < len(n) && (wordByte[n[p+4]] || n[p+4] == '.') {
		return
	}
	he := p - 1
	hs := he
	for hs > 0 && csTelegram.has(n[hs-1]) {
		if he-hs > 32 {
			return
		}
		hs--
	}
	if hs == he || hs > 0 && (n[hs-1] == '.' || n[hs-1] == '/' && !strings.HasSuffix(n[:hs], "://")) {
		return
	}
	hos, hoe := e.t.OrigSpan(hs, he)
	h, ok := lowerCanon(validTelegram)(e.light(hos, hoe, false))
	if !ok {
		return
	}
	start := e.linkStart(hs)
	os, _ := e.t.OrigSpan(start, start+1)
	_, oe := e.t.OrigSpan(p, p+4)
	e.add(Match{App: "telegram", Handle: h, Kind: wire.HandleLink, Start: os, End: e.linkEnd(oe), HandleStart: hos, HandleEnd: hoe,
		Confidence: confLink, Why: "link"})
}

// LinkPunct separates the labels of every link form (links.go): the
// label a form is anchored at always has one of them beside it in Norm.
const LinkPunct = ".:/?#=@+~"

// WordMayMatch reports whether the scan's look at the word w of Norm (the
// whole word, as Norm has it) may add a contact, whatever stands around
// it: the gate of extraction.word, without its context. linkOnly says
// that only a link form (or a Telegram subdomain) can: then one of
// LinkPunct stands right before or after the word in Norm.
func (x *Extractor) WordMayMatch(w string) (may, linkOnly bool) {
	if w == "" {
		return false, false
	}
	if w[0] >= 0xE4 && w[0] <= 0xE9 {
		return true, false
	}
	if entry, ok := lexicon[w]; ok {
		return true, entry.app == nil && len(entry.phrases) == 0
	}
	for off, k := 0, 0; k < 2; k++ {
		size := 1
		if w[off] >= 0x80 {
			size = 2
		}
		if len(w)-off < size+2 || !gluedLetters[w[off:off+size]] {
			break
		}
		off += size
		if entry, ok := lexicon[w[off:]]; ok && entry.app != nil {
			return true, false
		}
	}
	if len(w) <= 64 && strings.IndexAny(w, "013457") >= 0 {
		var b [64]byte
		for i := 0; i < len(w); i++ {
			b[i] = fullLeet[w[i]]
		}
		if entry, ok := lexicon[string(b[:len(w)])]; ok && entry.app != nil {
			return true, false
		}
	}
	return false, false
}
