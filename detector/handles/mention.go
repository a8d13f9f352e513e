package handles

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// mentionSpec is how a handle after an app word reads for one app.
type mentionSpec struct {
	extent *charset          // Norm bytes of the handle
	user   func(string) bool // a username (lowercased); nil: none
	phone  bool              // E.164 phone numbers
	// id reads an ID shape (upper- or lowercased by the app's rule) of
	// idLen to idLen+1 bytes, or to idMax when set.
	id    func(string) (string, bool)
	idLen int
	idMax int
	// caps: an 8-character ID only counts when written in capitals or with
	// a digit (Threema, TeleGuard), so "threema: download" is no ID.
	caps bool
	// sigil: the handle starts with '@' or '#' (Matrix).
	sigil bool
}

var mentionSpecs = map[string]mentionSpec{
	"wickr":     {extent: makeCharset("a-z0-9_.-"), user: validWickr},
	"telegram":  {extent: csTelegramDotted, user: validTelegramWritten, phone: true},
	"kik":       {extent: csKik, user: validKik},
	"session":   {extent: csLowerAlnum, id: lowerCanon(validSession), idLen: sessionIDLen},
	"signal":    {extent: makeCharset("a-z0-9_."), user: validSignalWritten, phone: true},
	"snapchat":  {extent: csSnapchat, user: validSnapchat},
	"whatsapp":  {phone: true},
	"discord":   {extent: makeCharset("a-z0-9_.#"), user: validDiscordUser},
	"threema":   {extent: makeCharset("a-z0-9*"), id: upperCanon(validThreema), idLen: 8, caps: true},
	"matrix":    {extent: nxMatrix, sigil: true},
	"simplex":   {extent: csTelegramDotted, user: validSimpleXName},
	"wire":      {extent: csWire, user: validWire},
	"teleguard": {extent: csLowerAlnum, id: upperCanon(validTeleGuard), idLen: 8, idMax: 10, caps: true},
	"tox":       {extent: csLowerAlnum, id: upperCanon(validTox), idLen: 76},
	"briar":     {extent: csLowerAlnum, id: lowerCanon(validBriar), idLen: 53},
	"viber":     {phone: true},
	"line":      {extent: csLine, user: validLine},
	"wechat":    {extent: csWeChat, user: validWeChat},
	"skype":     {extent: makeCharset("a-z0-9.,_:-"), user: validSkype},
}

// undotLetters undoes a handle letter-spaced with dots
// ("t.e.s.t.b.o.x.x._.9", "b.e.i.s.p.i.e.l.k.i.d.z"): one character and a
// dot, four times or more, is spacing, not a dotted name ("name.part").
func undotLetters(raw string) string {
	if len(raw) < 7 || len(raw)%2 == 0 {
		return raw
	}
	for i := 0; i < len(raw); i++ {
		if (raw[i] == '.') != (i%2 == 1) {
			return raw
		}
	}
	b := make([]byte, 0, len(raw)/2+1)
	for i := 0; i < len(raw); i += 2 {
		b = append(b, raw[i])
	}
	return string(b)
}

// longestID is the longest ID the spec reads.
func (s mentionSpec) longestID() int {
	if s.idMax > 0 {
		return s.idMax
	}
	return s.idLen + 1
}

// context is what surrounds a handle candidate.
type context struct {
	strong     bool // a clear separator: "kik: x", "kik id x", '@', "my kik is x"
	contact    bool // a contact phrase: "add me on kik x", "kik me x"
	me         bool // "<app> me x"
	possessive bool // "my kik …"
	// weakSep: the only separator was a copula ("my snap is x") or a comma
	// ("wechat, x"): a plain word there is more often prose ("mein snap ist
	// kaputt", "Telegram o Snapchat, actúa"), so the handle must be shaped.
	weakSep bool
	// loose: a handle found a few words on without a separator before it
	// ("threema, trading … kxmpqrtz"), held to the shape rules only.
	loose bool
	label bool // a label word came before the handle ("username", "id")
	ws    int  // Norm start of the app word
	dist  int  // words between the app word and the handle
}

// hit is a handle candidate: its Norm span, its original span and its
// lightly folded text.
type hit struct {
	hs, he  int
	os, oe  int
	raw     string
	at      bool // written with '@'
	spelled bool // a phone number written out in words (spelled.go)
}

// joiners between two app words that share a handle ("kik/snap: x").
var joinerWords = map[string]bool{"or": true, "and": true, "y": true, "o": true, "e": true, "ou": true, "und": true, "oder": true, "et": true, "или": true, "и": true,
	"of": true, "en": true, "ve": true, "veya": true, "yada": true, "atau": true, "dan": true, "i": true, "lub": true, "albo": true, "oraz": true, "ili": true, "hem": true}

// joinerPairs are the joiners written in two words, first word to second
// ("ya da", Turkish "or"; "yada" is in joinerWords).
var joinerPairs = map[string]string{"ya": "da"}

// pairJoinerAt returns where the two-word joiner whose first word is
// n[s:q] ends, or -1.
func pairJoinerAt(n string, s, q int) int {
	second, ok := joinerPairs[n[s:q]]
	if !ok || !strings.HasPrefix(n[q:], " "+second) {
		return -1
	}
	if end := q + 1 + len(second); end < len(n) && !wordByte[n[end]] {
		return end
	}
	return -1
}

// pairJoinerBefore returns where the two-word joiner whose second word is
// n[s:q] starts, or -1.
func pairJoinerBefore(n string, s, q int) int {
	for first, second := range joinerPairs {
		k := s - 1 - len(first)
		if n[s:q] == second && k >= 0 && n[s-1] == ' ' && n[k:s-1] == first && (k == 0 || !wordByte[n[k-1]]) {
			return k
		}
	}
	return -1
}

// bothWords after a list of app words say that one handle serves them all
// ("wickr or kik, both: x", "kik und wickr beide x"): they introduce the
// handle as a copula does, so it must be shaped like one.
var bothWords = map[string]bool{"both": true, "beide": true, "beiden": true, "ambos": true, "ambas": true, "entrambi": true, "entrambe": true,
	"allebei": true, "оба": true, "обоих": true, "ikisi": true, "ikisinde": true, "ikisine": true, "keduanya": true,
	"oba": true, "obu": true, "obydwa": true, "same": true, "idem": true, "mismo": true, "même": true, "meme": true, "mesmo": true, "stesso": true,
	"gleich": true, "aynı": true, "ayni": true, "одинаково": true, "одинаковый": true, "hetzelfde": true, "zelfde": true, "pareil": true,
	"igual": true, "iguais": true, "iguales": true, "sama": true, "identico": true, "uguale": true, "gleiche": true,
	"gleichen": true, "selbe": true, "selben": true, "dieselbe": true, "denselben": true, "misma": true, "mesma": true,
	"dezelfde": true, "sam": true, "samo": true, "stessa": true, "gleicher": true, "gleiches": true}

// bothLead may stand before a "both" word ("all the same", "überall
// gleich", "везде одинаково").
var bothLead = map[string]bool{"all": true, "the": true, "are": true, "is": true, "everywhere": true, "überall": true,
	"ueberall": true, "uberall": true, "sind": true, "tutti": true, "todos": true, "todas": true, "tous": true, "alle": true, "semua": true,
	"везде": true, "все": true, "le": true, "lo": true, "el": true, "o": true, "het": true, "de": true}

// alsoWords may stand between an app word and a "both" word after it
// ("snap'te de aynı", "snap too same").
var alsoWords = map[string]bool{"de": true, "da": true, "too": true, "also": true, "auch": true, "aussi": true, "tambien": true,
	"también": true, "também": true, "anche": true, "ook": true, "też": true, "tez": true, "juga": true, "тоже": true, "is": true,
	"the": true, "le": true, "el": true, "lo": true, "o": true, "il": true, "het": true, "with": true, "mit": true,
	"con": true, "com": true, "avec": true, "met": true, "pod": true, "ten": true, "ta": true, "la": true, "a": true,
	"dem": true, "den": true, "der": true, "ile": true, "dengan": true, "under": true, "sous": true, "unter": true}

// prepositions between a handle and an app word ("@x on telegram").
var prepWords = map[string]bool{"on": true, "at": true, "via": true, "in": true, "over": true, "en": true, "al": true, "por": true, "no": true, "na": true, "pelo": true, "pela": true, "auf": true, "bei": true, "per": true, "sur": true, "par": true, "sous": true, "в": true, "на": true, "по": true,
	"su": true, "sul": true, "tramite": true, "op": true, "em": true, "di": true, "hem": true}

// objectPronouns before a preposition before an app word make a contact
// phrase whatever the verb ("… me on kik", "… moi sur snap", "… mir auf
// telegram").
var objectPronouns = map[string]bool{"me": true, "us": true, "moi": true, "mir": true, "mich": true, "мне": true, "nous": true, "uns": true,
	"mi": true, "ci": true, "ons": true}

// maxWordBack bounds how far back a word is looked for: no word the rules
// care about is longer, and the bound keeps long runs of text without
// spaces (Han, base64) linear.
const maxWordBack = 64

func (e *extraction) prevWord(p int) (s, q int) {
	n := e.n
	q = p
	if q > 0 && n[q-1] == ' ' {
		q--
	}
	return e.wordBefore(q), q
}

// wordBefore is where the word ending at n[q] starts: q when there is
// none, or when it is longer than maxWordBack (no name or app word is).
func (e *extraction) wordBefore(q int) int {
	s := q
	for s > 0 && wordByte[e.n[s-1]] {
		if q-s == maxWordBack {
			return q
		}
		s--
	}
	return s
}

