package gen

import (
	"encoding/hex"
	"regexp"
	"strconv"
	"strings"
)

// apps is wire.Apps, repeated here so that the core has no dependency a
// wire change could break silently; TestAppsMatchWire keeps them equal.
var apps = []string{
	"wickr", "telegram", "kik", "session", "signal", "snapchat", "whatsapp",
	"discord", "threema", "matrix", "simplex", "wire", "teleguard", "tox",
	"briar", "viber", "line", "wechat", "skype",
}

// hshape is one handle as a post writes it.
type hshape struct {
	text  string // as written, before any disguise of the handle itself
	canon string // canonical form
	kind  string // "link", "mention" or "id"
	// standalone shapes (links, Matrix IDs) name their app themselves; the
	// others need an app word next to them.
	standalone bool
	// caseSensitive handles (invite codes, tokens) may only be disguised in
	// ways that keep every letter's case.
	caseSensitive bool
	phone         bool
	// name is set for chosen usernames: they may be letter-disguised and
	// given for two apps at once.
	name bool
}

// markers are the placeholder words a name-like handle carries (the corpus
// test accepts these and no others).
var markers = map[string][]string{
	"en": {"placeholder", "example", "demo", "sample"},
	"es": {"ejemplo", "muestra", "demo", "sample", "example"},
	"pt": {"exemplo", "demo", "sample", "example"},
	"fr": {"exemple", "demo", "sample", "example"},
	"de": {"beispiel", "demo", "sample", "example"},
	"ru": {"primer", "demo", "sample", "example"},
}

func markerFor(r *rng, lang string) string {
	if m, ok := markers[lang]; ok && r.chance(0.8) {
		return pick(r, m)
	}
	return pick(r, markers["en"])
}

var nameAffixes = []string{
	"seller", "shop", "vip", "trade", "club", "drop", "box", "x", "hub", "store",
	"main", "real", "new", "backup", "official", "zone", "link", "plug", "deals",
	"vault", "team", "crew", "tg", "kk", "nn", "mx", "oficial", "venta", "loja",
	"verkauf", "boutique", "negozio", "winkel", "lavka", "sklep", "dukkan", "info",
	"contact", "admin", "bot", "desk", "news", "tips", "user", "acc", "alt", "two",
	"king", "bro", "ok", "777", "69x", "go", "pro", "max", "one", "fan", "mod",
}

// nameRules: per app, the separators a username may use and its bounds
// (from detector/handles syntax.go and the corpus shapes).
type nameRule struct {
	seps        string
	min, max    int
	letterFirst bool
}

var nameRules = map[string]nameRule{
	"telegram": {"_", 5, 32, true},
	"snapchat": {"._-", 3, 15, true},
	"kik":      {"._", 2, 20, false},
	"wickr":    {"_", 4, 15, false},
	"discord":  {"_.", 2, 32, false},
	"wire":     {"_.-", 2, 40, false},
	"line":     {"._-", 4, 20, false},
	"wechat":   {"_-", 6, 20, true},
	"skype":    {"._-", 6, 32, true},
	"signal":   {"_", 3, 24, true}, // the nickname before ".NN"
	"matrix":   {"_.-", 2, 40, false},
}

