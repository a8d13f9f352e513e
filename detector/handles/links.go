package handles

import (
	"slices"
	"sort"
	"strings"
)

// linkForm is one link or URI form of an app, as it reads in Norm from its
// first host label: "t.me/", "chat.whatsapp.com/", "tg://resolve?domain=".
type linkForm struct {
	prefix string // Norm text from the host label's start up to the handle
	app    string
	// extent is the Norm charset of the handle part; keepCase reads it from
	// the original with its case (invite codes and link tokens are
	// case-sensitive).
	extent   *charset
	keepCase bool
	// canon validates the light-folded handle and returns the canonical one.
	canon func(string) (string, bool)
	// reserved are first path segments that are not handles (t.me/share).
	reserved map[string]bool
	// anchorAt is where in prefix the label the form is found by starts:
	// the most distinctive one ("whatsapp" in "chat.whatsapp.com/").
	anchorAt int
}

// anchorLabels are the labels forms are found by, in order of preference.
var anchorLabels = []string{"telegram", "whatsapp", "signal", "discord", "discordapp", "snapchat",
	"kik", "matrix", "simplex", "threema", "tox", "briar", "viber", "line", "lin", "weixin",
	"wechat", "skype", "tg", "t", "wa", "smp"}

var (
	nxUser  = makeCharset("a-z0-9_.-")
	nxToken = makeCharset("a-z0-9_-")
	nxPhone = makeCharset("0-9a-f+%") // hex digits: %2B is a '+'

	nxFragment = makeCharset("a-z0-9._~:/?#[]@!$&'()*+,;=%-")
	nxSkype    = makeCharset("a-z0-9.,_:-")
	nxMatrix   = makeCharset("a-z0-9._=/+:@#-")
)

func lowerCanon(valid func(string) bool) func(string) (string, bool) {
	return func(s string) (string, bool) {
		s = strings.ToLower(s)
		return s, valid(s)
	}
}

func exactCanon(valid func(string) bool) func(string) (string, bool) {
	return func(s string) (string, bool) { return s, valid(s) }
}

func upperCanon(valid func(string) bool) func(string) (string, bool) {
	return func(s string) (string, bool) {
		s = strings.ToUpper(s)
		return s, valid(s)
	}
}

// phoneCanon reads the digits of a link (wa.me/15550100123,
// phone=%2B15550100123).
func phoneCanon(s string) (string, bool) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "%2B", "+"), "%2b", "+")
	return e164Digits(s)
}

// telegramPlus reads t.me/+…: a phone number (canonical E.164) or an
// invite hash.
func telegramPlus(s string) (string, bool) {
	if p, ok := e164Digits(s); ok {
		return p, true
	}
	return telegramInvite(s)
}

// telegramInvite is an invite hash, canonical as written with the '+'
// that t.me/+… links show: t.me/joinchat/H is the same invite as t.me/+H,
// and the '+' keeps a hash apart from a username that happens to be
// spelt the same.
func telegramInvite(s string) (string, bool) { return "+" + s, validTelegramInvite(s) }

func signalPhone(s string) (string, bool) { return e164(s) }

// simplexCanon reads a SimpleX link: a short link's token (simplex.chat/a#T,
// smp4.simplex.im/g#T → T, case-sensitive), or a long contact or
// invitation link whole, without its scheme: its fragment is the address.
func simplexCanon(kind string) func(string) (string, bool) {
	return func(s string) (string, bool) {
		switch kind {
		case "a", "c", "g", "i":
			return s, validSimpleXToken(s)
		}
		return simplexLink(kind + "#" + s)
	}
}

// simplexLink is a long SimpleX link in its canonical form,
// simplex.chat/contact#…, from that form, from one with a scheme or
// "contact/#", or from the bare "contact#…" that older lists hold.
func simplexLink(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
	s = strings.TrimPrefix(strings.TrimPrefix(s, "simplex.chat/"), "simplex:/")
	s = strings.Replace(s, "/#", "#", 1)
	return "simplex.chat/" + s, validSimpleX(s)
}