func (e *extraction) nextWord(p int) (s, q int) {
	n := e.n
	s = p
	if s < len(n) && n[s] == ' ' {
		s++
	}
	return s, e.wordEndWithin(s, maxWordBack)
}

// wordEndWithin is wordEnd looking at most max bytes ahead.
func (e *extraction) wordEndWithin(p, max int) int {
	end := min(len(e.n), p+max)
	for p < end && wordByte[e.n[p]] {
		p++
	}
	return p
}

// prevWordInSentence returns the word before n[p], stepping over spaces
// and punctuation inside a sentence ("ajoute-moi sur snap"); s == q when
// there is none.
func (e *extraction) prevWordInSentence(p int) (s, q int) {
	n := e.n
	for k := 0; p > 0 && !wordByte[n[p-1]] && n[p-1] != '.' && n[p-1] != '!' && n[p-1] != '?'; k++ {
		if k == maxWordBack {
			return p, p
		}
		p--
	}
	return e.wordBefore(p), p
}

// contactBefore reports whether a contact phrase leads to the app word at
// n[ws]: a contact verb within six words before it in the same sentence,
// or an object pronoun and a preposition right before it ("… me on kik").
func (e *extraction) contactBefore(ws int) bool {
	n := e.n
	if s1, q1 := e.prevWordInSentence(ws); s1 < q1 && prepWords[n[s1:q1]] {
		if s2, q2 := e.prevWordInSentence(s1); s2 < q2 && objectPronouns[n[s2:q2]] {
			return true
		}
	}
	p := ws
	for range 6 {
		s, q := e.prevWordInSentence(p)
		if s == q {
			return false
		}
		if e.x.small(n, s) && contactSet[n[s:q]] {
			return true
		}
		p = s
	}
	return false
}

// hasShapeByte reports whether s has a digit, '_' or '.': the marks of a
// handle among words.
func hasShapeByte(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '0' && c <= '9' || c == '_' || c == '.' {
			return true
		}
	}
	return false
}

// appWord reads the contacts around the app word at n[ws:we].
func (e *extraction) appWord(ws, we int, info appWordInfo) {
	n := e.n
	if ws > 0 && (n[ws-1] == '@' || n[ws-1] == '.' || n[ws-1] == '/' && !e.appWordBefore(ws-1) && !e.phoneWordBefore(ws-1)) {
		if n[ws-1] == '@' && info.app == "telegram" && we-ws == len("telegram") {
			// "@telegram this account @x …": a report to Telegram's own
			// account names the app its other @names are on.
			e.namedTelegram = true
		}
		return // an account named like the app, or part of a URL
	}
	if we+1 < len(n) && n[we] == '.' && isLetter(n[we+1]) {
		return // a domain: kik.com, telegram.org
	}
	if info.app == "telegram" {
		e.namedTelegram = true
	}
	var ctx context
	ctx.contact = e.contactBefore(ws)
	// "my kik", "my old wickr"
	if s, q := e.prevWord(ws); s < q {
		if possessive[n[s:q]] {
			ctx.possessive = true
		} else if s2, q2 := e.prevWord(s); s2 < q2 && possessive[n[s2:q2]] {
			ctx.possessive = true
		}
	}
	found := false
	before := len(e.matches)
	if h, ok := e.forward(ws, we, info, &ctx, 0); ok {
		found = e.emit(info, ws, we, h, ctx)
	}
	if !found {
		e.nearby(ws, we, info, ctx)
	}
	e.backward(ws, we, info)
	if len(e.matches) == before {
		e.sameAsBefore(ws, we, info)
	}
	if len(e.matches) == before {
		e.sameAsLabelled(ws, we, info)
	}
}

// maxLabelledBack bounds how many words before an app word sameAsLabelled
// looks for the labelled name.
const maxLabelledBack = 40

// sameAsLabelled reads "nick: x … same name on snap", "pseudo : x … Kik
// même pseudo", "user x … mismo user en snap": the app word says that a
// name given earlier under a label, for no app, is its handle too.
func (e *extraction) sameAsLabelled(ws, we int, info appWordInfo) {
	n := e.n
	spec := mentionSpecs[info.app]
	if spec.sigil || spec.extent == nil || !e.sameNear(ws, we) {
		return
	}
	p := ws
	for k := 0; k < maxLabelledBack && p > 0; k++ {
		for p > 0 && !wordByte[n[p-1]] && n[p-1] != '.' {
			p--
		}
		s := p
		for s > 0 && p-s < maxHandleScan && spec.extent.has(n[s-1]) {
			s--
		}
		if s == p {
			p--
			continue
		}
		w := strings.Trim(n[s:p], ".")
		if (strongShape(w) || dottedName(w)) && e.labelledAt(s) {
			hs, he := s, s+len(w)
			os, oe := e.t.OrigSpan(hs, he)
			h := hit{hs: hs, he: he, os: os, oe: oe, raw: e.light(os, oe, true)}
			v, ok := e.validate(info, h, context{strong: true, label: true, ws: ws})
			if !ok {
				return
			}
			_, end := e.t.OrigSpan(ws, we)
			m := v.match(info.app, os, end, os, oe)
			m.Confidence -= 0.1
			m.Why = "a labelled name the app word says is the same"
			e.add(m)
			return
		}
		p = s
	}
}

// sameNear reports whether a "same" word stands within three words after
// the app word at n[ws:we] ("snap'te de aynı", "Kik même pseudo", "в кике
// так же") or before it ("mismo user en snap", "stesso nick su snap").
func (e *extraction) sameNear(ws, we int) bool {
	n := e.n
	p := we
	if p < len(n) && n[p] == '\'' {
		p += 1 + inflection(n, p+1)
	}
	for k := 0; k < 3; k++ {
		s, q := e.nextWord(p)
		if s == q {
			break
		}
		w := n[s:q]
		if bothWords[w] || (w == "так" || w == "tak") && strings.HasPrefix(n[q:], " же") {
			return true
		}
		if !alsoWords[w] && !labelSet[w] {
			break
		}
		p = q
	}
	p = ws
	for k := 0; k < 3; k++ {
		s, q := e.prevWord(p)
		if s == q {
			return false
		}
		w := n[s:q]
		if bothWords[w] {
			return true
		}
		if !prepWords[w] && !labelSet[w] && !alsoWords[w] {
			return false
		}
		p = s
	}
	return false
}

// labelledAt reports whether a label word stands right before the name at
// n[s] ("nick: x", "username ku x", "kullanıcı adım x").
func (e *extraction) labelledAt(s int) bool {
	n := e.n
	p := s
	for p > 0 && (n[p-1] == ' ' || n[p-1] == ':' || n[p-1] == '=') {
		p--
	}
	ls, lq := e.prevWord(p)
	if ls == lq {
		return false
	}
	if w := n[ls:lq]; labelSet[w] {
		return true
	} else if !possessive[w] && w != "ku" {
		return false
	}
	ls, lq = e.prevWord(ls)
	return ls < lq && labelSet[n[ls:lq]]
}

// bothAhead returns where a "both" word ends within two words after n[p]
// ("the same", "gleich"), or 0.
func (e *extraction) bothAhead(p int) int {
	for k := 0; k < 2; k++ {
		s, q := e.nextWord(p)
		if s == q {
			return 0
		}
		if bothWords[e.n[s:q]] {
			return q
		}
		if !bothLead[e.n[s:q]] {
			return 0
		}
		p = q
	}
	return 0
}

// sameAsBefore reads "kik: x | snap same", "tg'de … x, snap'te de aynı",
// "whatsapp +44 … or telegram same number": the app word says it has the
// contact given just before it for another app.
func (e *extraction) sameAsBefore(ws, we int, info appWordInfo) {
	n := e.n
	p := we
	if p < len(n) && n[p] == '\'' {
		p += 1 + inflection(n, p+1)
	}
	s, q := e.nextWord(p)
	for k := 0; k < 2 && s < q && alsoWords[n[s:q]]; k++ {
		s, q = e.nextWord(q) // "signal gleiche Nummer", "na Wickr pod tą samą nazwą"
	}
	if s == q || !bothWords[n[s:q]] {
		return
	}
	os, _ := e.t.OrigSpan(ws, we)
	for k := len(e.matches) - 1; k >= 0; k-- {
		m := e.matches[k]
		if m.End > os || m.App == info.app {
			continue
		}
		h, ok := Canonical(info.app, m.Handle)
		if !ok {
			return
		}
		_, end := e.t.OrigSpan(s, q)
		e.add(Match{App: info.app, Handle: h, Kind: wire.HandleMention, Start: m.Start, End: end,
			HandleStart: m.HandleStart, HandleEnd: m.HandleEnd, Confidence: m.Confidence - 0.1, Why: "the same contact as the app before"})
		return
	}
}

var (
	// East Asian corner and lenticular brackets serve as quotes too
	// ("tg 【name】").
	openQuotes  = []string{"«", "“", "„", "‹", "‘", "‚", "「", "『", "【", "〔", "〖"}
	closeQuotes = []string{"»", "”", "“", "›", "’", "‘", "」", "』", "】", "〕", "〗"}
)

// plusBeforeNumber reports whether the '+' at n[q] starts a phone number
// ("+44 …", "+ 44 …").
func plusBeforeNumber(n string, q int) bool {
	q++
	if q < len(n) && n[q] == ' ' {
		q++
	}
	return q < len(n) && isDigit(n[q])
}