// canonShapes are the canonical forms, as the corpus test checks them.
var canonShapes = map[string]*regexp.Regexp{
	"telegram":  regexp.MustCompile(`^([a-z][a-z0-9_]{4,31}|\+[A-Za-z0-9_\-]{8,64}|\+[1-9][0-9]{7,14})$`),
	"whatsapp":  regexp.MustCompile(`^(\+[1-9][0-9]{7,14}|[A-Za-z0-9]{18,26})$`),
	"signal":    regexp.MustCompile(`^(\+[1-9][0-9]{7,14}|[a-z_][a-z0-9_]{2,31}\.[0-9]{2,10}|[A-Za-z0-9_\-]{20,200})$`),
	"discord":   regexp.MustCompile(`^([a-z0-9_.]{2,32}|[A-Za-z0-9\-]{2,32})$`),
	"snapchat":  regexp.MustCompile(`^[a-z][a-z0-9._\-]{1,13}[a-z0-9]$`),
	"kik":       regexp.MustCompile(`^[a-z0-9._]{2,20}$`),
	"wickr":     regexp.MustCompile(`^[a-z0-9_]{4,15}$`),
	"session":   regexp.MustCompile(`^05[0-9a-f]{64}$`),
	"tox":       regexp.MustCompile(`^[0-9A-F]{76}$`),
	"threema":   regexp.MustCompile(`^[A-Z0-9]{8}$`),
	"matrix":    regexp.MustCompile(`^[@#][a-z0-9._=/+\-]+:[a-z0-9.\-]+$`),
	"simplex":   regexp.MustCompile(`^[A-Za-z0-9_\-]{16,}$`),
	"wire":      regexp.MustCompile(`^[a-z0-9_.\-]{2,256}$`),
	"teleguard": regexp.MustCompile(`^[A-Z0-9]{8,9}$`),
	"briar":     regexp.MustCompile(`^[a-z2-7]{53}$`),
	"viber":     regexp.MustCompile(`^(\+[1-9][0-9]{7,14}|[A-Za-z0-9_=\-]{6,})$`),
	"line":      regexp.MustCompile(`^([a-z0-9._\-]{3,20}|[A-Za-z0-9_\-]{4,64})$`),
	"wechat":    regexp.MustCompile(`^[a-z][a-z0-9_\-]{5,19}$`),
	"skype":     regexp.MustCompile(`^([a-z][a-z0-9.,_\-]{5,31}|live:\.cid\.[0-9a-f]{16}|[A-Za-z0-9_\-]{6,64})$`),
}

func validName(app, s string) bool {
	rule, ok := nameRules[app]
	if !ok || len(s) < rule.min || len(s) > rule.max {
		return false
	}
	last := s[len(s)-1]
	if rule.letterFirst && (s[0] < 'a' || s[0] > 'z') {
		return false
	}
	if strings.IndexByte(rule.seps, last) >= 0 || strings.IndexByte(rule.seps, s[0]) >= 0 {
		return false
	}
	prevSep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		isSep := strings.IndexByte(rule.seps, c) >= 0
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || isSep) || isSep && prevSep {
			return false
		}
		prevSep = isSep
	}
	return true
}

// userName draws a placeholder username valid for app.
func userName(r *rng, app, lang string) string {
	rule := nameRules[app]
	for try := 0; ; try++ {
		m := markerFor(r, lang)
		if try > 8 {
			m = "demo"
		}
		sep := ""
		if r.chance(0.7) {
			sep = string(rule.seps[r.intn(len(rule.seps))])
		}
		a := pick(r, nameAffixes)
		num := strconv.Itoa(r.between(1, 999))
		if r.chance(0.3) {
			num = strconv.Itoa(r.between(10, 99))
		}
		var s string
		switch r.intn(6) {
		case 0:
			s = m + sep + a
		case 1:
			s = a + sep + m
		case 2:
			s = m + sep + num
		case 3:
			s = m + sep + a + num
		case 4:
			s = a + sep + m + num
		default:
			s = m + num + sep + a
		}
		if validName(app, s) {
			return s
		}
	}
}

const (
	hexDigits = "0123456789abcdef"
	base32    = "abcdefghijklmnopqrstuvwxyz234567"
	b64url    = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	alnum     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upAlnum   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

func randFrom(r *rng, set string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = set[r.intn(len(set))]
	}
	return string(b)
}

// token draws a case-sensitive invite code that carries a placeholder
// word, so that the content rule can be checked on it.
func token(r *rng, lang string, set string, minLen, maxLen int) string {
	m := markerFor(r, lang)
	if r.chance(0.5) {
		m = strings.ToUpper(m[:1]) + m[1:]
	}
	n := r.between(minLen, maxLen) - len(m)
	if n < 2 {
		n = 2
	}
	rest := []byte(randFrom(r, set, n))
	// Links end a token at punctuation, so a token neither starts nor ends
	// with '-' or '_'.
	for _, i := range []int{0, n - 1} {
		if rest[i] == '-' || rest[i] == '_' {
			rest[i] = alnum[r.intn(len(alnum))]
		}
	}
	if r.chance(0.5) {
		return m + string(rest)
	}
	return string(rest[:n/2]) + m + string(rest[n/2:])
}