// simplexShort reads a short SimpleX link written whole, with or without
// its scheme, on simplex.chat, simplex.im or a relay host starting "smp":
// its token is the handle, as the extractor writes it.
func simplexShort(s string) (string, bool) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://"), "simplex:/")
	host, rest, ok := strings.Cut(s, "/")
	if !ok {
		host, rest = "", s
	}
	kind, tok, ok := strings.Cut(rest, "#")
	if !ok || len(kind) != 1 || strings.IndexByte("acgi", kind[0]) < 0 {
		return "", false
	}
	switch {
	case host == "", host == "simplex.chat", host == "simplex.im", strings.HasSuffix(host, ".simplex.im"),
		strings.HasPrefix(host, "smp") && strings.Contains(host, ".") && allIn(host, csHost):
	default:
		return "", false
	}
	return tok, validSimpleXToken(tok)
}

// lineOfficial reads line.me/R/ti/p/@oa: an official account, canonical
// without its '@'.
func lineOfficial(s string) (string, bool) {
	s = strings.ToLower(strings.TrimPrefix(s, "@"))
	return s, validLine(s)
}

var telegramReserved = map[string]bool{
	"joinchat": true, "addstickers": true, "addemoji": true, "share": true, "proxy": true,
	"socks": true, "setlanguage": true, "iv": true, "login": true, "confirmphone": true,
	"c": true, "addtheme": true, "bg": true, "boost": true, "giftcode": true, "invoice": true,
	"m": true, "nft": true, "addlist": true, "contact": true, "s": true, "k": true, "a": true, "z": true,
}