// openQuote returns the length of the typographic opening quote at the
// start of s, or 0.
func openQuote(s string) int {
	for _, q := range openQuotes {
		if strings.HasPrefix(s, q) {
			return len(q)
		}
	}
	return 0
}

// pointingDown are the arrows and hands a bio points at the next line with
// ("kik ↓", "tele ⬇️"); the normaliser already folds the rightward ones
// to '>'.
var pointingDown = []string{"↓", "⬇", "⤵", "👇", "⏬", "⇩", "⇣", "🔽", "↘"}

// downArrow returns the length of the run of pointingDown arrows at the
// start of s, or 0.
func downArrow(s string) int {
	w := 0
	for more := true; more; {
		more = false
		for _, a := range pointingDown {
			if strings.HasPrefix(s[w:], a) {
				w += len(a)
				more = true
				break
			}
		}
	}
	return w
}

// quoteBefore returns the length of the quote mark that ends n[:p]: an
// ASCII one (as Norm writes some typographic ones) or one of marks (the
// typographic opening or closing quotes), or 0.
func quoteBefore(n string, p int, marks []string) int {
	for _, set := range [2][]string{asciiQuotes, marks} {
		for _, q := range set {
			if strings.HasSuffix(n[:p], q) {
				return len(q)
			}
		}
	}
	return 0
}

// asciiQuotes are the ASCII quote marks, longest first ("”" is Norm's
// reading of some typographic ones).
var asciiQuotes = []string{"''", "'", "\""}

// closeQuote reports whether s starts with a typographic closing quote.
func closeQuote(s string) bool {
	for _, q := range closeQuotes {
		if strings.HasPrefix(s, q) {
			return true
		}
	}
	return false
}

// inflection returns the length of the case ending written after an app
// word and an apostrophe at n[p] ("'dan", "'te", "'s"): one to five
// letters ending the word; 0 when there is none.
func inflection(n string, p int) int {
	q := p
	for q < len(n) && q-p <= 5 && isLetter(n[q]) {
		q++
	}
	if q == p || q-p > 5 || q < len(n) && wordByte[n[q]] {
		return 0
	}
	return q - p
}

// slashPhoneWords stand before "/<app>" for a number given for both
// ("text/whatsapp +1 …", "Tel./WhatsApp", "gsm/whatsapp").
var slashPhoneWords = map[string]bool{"text": true, "sms": true, "call": true, "tel": true, "phone": true, "telefon": true,
	"telefono": true, "telefone": true, "gsm": true, "tlf": true, "mobile": true, "cell": true, "movil": true, "handy": true, "tel.": true}

// phoneWordBefore reports whether a slashPhoneWords word ends at n[p],
// with or without its abbreviating dot.
func (e *extraction) phoneWordBefore(p int) bool {
	if p > 0 && e.n[p-1] == '.' {
		p--
	}
	s := e.wordBefore(p)
	return s < p && slashPhoneWords[e.n[s:p]] && (s == 0 || !wordByte[e.n[s-1]] && e.n[s-1] != '/' && e.n[s-1] != '.')
}

// appWordBefore reports whether an app word ends at n[p] ("kik/snap",
// "tg/kik/snap").
func (e *extraction) appWordBefore(p int) bool {
	for k := 0; k < 4; k++ { // a list of four app words at most: linear time on "kik/kik/kik/…"
		s := e.wordBefore(p)
		if _, ok := wordInfo[e.n[s:p]]; !ok || s == p {
			return false
		}
		if s == 0 || e.n[s-1] == ' ' || e.n[s-1] == '(' || e.n[s-1] == '[' {
			return true
		}
		if e.n[s-1] != '/' {
			return false
		}
		p = s - 1
	}
	return false
}

// forward reads the separator and the handle after the app word.
func (e *extraction) forward(ws, we int, info appWordInfo, ctx *context, depth int) (hit, bool) {
	n := e.n
	spec := mentionSpecs[info.app]
	p := we
	for k := 0; k < 5; k++ {
		q := p
		if q < len(n) && n[q] == ' ' {
			q++
		}
		if q >= len(n) {
			return hit{}, false
		}
		switch c := n[q]; {
		case c == '\'' && q == we && inflection(n, q+1) > 0:
			// "discord'dan", "snap'te", "kik's": the app word inflected
			// (Turkish cases, the English possessive), not a separator.
			p = q + 1 + inflection(n, q+1)
			continue
		case c == '-' && q == we && e.compoundAfter(q+1):
			// "Telegram-Gruppe", "Kik-Namen": a compound noun, not a
			// separator; the word after it may still lead to the handle.
			p = e.wordEndWithin(q+1, maxWordBack)
			continue
		case c == ':' || c == '=' || c == '>' || c == '~' || c == '|' || c == '-' || c == '(' || c == '[' || c == '"' || c == '\'' || c == '*':
			ctx.strong = true
			p = q + 1
			continue
		case c >= 0xE2 && downArrow(n[q:]) > 0:
			ctx.strong = true // "kik ↓ x": pointed at, as after a colon
			p = q + downArrow(n[q:])
			continue
		case c >= 0xE2 && q > we && symbolRune(n[q:]) > 0 && q+symbolRune(n[q:]) < len(n) && n[q+symbolRune(n[q:])] == ' ':
			// "tg 🦋 x": an emoji standing apart between the app word and
			// the handle, where a colon would be.
			p = q + symbolRune(n[q:])
			continue
		case c >= 0xC2 && openQuote(n[q:]) > 0:
			ctx.strong = true // «x», “x”, „x“
			p = q + openQuote(n[q:])
			continue
		case c == '@':
			ctx.strong = true
			if spec.sigil {
				return e.readHandle(q, spec)
			}
			hs := q + 1
			if hs+1 < len(n) && n[hs] == ' ' && wordByte[n[hs+1]] {
				hs++ // "tg @ name": the '@' set apart
			}
			h, ok := e.readHandle(hs, spec)
			h.at = true
			return h, ok
		case c == '#' && spec.sigil:
			ctx.strong = true
			return e.readHandle(q, spec)
		case c == ',':
			// "kik, snap: x" lends the handle; "wechat, x" needs what any
			// plain handle needs.
			if h, ok := e.joined(q+1, info, ctx, depth); ok {
				return h, true
			}
			ctx.weakSep = true
			p = q + 1
			continue
		case c == '/' || c == '&' || c == '+' && !(spec.phone && plusBeforeNumber(n, q)):
			// "tele + kik: x": a '+' not before a number joins two app words.
			return e.joined(q+1, info, ctx, depth)
		case c == '+':
			return e.readHandle(q, spec)
		case (c == ')' || c == ']') && ws > 0 && (n[ws-1] == '(' || n[ws-1] == '['):
			// "(kik) placeholder_01": the app word in brackets labels what
			// follows, when it is shaped like a handle ("(skype) limited"
			// is prose).
			ctx.strong, ctx.weakSep = true, true
			p = q + 1
			continue
		case wordByte[c]:
			end := e.wordEndWithin(q, maxWordBack)
			w := n[q:end]
			switch {
			case atWords[w] && spec.extent != nil:
				// "télégramme : arobase demo_x": the '@' spelled out.
				ctx.strong = true
				p = end
				continue
			case sepWordSet[w]:
				if w == "me" || w == "m3" {
					ctx.me = true
				} else {
					ctx.strong, ctx.label = true, true
				}
				p = end
				continue
			case bothLead[w] && e.bothAhead(end) > 0:
				// "tg / snap / kik all the same: x"
				p = e.bothAhead(end)
				ctx.strong, ctx.weakSep = true, !ctx.strong
				continue
			case copulaSet[w] && (ctx.possessive || ctx.strong || ctx.contact) || bothWords[w]:
				if !ctx.strong {
					ctx.weakSep = true
				}
				ctx.strong = true
				p = end
				// "my skype is still x", "mi kik es ahora x"
				if s, q := e.nextWord(p); s < q && stillWords[n[s:q]] {
					p = q
				}
				continue
			case w == "c" && strings.HasPrefix(n[q:], "c'est") && ctx.possessive:
				ctx.strong, ctx.weakSep = true, true
				p = q + len("c'est")
				continue
			case joinerWords[w] && end < len(n):
				return e.joined(end, info, ctx, depth)
			case joinerPairs[w] != "" && pairJoinerAt(n, q, end) >= 0:
				return e.joined(pairJoinerAt(n, q, end), info, ctx, depth) // "kik ya da line: x"
			case spec.phone && (digitWords[w] != 0 || plusWords[w]):
				if h, ok := e.spelledNumber(q); ok {
					return h, true
				}
				return e.readHandle(q, spec)
			}
			return e.readHandle(q, spec)
		default:
			return hit{}, false
		}
	}
	return hit{}, false
}

// compoundAfter reports whether the word at n[p], after a hyphen glued to
// an app word, is a letters-only word: the rest of a compound noun.
func (e *extraction) compoundAfter(p int) bool {
	n := e.n
	end := e.wordEndWithin(p, maxWordBack)
	if end == p || end-p < 3 {
		return false
	}
	for i := p; i < end; i++ {
		if !isLetter(n[i]) && n[i] < 0x80 {
			return false
		}
	}
	return true
}

