package handles

import (
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// TestExtractFuzzyAppNames: app names one slip away, found only with the
// contact syntax around them that a slip of an ordinary word needs.
func TestExtractFuzzyAppNames(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"telegram swapped", "telegarm: placeholder_01", []want{mention("telegram", "placeholder_01", "telegarm: placeholder_01")}},
		{"telegram dropped", "telegrm: placeholder_01", []want{mention("telegram", "placeholder_01", "")}},
		{"telegram extra key", "telegeram: placeholder_01", []want{mention("telegram", "placeholder_01", "")}},
		{"discord sound-alike", "diskord: placeholder_01", []want{mention("discord", "placeholder_01", "diskord: placeholder_01")}},
		{"viber doubled", "viiber 0044 7700 900123", []want{mention("viber", "+447700900123", "viiber 0044 7700 900123")}},
		{"whatsapp neighbour key", "whatsapo +447700900123", []want{mention("whatsapp", "+447700900123", "")}},
		{"snapchat swapped", "snapchta placeholder_02", []want{mention("snapchat", "placeholder_02", "")}},
		{"threema neighbour key", "threena: ABCD1234", []want{id("threema", "ABCD1234", "")}},
		{"wickr dropped", "wikr: placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"skype neighbour key", "skyoe: placeholder.01", []want{mention("skype", "placeholder.01", "")}},
		{"signal dropped", "sgnal: placeholder.01", []want{mention("signal", "placeholder.01", "sgnal: placeholder.01")}},
		{"signal in portuguese", "sinal: exemplo.01", []want{mention("signal", "exemplo.01", "")}},
		{"session swapped", "sessoin id: " + sessionID, []want{id("session", sessionID, "")}},
		{"wire doubled", "contato wirre @placeholder_30", []want{mention("wire", "placeholder_30", "wirre @placeholder_30")}},
		{"homoglyph inside", "telegrаm: placeholder_01", []want{mention("telegram", "placeholder_01", "telegrаm: placeholder_01")}},
		{"homoglyph and slip", "tеlegrm: placeholder_01", []want{mention("telegram", "placeholder_01", "")}},
		{"letter-spaced slip", "d i s k o r d : placeholder_01", []want{mention("discord", "placeholder_01", "")}},
		// A slip needs contact syntax: a separator, '@', a contact phrase or
		// a shaped handle.
		{"slip with plain word", "diskord examplename", nil},
		{"slip of signal needs a separator", "sgnal placeholder.01", nil},
		{"slip of signal needs a shaped handle", "sgnal: examplename", nil},
		{"real word near wire", "hire @placeholder_dev for the logo", nil},
		{"real word near viber", "fiber: placeholder_01", nil},
		{"real word near discord", "discard: placeholder_01", nil},
		{"real word near wechat", "webchat: placeholder_01", nil},
		{"real word near signal", "signals: placeholder.01", nil},
		{"real word near simplex", "simple: placeholder_01", nil},
	})
}

