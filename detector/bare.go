package detector

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/detector/handles"
	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// bareConfidence is below every contact that names its app: a bare
// "@name" could be the source platform's own mention.
const bareConfidence = 0.6

// bareCues are words after which a bare "@name" is a contact, not a reply:
// the ads this detector looks for end in "👉 @name", "DM @name", "канал
// @name". Normalised forms (lowercase, diacritics folded).
var bareCues = map[string]bool{
	"dm": true, "pm": true, "msg": true, "message": true, "contact": true, "write": true, "text": true,
	"join": true, "channel": true, "group": true, "here": true, "me": true, "admin": true, "buy": true,
	"info": true, "order": true, "orders": true, "inbox": true, "hmu": true, "add": true,
	"escribe": true, "escribeme": true, "canal": true, "grupo": true, "aqui": true, "contacto": true, "chama": true,
	"schreib": true, "schreibt": true, "kanal": true, "gruppe": true, "kontakt": true, "hier": true,
	"ecris": true, "ecrivez": true, "ici": true, "contactez": true, "groupe": true,
	"scrivi": true, "scrivimi": true, "gruppo": true, "qui": true, "contatto": true,
	"kanaal": true, "groep": true, "stuur": true, "app": true,
	"pisz": true, "napisz": true, "grupa": true, "tutaj": true,
	"yaz": true, "kanali": true, "grup": true, "buraya": true, "iletisim": true,
	"пиши": true, "пишите": true, "канал": true, "группа": true, "сюда": true, "тут": true, "лс": true, "связь": true,
	"hubungi": true, "chat": true, "wa": true, "sini": true,
	"infos": true, "canale": true, "scrivete": true, "scriveteci": true, "contattate": true, "contattatemi": true,
	"escribenos": true, "escribanme": true, "contactame": true, "manda": true, "mandem": true, "envie": true,
	"meldet": true, "melde": true, "ecrire": true, "ecrivez-moi": true, "napiszcie": true, "pytania": true,
	"вопросы": true, "пишем": true, "kirim": true, "questions": true, "vragen": true, "fragen": true,
	// Orders and bookings: a shop's or a studio's contact.
	"pedidos": true, "reservas": true, "encomendas": true, "agenda": true, "bestellen": true, "bestellungen": true,
	"termine": true, "commandes": true, "reservations": true, "bookings": true, "booking": true, "siparis": true,
	"randevu": true, "заказы": true, "запись": true, "ordini": true, "prenotazioni": true, "bestellingen": true,
	"zamowienia": true, "pesan": true,
	// Links given through a name.
	"links": true, "link": true, "liens": true, "ссылки": true, "linkler": true, "канала": true,
	// Bots are Telegram's: "order through the bot @name".
	"bot": true, "bots": true, "бот": true, "бота": true, "боту": true, "botu": true, "botumuz": true, "bota": true,
	"botem": true, "kanalimiz": true, "kanalimizi": true,
	// Warnings name the account they warn of.
	"beware": true, "cuidado": true, "vorsicht": true, "attention": true, "attenzione": true, "осторожно": true,
	"dikkat": true, "awas": true, "uwaga": true,
}

// barePreps may stand between a cue and the name ("scrivete a @name",
// "Interessenten an @name", "kirim ke @name", "stuur naar @name").
var barePreps = map[string]bool{"a": true, "an": true, "to": true, "al": true, "ao": true, "ke": true, "naar": true,
	"на": true, "в": true, "do": true, "na": true, "per": true, "su": true, "sur": true, "en": true, "no": true,
	"via": true, "con": true, "com": true, "vor": true, "voor": true, "of": true, "with": true}

// bareLeads are words before such a preposition that make it a contact:
// cues, and those who are asked to write.
var bareLeads = map[string]bool{"interessenten": true, "interesados": true, "interessati": true, "interessados": true,
	"entra": true, "entren": true, "entrate": true, "rejoignez": true, "komt": true, "kom": true, "join": true,
	"pas": true, "op": true}