// attributedElsewhere reports whether the handle ending at n[he] is said to
// be on something else ("@placeholder_13 on insta").
func (e *extraction) attributedElsewhere(he int) bool {
	s, q := e.nextWord(he)
	if s == q || !prepWords[e.n[s:q]] || e.n[s:q] == "no" || e.n[s:q] == "na" {
		return false // "no" and "na" are also English words ("no cops")
	}
	s2, q2 := e.nextWord(q)
	if s2 == q2 {
		return false
	}
	entry, ok := lexicon[e.n[s2:q2]]
	return !ok || entry.app == nil
}

// joined reads "kik/snap: x": another app word after a joiner lends its
// handle to the first.
func (e *extraction) joined(p int, info appWordInfo, ctx *context, depth int) (hit, bool) {
	if depth >= 3 {
		return hit{}, false
	}
	s, q := e.nextWord(p)
	if s == q {
		return hit{}, false
	}
	other, ok := wordInfo[e.n[s:q]]
	if !ok && prepWords[e.n[s:q]] {
		// "no telegram e no discord: x", "en tg y en snap: x": each app
		// word of the list has its preposition.
		s, q = e.nextWord(q)
		other, ok = wordInfo[e.n[s:q]]
	}
	if !ok || s == q {
		return hit{}, false
	}
	var octx context
	h, ok := e.forward(s, q, other, &octx, depth+1)
	ctx.strong = ctx.strong || octx.strong
	ctx.me = ctx.me || octx.me
	return h, ok
}

// readHandle reads the handle starting at n[hs] by the app's rules.
func (e *extraction) readHandle(hs int, spec mentionSpec) (hit, bool) {
	n := e.n
	if hs >= len(n) {
		return hit{}, false
	}
	if spec.phone && nationalStart(n, hs) && !(n[hs] == '0' && hs+1 < len(n) && n[hs+1] == '0') {
		if h, ok := e.readNational(hs); ok {
			return h, true
		}
	}
	he := hs
	switch {
	case n[hs] == '+' || hs+1 < len(n) && n[hs] == '0' && n[hs+1] == '0':
		if !spec.phone {
			return hit{}, false
		}
		he = phoneEnd(n, hs)
	case spec.sigil:
		if n[hs] != '@' && n[hs] != '#' {
			return hit{}, false
		}
		he = hs + 1
		for he < len(n) && he-hs < maxHandleScan && spec.extent.has(n[he]) {
			he++
		}
	case spec.extent != nil:
		for he < len(n) && he-hs < maxHandleScan && spec.extent.has(n[he]) {
			he++
		}
	default:
		return hit{}, false
	}
	for he > hs && strings.IndexByte(".,-:", n[he-1]) >= 0 {
		he--
	}
	if he == hs {
		return hit{}, false
	}
	if spec.extent != nil && !spec.sigil {
		he = e.spacedTail(hs, he, spec.extent)
	}
	grouped := false
	if spec.idLen == sessionIDLen {
		if end, ok := e.hexGroups(hs, he); ok {
			he, grouped = end, true
		}
	}
	if spec.idLen == 8 && spec.caps && he-hs == 4 && he+5 <= len(n) && (n[he] == ' ' || n[he] == '-') &&
		allIn(n[he+1:he+5], spec.extent) && (he+5 == len(n) || !wordByte[n[he+5]]) {
		// "ABCD 1234", "ABCD-1234": an eight-character ID in two fours
		he, grouped = he+5, true
	}
	// What follows must end the handle: not an e-mail address, a URL path,
	// or a longer word the charset cut ("kik.me/x" is a link).
	if he < len(n) {
		switch c := n[he]; {
		case c >= 0xC2 && closeQuote(n[he:]):
		case c == '@' || c == '/' || wordByte[c]:
			return hit{}, false
		case c == '.' && he+1 < len(n) && wordByte[n[he+1]]:
			return hit{}, false
		case c == ':' && he+1 < len(n) && n[he+1] == '/':
			return hit{}, false // a URL's scheme: "telegram: https://t.me/x"
		}
	}
	os, oe := e.t.OrigSpan(hs, he)
	raw := e.light(os, oe, true)
	if len(raw) > he-hs {
		// "k.i.k: d.e.m.o_x1": Norm collapsed a dotted handle; take its
		// reading, with the case as written.
		r := dropCollapsed(raw, n[hs:he])
		if r == raw && strings.IndexByte(raw, ' ') >= 0 && strings.IndexByte(n[hs:he], ' ') < 0 {
			// "x (punto) y (punto) 10": Norm joined spelled punctuation;
			// its reading is the handle.
			r = n[hs:he]
		}
		raw = r
	}
	if grouped {
		raw = strings.NewReplacer(" ", "", "-", "").Replace(raw)
	} else if spec.extent != nil && !spec.sigil {
		if end, r, ok := e.spelledHandle(hs, he, raw, spec.extent); ok {
			he, raw = end, r
			os, oe = e.t.OrigSpan(hs, he)
		}
	}
	return hit{hs: hs, he: he, os: os, oe: oe, raw: raw}, true
}

// csHexLeet is hex in Norm, where a digit between letters may have been
// read as leetspeak ("d4e5" became "dae5", "f5" "fs"); the reading from
// the original is checked as hex afterwards.
var csHexLeet = makeCharset("0-9a-fiostlg")

// sessionIDLen is the length of a Session ID in hex.
const sessionIDLen = 66

// hexGroups reads a Session ID written in groups of hex digits ("0507581f
// bcf80e48 … 66"), from the group at n[hs:he]: it returns where the
// groups end when together they make exactly a Session ID's length.
func (e *extraction) hexGroups(hs, he int) (int, bool) {
	n := e.n
	count := he - hs
	if count < 2 || count >= sessionIDLen || !allIn(n[hs:he], csHexLeet) {
		return 0, false
	}
	for p := he; p < len(n) && n[p] == ' '; {
		q := p + 1
		for q < len(n) && csHexLeet.has(n[q]) {
			q++
		}
		if q == p+1 || q < len(n) && wordByte[n[q]] {
			return 0, false
		}
		count += q - p - 1
		if count == sessionIDLen {
			return q, true
		}
		if count > sessionIDLen {
			return 0, false
		}
		p = q
	}
	return 0, false
}

// symbolRune returns the size of the symbol rune (an emoji, '•') that s
// starts with, or 0.
func symbolRune(s string) int {
	r, size := utf8.DecodeRuneInString(s)
	if r < utf8.RuneSelf || r == utf8.RuneError || !unicode.IsSymbol(r) {
		return 0
	}
	return size
}

// leetLetter is the letter the normaliser reads a leet digit as, or 0.
func leetLetter(c byte) byte {
	switch c {
	case '0':
		return 'o'
	case '1':
		return 'i'
	case '3':
		return 'e'
	case '4':
		return 'a'
	case '5':
		return 's'
	case '7':
		return 't'
	}
	return 0
}

// dropCollapsed returns raw without the '.', '-' and '/' that Norm dropped when
// it collapsed a letter-spaced word into norm, or raw when norm is not raw
// less some of them.
func dropCollapsed(raw, norm string) string {
	out := make([]byte, 0, len(norm))
	j := 0
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		lc := c
		if c >= 'A' && c <= 'Z' {
			lc += 'a' - 'A'
		}
		switch {
		case j < len(norm) && (lc == norm[j] || leetLetter(c) == norm[j]):
			// Norm may read a spaced digit as the letter it looks like
			// ("T/E/S/T/4/K"): the handle keeps the digit as written.
			out = append(out, c)
			j++
		case c == '.' || c == '-' || c == '/':
		case c >= utf8.RuneSelf:
			// "d🔹e🔹m🔹o": a symbol between the letters.
			r, size := utf8.DecodeRuneInString(raw[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) || !unicode.IsSymbol(r) && !unicode.IsPunct(r) {
				return raw
			}
			i += size - 1
		default:
			return raw
		}
	}
	if j != len(norm) {
		return raw
	}
	return string(out)
}

// readNational reads a national phone number (no country code) starting
// at n[hs], or the bracket a separator took before it ("whatsapp (202)
// 555-0143"), when its shape fits one national plan and it does not stand
// as an amount or an order number would.
func (e *extraction) readNational(hs int) (hit, bool) {
	if hs > 0 && e.n[hs-1] == '(' && isDigit(e.n[hs]) {
		if h, ok := e.nationalAt(hs - 1); ok {
			return h, true
		}
	}
	return e.nationalAt(hs)
}

func (e *extraction) nationalAt(hs int) (hit, bool) {
	n := e.n
	he := phoneEnd(n, hs)
	if he < len(n) {
		switch c := n[he]; {
		case wordByte[c] || c == '@' || c == '/' || c == '+':
			return hit{}, false
		case (c == ',' || c == ':' || c == '.') && he+1 < len(n) && isDigit(n[he+1]):
			return hit{}, false // "612 345,678", "2025 10:30", "1.234.567.890.12"
		}
	}
	// The grouping is read from Norm: light folding drops the spaces
	// between digits, and the groups are part of the shape.
	os, oe := e.t.OrigSpan(hs, he)
	raw := n[hs:he]
	if _, ok := nationalE164(raw); !ok || !e.numberContext(hs, he, os, oe) {
		return hit{}, false
	}
	return hit{hs: hs, he: he, os: os, oe: oe, raw: raw}, true
}