// TestExtractForms covers where a handle stands relative to its app word
// and its label.
func TestExtractForms(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"app in brackets before", "(kik) placeholder_01", []want{mention("kik", "placeholder_01", "(kik) placeholder_01")}},
		{"app in square brackets before", "[telegram] @placeholder_01", []want{mention("telegram", "placeholder_01", "[telegram] @placeholder_01")}},
		{"app in brackets after", "placeholder_01 (kik)", []want{mention("kik", "placeholder_01", "placeholder_01 (kik)")}},
		{"app in brackets, plain word after", "skype:placeholder_36?chat (skype) limited", []want{link("skype", "placeholder_36", "")}},
		{"handle is my app", "placeholder_01 is my kik", []want{mention("kik", "placeholder_01", "placeholder_01 is my kik")}},
		{"handle es mi app", "placeholder_01 es mi kik", []want{mention("kik", "placeholder_01", "")}},
		{"app is still handle", "lol same, my skype is still placeholder_skype02 from 2012", []want{mention("skype", "placeholder_skype02", "skype is still placeholder_skype02")}},
		{"app id label", "Telegram id: placeholder_01", []want{mention("telegram", "placeholder_01", "Telegram id: placeholder_01")}},
		{"app username dash", "Kik username - placeholder_01", []want{mention("kik", "placeholder_01", "")}},
		{"label before handle on app", "username: placeholder_01 on kik", []want{mention("kik", "placeholder_01", "placeholder_01 on kik")}},
		{"next line", "telegram\nplaceholder_01", []want{mention("telegram", "placeholder_01", "telegram\nplaceholder_01")}},
		{"next line with at", "telegram:\n@placeholder_01", []want{mention("telegram", "placeholder_01", "")}},
		{"shared by two apps", "kik or snap, both: placeholder_06", []want{mention("kik", "placeholder_06", ""), mention("snapchat", "placeholder_06", "")}},
		{"shared by slash", "kik/snap: placeholder_06", []want{mention("kik", "placeholder_06", ""), mention("snapchat", "placeholder_06", "")}},
		{"shared by a list", "telegram, wickr, kik: placeholder_09", []want{mention("telegram", "placeholder_09", ""), mention("wickr", "placeholder_09", ""), mention("kik", "placeholder_09", "")}},
		{"shared in dutch", "kik of snap: placeholder_06", []want{mention("kik", "placeholder_06", ""), mention("snapchat", "placeholder_06", "")}},
		{"letter-spaced handle", "telegram: p l a c e h o l d e r _ 0 1", []want{mention("telegram", "placeholder_01", "telegram: p l a c e h o l d e r _ 0 1")}},
		{"letter-spaced app and handle", "k i k : s a m p l e _ 7", []want{mention("kik", "sample_7", "")}},
		{"spaced phrase", "a d d m e o n k i k placeholder_01", []want{mention("kik", "placeholder_01", "k i k placeholder_01")}},
		{"spaced phrase and handle", "h m u  o n  w i c k r  p l a c e h o l d e r _ 0 1", []want{mention("wickr", "placeholder_01", "w i c k r  p l a c e h o l d e r _ 0 1")}},
		{"spaced russian phrase", "юная коллекция. п и ш и в с и г н а л primer_ural.55", []want{mention("signal", "primer_ural.55", "с и г н а л primer_ural.55")}},
		{"spaced title", "S E S S I O N  T W O  S T A R T S  N O W", nil},
		{"spaced app without a handle", "h m u o n s i g n a l", nil},
		{"bot after app", "telegram bot: @placeholder_demo_bot", []want{mention("telegram", "placeholder_demo_bot", "")}},
		{"bare bot", "orders via @placeholder_demo_bot only", []want{mention("telegram", "placeholder_demo_bot", "@placeholder_demo_bot")}},
		{"bare bot at the end", "@SampleShopBot", []want{mention("telegram", "sampleshopbot", "")}},
		{"bot in an e-mail", "mail a@placeholder_bot.example", nil},
		{"bot name in a matrix id", "@placeholder_bot:example.org", []want{id("matrix", "@placeholder_bot:example.org", "")}},
		{"short at bot", "@bot", nil},
		{"bare room alias", "book club room: #placeholder_books:example.org — YA this month", []want{id("matrix", "#placeholder_books:example.org", "#placeholder_books:example.org")}},
		{"bare room alias after app word far", "Sala de Matrix del club: #placeholder_club:example.org", []want{id("matrix", "#placeholder_club:example.org", "")}},
		{"hashtag then colon", "#news: see example.org", nil},
		{"phone before two apps in brackets", "New number: +44 7700 900 555 (WhatsApp and Viber both work)", []want{mention("viber", "+447700900555", "+44 7700 900 555 (WhatsApp and Viber"), mention("whatsapp", "+447700900555", "+44 7700 900 555 (WhatsApp")}},
		{"phone on app", "+44 7700 900123 on whatsapp", []want{mention("whatsapp", "+447700900123", "+44 7700 900123 on whatsapp")}},
		{"phone in brackets double zero", "0044 7700 900123 (viber)", []want{mention("viber", "+447700900123", "0044 7700 900123 (viber)")}},
		{"local number before app", "call 555 0100 (whatsapp)", nil},
		{"plain word set off by a dash", "ᴡɪᴄᴋʀ exemplebrume — collection", []want{mention("wickr", "exemplebrume", "ᴡɪᴄᴋʀ exemplebrume")}},
		{"plain word on its line", "wickr exemplebrume\ntrades only", []want{mention("wickr", "exemplebrume", "")}},
		{"product name before a dash", "Discord Nitro - worth it?", nil},
		{"common word before a dash", "telegram stickers - a thread", nil},
		{"ambiguous word before a dash", "signal examplename - x", nil},
		{"far threema id with label", "Threema review: paid, Swiss, no phone number needed, works fine on every phone I tried. Add me if you want to test it: AB12CD34", []want{id("threema", "AB12CD34", "AB12CD34")}},
		{"far teleguard id lower with label", "TeleGuard review: Swiss app, claims no data stored. Setup was easy and fast on my old phone. My ID: ab12cd34e add me", []want{id("teleguard", "AB12CD34E", "")}},
		{"far threema id without label", "Threema review: paid, Swiss, no phone number needed, works fine on every phone I tried and the order AB12CD34 came", nil},
		{"hashtag with a url path", "#news:example.org/article", nil},
	})
}