// toxID draws a Tox ID: public key, nospam, and the checksum that XORs the
// first 36 bytes two at a time.
func toxID(r *rng) string {
	var id [38]byte
	for i := 0; i < 36; i++ {
		id[i] = byte(r.next())
	}
	for i := 0; i < 36; i += 2 {
		id[36] ^= id[i]
		id[37] ^= id[i+1]
	}
	return strings.ToUpper(hex.EncodeToString(id[:]))
}

func sessionID(r *rng) string { return "05" + randFrom(r, hexDigits, 64) }

func threemaID(r *rng) string { return randFrom(r, upAlnum, 8) }

func teleguardID(r *rng) string {
	for {
		s := randFrom(r, upAlnum, r.between(8, 9))
		if strings.ContainsAny(s, "0123456789") && strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") {
			return s
		}
	}
}

// phone is a number from a range reserved for fiction, with its E.164
// form and the ways a post writes it.
type phone struct {
	e164   string // "+447700900123"
	digits string // "447700900123"
	forms  []string
	spaced string // every digit apart
}

var usAreaCodes = []string{"202", "212", "213", "305", "312", "415", "503", "617", "702", "718", "808", "917"}

func newPhone(r *rng, lang string) phone {
	country := r.intn(3)
	switch lang {
	case "fr":
		if r.chance(0.7) {
			country = 2
		}
	case "en":
		if country == 2 {
			country = r.intn(2)
		}
	}
	var p phone
	switch country {
	case 0: // US: NPA 555-0100 … 555-0199
		npa := pick(r, usAreaCodes)
		line := "01" + randFrom(r, "0123456789", 2)
		p.digits = "1" + npa + "555" + line
		p.forms = []string{
			"+1 " + npa + " 555 " + line, "+1 (" + npa + ") 555-" + line, "+1-" + npa + "-555-" + line,
			"+1." + npa + ".555." + line, "+1" + npa + "555" + line, "001 " + npa + " 555 " + line,
			"+1 " + npa + "-555-" + line, "+1 " + npa + " 555-" + line,
		}
	case 1: // UK: 07700 900000 … 900999
		sub := randFrom(r, "0123456789", 3)
		p.digits = "447700900" + sub
		p.forms = []string{
			"+44 7700 900" + sub, "+44 7700 900 " + sub, "0044 7700 900" + sub, "+44 (0)7700 900" + sub,
			"+447700900" + sub, "+44-7700-900-" + sub, "+44.7700.900." + sub, "+44 (0) 7700 900 " + sub,
		}
	default: // France: 06 39 98 xx xx
		a, b := randFrom(r, "0123456789", 2), randFrom(r, "0123456789", 2)
		p.digits = "3363998" + a + b
		p.forms = []string{
			"+33 6 39 98 " + a + " " + b, "+33 (0)6 39 98 " + a + " " + b, "0033 6 39 98 " + a + " " + b,
			"+3363998" + a + b, "+33.6.39.98." + a + "." + b, "+33-6-39-98-" + a + "-" + b,
			"+33 639 98 " + a + " " + b,
		}
	}
	p.e164 = "+" + p.digits
	var sp strings.Builder
	sp.WriteString("+")
	for _, c := range p.digits {
		sp.WriteString(" ")
		sp.WriteRune(c)
	}
	p.spaced = sp.String()
	return p
}

func (p phone) written(r *rng) (string, bool) {
	if r.chance(0.06) {
		return p.spaced, true
	}
	return pick(r, p.forms), false
}

var matrixServers = []string{"example.org", "example.net", "matrix.example.com", "chat.example.org"}

// makeHandle draws one handle of app, in one of the app's shapes. allow
// limits the kinds ("" = any of link, mention, id).
func makeHandle(r *rng, app, lang, allow string) (hshape, []string) {
	for try := 0; try < 20; try++ {
		h, tags := drawHandle(r, app, lang)
		if allow == "" || strings.Contains(allow, h.kind) || try == 19 {
			return h, tags
		}
	}
	panic("unreachable")
}