// phoneEnd returns the end of a phone number written from n[hs]: digits in
// groups separated by one space, '-', '.', or parentheses.
func phoneEnd(n string, hs int) int {
	he := hs + 1
	last := he
	for he < len(n) && he-hs < 40 {
		c := n[he]
		switch {
		case isDigit(c):
			he++
			last = he
		case (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && he+1 < len(n) && (isDigit(n[he+1]) || n[he+1] == '('):
			he++
		case c == ')':
			he++
		default:
			return last
		}
	}
	return last
}

// backward reads "@x on telegram" and "add x on kik": a handle before the
// app word, joined by a preposition.
func (e *extraction) backward(ws, we int, info appWordInfo) {
	n := e.n
	spec := mentionSpecs[info.app]
	if spec.sigil || spec.extent == nil && !spec.phone {
		return
	}
	// "x on tg and kik", "x (tele & snap)": every app word of a list
	// reads the handle before the list's first word.
	head := e.listHead(ws)
	p, paren := e.backJoiner(head)
	if p < 0 && head > 1 && n[head-1] == ' ' && e.caseEnding(ws, we) {
		// "x kik'te", "x telegramda": a case ending on the app word is the
		// preposition (Turkish); the handle before it must be shaped.
		p = head - 1
	}
	if p < 0 {
		// "212.555.0199 WhatsApp or Telegram": a whole number needs no
		// joiner before the app word.
		if spec.phone && head > 1 && n[head-1] == ' ' && isDigit(n[head-2]) && !e.lineBreakAt(head-1) {
			e.phoneBefore(head-1, ws, we, info)
		}
		return
	}
	if spec.phone && e.phoneBefore(p, ws, we, info) || spec.extent == nil {
		return
	}
	quoted := quoteBefore(n, p, closeQuotes)
	he := p - quoted
	hs := he
	for hs > 0 && spec.extent.has(n[hs-1]) {
		if he-hs == maxHandleScan {
			return
		}
		hs--
	}
	if hs == he {
		return
	}
	var ctx context
	at := hs > 0 && n[hs-1] == '@'
	spelled := ""
	if !at {
		// "x tiret bas mini c'est mon snap": the handle before the app word
		// spelled out.
		if s, r, ok := e.spelledBack(hs, he, spec.extent); ok {
			hs, spelled = s, r
		}
	}
	switch {
	case quoted > 0:
		// "el usuario 'x' en Snapchat", "аккаунт «x» в снапчате": a
		// shaped name in quotes before the app word.
		if quoteBefore(n, hs, openQuotes) == 0 || !strongShape(n[hs:he]) && !dottedName(n[hs:he]) {
			return
		}
		ctx.strong = true
	case at || spelled != "":
		ctx.strong = true
	case hs > 0 && wordByte[n[hs-1]]:
		return
	case e.contactVerbRightBefore(hs):
		ctx.contact = true
	case strongShape(n[hs:he]):
		// "dealer_sample60 on LINE": a handle-shaped word before "on <app>"
		ctx.strong = true
	case dottedName(n[hs:he]) && !looksLikeDomain(n[hs:he]) && (e.pointedFrom(head) >= 0 || dottedNames[info.app] && longParts(n[hs:he])):
		// "name.part ← kik", "name.part on snap": pointed at, or for an app
		// whose names are written so, a dotted name is shaped enough
		ctx.strong = true
	default:
		return
	}
	ctx.ws = ws
	os, oe := e.t.OrigSpan(hs, he)
	h := hit{hs: hs, he: he, os: os, oe: oe, raw: e.light(os, oe, true), at: at}
	if spelled != "" {
		h.raw = spelled
	}
	v, ok := e.validate(info, h, ctx)
	if !ok {
		return
	}
	start := os
	if at {
		start, _ = e.t.OrigSpan(hs-1, hs)
	}
	wend := we
	if paren && wend < len(n) && n[wend] == ')' {
		wend++
	}
	_, end := e.t.OrigSpan(ws, wend)
	e.add(v.match(info.app, start, end, os, oe))
}

// locativeEndings are the Turkish case endings that make an app word say
// "on" or "from" the app.
var locativeEndings = []string{"da", "de", "ta", "te", "dan", "den", "tan", "ten"}

// caseEnding reports whether the app word at n[ws:we] carries a Turkish
// locative or ablative ending, after an apostrophe ("kik'te") or inflected
// in the lexicon ("telegramda").
func (e *extraction) caseEnding(ws, we int) bool {
	n := e.n
	if we < len(n) && n[we] == '\'' {
		k := inflection(n, we+1)
		return k > 0 && slices.Contains(locativeEndings, n[we+1:we+1+k])
	}
	w := n[ws:we]
	for _, s := range locativeEndings {
		if len(w) > len(s)+2 && strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

// lineBreakAt reports whether the space at n[p], between two words, stands
// for a line break in the original.
func (e *extraction) lineBreakAt(p int) bool {
	_, from := e.t.OrigSpan(p-1, p)
	to, _ := e.t.OrigSpan(p+1, p+2)
	return from <= to && strings.ContainsAny(e.t.Orig[from:to], "\n\r")
}

// listHead returns where the list of app words that ends with the one at
// n[ws] starts ("tg / snap / kik", "tele & snap", "viber or whatsapp"):
// ws itself when no app word and joiner stand before it.
func (e *extraction) listHead(ws int) int {
	for k := 0; k < 3; k++ { // four app words at most, as in appWordBefore
		s, ok := e.listPrev(ws)
		if !ok {
			// "en telegram y en discord", "в тг и в кике": each app word
			// of the list has its preposition.
			ps, pq := e.prevWord(ws)
			if ps == pq || !prepWords[e.n[ps:pq]] {
				return ws
			}
			if s, ok = e.listPrev(ps); !ok {
				return ws
			}
		}
		ws = s
	}
	return ws
}

// listPrev returns where the app word that a joiner joins to the word at
// n[ws] starts ("tg / snap", "tele & snap", "viber or whatsapp").
func (e *extraction) listPrev(ws int) (int, bool) {
	n := e.n
	p := ws
	if p > 0 && n[p-1] == ' ' {
		p--
	}
	switch {
	case p > 0 && strings.IndexByte("/&+,", n[p-1]) >= 0:
		p--
	default:
		s, q := e.prevWord(ws)
		if k := pairJoinerBefore(n, s, q); k >= 0 {
			s = k // "ya da"
		} else if s == q || !joinerWords[n[s:q]] {
			return ws, false
		}
		p = s
	}
	s, q := e.prevWord(p)
	if _, ok := wordInfo[n[s:q]]; !ok || s == q {
		return ws, false
	}
	return s, true
}

// backJoiner finds what joins a handle before the app word (or the list
// of app words) starting at n[ws] to
// it, and returns where the handle ends, or -1: a preposition ("x on
// kik"), the app word in brackets ("x (kik)"), or a copula and a
// possessive ("x is my kik", "x es mi kik").
func (e *extraction) backJoiner(ws int) (p int, paren bool) {
	n := e.n
	ps, pq := e.prevWord(ws)
	switch {
	case ps < pq && prepWords[n[ps:pq]]:
		p = ps
	case ws > 0 && n[ws-1] == '(' && e.closesBracket(e.wordEndWithin(ws, maxWordBack)):
		p, paren = ws-1, true
	case ps < pq && joinerWords[n[ps:pq]]:
		// "+44 … (WhatsApp and Viber)": the app words in brackets share
		// what stands before them.
		as, aq := e.prevWord(ps)
		if _, ok := wordInfo[n[as:aq]]; !ok || as == aq || as == 0 || n[as-1] != '(' {
			return -1, false
		}
		p = as - 1
	case e.pointedFrom(ws) >= 0:
		// "placeholder_66 - kik", "x ← wickr", "x 👈 that's my wickr": a
		// dash or an arrow from the handle to its app (backward asks for a
		// handle's shape then).
		p = e.pointedFrom(ws)
	case ps < pq && possessive[n[ps:pq]]:
		cs, cq := e.prevWord(ps)
		if cs < cq && copulaArticles[n[cs:cq]] {
			cs, cq = e.prevWord(cs) // "x è il mio snap", "x é o meu kik"
		}
		if cs == cq || !copulaSet[n[cs:cq]] {
			return -1, false
		}
		p = cs
		// "x das ist mein snap", "x c'est mon kik": a demonstrative before
		// the copula.
		if cs > 1 && n[cs-1] == '\'' {
			if ds := e.wordBefore(cs - 1); ds < cs-1 && cs-1-ds <= 2 {
				p = ds
			}
		} else if ds, dq := e.prevWord(cs); ds < dq && pointerWords[n[ds:dq]] {
			p = ds
		}
	default:
		return -1, false
	}
	if p > 0 && n[p-1] == ' ' {
		p--
	}
	return p, paren
}

// atWords are the '@' spelled out: "arobase", "arroba", "chiocciola",
// "małpa", "собака", "klammeraffe", "apenstaartje".
var atWords = normSet(strings.Fields(`arobase arroba chiocciola małpa malpa собака собачка klammeraffe apenstaartje et-işareti`))

// copulaArticles may stand between a copula and a possessive ("è il mio").
var copulaArticles = map[string]bool{"il": true, "la": true, "o": true, "a": true, "el": true, "lo": true}

// backPointers point from a handle to the app word after it.
var backPointers = []string{" - ", " ← ", " ⬅ ", " 👈 ", " < ", " <- ", " <= ", " ⇐ ", " ◀ "}

// pointerWords may stand between such a pointer and the app word, with a
// possessive ("x ← that's my kik", "x 👈 mi wickr", "x — это мой викр").
var pointerWords = normSet(strings.Fields(`that's thats that this it's its is esse essa este esta isso é c'est ceci
	das dies ist dit dat ini itu это вот`))

// pointedFrom returns where the handle ends before a pointer to the app
// word at n[ws], or -1.
func (e *extraction) pointedFrom(ws int) int {
	n := e.n
	p := ws
	for k := 0; k < 3; k++ {
		s, q := e.prevWord(p)
		if s > 1 && n[s:q] == "s" && n[s-1] == '\'' {
			s, q = e.prevWord(s - 1) // "that's"
		}
		if s == q || !possessive[n[s:q]] && !pointerWords[n[s:q]] {
			break
		}
		p = s
	}
	for _, ptr := range backPointers {
		if strings.HasSuffix(n[:p], ptr) {
			return p - len(ptr)
		}
	}
	return -1
}

// closesBracket reports whether the app word ending at n[we] ends a
// bracket, alone or with other app words ("(kik)", "(WhatsApp and Viber)",
// "(tele & snap)", "(viber/whatsapp)").
func (e *extraction) closesBracket(we int) bool {
	n := e.n
	for k := 0; k < 4; k++ {
		if we < len(n) && n[we] == ')' {
			return true
		}
		p := we
		if p < len(n) && n[p] == ' ' {
			p++
		}
		switch {
		case p < len(n) && strings.IndexByte("/&+,", n[p]) >= 0:
			p++
		default:
			s, q := e.nextWord(we)
			if s == q || !joinerWords[n[s:q]] {
				return k > 0 // "(WhatsApp and Viber both work)"
			}
			p = q
		}
		s, q := e.nextWord(p)
		if _, ok := wordInfo[n[s:q]]; !ok || s == q {
			return false
		}
		we = q
	}
	return true
}

// phoneBefore reads a phone number that ends at n[p] before the app word
// at n[ws:we] ("+44 7700 900123 on whatsapp", "+44 … (WhatsApp)").
func (e *extraction) phoneBefore(p, ws, we int, info appWordInfo) bool {
	n := e.n
	if p == 0 || !isDigit(n[p-1]) {
		return false
	}
	s := p
	for s > 0 && p-s < 40 && (isDigit(n[s-1]) || strings.IndexByte(" -.()", n[s-1]) >= 0) {
		s--
	}
	national := false
	if s == 0 || n[s-1] != '+' && !(s+1 < p && n[s] == '0' && n[s+1] == '0') {
		for s < p && !isDigit(n[s]) && !(n[s] == '(' && s+1 < p && isDigit(n[s+1])) {
			s++
		}
		d := s
		if n[d] == '(' {
			d++
		}
		if d+1 >= p || n[d] != '0' || n[d+1] != '0' {
			// No country code: a national number, standing on its own.
			national = s == 0 || !wordByte[n[s-1]] && n[s-1] != '+'
			if !national {
				return false
			}
		} else {
			s = d
		}
	} else if n[s-1] == '+' {
		s--
	}
	if phoneEnd(n, s) != p {
		return false
	}
	os, oe := e.t.OrigSpan(s, p)
	conf, why := confPhone-0.05, "phone number with a country code before the app word"
	var ph string
	var ok bool
	if national {
		ph, ok = nationalE164(n[s:p])
		ok = ok && e.numberContext(s, p, os, oe)
		conf, why = confNational-0.05, "national number before the app word"
	} else {
		ph, ok = e164(e.light(os, oe, true))
	}
	if !ok {
		return false
	}
	wend := we
	if wend < len(n) && n[wend] == ')' {
		wend++
	}
	_, end := e.t.OrigSpan(ws, wend)
	e.add(Match{App: info.app, Handle: ph, Kind: wire.HandleMention, Start: os, End: end, HandleStart: os, HandleEnd: oe,
		Confidence: conf, Why: why})
	return true
}

// contactVerbRightBefore reports whether the word before n[p] is a contact
// verb ("add placeholder_01 on kik").
func (e *extraction) contactVerbRightBefore(p int) bool {
	s, q := e.prevWord(p)
	return s < q && contactSet[e.n[s:q]]
}

// emit validates a forward handle and records it.
func (e *extraction) emit(info appWordInfo, ws, we int, h hit, ctx context) bool {
	if e.attributedElsewhere(h.he) {
		return false
	}
	ctx.ws = ws
	v, ok := e.validate(info, h, ctx)
	if !ok {
		return false
	}
	sw := ws
	if ws > 0 && (e.n[ws-1] == '(' || e.n[ws-1] == '[') && we < len(e.n) && (e.n[we] == ')' || e.n[we] == ']') {
		sw-- // "(kik) x": the bracket belongs to the contact
	}
	start, _ := e.t.OrigSpan(sw, we)
	e.add(v.match(info.app, start, h.oe, h.os, h.oe))
	return v.conf >= MinConfidence
}

// verdict is what validate decided about a candidate.
type verdict struct {
	canon string
	kind  wire.HandleKind
	conf  float64
	why   string
}

func (v verdict) match(app string, start, end, hs, he int) Match {
	return Match{App: app, Handle: v.canon, Kind: v.kind, Start: start, End: end, HandleStart: hs, HandleEnd: he,
		Confidence: v.conf, Why: v.why}
}

// validate applies the app's syntax, the stop words and the context rules
// to a handle candidate.
func (e *extraction) validate(info appWordInfo, h hit, ctx context) (verdict, bool) {
	spec := mentionSpecs[info.app]
	raw := undotLetters(h.raw)
	if raw == "" {
		return verdict{}, false
	}
	if raw[0] == '+' || strings.HasPrefix(raw, "00") {
		if !spec.phone {
			return verdict{}, false
		}
		p, ok := e164(raw)
		conf := confPhone
		if ctx.loose || info.fuzzy {
			conf -= 0.1
		}
		return verdict{p, wire.HandleMention, conf, spelledWhy("phone number with a country code after the app word", h)}, ok
	}
	if spec.phone && (isDigit(raw[0]) || raw[0] == '(') && !hasLetter(raw) {
		// readHandle read it as a national number: an ambiguous name
		// ("signal 07700 900123" is often the signal's strength) needs a
		// separator or a contact phrase.
		// Four groups or more ("06-39-98-77-31"), or three joined by dots or
		// dashes ("646.555.0183"), are a phone's own writing, which a
		// strength or a count is not ("signal 202 555 0143 bars").
		p, ok := nationalE164(raw)
		bare := !ctx.strong && !ctx.contact && !ctx.me
		if !ok || !takesBareNumber(info) && bare && numberGroups(raw) < 4 && !(numberGroups(raw) == 3 && !strings.Contains(raw, " ")) {
			return verdict{}, false
		}
		conf := confNational
		if ctx.loose || info.fuzzy || !takesBareNumber(info) && bare {
			conf -= 0.1
		}
		return verdict{p, wire.HandleMention, conf, spelledWhy("national number after the app word", h)}, true
	}
	if spec.id != nil {
		if len(raw) < spec.idLen || len(raw) > spec.longestID() {
			return verdict{}, false
		}
		conf, why := confID, "ID shape after the app word"
		if spec.caps && raw != strings.ToUpper(raw) && !hasDigit(raw) {
			if !(ctx.strong && !ctx.loose && randomLetters(raw)) {
				return verdict{}, false
			}
			conf, why = confIDLetter, "random letters after a separator"
		}
		if spec.idLen >= 53 {
			conf = confChecked
		} else if ctx.dist >= nearbyWords {
			conf, why = confIDFar, "ID shape introduced by a label, sentences after the app word"
		}
		id, ok := spec.id(raw)
		if ok && stopSet[strings.ToLower(raw)] {
			return verdict{}, false
		}
		return verdict{id, wire.HandleID, conf, why}, ok
	}
	if spec.sigil {
		m := strings.ToLower(raw)
		return verdict{m, wire.HandleMention, confID, "Matrix ID after the app word"}, validMatrix(m)
	}
	if spec.user == nil {
		return verdict{}, false
	}
	// The cheap checks run on a lowercased copy in scratch memory, so that
	// the prose words most candidates are cost no allocation.
	lower := append(e.lower[:0], raw...)
	for i, c := range lower {
		if c >= 'A' && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	if stopSet[string(lower)] {
		return verdict{}, false
	}
	shaped := strings.ContainsAny(raw, "0123456789_.")
	strong := strongShape(raw)
	switch {
	case info.weak:
		if !ctx.strong && !strong && !(dottedNames[info.app] && dottedName(raw)) {
			return verdict{}, false
		}
	case info.strict:
		if !ctx.strong || !shaped && !h.at {
			return verdict{}, false
		}
	case info.ambiguous:
		if !ctx.strong && !ctx.contact && !strong && !(dottedNames[info.app] && dottedName(raw)) {
			return verdict{}, false
		}
	default:
		if !ctx.strong && !ctx.contact && !ctx.me && !shaped && !e.bareBeforeDash(info, h, lower) {
			return verdict{}, false
		}
	}
	if ctx.weakSep && !shaped && !h.at {
		return verdict{}, false
	}
	// "predators on Snapchat: secrecy, new gifts": a plain word opening a
	// list after a colon is prose.
	if !shaped && !h.at && !ctx.contact && h.he < len(e.n) && e.n[h.he] == ',' {
		return verdict{}, false
	}
	// "Wickr Me" in title case is the product's name ("Wickr Me users"),
	// not "wickr me <name>", unless what follows is shaped like a handle.
	if info.app == "wickr" && ctx.me && !ctx.strong && !shaped && e.titleCaseMe(h) {
		return verdict{}, false
	}
	user := strings.ToLower(raw)
	if !spec.user(user) && leetDigits(user) >= 2 && isDigit(user[0]) && len(user) > 1 && isLetter(user[1]) {
		// "3s3mp10_m3d13": a name no app allows (a digit first) read as the
		// leetspeak it is written in; "13-year-old" is a number first.
		if u := unleetName.Replace(user); spec.user(u) {
			user = u
		}
	}
	// "name.part.it" after "tele:" is a name with a country's ending, as
	// posts write them; a domain has one dot after an app word, or www.
	if !spec.user(user) || strings.HasPrefix(user, "www.") || looksLikeDomain(user) && !(ctx.strong && strings.Count(user, ".") >= 2) {
		return verdict{}, false
	}
	if info.app == "telegram" && strings.IndexByte(user, '.') >= 0 && (!ctx.strong && !ctx.contact || ctx.loose || ctx.dist > 0) {
		return verdict{}, false // a dotted Telegram name needs a separator or a contact phrase right before it
	}
	f := features{
		at: h.at, shaped: shaped, strong: strong, dict: commonSet[string(lower)],
		sep: ctx.strong, label: ctx.label, contact: ctx.contact, me: ctx.me,
		fuzzy: info.fuzzy, amb: info.ambiguous && !info.fuzzy, loose: ctx.loose, dist: ctx.dist,
	}
	f.prose = !shaped && !h.at && !ctx.contact && e.proseAfter(h)
	f.title = !shaped && !h.at && titleWord(raw)
	f.bare = !ctx.strong && !ctx.contact && !ctx.me && !shaped && !h.at
	f.warning = e.warned(ctx.ws, h)
	conf, why := f.score()
	if conf < MinConfidence && !e.all {
		return verdict{}, false
	}
	return verdict{user, wire.HandleMention, conf, why}, true
}

// randomLetters reports whether a lowercase word of letters reads like a
// random ID rather than a word: at most one vowel in eight letters
// ("kxmpqrtz", not "download" or "shopping"; about half of the IDs
// without digits pass). Threema and TeleGuard IDs are random and
// case-insensitive, so after a clear separator ("threema: kxmpqrtz") one
// written in lowercase is still an ID.
func randomLetters(s string) bool {
	vowels := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U':
			vowels++
		}
	}
	return vowels <= 1
}

// strongShape: a word that can only be a handle (or a code): letters with a
// digit or an underscore, five bytes or more ("placeholder_01", "tg_demo_77",
// "sample55plug"), unlike "2nd", "mp3" or "b2b".
func strongShape(s string) bool {
	return len(s) >= 5 && hasLetter(s) && (hasDigit(s) || strings.IndexByte(s, '_') >= 0)
}

// dottedName reports whether s is a name with a dot inside it, the way
// Snapchat, Kik and Skype names are written ("name.part"): letters on both
// sides of the dot and no file extension after the last one. Domains are
// refused later (looksLikeDomain).
func dottedName(s string) bool {
	i := strings.LastIndexByte(s, '.')
	if len(s) < 6 || i < 2 || i > len(s)-3 || !isLetter(s[i-1]|0x20) || !isLetter(s[i+1]|0x20) {
		return false
	}
	return !fileExtensions[strings.ToLower(s[i+1:])]
}

// longParts reports whether every part of the dotted name s has three
// characters or more ("name.part", not "it.now": a missed space).
func longParts(s string) bool {
	for _, p := range strings.Split(s, ".") {
		if len(p) < 3 {
			return false
		}
	}
	return true
}

// leetDigits counts the digits of s that leetspeak writes for letters.
func leetDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("013457", s[i]) >= 0 {
			n++
		}
	}
	return n
}