// TestExtractLanguages: labels, contact verbs and possessives in every
// supported language.
func TestExtractLanguages(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"es label", "mi usuario de kik es ejemplo_placeholder", []want{mention("kik", "ejemplo_placeholder", "")}},
		{"pt label", "meu usuário do telegram: exemplo_placeholder", []want{mention("telegram", "exemplo_placeholder", "")}},
		{"de label", "mein Telegram-Name: beispiel_placeholder", []want{mention("telegram", "beispiel_placeholder", "")}},
		{"fr label", "mon pseudo telegram : exemple_placeholder", []want{mention("telegram", "exemple_placeholder", "")}},
		{"it possessive", "il mio telegram è esempio_placeholder", []want{mention("telegram", "esempio_placeholder", "")}},
		{"it contact verb", "aggiungimi su kik esempio_placeholder", []want{mention("kik", "esempio_placeholder", "kik esempio_placeholder")}},
		{"it plain word after contact", "scrivimi su kik esempionome", []want{mention("kik", "esempionome", "")}},
		{"it label", "telegram utente: esempio_placeholder", []want{mention("telegram", "esempio_placeholder", "")}},
		{"nl contact verb", "voeg me toe op kik voorbeeld_demo", []want{mention("kik", "voorbeeld_demo", "")}},
		{"nl label", "telegram gebruikersnaam: voorbeeld_placeholder", []want{mention("telegram", "voorbeeld_placeholder", "")}},
		{"nl possessive", "mijn snap is voorbeeld_12", []want{mention("snapchat", "voorbeeld_12", "")}},
		{"nl handle on app", "@voorbeeld_placeholder op telegram", []want{mention("telegram", "voorbeeld_placeholder", "")}},
		{"ru label", "мой ник в телеграме: primer_placeholder", []want{mention("telegram", "primer_placeholder", "")}},
		{"ru possessive after the app word", "скинь свой скайп, мой primer.vasya_88", []want{mention("skype", "primer.vasya_88", "")}},
		{"en possessive after the app word", "what is your skype? my placeholder.skype_88", []want{mention("skype", "placeholder.skype_88", "")}},
		{"possessive and a plain word", "what is your skype? my friend asked", nil},
		{"it prose", "il mio telegram non funziona", nil},
		{"nl prose", "mijn telegram is kapot", nil},
	})
}

// TestExtractLinkShapes: every link form the issue names, spelt out too.
func TestExtractLinkShapes(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"telegram invite", "join t.me/+AbCdEfGhIjKlMnOp", []want{link("telegram", "+AbCdEfGhIjKlMnOp", "t.me/+AbCdEfGhIjKlMnOp")}},
		{"telegram invite spelt", "t dot me slash +AbCdEfGhIjKlMnOp", []want{link("telegram", "+AbCdEfGhIjKlMnOp", "")}},
		{"signal username link", "https://signal.me/#eu/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_", []want{link("signal", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_", "")}},
		{"briar link", "briar://" + briarKey, []want{link("briar", briarKey, "")}},
		{"simplex contact link", "simplex.chat/contact#/?v=2&smp=placeholder", []want{link("simplex", "simplex.chat/contact#/?v=2&smp=placeholder", "")}},
		{"discord invite", "https://discord.gg/AbCd12", []want{link("discord", "AbCd12", "")}},
		{"discord invite path", "discord.com/invite/AbCd12", []want{link("discord", "AbCd12", "")}},
		{"whatsapp short group code", "chat.whatsapp.com/placeholderH2", []want{link("whatsapp", "placeholderH2", "")}},
		{"spelt en", "snapchat dot com slash add slash placeholder_01", []want{link("snapchat", "placeholder_01", "snapchat dot com slash add slash placeholder_01")}},
		{"spelt es", "snapchat punto com barra add barra placeholder_01", []want{link("snapchat", "placeholder_01", "")}},
		{"spelt de", "t punkt me slash placeholder_01", []want{link("telegram", "placeholder_01", "")}},
		{"spelt fr", "t point me slash placeholder_01", []want{link("telegram", "placeholder_01", "")}},
		{"spelt discord", "discord dot gg slash AbCd12", []want{link("discord", "AbCd12", "")}},
	})
}

