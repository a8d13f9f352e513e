package handles

import (
	"strings"

	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Telegram invite links written the way they are said, so that no filter
// sees a link: "t me slash plus Code", "te me / + Code", "tiemme barra +
// Code", "tee punt mee / + Code", "тэ ми /+ Code" (the normaliser joins
// only a host it can read, "t . me" or "t dot me"). The reading needs all
// three parts: the host said as "t me", a slash, and the invite's '+'.
var (
	// The normaliser's own words for '/' and '.', a two-word slash read as
	// its first word then its last ("schuine … streep").
	slashSaid, slashFirst = splitPhrases(normalize.SpelledSymbol('/'))
	dotSaid               = normSet(normalize.SpelledSymbol('.'))
	plusSaid              = normSet(strings.Fields(`plus mais piu arti плюс`))
	// The host said in parts ("t" "me"), or in one word ("tiemme").
	tSaid   = normSet(strings.Fields(`t te tee ti тэ те ти`))
	meSaid  = normSet(strings.Fields(`me mee mi ми ме мэ`))
	tmeSaid = normSet(strings.Fields(`tme teme tiemme tieme тэми теме`))
)

// splitPhrases returns the last words of phrases (a one-word phrase is its
// own last word) and the first words of those with more than one.
func splitPhrases(phrases []string) (last, first map[string]bool) {
	var lasts, firsts []string
	for _, p := range phrases {
		ws := strings.Fields(p)
		lasts = append(lasts, ws[len(ws)-1])
		if len(ws) > 1 {
			firsts = append(firsts, ws[0])
		}
	}
	return normSet(lasts), normSet(firsts)
}

// SaidLinkWords returns the words saidInvites reads as '+' and as '/'
// (normalised): a caller that rules texts out before normalising them (the
// detector's prefilter) keeps one that has a '+' or a plus word and a '/'
// or a slash word.
func SaidLinkWords() (plus, slash []string) { return plusFast, slashFast }

// mayBeSaidInvite is the cheap test before saidInvites: a '+' or a plus
// word, and a '/' or a slash word.
func mayBeSaidInvite(n string) bool {
	plus := strings.IndexByte(n, '+') >= 0
	for _, w := range plusFast {
		if plus {
			break
		}
		plus = strings.Contains(n, w)
	}
	if !plus {
		return false
	}
	if strings.IndexByte(n, '/') >= 0 {
		return true
	}
	for _, w := range slashFast {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// plusFast and slashFast are the plus and slash words as substrings.
var plusFast, slashFast = keysOf(plusSaid), keysOf(slashSaid)

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for w := range m {
		out = append(out, w)
	}
	return out
}

// saidInvites finds Telegram invite links said in words.
func (e *extraction) saidInvites() {
	n := e.n
	for off := 0; off < len(n); {
		pp, pe := e.nextPlus(off)
		if pp < 0 {
			return
		}
		off = pe
		slash, ok := e.slashBefore(pp)
		if !ok {
			continue
		}
		host, ok := e.saidHostBefore(slash)
		if !ok {
			continue
		}
		cs := pe
		if cs < len(n) && n[cs] == ' ' {
			cs++
		}
		ce := cs
		for ce < len(n) && ce-cs < 64 && csInvite.has(n[ce]) {
			ce++
		}
		if ce == cs || ce < len(n) && wordByte[n[ce]] {
			continue
		}
		os, oe := e.t.OrigSpan(cs, ce)
		code := e.light(os, oe, true)
		if !validTelegramInvite(code) {
			continue
		}
		start, _ := e.t.OrigSpan(host, host+1)
		e.add(Match{App: "telegram", Handle: "+" + code, Kind: wire.HandleLink, Start: start, End: oe, HandleStart: os, HandleEnd: oe,
			Confidence: confID, Why: "a Telegram invite link said in words"})
		off = ce
	}
}

// nextPlus returns the Norm span of the next '+' or plus word at or after
// off, or -1.
func (e *extraction) nextPlus(off int) (int, int) {
	n := e.n
	for p := off; p < len(n); p++ {
		c := n[p]
		if c == '+' {
			return p, p + 1
		}
		if !wordByte[c] || p > 0 && wordByte[n[p-1]] {
			continue
		}
		q := p
		for q < len(n) && wordByte[n[q]] {
			q++
		}
		if plusSaid[n[p:q]] {
			return p, q
		}
		p = q - 1
	}
	return -1, -1
}

// slashBefore returns where the '/' or slash word that ends right before
// n[p] starts.
func (e *extraction) slashBefore(p int) (int, bool) {
	n := e.n
	if p > 0 && n[p-1] == ' ' {
		p--
	}
	if p > 0 && n[p-1] == '/' {
		return p - 1, true
	}
	s, q := e.prevWord(p)
	if s == q || !slashSaid[n[s:q]] {
		return 0, false
	}
	if fs, fq := e.prevWord(s); fs < fq && slashFirst[n[fs:fq]] {
		s = fs
	}
	return s, true
}

// saidHostBefore returns where the host said before n[p] starts: "t me",
// "t.me", "t . me", "te ponto me", "tiemme".
func (e *extraction) saidHostBefore(p int) (int, bool) {
	n := e.n
	s, q := e.prevWord(p)
	if s == q {
		return 0, false
	}
	if tmeSaid[n[s:q]] {
		return s, true
	}
	if !meSaid[n[s:q]] {
		return 0, false
	}
	p = s
	switch {
	case p > 0 && n[p-1] == '.':
		p--
	case p > 1 && n[p-1] == ' ' && n[p-2] == '.':
		p -= 2
	default:
		if ds, dq := e.prevWord(p); ds < dq && dotSaid[n[ds:dq]] {
			p = ds
		}
	}
	ts, tq := e.prevWord(p)
	if ts == tq || !tSaid[n[ts:tq]] {
		return 0, false
	}
	return ts, true
}