// linkForms are every link and URI form, keyed by the first label in Norm.
var linkForms = func() map[string][]linkForm {
	tgUser := lowerCanon(validTelegram)
	forms := []linkForm{
		// Telegram.
		{prefix: "t.me/+", app: "telegram", extent: nxToken, keepCase: true, canon: telegramPlus},
		{prefix: "t.me/joinchat/", app: "telegram", extent: nxToken, keepCase: true, canon: telegramInvite},
		{prefix: "t.me/s/", app: "telegram", extent: nxUser, canon: tgUser},
		{prefix: "t.me/", app: "telegram", extent: nxUser, canon: tgUser, reserved: telegramReserved},
		{prefix: "telegram.me/+", app: "telegram", extent: nxToken, keepCase: true, canon: telegramPlus},
		{prefix: "telegram.me/joinchat/", app: "telegram", extent: nxToken, keepCase: true, canon: telegramInvite},
		{prefix: "telegram.me/", app: "telegram", extent: nxUser, canon: tgUser, reserved: telegramReserved},
		{prefix: "telegram.dog/", app: "telegram", extent: nxUser, canon: tgUser, reserved: telegramReserved},
		{prefix: "tg://resolve?domain=", app: "telegram", extent: nxUser, canon: tgUser},
		{prefix: "tg://resolve?phone=", app: "telegram", extent: nxPhone, canon: phoneCanon},
		{prefix: "tg://join?invite=", app: "telegram", extent: nxToken, keepCase: true, canon: telegramInvite},

		// WhatsApp.
		{prefix: "wa.me/message/", app: "whatsapp", extent: nxToken, keepCase: true, canon: exactCanon(validCode(10, 32, csAlnum))},
		{prefix: "wa.me/", app: "whatsapp", extent: nxPhone, canon: phoneCanon},
		{prefix: "api.whatsapp.com/send?phone=", app: "whatsapp", extent: nxPhone, canon: phoneCanon},
		{prefix: "api.whatsapp.com/send/?phone=", app: "whatsapp", extent: nxPhone, canon: phoneCanon},
		{prefix: "web.whatsapp.com/send?phone=", app: "whatsapp", extent: nxPhone, canon: phoneCanon},
		{prefix: "whatsapp://send?phone=", app: "whatsapp", extent: nxPhone, canon: phoneCanon},
		{prefix: "chat.whatsapp.com/invite/", app: "whatsapp", extent: nxToken, keepCase: true, canon: exactCanon(validCode(5, 24, csAlnum))},
		// Group codes are 22 characters today; shorter ones are still read
		// (from 5, as Canonical does and as Telegram invites are), since a
		// group link has no other reading and posts retype or shorten it.
		{prefix: "chat.whatsapp.com/", app: "whatsapp", extent: nxToken, keepCase: true, canon: exactCanon(validCode(5, 24, csAlnum))},
		{prefix: "whatsapp.com/channel/", app: "whatsapp", extent: nxToken, keepCase: true, canon: exactCanon(validCode(20, 32, csAlnum))},

		// Signal: the username link is encrypted, so its token is the handle.
		{prefix: "signal.me/#eu/", app: "signal", extent: nxToken, keepCase: true, canon: exactCanon(validToken(20, 200, csInvite))},
		// A username link written out as its name ("signal.me/#u/name.01"):
		// the app makes these only encrypted, but posts type them by hand.
		{prefix: "signal.me/#u/", app: "signal", extent: nxUser, canon: lowerCanon(validSignalUser)},
		{prefix: "signal.me/#p/", app: "signal", extent: nxPhone, canon: signalPhone},
		{prefix: "signal.group/#", app: "signal", extent: nxToken, keepCase: true, canon: exactCanon(validToken(20, 400, csInvite))},

		// Discord invites and vanity URLs.
		{prefix: "discord.gg/", app: "discord", extent: nxToken, keepCase: true, canon: exactCanon(validDiscordInvite)},
		{prefix: "discord.com/invite/", app: "discord", extent: nxToken, keepCase: true, canon: exactCanon(validDiscordInvite)},
		{prefix: "discordapp.com/invite/", app: "discord", extent: nxToken, keepCase: true, canon: exactCanon(validDiscordInvite)},
		{prefix: "discord.me/", app: "discord", extent: nxToken, keepCase: true, canon: exactCanon(validDiscordInvite)},
		{prefix: "discord.io/", app: "discord", extent: nxToken, keepCase: true, canon: exactCanon(validDiscordInvite)},

		// Snapchat, Kik.
		{prefix: "snapchat.com/add/", app: "snapchat", extent: nxUser, canon: lowerCanon(validSnapchat)},
		{prefix: "snapchat.com/@", app: "snapchat", extent: nxUser, canon: lowerCanon(validSnapchat)},
		{prefix: "kik.me/", app: "kik", extent: nxUser, canon: lowerCanon(validKik)},

		// Matrix: the handle keeps its sigil.
		{prefix: "matrix.to/#/", app: "matrix", extent: nxMatrix, canon: lowerCanon(validMatrix)},
		{prefix: "matrix:u/", app: "matrix", extent: nxMatrix, canon: func(s string) (string, bool) { return lowerCanon(validMatrix)("@" + s) }},
		{prefix: "matrix:r/", app: "matrix", extent: nxMatrix, canon: func(s string) (string, bool) { return lowerCanon(validMatrix)("#" + s) }},

		// SimpleX: the handle is the link's kind and fragment.
		{prefix: "simplex.chat/contact#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("contact")},
		{prefix: "simplex.chat/contact/#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("contact")},
		{prefix: "simplex.chat/invitation#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("invitation")},
		{prefix: "simplex.chat/invitation/#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("invitation")},
		{prefix: "simplex.chat/a#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("a")},
		{prefix: "simplex.chat/c#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("c")},
		{prefix: "simplex.chat/g#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("g")},
		{prefix: "simplex.chat/i#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("i")},
		{prefix: "simplex.im/a#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("a")},
		{prefix: "simplex.im/c#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("c")},
		{prefix: "simplex.im/g#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("g")},
		{prefix: "simplex.im/i#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("i")},
		{prefix: "smp://", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("smp")},
		// The app's own scheme, as its "share link" writes it.
		{prefix: "simplex:/contact#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("contact")},
		{prefix: "simplex:/invitation#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("invitation")},
		{prefix: "simplex:/a#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("a")},
		{prefix: "simplex:/c#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("c")},
		{prefix: "simplex:/g#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("g")},
		{prefix: "simplex:/i#", app: "simplex", extent: nxFragment, keepCase: true, canon: simplexCanon("i")},

		// Threema, Tox, Briar.
		{prefix: "threema.id/", app: "threema", extent: nxToken, canon: upperCanon(validThreema)},
		{prefix: "threema://add?id=", app: "threema", extent: nxToken, canon: upperCanon(validThreema)},
		{prefix: "tox:", app: "tox", extent: nxToken, canon: upperCanon(validTox)},
		{prefix: "tox://", app: "tox", extent: nxToken, canon: upperCanon(validTox)},
		{prefix: "briar://", app: "briar", extent: nxToken, canon: lowerCanon(validBriar)},

		// Viber.
		{prefix: "viber://chat?number=", app: "viber", extent: nxPhone, canon: phoneCanon},
		{prefix: "viber://add?number=", app: "viber", extent: nxPhone, canon: phoneCanon},
		{prefix: "viber://contact?number=", app: "viber", extent: nxPhone, canon: phoneCanon},
		{prefix: "invite.viber.com/?g2=", app: "viber", extent: nxToken, keepCase: true, canon: exactCanon(validToken(8, 128, csInvite))},
		{prefix: "invite.viber.com/?g=", app: "viber", extent: nxToken, keepCase: true, canon: exactCanon(validToken(8, 128, csInvite))},

		// LINE.
		{prefix: "line.me/ti/p/~", app: "line", extent: nxUser, canon: lowerCanon(validLine)},
		{prefix: "line.me/r/ti/p/@", app: "line", extent: nxUser, canon: lineOfficial},
		{prefix: "line.me/ti/p/@", app: "line", extent: nxUser, canon: lineOfficial},
		{prefix: "line.me/ti/g/", app: "line", extent: nxToken, keepCase: true, canon: exactCanon(validToken(6, 64, csInvite))},
		{prefix: "line.me/ti/p/", app: "line", extent: nxToken, keepCase: true, canon: exactCanon(validToken(6, 64, csInvite))},
		{prefix: "lin.ee/", app: "line", extent: nxToken, keepCase: true, canon: exactCanon(validToken(4, 64, csInvite))},

		// WeChat.
		{prefix: "weixin://dl/chat?", app: "wechat", extent: nxUser, canon: lowerCanon(validWeChat)},
		{prefix: "weixin://contacts/profile/", app: "wechat", extent: nxUser, canon: lowerCanon(validWeChat)},
		{prefix: "u.wechat.com/", app: "wechat", extent: nxToken, keepCase: true, canon: exactCanon(validToken(8, 64, csInvite))},

		// Skype.
		{prefix: "skype:", app: "skype", extent: nxSkype, canon: lowerCanon(validSkype)},
		{prefix: "join.skype.com/invite/", app: "skype", extent: nxToken, keepCase: true, canon: exactCanon(validToken(6, 64, csInvite))},
	}
	m := map[string][]linkForm{}
	for _, f := range forms {
		labels := strings.FieldsFunc(f.prefix, func(r rune) bool { return strings.ContainsRune(".:/?#=@+~", r) })
		anchor := ""
		for _, a := range anchorLabels {
			if slices.Contains(labels, a) {
				anchor = a
				break
			}
		}
		if anchor == "" {
			panic("handles: no anchor label in link form " + f.prefix)
		}
		for i := 0; i+len(anchor) <= len(f.prefix); i++ {
			if f.prefix[i:i+len(anchor)] == anchor && (i == 0 || !isHostByte(f.prefix[i-1])) && (i+len(anchor) == len(f.prefix) || !isHostByte(f.prefix[i+len(anchor)])) {
				f.anchorAt = i
				break
			}
		}
		m[anchor] = append(m[anchor], f)
	}
	for _, fs := range m {
		sort.SliceStable(fs, func(i, j int) bool { return len(fs[i].prefix) > len(fs[j].prefix) })
	}
	return m
}()