// TestExtractScorerNegatives: candidates the scorer turns down.
func TestExtractScorerNegatives(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"kik login loop", "Kik login loop again, anyone else?", nil},
		{"kik login loop lower", "kik login loop", nil},
		{"telegram channel", "join my telegram channel", nil},
		{"signal strength", "signal: strength is low here", nil},
		{"snap streak", "snap: streak lost again", nil},
		{"commentary after disguised app", "t3l3gr@m: beware", nil},
		{"commentary sentence", "telegram: beware of scammers", nil},
		{"plain word and prose", "kik: sunshine and roses", nil},
		{"beware colon name", "beware: placeholder_01 on kik is a scammer", nil},
		{"beware of app user", "beware of kik user placeholder_01", nil},
		{"avoid app name", "avoid this telegram: placeholder_01, scammer", nil},
		{"name is a scammer", "kik: placeholder_01 is a scammer", nil},
		{"es warning", "cuidado con el telegram @placeholder_01", nil},
		{"de warning", "Vorsicht, Betrüger: placeholder_01 auf kik", nil},
		{"ru warning", "осторожно, мошенник в телеграм @placeholder_01", nil},
		{"name equals fake", "kik: placeholder_01 = fake", nil},
		{"headline noun", "Snapchat: Aktienabsturz", nil},
		{"numbered line", "line 2: example_line.py", nil},
		{"python traceback", "File \"./demo.py\", line 43, in <module>\n    bannis = [x for x in bannis]\n  File \"./demo.py\", line 7", nil},
		{"traceback with a session name", "line 173, in wrapped\n    return_value = function(reddit_session, *args)", nil},
		{"es fraud after", "telegram @placeholder_01 es un estafador", nil},
		{"scheme is no handle", "kik: http://example.org/x", nil},
	})
}

// TestExtractScorerKeeps: the negatives above must not cost real contacts.
func TestExtractScorerKeeps(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"no fakes after", "kik: placeholder_01 no fakes", []want{mention("kik", "placeholder_01", "")}},
		{"beware in another clause", "beware of fakes, my only kik: placeholder_01", []want{mention("kik", "placeholder_01", "")}},
		{"no scammers before", "no scammers. kik: placeholder_01", []want{mention("kik", "placeholder_01", "")}},
		{"no fakes before", "no fakes kik: placeholder_01", []want{mention("kik", "placeholder_01", "")}},
		{"beware fakes after", "snap: placeholder_02 beware fakes", []want{mention("snapchat", "placeholder_02", "")}},
		{"no scammers after", "kik: placeholder_01 no scammers pls", []want{mention("kik", "placeholder_01", "")}},
		{"link after app word", "telegram: https://t.me/placeholder_01", []want{link("telegram", "placeholder_01", "https://t.me/placeholder_01")}},
		{"plain word alone", "kik: examplename", []want{mention("kik", "examplename", "")}},
		{"short capitalised name", "kik: Example", []want{mention("kik", "example", "")}},

		{"plain word after contact phrase", "add me on kik examplename and trade", []want{mention("kik", "examplename", "")}},
		{"dictionary word with at", "telegram: @loop", nil}, // too short for Telegram
		{"dictionary word with at, kik", "kik: @sunshine", []want{mention("kik", "sunshine", "")}},
	})
}

