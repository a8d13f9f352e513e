package handles

import "strings"

// handleForms lists, per app, every form a handle may take, each as a
// function from a written handle to its canonical form.
var handleForms = map[string][]func(string) (string, bool){
	"wickr":     {lowerCanon(validWickr)},
	"telegram":  {lowerCanon(validTelegramWritten), plusForm(telegramPlus), e164, telegramInvite},
	"kik":       {lowerCanon(validKik)},
	"session":   {lowerCanon(validSession)},
	"signal":    {e164, lowerCanon(validSignalWritten), exactCanon(validToken(20, 400, csInvite))},
	"snapchat":  {lowerCanon(validSnapchat)},
	"whatsapp":  {e164, exactCanon(validCode(5, 32, csAlnum))},
	"discord":   {lowerCanon(validDiscordUser), exactCanon(validDiscordInvite)},
	"threema":   {upperCanon(validThreema)},
	"matrix":    {lowerCanon(validMatrix)},
	"simplex":   {exactCanon(validSimpleXToken), simplexShort, simplexLink, lowerCanon(validSimpleXName)},
	"wire":      {lowerCanon(validWire)},
	"teleguard": {upperCanon(validTeleGuard)},
	"tox":       {upperCanon(validTox)},
	"briar":     {lowerCanon(validBriar)},
	"viber":     {e164, exactCanon(validToken(8, 128, csInvite))},
	"line":      {lowerCanon(validLine), exactCanon(validToken(4, 64, csInvite))},
	"wechat":    {lowerCanon(validWeChat), exactCanon(validToken(8, 64, csInvite))},
	"skype":     {lowerCanon(validSkype), exactCanon(validToken(6, 64, csInvite))},
}

// plusForm applies f to what follows a leading '+'.
func plusForm(f func(string) (string, bool)) func(string) (string, bool) {
	return func(s string) (string, bool) {
		rest, ok := strings.CutPrefix(s, "+")
		if !ok {
			return "", false
		}
		return f(rest)
	}
}

// Canonical returns the canonical form of a handle written for app (a
// username with or without '@', a phone number, an ID, an invite code),
// trying the app's forms in order, and whether it is valid at all. Use it
// for handles that do not come from Extract, such as watchlist imports.
func Canonical(app, handle string) (string, bool) {
	h := strings.TrimSpace(handle)
	if app != "matrix" {
		h = strings.TrimPrefix(h, "@")
	}
	for _, f := range handleForms[app] {
		if c, ok := f(h); ok {
			return c, true
		}
	}
	return "", false
}

// Valid reports whether handle is a canonical handle of app: one of its
// forms maps it to itself.
func Valid(app, handle string) bool {
	for _, f := range handleForms[app] {
		if c, ok := f(handle); ok && c == handle {
			return true
		}
	}
	return false
}