// unleetName reads a name's leet digits as letters.
var unleetName = strings.NewReplacer("0", "o", "1", "i", "3", "e", "4", "a", "5", "s", "7", "t")

// dottedNames are the apps whose usernames are often dotted, so that a
// dotted name after one of their ambiguous words ("snap", "dc") is one.
var dottedNames = map[string]bool{"snapchat": true, "kik": true, "discord": true}

// fileExtensions end names that are files, not handles ("snap photo.jpg").
var fileExtensions = lightSet(strings.Fields(`jpg jpeg png gif webp heic mp4 mov avi mkv webm mp3 wav pdf doc docx
	txt zip rar apk exe html htm php js css json csv xls xlsx ppt pptx`))

// nearbyWords is how many words after an app word a handle may stand when it
// does not follow it directly ("hmu on wickr, lots to trade\n\nplaceholder_18",
// "kik is where I trade. username is kik_sample_46").
const nearbyWords = 12

// farIDWords is how far an ID shape of eight characters may stand.
const farIDWords = 32

// isNearbySep: the punctuation that introduces a handle further on.
var isNearbySep = func() (t [256]bool) {
	for _, c := range []byte(":>=-/(,|~") {
		t[c] = true
	}
	return t
}()

// nearby looks for the handle of an app word in the next few words: an ID
// shape anywhere there; a phone number close by or introduced; a
// handle-shaped word introduced by a separator or a label ("user",
// "number", "is"), or anywhere after a contact phrase for names that are not
// ordinary words. It stops at the next app word, which speaks for itself.
func (e *extraction) nearby(ws, we int, info appWordInfo, ctx context) {
	n := e.n
	spec := mentionSpecs[info.app]
	if info.ambiguous && e.numberAfter(we) {
		return // "line 43, in <module>", "session 2 starts": the ordinary word
	}
	p := we
	prevEnd := we
	labelled := false // the word before was a label ("user", "is")
	// listed: only joiners so far, so the next app word is the second of a
	// list ("telegram or whatsapp at +33 …") and its handle is this one's too
	listed := !info.ambiguous
	skipped := 0 // words up to the list's last app word
	limit := nearbyWords
	if spec.caps {
		// A Threema or TeleGuard ID is its own evidence: it may come a
		// sentence or two after a review of the app ("… Add me if you want
		// to test it: G9UA792M"), when a separator or a label introduces it.
		limit = farIDWords
	}
	for k := 0; k < limit && p < len(n); k++ {
		q := p
		for q < len(n) && q-p < maxWordBack && !wordByte[n[q]] && n[q] != '+' {
			q++
		}
		if q >= len(n) || q-p == maxWordBack {
			return
		}
		sep := labelled
		for i := prevEnd; i < q && !sep; i++ {
			sep = isNearbySep[n[i]]
		}
		at := q > prevEnd && n[q-1] == '@'
		end := e.wordEndWithin(q, maxWordBack)
		if n[q] == '+' {
			end = phoneEnd(n, q)
		}
		if end == q {
			return
		}
		w := n[q:end]
		if pk := prefixKey(n, q); e.x.prefixes[pk>>6]&(1<<(pk&63)) != 0 {
			if entry, ok := lexicon[w]; ok && entry.app != nil && (!entry.app.ambiguous || e.separatorAfter(end)) {
				if listed && k > 0 && k <= 2 && !e.separatorAfter(end) {
					// read on past the list's next app word, counting words
					// from it
					prevEnd, p, skipped = end, end, k+1
					continue
				}
				return // the next app word speaks for itself ("tip line" does not, "Signal:" does)
			}
		}
		// Cheap tests before reading the original: a phone, an ID-long word,
		// or a word whose original has a digit, '_' or '.' (leetspeak may
		// have hidden its digits in Norm).
		worth := n[q] == '+' || n[q] == '0' && end-q > 1 && n[q+1] == '0' || spec.id != nil && end-q >= spec.idLen ||
			spec.phone && isDigit(n[q])
		if k >= nearbyWords && !(sep && spec.id != nil && end-q >= spec.idLen && end-q <= spec.longestID()) {
			worth = false
		} else if tok := strings.IndexByte(n[q:min(len(n), q+maxWordBack)], ' '); !worth && (tok < 0 || tok >= 5) {
			tokEnd := min(len(n), q+maxWordBack)
			if tok >= 0 {
				tokEnd = q + tok
			}
			worth = hasShapeByte(n[q:tokEnd])
			if !worth && e.t.HasLeet() {
				os, oe := e.t.OrigSpan(q, tokEnd)
				worth = hasShapeByte(e.t.Orig[os:oe])
			}
		}
		if !worth && labelled && k < nearbyWords && spec.extent != nil && !spec.sigil {
			// "il nick è esempio trattino basso fresco nove nove": a
			// labelled name with its punctuation spelled out.
			if _, sq := e.spelledPunctAt(end); sq > 0 {
				worth = true
			}
		}
		h, ok := hit{}, false
		if worth {
			h, ok = e.readHandle(q, spec)
		}
		if ok && h.he >= end && !e.attributedElsewhere(h.he) {
			h.at = at
			if e.nearbyAccept(info, spec, h, ctx, sep, k-skipped) {
				var hctx context
				hctx.strong = true // the rules above stand for the separator
				hctx.loose = !sep
				hctx.label = labelled
				hctx.contact = ctx.contact
				hctx.ws, hctx.dist = ws, k
				if v, ok := e.validate(info, h, hctx); ok {
					start, _ := e.t.OrigSpan(ws, we)
					if k >= nearbyWords {
						start = h.os // sentences away: the ID is the contact
					}
					e.add(v.match(info.app, start, h.oe, h.os, h.oe))
					return
				}
			}
		}
		labelled = len(w) <= 20 && e.x.small(n, q) && (labelSet[w] || possessive[w] || asWords[w]) // "user x", "is x", "мой x", "als x"
		listed = listed && joinerWords[w]
		if ok && h.he > end {
			end = h.he // "example_knits.33" is one candidate, not three words
		}
		prevEnd, p = end, end
	}
}

