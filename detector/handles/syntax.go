package handles

import (
	"encoding/hex"
	"strings"
)

// Each app's handle syntax, from detection.md §1. The validators take the
// handle as the post wrote it after light folding (no leading '@') and
// return the canonical form: lowercase where the app is case-insensitive,
// invite codes and link tokens as written, phones as E.164 "+<digits>".

// charset is a set of ASCII bytes.
type charset [4]uint64

func (c *charset) has(b byte) bool { return b < 128 && c[b>>6]&(1<<(b&63)) != 0 }

func makeCharset(spec string) *charset {
	var c charset
	for i := 0; i < len(spec); i++ {
		if i+2 < len(spec) && spec[i+1] == '-' {
			for b := spec[i]; b <= spec[i+2]; b++ {
				c[b>>6] |= 1 << (b & 63)
			}
			i += 2
			continue
		}
		c[spec[i]>>6] |= 1 << (spec[i] & 63)
	}
	return &c
}

var (
	csDigit          = makeCharset("0-9")
	csLowerAlnum     = makeCharset("a-z0-9")
	csHex            = makeCharset("0-9a-fA-F")
	csBase32         = makeCharset("a-z2-7")
	csTelegram       = makeCharset("a-z0-9_")
	csKik            = makeCharset("a-z0-9._")
	csSnapchat       = makeCharset("a-z0-9._-")
	csDiscord        = makeCharset("a-z0-9_.")
	csWire           = makeCharset("a-z0-9_.-")
	csWickr          = makeCharset("a-z0-9_.-")
	csLine           = makeCharset("a-z0-9._-")
	csWeChat         = makeCharset("a-z0-9_-")
	csSkype          = makeCharset("a-z0-9.,_-")
	csSignalName     = makeCharset("a-z0-9_.")
	csTelegramDotted = makeCharset("a-z0-9_.")
	csInvite         = makeCharset("A-Za-z0-9_-")
	csDiscordInvite  = makeCharset("A-Za-z0-9-")
	csAlnum          = makeCharset("A-Za-z0-9")
	csUpperAlnum     = makeCharset("A-Z0-9")
	csMatrixLoc      = makeCharset("a-z0-9._=/+-")
	csHost           = makeCharset("a-z0-9.-")
	csFragment       = makeCharset("A-Za-z0-9._~:/?#[]@!$&'()*+,;=%-")
)

func allIn(s string, c *charset) bool {
	for i := 0; i < len(s); i++ {
		if !c.has(s[i]) {
			return false
		}
	}
	return true
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
func isDigit(b byte) bool  { return b >= '0' && b <= '9' }

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if isLetter(s[i]) {
			return true
		}
	}
	return false
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// username checks the common shape of a username: length, charset, a
// letter first when asked, and no separator at the end.
func username(s string, minLen, maxLen int, cs *charset, letterFirst bool, badEnd string) bool {
	if len(s) < minLen || len(s) > maxLen || !allIn(s, cs) || !hasLetter(s) {
		return false
	}
	if letterFirst && !isLetter(s[0]) {
		return false
	}
	return !strings.ContainsRune(badEnd, rune(s[len(s)-1]))
}

// validSignalWritten is validSignalUser, or a shaped name without the
// discriminator ("signal: name.menu", "signal: name_07"): Signal's own
// names need the ".NN", but posts drop it, and the name is still what a
// moderator searches for.
func validSignalWritten(s string) bool {
	return validSignalUser(s) || username(s, 5, 32, csSignalName, true, "._") && !strings.Contains(s, "..") &&
		(strongShape(s) || dottedName(s) && longParts(s))
}

// validSimpleXName: SimpleX has no usernames, only addresses, but posts
// give a name for one ("simplex: name_vault"); a shaped name after the
// app word is that contact as written.
func validSimpleXName(s string) bool {
	return username(s, 5, 32, csTelegramDotted, true, "._") && strongShape(s)
}

// validTelegram: 5–32 of a-z 0-9 _, a letter first, no '_' last.
func validTelegram(s string) bool {
	return username(s, 5, 32, csTelegram, true, "_")
}

// validTelegramWritten is validTelegram, or a name with dots inside it:
// Telegram has none, but posts write Telegram names dotted as other apps'
// ("name.trade.77"), and the dotted name is what a moderator searches.
func validTelegramWritten(s string) bool {
	if validTelegram(s) {
		return true
	}
	return strings.IndexByte(s, '.') > 0 && !strings.Contains(s, "..") && s[len(s)-1] != '.' &&
		validTelegram(strings.ReplaceAll(s, ".", "_"))
}