// TestConfidence checks what Confidence and Why promise.
func TestConfidence(t *testing.T) {
	x := NewExtractor()
	conf := func(s string) Match {
		t.Helper()
		ms := x.Candidates(normalize.Normalize(s))
		if len(ms) != 1 {
			t.Fatalf("Candidates(%q) = %s, want one", s, show(ms))
		}
		return ms[0]
	}
	tests := []struct {
		name     string
		high, lo string // the same handle with more and with less evidence
	}{
		{"label beats me", "wickr username: examplename", "wickr me examplename"},
		{"shape beats plain", "kik: example_name1", "kik: examplename"},
		{"at beats none", "kik: @examplename", "kik: examplename"},
		{"dictionary word is low", "kik: examplename", "kik: loop"},
		{"plain word is lower than shaped", "snap: placeholder_02", "kik: examplename"},
		{"a warning is low", "kik: placeholder_01", "beware: placeholder_01 on kik"},
		{"a slip is lower", "discord: placeholder_01", "diskord: placeholder_01"},
		{"link beats mention", "t.me/placeholder_01", "telegram: placeholder_01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, l := conf(tt.high), conf(tt.lo)
			if !(h.Confidence > l.Confidence) {
				t.Errorf("%q: %.3f (%s) not above %q: %.3f (%s)", tt.high, h.Confidence, h.Why, tt.lo, l.Confidence, l.Why)
			}
		})
	}
	for _, s := range []string{"t.me/placeholder_01", "kik: placeholder_01", "tox:" + toxID, "session id " + sessionID, "whatsapp +447700900123"} {
		m := conf(s)
		if m.Confidence < MinConfidence || m.Confidence > 1 || m.Why == "" {
			t.Errorf("%q: confidence %.3f why %q", s, m.Confidence, m.Why)
		}
	}
	if m := conf("Kik login loop"); m.Confidence >= MinConfidence || !strings.Contains(m.Why, "dictionary") {
		t.Errorf(`"Kik login loop": confidence %.3f why %q, want below %.2f for a dictionary word`, m.Confidence, m.Why, MinConfidence)
	}
}

// TestCandidatesKeepsRejected: Candidates is Extract plus what the scorer
// turned down, never less.
func TestCandidatesKeepsRejected(t *testing.T) {
	x := NewExtractor()
	for _, s := range []string{"Kik login loop", "beware: placeholder_01 on kik", "kik: placeholder_01 and snap: loop", "t.me/placeholder_01"} {
		tx := normalize.Normalize(s)
		ext, cand := x.Extract(tx), x.Candidates(tx)
		checkMatches(t, s, cand)
		for _, m := range ext {
			if m.Confidence < MinConfidence {
				t.Errorf("Extract(%q) returned %s at %.3f", s, m.Handle, m.Confidence)
			}
		}
		kept := 0
		for _, m := range cand {
			if m.Confidence >= MinConfidence {
				kept++
			}
		}
		if kept != len(ext) || len(cand) <= len(ext) && s != "t.me/placeholder_01" {
			t.Errorf("%q: Extract %s, Candidates %s", s, show(ext), show(cand))
		}
	}
}

// TestFuzzyVariants keeps the slips honest: never the name itself, never a
// word of the lists, the first letter kept.
func TestFuzzyVariants(t *testing.T) {
	for name := range fuzzyNames {
		vs := fuzzyVariants(name)
		if len(vs) == 0 {
			t.Errorf("%s has no variants", name)
		}
		for _, v := range vs {
			if v == name || v[0] != name[0] || len(v) < 4 {
				t.Errorf("%s: bad variant %q", name, v)
			}
		}
	}
	for w, ent := range lexicon {
		if ent.app != nil && ent.app.fuzzy && (commonSet[w] || stopSetRaw[w] || fuzzyRealWords[w]) {
			t.Errorf("fuzzy app word %q is an ordinary word", w)
		}
	}
	if _, ok := AppWords()["diskord"]; ok {
		t.Error("fuzzy variants must stay out of AppWords, which the core treats as sure app mentions")
	}
	if ent := lexicon["diskord"]; ent == nil || ent.app == nil || ent.app.app != "discord" {
		t.Error(`"diskord" is not read as discord`)
	}
	_ = wire.HandleMention
}