func spelledWhy(why string, h hit) string {
	if h.spelled {
		return why + ", spelled out in words"
	}
	return why
}

// takesBareNumber reports whether a national number right after the app
// word is its number with no separator: not after an ambiguous name
// ("signal 07700 900123" is often the signal's strength), except
// WhatsApp's short names ("wa", "wsp", "zap", "appen"), which no ordinary
// word a number follows, and WhatsApp takes nothing but numbers.
func takesBareNumber(info appWordInfo) bool { return !info.ambiguous || info.app == "whatsapp" }

// separatorAfter reports whether a ':' follows n[p], spaced or not.
func (e *extraction) separatorAfter(p int) bool {
	if p < len(e.n) && e.n[p] == ' ' {
		p++
	}
	return p < len(e.n) && e.n[p] == ':'
}

// numberGroups counts the runs of digits in s.
func numberGroups(s string) int {
	g := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) && (i == 0 || !isDigit(s[i-1])) {
			g++
		}
	}
	return g
}

// numberAfter reports whether a plain number (not a phone: no '+', no
// "00") follows n[we].
func (e *extraction) numberAfter(we int) bool {
	n := e.n
	if we+1 >= len(n) || n[we] != ' ' || !isDigit(n[we+1]) || n[we+1] == '0' && we+2 < len(n) && n[we+2] == '0' {
		return false
	}
	p := we + 1
	for p < len(n) && isDigit(n[p]) {
		p++
	}
	return p == len(n) || !wordByte[n[p]]
}