// bareMentions reads "@name" contacts that name no app. Only Telegram
// writes its usernames as a bare "@name" in ads, so such a name is a
// Telegram candidate, at a low confidence, when it is set off as a
// contact: after a cue word or a pointing mark, or alone at the end of a
// line; a name inside a sentence or opening a reply is the platform's own
// mention. It runs only when the extractor found nothing.
func bareMentions(t *normalize.Text) []handles.Match {
	n := t.Norm
	if strings.IndexByte(n, '@') < 0 {
		return nil
	}
	var out []handles.Match
	for i := 0; i < len(n); i++ {
		// Straight to the next '@' (vector instructions): most posts that
		// get here have one or two in a few hundred bytes.
		k := strings.IndexByte(n[i:], '@')
		if k < 0 {
			break
		}
		if i += k; i > 0 && isNameByte(n[i-1]) {
			continue
		}
		j := i + 1
		for j < len(n) && isNameByte(n[j]) {
			j++
		}
		name := n[i+1 : j]
		if j < len(n) && (n[j] == '@' || n[j] == '.' && j+1 < len(n) && isNameByte(n[j+1])) {
			continue // an e-mail address or a domain
		}
		if !bareContact(t, i, j) {
			continue
		}
		canon, ok := handles.Canonical("telegram", name)
		if !ok {
			continue
		}
		os, oe := t.OrigSpan(i, j)
		hs, _ := t.OrigSpan(i+1, j)
		out = append(out, handles.Match{App: "telegram", Handle: canon, Raw: t.Orig[os:oe], Kind: wire.HandleMention,
			Start: os, End: oe, HandleStart: hs, HandleEnd: oe, Confidence: bareConfidence,
			Why: "a bare @name set off as a contact"})
		i = j
	}
	return out
}

func isNameByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' }

// bareContact reports whether the "@name" at n[i:j] is set off as a
// contact rather than a reply or an inline mention. Cue words are read on
// the normalised text; lines, emoji and marks on the original, which the
// normaliser folds (line breaks become spaces, flags become letters).
func bareContact(t *normalize.Text, i, j int) bool {
	n := t.Norm
	w, e := letterWordBefore(n, i)
	if w < e && bareCues[n[w:e]] {
		return true
	}
	if w < e && barePreps[n[w:e]] {
		if v, ve := letterWordBefore(n, w); v < ve && (bareCues[n[v:ve]] || bareLeads[n[v:ve]]) {
			return true
		}
	}
	os, oe := t.OrigSpan(i, j)
	o := t.Orig
	// Nothing but marks and emoji after it on its line.
	for _, r := range o[oe:] {
		if r == '\n' {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return pointedAt(o, os)
		}
	}
	k := os
	for k > 0 && (o[k-1] == ' ' || o[k-1] == '\t') {
		k--
	}
	if k == 0 {
		return false // opening the post: a reply
	}
	prev, _ := utf8.DecodeLastRuneInString(o[:k])
	switch {
	case prev == '\n' || pointedAt(o, os):
		return true
	case !unicode.IsLetter(prev) && !unicode.IsDigit(prev):
		return true // "… 🇮🇹 @name", "… !! @name"
	}
	// A hashtag just before: "#tag @name".
	q := k
	for q > 0 {
		r, size := utf8.DecodeLastRuneInString(o[:q])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			break
		}
		q -= size
	}
	return q > 0 && o[q-1] == '#'
}

// letterWordBefore returns the word of letters that ends before n[i],
// spaces between: n[w:e], empty when there is none.
func letterWordBefore(n string, i int) (w, e int) {
	w = i
	for w > 0 && n[w-1] == ' ' {
		w--
	}
	e = w
	for w > 0 {
		r, size := utf8.DecodeLastRuneInString(n[:w])
		if !unicode.IsLetter(r) {
			break
		}
		w -= size
	}
	return w, e
}

// pointedAt reports whether a pointing mark or a colon stands just before
// o[at] (spaces between).
func pointedAt(o string, at int) bool {
	k := at
	for k > 0 && (o[k-1] == ' ' || o[k-1] == '\t') {
		k--
	}
	prev, _ := utf8.DecodeLastRuneInString(o[:k])
	for prev == 0xFE0F && k > 0 { // a variation selector after the mark
		k -= utf8.RuneLen(prev)
		prev, _ = utf8.DecodeLastRuneInString(o[:k])
	}
	switch {
	case prev == ':' || prev == '→' || prev == '➡' || prev == '⇒' || prev == '>' || prev == '-' || prev == '–':
		return true
	case prev >= 0x1F446 && prev <= 0x1F449, prev == 0x261D, prev == 0x2B07, prev == 0x2935, prev == 0x1F4E9, prev == 0x1F4E8,
		prev == 0x2708, prev == 0x1F4AC, prev == 0x1F4F2:
		return true // 👆👇👈👉 ☝ ⬇ ⤵ 📩 📨 ✈ 💬 📲
	}
	return false
}