// validTelegramInvite: the hash of t.me/+… and t.me/joinchat/… (base64url).
// Telegram's own hashes are 16 or 22 characters, but the link prefix is
// unambiguous, and a moderator wants a shortened or retyped invite too.
func validTelegramInvite(s string) bool {
	return len(s) >= 5 && len(s) <= 64 && allIn(s, csInvite)
}

// Maximum lengths: the apps' sign-up forms cap usernames (Kik 20, Snapchat
// and Wickr 15), but posts give names a little longer — retyped with an
// extra letter, an old name from before a cap, a display name given as the
// contact — and a moderator still wants the contact, so a name right after
// the app word may be up to 32, Telegram's cap. Link paths keep the caps'
// purpose: the charset and the first-letter rules still hold.
const maxLooseName = 32

// validKik: letters, digits, '.', '_', 2–20 (the minimum is disputed).
func validKik(s string) bool { return username(s, 2, maxLooseName, csKik, false, ".") }

// validSnapchat: 3–15, a letter first, a-z 0-9 - _ ., not ending in - _ .
func validSnapchat(s string) bool { return username(s, 3, maxLooseName, csSnapchat, true, "-_.") }

// validWickr: 4–15; Wickr Me allowed '_', '.', '-' besides letters and
// digits (placeholder_01 is a Wickr name).
func validWickr(s string) bool { return username(s, 4, maxLooseName, csWickr, false, ".-") }

// validDiscordUser: 2–32 of a-z 0-9 _ ., no "..", or a legacy name#1234.
func validDiscordUser(s string) bool {
	if name, tag, ok := strings.Cut(s, "#"); ok {
		return len(tag) == 4 && allIn(tag, csDigit) && username(name, 2, 32, csDiscord, false, "")
	}
	return username(s, 2, 32, csDiscord, false, ".") && !strings.Contains(s, "..")
}

// validDiscordInvite: an invite code or vanity URL, case-sensitive.
func validDiscordInvite(s string) bool {
	return len(s) >= 2 && len(s) <= 32 && allIn(s, csDiscordInvite)
}

// validSignalUser: nickname (3–32, a letter or '_' first) '.' discriminator
// (2–10 digits). Signal's own names have no dot, but posts write dotted
// names ("name.trade.04") the way other apps allow, so the discriminator
// is read after the last dot and inner dots are kept.
func validSignalUser(s string) bool {
	i := strings.LastIndexByte(s, '.')
	if i < 0 {
		return false
	}
	name, disc := s[:i], s[i+1:]
	if len(disc) < 2 || len(disc) > 10 || !allIn(disc, csDigit) {
		return false
	}
	if len(name) < 3 || len(name) > 32 || !allIn(name, csSignalName) || isDigit(name[0]) || name[0] == '.' ||
		name[len(name)-1] == '.' || strings.Contains(name, "..") {
		return false
	}
	return true
}

// validWire: 2–256 of a-z 0-9 _ . -.
func validWire(s string) bool { return username(s, 2, 256, csWire, false, ".-") }

// validLine: a LINE ID, reportedly up to 20 of a-z 0-9 . - _.
func validLine(s string) bool { return username(s, 4, 20, csLine, false, ".-") }

// validWeChat: 6–20, a letter first, a-z 0-9 _ -.
func validWeChat(s string) bool { return username(s, 6, 20, csWeChat, true, "") }

// validSkype: 6–32, a letter first, a-z 0-9 . , - _; or live:… (live:.cid.<16
// hex> or live:<name>).
func validSkype(s string) bool {
	if rest, ok := strings.CutPrefix(s, "live:"); ok {
		if cid, ok := strings.CutPrefix(rest, ".cid."); ok {
			// 16 hex as Skype issues them; retyped ones vary, and
			// "live:.cid." says what the rest is.
			return len(cid) >= 6 && len(cid) <= 32 && allIn(cid, csLowerAlnum)
		}
		return username(rest, 2, 32, csSkype, true, ".,-")
	}
	return username(s, 6, 32, csSkype, true, ".,-")
}

// validTeleGuard: 8–10 uppercase letters and digits with a digit
// (unverified; only next to the app word). The app issues 9; posts retype
// one a character short or long, and the app word says what it is.
func validTeleGuard(s string) bool {
	return len(s) >= 8 && len(s) <= 10 && allIn(s, csUpperAlnum) && hasDigit(s) && hasLetter(s)
}

// validThreema: 8 of A-Z 0-9; Gateway IDs start with '*'.
func validThreema(s string) bool {
	if len(s) != 8 {
		return false
	}
	if s[0] == '*' {
		s = s[1:]
	}
	return allIn(s, csUpperAlnum)
}

// validSession: an Account ID, 66 hex starting 05.
func validSession(s string) bool {
	return len(s) == 66 && strings.HasPrefix(s, "05") && allIn(s, csHex)
}