// nearbyAccept decides whether a handle candidate k words after its app word
// belongs to it.
func (e *extraction) nearbyAccept(info appWordInfo, spec mentionSpec, h hit, ctx context, sep bool, k int) bool {
	raw := h.raw
	switch {
	case raw == "":
		return false
	case raw[0] == '+' || strings.HasPrefix(raw, "00"):
		return spec.phone && (sep || ctx.contact || k < 3)
	case isDigit(raw[0]) || raw[0] == '(':
		return spec.phone && (sep || ctx.contact || k < 3 && takesBareNumber(info))
	case spec.id != nil:
		return true // an ID shape is its own evidence; validate checks it
	}
	if !strongShape(raw) && !(strings.IndexByte(raw, '.') > 0 && hasLetter(raw) && len(raw) >= 5) {
		return false
	}
	return sep || ctx.contact
}

// titleCaseMe reports whether the "me" before the handle is written "Me".
func (e *extraction) titleCaseMe(h hit) bool {
	n := e.n
	s, q := e.prevWord(h.hs)
	if n[s:q] != "me" {
		return false
	}
	os, oe := e.t.OrigSpan(s, q)
	return e.t.Orig[os:oe] == "Me"
}

var domainTLDs = map[string]bool{"com": true, "net": true, "org": true, "me": true, "io": true, "gg": true, "ru": true, "de": true, "co": true, "uk": true, "info": true, "app": true, "chat": true, "to": true, "im": true, "fr": true, "es": true, "br": true, "tv": true, "ly": true, "xyz": true}

// looksLikeDomain: "gmail.com" after "wickr:" is an address, not a name.
func looksLikeDomain(s string) bool {
	i := strings.LastIndexByte(s, '.')
	return i > 0 && domainTLDs[s[i+1:]]
}

// spacedTail extends a letter-spaced handle over the single characters the
// collapse of letter spacing left apart ("p l a c e h o l d e r _ 0 1"
// reads "placeholder _ 0 1" in Norm): only when the handle itself was
// written spaced out.
func (e *extraction) spacedTail(hs, he int, cs *charset) int {
	n := e.n
	single := func(p int) bool { // a one-character word of cs at n[p+1]
		return p+1 < len(n) && n[p] == ' ' && cs.has(n[p+1]) && (p+2 == len(n) || !wordByte[n[p+2]])
	}
	if !single(he) {
		return he
	}
	os, oe := e.t.OrigSpan(hs, he)
	if oe-os < 2*(he-hs)-1 || strings.IndexByte(e.t.Orig[os:oe], ' ') < 0 {
		return he
	}
	for k := 0; k < maxHandleScan && single(he); k++ {
		he += 2
	}
	return he
}

// bareBeforeDash reports whether a plain word right after a sure app word
// is set off by a dash, a bar or a line break, as a handle is in
// "ᴡɪᴄᴋʀ exemplebrume — collection": lowercase as written (a product
// name is capitalised: "Discord Nitro - ") and no common word.
func (e *extraction) bareBeforeDash(info appWordInfo, h hit, lower []byte) bool {
	if info.ambiguous || info.weak || info.fuzzy || commonSet[string(lower)] || h.he >= len(e.n) {
		return false
	}
	for i := h.os; i < h.oe; i++ {
		if c := e.t.Orig[i]; c >= 'A' && c <= 'Z' {
			return false
		}
	}
	if o := e.t.Orig[h.oe:]; strings.HasPrefix(o, "\n") || strings.HasPrefix(o, "\r\n") {
		return true
	}
	n := e.n
	return n[h.he] == ' ' && h.he+2 < len(n) && (n[h.he+1] == '-' || n[h.he+1] == '|') && n[h.he+2] == ' '
}

// titleWord reports whether a word is written like a capitalised noun
// of eight letters or more ("Snapchat: Aktienabsturz" in a headline), not
// like a username.
func titleWord(s string) bool {
	if len(s) < 8 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return true
}

// clauseStop: punctuation that ends the clause a warning word speaks in.
func clauseStop(c byte) bool { return c == '.' || c == '!' || c == '?' || c == ';' || c == ',' }

// stillWords may stand between a copula and a handle ("my skype is still
// x").
var stillWords = map[string]bool{"still": true, "now": true, "also": true, "just": true, "jetzt": true, "noch": true,
	"immer": true, "ahora": true, "todavia": true, "agora": true, "ainda": true, "maintenant": true, "toujours": true,
	"ora": true, "ancora": true, "nu": true, "nog": true, "altijd": true}

// negations before a warning word turn it round ("no fakes", "sin estafas").
var negations = map[string]bool{"no": true, "not": true, "sin": true, "sem": true, "kein": true, "keine": true,
	"pas": true, "sans": true, "без": true, "niente": true, "geen": true, "nessun": true, "zero": true, "never": true}

// warned reports whether a warning names the candidate: a warning word
// among the words before it in its clause (up to the app word and three
// words before that: "beware of kik user x", "beware: x on kik"), or right
// after it ("x is a scammer", "x = fake").
func (e *extraction) warned(ws int, h hit) bool {
	n := e.n
	p := h.hs
	if p > 0 && (n[p-1] == '@' || n[p-1] == '#') {
		p--
	}
	for k, before := 0, 0; k < 12 && before < 3; k++ {
		q := p
		for q > 0 && !wordByte[n[q-1]] {
			if clauseStop(n[q-1]) {
				return e.warnedAfter(h.he)
			}
			q--
		}
		s := e.wordBefore(q)
		if s == q {
			break
		}
		if q <= ws {
			before++
		}
		if w := n[s:q]; warningSet[w] {
			if ps, pq := e.prevWord(s); ps == pq || !negations[n[ps:pq]] {
				return true
			}
		}
		p = s
	}
	return e.warnedAfter(h.he)
}

// warnedAfter reports whether the words after n[he] call the candidate a
// fraud: "x is a scammer", "x = fake", "x (scam)", "x es un estafador".
// An imperative or a plural there speaks to the reader, not of x ("snap:
// x beware fakes", "x no scammers").
func (e *extraction) warnedAfter(he int) bool {
	n := e.n
	p := he
	for k := 0; k < 3; k++ {
		q := p
		for q < len(n) && !wordByte[n[q]] {
			if clauseStop(n[q]) {
				return false
			}
			q++
		}
		end := e.wordEndWithin(q, maxWordBack)
		if end == q {
			return false
		}
		w := n[q:end]
		switch {
		case fraudSet[w]:
			return true
		case copulaSet[w] && k == 0, articles[w] && k <= 1:
		default:
			return false
		}
		p = end
	}
	return false
}

// fraudWords name a fraud in the singular, in the supported languages.
var fraudWords = strings.Fields(`scammer scam fake fraud fraudster scum
	estafador estafadora estafa falso falsa golpista golpe betruger betrug fake
	arnaqueur arnaque faux truffatore truffa oplichter nep мошенник мошенница кидала фейк`)

var fraudSet = lightSet(fraudWords)

// articles may stand between a copula and what it calls the candidate.
var articles = map[string]bool{"a": true, "an": true, "un": true, "una": true, "um": true, "uma": true,
	"ein": true, "eine": true, "une": true, "uno": true, "een": true, "total": true, "known": true}

// proseAfter reports whether a function word follows the candidate in the
// same clause, with one space in the original: "kik login loop again".
func (e *extraction) proseAfter(h hit) bool {
	n := e.n
	if h.he+1 >= len(n) || n[h.he] != ' ' {
		return false
	}
	s, q := e.nextWord(h.he)
	if s == q || !stopSet[n[s:q]] {
		return false
	}
	os, _ := e.t.OrigSpan(s, s+1)
	return os == h.oe+1 && e.t.Orig[h.oe] == ' '
}