func drawHandle(r *rng, app, lang string) (hshape, []string) {
	var tags []string
	num := func() (string, string, bool) {
		p := newPhone(r, lang)
		w, spaced := p.written(r)
		if spaced {
			tags = append(tags, "spaced")
		}
		return w, p.e164, true
	}
	mention := func() hshape {
		n := userName(r, app, lang)
		w := n
		if r.chance(0.25) {
			w = "@" + n
		}
		return hshape{text: w, canon: n, kind: "mention", name: true}
	}
	link := func(text, canon string, cs bool) hshape {
		if r.chance(0.25) && !strings.Contains(text, "://") {
			text = "https://" + text
		}
		return hshape{text: text, canon: canon, kind: "link", standalone: true, caseSensitive: cs}
	}
	switch app {
	case "telegram":
		switch r.intn(10) {
		case 0, 1, 2:
			return mention(), tags
		case 9: // a bot: Telegram bot usernames end in "bot"
			n := userName(r, app, lang)
			if len(n) > 26 {
				n = n[:26]
			}
			n = strings.TrimRight(n, "_") + pick(r, []string{"_bot", "bot", "_robot"})
			if r.chance(0.5) {
				return link("t.me/"+n, n, false), tags
			}
			return hshape{text: "@" + n, canon: n, kind: "mention", name: true}, tags
		case 3, 4:
			n := userName(r, app, lang)
			return link("t.me/"+n, n, false), tags
		case 5:
			n := userName(r, app, lang)
			return link(pick(r, []string{"telegram.me/", "tg://resolve?domain="})+n, n, false), tags
		case 6, 7:
			t := token(r, lang, b64url, 16, 22)
			return link("t.me/+"+t, "+"+t, true), tags
		default:
			t := token(r, lang, b64url, 16, 22)
			return link("t.me/joinchat/"+t, "+"+t, true), tags
		}
	case "whatsapp":
		switch r.intn(6) {
		case 0, 1, 2:
			w, c, _ := num()
			return hshape{text: w, canon: c, kind: "id", phone: true}, tags
		case 3:
			p := newPhone(r, lang)
			return link("wa.me/"+p.digits, p.e164, false), tags
		case 4:
			p := newPhone(r, lang)
			return link("https://api.whatsapp.com/send?phone="+p.digits, p.e164, false), tags
		default:
			t := token(r, lang, alnum, 20, 24)
			return link("chat.whatsapp.com/"+t, t, true), tags
		}
	case "signal":
		switch r.intn(7) {
		case 0, 1, 2:
			n := userName(r, app, lang) + "." + strconv.Itoa(r.between(10, 99))
			w := n
			if r.chance(0.2) {
				w = "@" + n
			}
			return hshape{text: w, canon: n, kind: "mention", name: false}, tags
		case 3:
			w, c, _ := num()
			return hshape{text: w, canon: c, kind: "id", phone: true}, tags
		case 4:
			p := newPhone(r, lang)
			return link("signal.me/#p/"+p.e164, p.e164, false), tags
		case 5:
			t := token(r, lang, b64url, 24, 40)
			return link("signal.me/#eu/"+t, t, true), tags
		default:
			t := token(r, lang, b64url, 32, 44)
			return link("signal.group/#"+t, t, true), tags
		}
	case "discord":
		switch r.intn(4) {
		case 0, 1:
			return mention(), tags
		case 2:
			t := token(r, lang, alnum, 7, 12)
			return link("discord.gg/"+t, t, true), tags
		default:
			t := token(r, lang, alnum, 7, 12)
			return link("discord.com/invite/"+t, t, true), tags
		}
	case "snapchat":
		if r.chance(0.3) {
			n := userName(r, app, lang)
			return link(pick(r, []string{"snapchat.com/add/", "snapchat.com/add/", "snapchat.com/@"})+n, n, false), tags
		}
		return mention(), tags
	case "kik":
		if r.chance(0.2) {
			n := userName(r, app, lang)
			return link("kik.me/"+n, n, false), tags
		}
		return mention(), tags
	case "wickr", "wire":
		return mention(), tags
	case "session":
		id := sessionID(r)
		w := id
		if r.chance(0.1) {
			w = strings.ToUpper(id)
		}
		return hshape{text: w, canon: id, kind: "id"}, tags
	case "threema":
		id := threemaID(r)
		if r.chance(0.3) {
			return link("threema.id/"+id, id, false), tags
		}
		w := id
		if r.chance(0.2) {
			w = strings.ToLower(id)
		}
		return hshape{text: w, canon: id, kind: "id"}, tags
	case "teleguard":
		id := teleguardID(r)
		return hshape{text: id, canon: id, kind: "id"}, tags
	case "tox":
		id := toxID(r)
		if r.chance(0.3) {
			return link("tox:"+id, id, false), tags
		}
		w := id
		if r.chance(0.2) {
			w = strings.ToLower(id)
		}
		return hshape{text: w, canon: id, kind: "id"}, tags
	case "briar":
		id := randFrom(r, base32, 53)
		return hshape{text: "briar://" + id, canon: id, kind: "link", standalone: true}, tags
	case "simplex":
		t := randFrom(r, b64url, r.between(22, 42)) + randFrom(r, alnum, 1)
		host := pick(r, []string{"simplex.chat/a#", "simplex.chat/c#", "simplex.chat/g#", "smp4.simplex.im/a#", "smp8.simplex.im/c#"})
		return hshape{text: "https://" + host + t, canon: t, kind: "link", standalone: true, caseSensitive: true}, tags
	case "matrix":
		local := userName(r, "matrix", lang)
		server := pick(r, matrixServers)
		sigil := "@"
		if r.chance(0.3) {
			sigil = "#"
		}
		c := sigil + local + ":" + server
		if r.chance(0.35) {
			return link("matrix.to/#/"+c, c, false), tags
		}
		// A bare user ID names its app by its shape; a bare room alias reads
		// as a hashtag and needs the app word.
		return hshape{text: c, canon: c, kind: "id", standalone: sigil == "@"}, tags
	case "viber":
		switch r.intn(5) {
		case 0, 1, 2:
			w, c, _ := num()
			return hshape{text: w, canon: c, kind: "id", phone: true}, tags
		case 3:
			p := newPhone(r, lang)
			return hshape{text: "viber://chat?number=%2B" + p.digits, canon: p.e164, kind: "link", standalone: true}, tags
		default:
			t := token(r, lang, b64url, 16, 28)
			return link("invite.viber.com/?g2="+t, t, true), tags
		}
	case "line":
		switch r.intn(8) {
		case 0, 1:
			n := userName(r, app, lang)
			return link("line.me/ti/p/~"+n, n, false), tags
		case 2:
			t := token(r, lang, b64url, 10, 16)
			return link(pick(r, []string{"line.me/ti/g/", "lin.ee/"})+t, t, true), tags
		}
		return mention(), tags
	case "wechat":
		return mention(), tags
	case "skype":
		switch r.intn(6) {
		case 0, 1, 2:
			return mention(), tags
		case 3:
			c := "live:.cid." + randFrom(r, hexDigits, 16)
			return hshape{text: c, canon: c, kind: "id"}, tags
		case 4:
			n := userName(r, app, lang)
			return hshape{text: "skype:" + n + "?chat", canon: n, kind: "link", standalone: true}, tags
		default:
			t := token(r, lang, alnum, 12, 16)
			return link("join.skype.com/invite/"+t, t, true), tags
		}
	}
	panic("gen: unknown app " + app)
}

// sharedName draws a username valid for both apps, for "kik or wickr,
// both: name".
func sharedName(r *rng, a, b, lang string) (string, bool) {
	for i := 0; i < 30; i++ {
		n := userName(r, a, lang)
		if validName(b, n) {
			return n, true
		}
	}
	return "", false
}

// nameApps are the apps whose handles are chosen usernames.
var nameApps = []string{"telegram", "snapchat", "kik", "wickr", "discord", "wire", "line", "wechat", "skype"}