// validTox: 76 hex: public key (32 bytes), nospam (4), checksum (2) = XOR of
// the first 36 bytes taken two at a time.
func validTox(s string) bool {
	if len(s) != 76 {
		return false
	}
	var id [38]byte
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return false
	}
	var sum [2]byte
	for i := 0; i < 36; i += 2 {
		sum[0] ^= id[i]
		sum[1] ^= id[i+1]
	}
	return sum[0] == id[36] && sum[1] == id[37]
}

// validBriar: the 53 base32 characters of a briar:// link; shorter ones
// are truncated or retyped links, still unmistakably Briar contacts.
func validBriar(s string) bool { return len(s) >= 16 && len(s) <= 53 && allIn(s, csBase32) }

// validMatrix: @local:server or #alias:server, at most 255 bytes.
func validMatrix(s string) bool {
	if len(s) < 4 || len(s) > 255 || s[0] != '@' && s[0] != '#' {
		return false
	}
	local, server, ok := strings.Cut(s[1:], ":")
	if !ok || local == "" || !allIn(local, csMatrixLoc) {
		return false
	}
	host, port, _ := strings.Cut(server, ":")
	if port != "" && (!allIn(port, csDigit) || len(port) > 5) {
		return false
	}
	return strings.Contains(host, ".") && allIn(host, csHost) && !strings.HasPrefix(host, ".") && !strings.HasSuffix(host, ".")
}

// validSimpleX: a long contact or invitation link's kind and fragment.
func validSimpleX(s string) bool {
	kind, frag, ok := strings.Cut(s, "#")
	if !ok || len(frag) < 8 || len(frag) > maxFragment {
		return false
	}
	switch kind {
	case "contact", "invitation", "smp":
	default:
		return false
	}
	return allIn(frag, csFragment)
}

// validSimpleXToken: the base64url token of a short SimpleX link.
func validSimpleXToken(s string) bool { return len(s) >= 16 && len(s) <= 128 && allIn(s, csInvite) }

const maxFragment = 2048

// validToken: a case-sensitive link token (WhatsApp group and channel
// codes, Signal links, Viber and LINE codes).
func validToken(min, max int, cs *charset) func(string) bool {
	return func(s string) bool { return len(s) >= min && len(s) <= max && allIn(s, cs) }
}

// validCode is validToken for codes that always have a letter (WhatsApp
// group, channel and message codes), so a bare number is not one.
func validCode(min, max int, cs *charset) func(string) bool {
	valid := validToken(min, max, cs)
	return func(s string) bool { return valid(s) && hasLetter(s) }
}

// e164 reads a phone number written with '+' or "00" and any of the usual
// separators, and returns it as E.164 "+<digits>". The country calling
// code must be one the ITU assigned and the number 7–15 digits long.
func e164(s string) (string, bool) {
	var digits [16]byte
	n := 0
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '(' && i+2 < len(s) && s[i+1] == '0' && s[i+2] == ')' && n > 0 {
			i += 2 // "+33 (0)6 …": the trunk digit is not dialled from abroad
			continue
		}
		switch {
		case c == '+' && n == 0 && !plus:
			plus = true
		case isDigit(c):
			if n == len(digits) {
				return "", false
			}
			digits[n] = c
			n++
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return "", false
		}
	}
	d := string(digits[:n])
	if !plus {
		if !strings.HasPrefix(d, "00") {
			return "", false
		}
		d = d[2:]
	}
	if len(d) < 7 || len(d) > 15 || d[0] == '0' || !countryCode(d) {
		return "", false
	}
	return "+" + d, true
}

// e164Digits is e164 for the digits of a link (wa.me/15550100123), which
// always carry the country code and never a '+'.
func e164Digits(s string) (string, bool) {
	s = strings.TrimPrefix(s, "+")
	if !allIn(s, csDigit) {
		return "", false
	}
	return e164("+" + s)
}

// countryCode reports whether digits start with an assigned ITU-T E.164
// country calling code.
func countryCode(d string) bool {
	for l := 1; l <= 3 && l <= len(d); l++ {
		if callingCodes[d[:l]] {
			return true
		}
	}
	return false
}

var callingCodes = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49
		51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98
		211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234
		235 236 237 238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254
		255 256 257 258 260 261 262 263 264 265 266 267 268 269 290 291 297 298 299
		350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376 377 378 379
		380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 505 506 507 508
		509 590 591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 678 679
		680 681 682 683 685 686 687 688 689 690 691 692 850 852 853 855 856 870 880 881
		882 883 886 888 960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976
		977 979 992 993 994 995 996 998`) {
		m[c] = true
	}
	return m
}()
