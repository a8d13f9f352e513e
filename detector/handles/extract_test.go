package handles

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Synthetic IDs: placeholders with the right shape.
var (
	sessionID = "05" + strings.Repeat("ab12cd34", 8)
	toxID     = makeToxID(strings.Repeat("7a", 32) + "0badc0de")
	briarKey  = strings.Repeat("abcdefgh234567", 4)[:53]
)

// makeToxID appends the checksum to a 72-hex key and nospam.
func makeToxID(keyAndNospam string) string {
	b, err := hex.DecodeString(keyAndNospam)
	if err != nil || len(b) != 36 {
		panic("bad tox key")
	}
	var sum [2]byte
	for i := 0; i < 36; i += 2 {
		sum[0] ^= b[i]
		sum[1] ^= b[i+1]
	}
	return strings.ToUpper(keyAndNospam + hex.EncodeToString(sum[:]))
}

// want is one expected match: app, canonical handle, kind and raw text.
type want struct {
	app, handle string
	kind        wire.HandleKind
	raw         string
}

func mention(app, handle, raw string) want { return want{app, handle, wire.HandleMention, raw} }
func link(app, handle, raw string) want    { return want{app, handle, wire.HandleLink, raw} }
func id(app, handle, raw string) want      { return want{app, handle, wire.HandleID, raw} }

type extractCase struct {
	name string
	text string
	want []want
}

func runExtractCases(t *testing.T, cases []extractCase) {
	t.Helper()
	x := NewExtractor()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := x.Extract(normalize.Normalize(tc.text))
			checkMatches(t, tc.text, got)
			if len(got) != len(tc.want) {
				t.Fatalf("Extract(%q) = %s, want %d matches %v", tc.text, show(got), len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				g := got[i]
				if g.App != w.app || g.Handle != w.handle || g.Kind != w.kind || w.raw != "" && g.Raw != w.raw {
					t.Errorf("Extract(%q)[%d] = {%s %q %s raw %q}, want {%s %q %s raw %q}",
						tc.text, i, g.App, g.Handle, g.Kind, g.Raw, w.app, w.handle, w.kind, w.raw)
				}
			}
		})
	}
}

func show(ms []Match) string {
	var b strings.Builder
	b.WriteString("[")
	for i, m := range ms {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(m.App + " " + m.Handle + " " + string(m.Kind) + " raw=" + m.Raw + fmt.Sprintf(" %.2f %s", m.Confidence, m.Why))
	}
	return b.String() + "]"
}

// checkMatches verifies what every match promises.
func checkMatches(t *testing.T, text string, ms []Match) {
	t.Helper()
	for i, m := range ms {
		if m.Start < 0 || m.End > len(text) || m.Start > m.End || m.HandleStart < m.Start || m.HandleEnd > m.End || m.HandleStart >= m.HandleEnd {
			t.Fatalf("match %d of %q has bad spans: %+v", i, text, m)
		}
		if m.Raw != text[m.Start:m.End] {
			t.Fatalf("match %d of %q: Raw %q != text[%d:%d] %q", i, text, m.Raw, m.Start, m.End, text[m.Start:m.End])
		}
		if !wire.IsApp(m.App) {
			t.Fatalf("match %d of %q: app %q not in wire.Apps", i, text, m.App)
		}
		if m.Handle == "" || !Valid(m.App, m.Handle) {
			t.Fatalf("match %d of %q: handle %q is not a valid canonical %s handle", i, text, m.Handle, m.App)
		}
		switch m.Kind {
		case wire.HandleLink, wire.HandleID, wire.HandleMention:
		default:
			t.Fatalf("match %d of %q: kind %q", i, text, m.Kind)
		}
		if i > 0 && ms[i-1].Start > m.Start {
			t.Fatalf("matches of %q out of order", text)
		}
		for _, o := range ms[:i] {
			if o.App == m.App && o.Handle == m.Handle && o.Start < m.End && m.Start < o.End {
				t.Fatalf("matches of %q: duplicate %s %s", text, m.App, m.Handle)
			}
		}
	}
}

func TestExtractTelegram(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"t.me", "join t.me/example_chan today", []want{link("telegram", "example_chan", "t.me/example_chan")}},
		{"https t.me with post", "https://t.me/example_chan/123.", []want{link("telegram", "example_chan", "https://t.me/example_chan/123")}},
		{"t.me/s", "https://t.me/s/example_chan", []want{link("telegram", "example_chan", "")}},
		{"telegram.me", "telegram.me/Example_Chan", []want{link("telegram", "example_chan", "telegram.me/Example_Chan")}},
		{"telegram.dog", "telegram.dog/example_chan", []want{link("telegram", "example_chan", "")}},
		{"invite plus", "t.me/+AbCdEfGhIjKlMnOp", []want{link("telegram", "+AbCdEfGhIjKlMnOp", "t.me/+AbCdEfGhIjKlMnOp")}},
		{"joinchat", "t.me/joinchat/AbCdEfGhIjKlMnOp", []want{link("telegram", "+AbCdEfGhIjKlMnOp", "")}},
		{"phone link", "t.me/+15550100123", []want{link("telegram", "+15550100123", "")}},
		{"tg resolve", "tg://resolve?domain=tg_demo_77", []want{link("telegram", "tg_demo_77", "tg://resolve?domain=tg_demo_77")}},
		{"tg join", "tg://join?invite=AbCdEfGhIjKlMnOp", []want{link("telegram", "+AbCdEfGhIjKlMnOp", "")}},
		{"subdomain", "visit example_chan.t.me now", []want{link("telegram", "example_chan", "example_chan.t.me")}},
		{"colon mention", "telegram: tg_demo_77", []want{mention("telegram", "tg_demo_77", "telegram: tg_demo_77")}},
		{"tg at", "tg @tg_demo_77", []want{mention("telegram", "tg_demo_77", "tg @tg_demo_77")}},
		{"at on telegram", "msg @tg_demo_77 on telegram", []want{mention("telegram", "tg_demo_77", "@tg_demo_77 on telegram")}},
		{"tele colon", "tele: tg_demo_77", []want{mention("telegram", "tg_demo_77", "")}},
		{"tlgm abbreviation", "precios por privado. tlgm: placeholder_pk22", []want{mention("telegram", "placeholder_pk22", "")}},
		{"tlg abbreviation", "troco tudo. tlg: placeholder_tr", []want{mention("telegram", "placeholder_tr", "")}},
		{"misspelled", "telegrm - tg_demo_77", []want{mention("telegram", "tg_demo_77", "")}},
		{"phone mention", "telegram +44 7700 900123", []want{mention("telegram", "+447700900123", "telegram +44 7700 900123")}},
		{"reserved share", "t.me/share/url?url=x", nil},
		{"too short", "t.me/abc", nil},
		{"starts with digit", "telegram: 1example", nil},
		{"case folded", "TELEGRAM: TG_Demo_77", []want{mention("telegram", "tg_demo_77", "")}},
		{"russian", "пиши в телеграм @tg_demo_77", []want{mention("telegram", "tg_demo_77", "телеграм @tg_demo_77")}},
		{"russian plain", "пиши в телеграм tg_demo_77", []want{mention("telegram", "tg_demo_77", "")}},
		{"spanish", "escríbeme en telegram @tg_demo_77", []want{mention("telegram", "tg_demo_77", "")}},
		{"german", "schreib mir auf telegram example_seller", []want{mention("telegram", "example_seller", "telegram example_seller")}},
		{"chinese", "加我电报:tg_demo_77", []want{mention("telegram", "tg_demo_77", "电报:tg_demo_77")}},
		{"not a domain", "see telegram.org for news", nil},
		{"not a mention target", "a telegram from grandma", nil},
		{"tg shaped", "tg example_seller", []want{mention("telegram", "example_seller", "")}},
		{"tg plain word", "tg examplename", nil},
		{"attributed elsewhere", "telegram, @example_seller on insta", nil},
	})
}

func TestExtractWhatsApp(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"wa.me", "wa.me/15550100123", []want{link("whatsapp", "+15550100123", "wa.me/15550100123")}},
		{"wa.me plus", "https://wa.me/+447700900123?text=hi", []want{link("whatsapp", "+447700900123", "https://wa.me/+447700900123?text=hi")}},
		{"api send", "api.whatsapp.com/send?phone=5511912345678", []want{link("whatsapp", "+5511912345678", "")}},
		{"api send slash", "https://api.whatsapp.com/send/?phone=447700900123&text=x", []want{link("whatsapp", "+447700900123", "")}},
		{"scheme", "whatsapp://send?phone=447700900123", []want{link("whatsapp", "+447700900123", "")}},
		{"group", "chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", []want{link("whatsapp", "AbCdEfGhIjKlMnOpQrStUv", "")}},
		{"group invite path", "https://chat.whatsapp.com/invite/AbCdEfGhIjKlMnOpQrStUv", []want{link("whatsapp", "AbCdEfGhIjKlMnOpQrStUv", "")}},
		{"message link", "wa.me/message/ABCDEFGHIJ1234", []want{link("whatsapp", "ABCDEFGHIJ1234", "")}},
		{"channel", "whatsapp.com/channel/0029VaAbCdEfGhIjKlMnOp12", []want{link("whatsapp", "0029VaAbCdEfGhIjKlMnOp12", "")}},
		{"mention phone", "whatsapp: +1 (555) 010-0123", []want{mention("whatsapp", "+15550100123", "whatsapp: +1 (555) 010-0123")}},
		{"double zero", "whatsapp 0044 7700 900123", []want{mention("whatsapp", "+447700900123", "")}},
		{"portuguese zap", "me chama no zap +55 11 91234-5678", []want{mention("whatsapp", "+5511912345678", "zap +55 11 91234-5678")}},
		{"whats", "whats: +55 11 91234-5678", []want{mention("whatsapp", "+5511912345678", "")}},
		{"wa", "wa +447700900123", []want{mention("whatsapp", "+447700900123", "")}},
		{"no country code", "whatsapp 5550100", nil},
		{"unassigned country code", "whatsapp +999 123 4567", nil},
		{"too long", "wa.me/1234567890123456", nil},
		{"username is not whatsapp", "whatsapp: example_seller", nil},
	})
}

func TestExtractSignal(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"username link", "signal.me/#eu/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_", []want{link("signal", "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_", "")}},
		{"phone link", "https://signal.me/#p/+15550100123", []want{link("signal", "+15550100123", "https://signal.me/#p/+15550100123")}},
		{"group link", "signal.group/#CjQKIAbCdEfGhIjKlMnOpQrStUvWxYz0123", []want{link("signal", "CjQKIAbCdEfGhIjKlMnOpQrStUvWxYz0123", "")}},
		{"username", "signal: placeholder.01", []want{mention("signal", "placeholder.01", "signal: placeholder.01")}},
		{"phone", "signal +44 7700 900123", []want{mention("signal", "+447700900123", "")}},
		{"contact phrase", "add me on signal example_seller.42", []want{mention("signal", "example_seller.42", "")}},
		{"no discriminator", "signal: placeholder", nil},
		{"signal strength", "signal strength is low", nil},
		{"trading signals", "best trading signals daily", nil},
		{"signal shaped", "signal placeholder.01", []want{mention("signal", "placeholder.01", "")}},
		{"signal plain word", "signal examplename", nil},
	})
}

func TestExtractWickr(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"colon", "trading young collection, wickr: placeholder_01", []want{mention("wickr", "placeholder_01", "wickr: placeholder_01")}},
		{"wickr me", "wickr me placeholder_01", []want{mention("wickr", "placeholder_01", "wickr me placeholder_01")}},
		{"wickr me plain", "wickr me examplename", []want{mention("wickr", "examplename", "")}},
		{"dash", "WICKR - placeholder_01", []want{mention("wickr", "placeholder_01", "WICKR - placeholder_01")}},
		{"hmu", "hmu on wickr placeholder_03", []want{mention("wickr", "placeholder_03", "wickr placeholder_03")}},
		{"shaped without phrase", "wickr placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"id word", "wickr id: example_seller", []want{mention("wickr", "example_seller", "")}},
		{"abbreviation", "wkr: placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"abbreviation 2", "wckr placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"wicker needs separator", "wicker: placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"wicker basket", "a wicker basket", nil},
		{"arrow", "wickr → placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"product name", "Wickr Me app", nil},
		{"product encrypted", "wickr me encrypted messenger", nil},
		{"owned by", "Wickr is owned by Amazon.", nil},
		{"owned by end", "the app owned by wickr", nil},
		{"product users", "Wickr Me users were warned", nil},
		{"product title case", "on Wickr Me, which closed", nil},
		{"product alternative", "a Wickr Me alternative", nil},
		{"plain word without phrase", "wickr examplename", nil},
		{"email is not a handle", "wickr: name@example.com", nil},
		{"domain is not a handle", "wickr: example.com", nil},
		{"too long", "wickr: placeholder_0123456789_0123456789", nil},
		{"longer than the sign-up cap", "wickr: example_silent.1", []want{mention("wickr", "example_silent.1", "")}},
	})
}

func TestExtractKik(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"kik.me", "kik.me/example_seller", []want{link("kik", "example_seller", "kik.me/example_seller")}},
		{"add me on", "add me on kik example_seller", []want{mention("kik", "example_seller", "kik example_seller")}},
		{"kik me", "kik me example_seller", []want{mention("kik", "example_seller", "kik me example_seller")}},
		{"colon", "Kik: Example.Seller", []want{mention("kik", "example.seller", "Kik: Example.Seller")}},
		{"spanish", "agrégame al kik placeholder_04", []want{mention("kik", "placeholder_04", "kik placeholder_04")}},
		{"leet app word", "k1k: placeholder_01", []want{mention("kik", "placeholder_01", "k1k: placeholder_01")}},
		{"sentence end", "kik: example_seller.", []want{mention("kik", "example_seller", "kik: example_seller")}},
		{"link not mention", "kik: kik.me/example_seller", []want{link("kik", "example_seller", "kik.me/example_seller")}},
		{"kik is an app", "kik is an app", nil},
		{"kik app", "kik app for teens", nil},
		{"at kik", "follow @kik for updates", nil},
	})
}

func TestExtractSnapchat(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"add link", "snapchat.com/add/example_seller", []want{link("snapchat", "example_seller", "snapchat.com/add/example_seller")}},
		{"at link", "https://www.snapchat.com/@example_seller", []want{link("snapchat", "example_seller", "https://www.snapchat.com/@example_seller")}},
		{"sc", "sc: placeholder_02", []want{mention("snapchat", "placeholder_02", "sc: placeholder_02")}},
		{"snap", "snap: placeholder_02", []want{mention("snapchat", "placeholder_02", "")}},
		{"my snap is", "my snap is placeholder_02", []want{mention("snapchat", "placeholder_02", "snap is placeholder_02")}},
		{"french", "ajoute-moi sur snap placeholder_05", []want{mention("snapchat", "placeholder_05", "snap placeholder_05")}},
		{"leet", "sn@p: placeholder_02", []want{mention("snapchat", "placeholder_02", "sn@p: placeholder_02")}},
		{"ghost separator", "👻: placeholder_02", []want{mention("snapchat", "placeholder_02", "👻: placeholder_02")}},
		{"ghost shaped", "👻 placeholder_02", []want{mention("snapchat", "placeholder_02", "")}},
		{"ghost plain", "👻 examplename", nil},
		{"snap a photo", "snap a photo of it", nil},
		{"snapshot", "snapshot placeholder_02", nil},
		{"ends with dot", "snapchat: placeholder.", []want{mention("snapchat", "placeholder", "")}},
		{"starts with digit", "snapchat: 2placeholder", nil},
		{"my snap is private", "my snap is private", nil},
	})
}

func TestExtractDiscord(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"gg", "discord.gg/AbCd12", []want{link("discord", "AbCd12", "discord.gg/AbCd12")}},
		{"invite", "https://discord.com/invite/AbCd12", []want{link("discord", "AbCd12", "https://discord.com/invite/AbCd12")}},
		{"app invite", "discordapp.com/invite/AbCd12", []want{link("discord", "AbCd12", "")}},
		{"obfuscated", "discord(.)gg/AbCd12", []want{link("discord", "AbCd12", "discord(.)gg/AbCd12")}},
		{"spelled", "discord dot gg slash AbCd12", []want{link("discord", "AbCd12", "discord dot gg slash AbCd12")}},
		{"username", "discord: example_seller", []want{mention("discord", "example_seller", "")}},
		{"legacy tag", "discord: example#1234", []want{mention("discord", "example#1234", "discord: example#1234")}},
		{"dc", "dc: example_seller", []want{mention("discord", "example_seller", "")}},
		{"server rules", "discord server rules apply", nil},
		{"no code", "join our discord server", nil},
		{"sow discord", "they sow discord among us", nil},
	})
}

func TestExtractIDs(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"session bare", "msg me " + sessionID, []want{id("session", sessionID, sessionID)}},
		{"session id phrase", "session id: " + sessionID, []want{id("session", sessionID, "session id: "+sessionID)}},
		{"session upper", "Session ID " + strings.ToUpper(sessionID), []want{id("session", sessionID, "")}},
		{"session blinded", "15" + sessionID[2:], nil},
		{"session 2 starts", "session 2 starts at 10am", nil},
		{"tox bare", "tox id " + toxID, []want{id("tox", toxID, "tox id "+toxID)}},
		{"tox bare lower", "find me " + strings.ToLower(toxID), []want{id("tox", toxID, strings.ToLower(toxID))}},
		{"tox link", "tox:" + toxID, []want{link("tox", toxID, "tox:"+toxID)}},
		{"tox bad checksum", "tox:" + toxID[:74] + "00", nil},
		{"tox screen", "tox screen results", nil},
		{"threema", "threema: ABCD1234", []want{id("threema", "ABCD1234", "threema: ABCD1234")}},
		{"threema lower with digit", "threema id abcd1234", []want{id("threema", "ABCD1234", "")}},
		{"threema word", "threema: download", nil},
		{"threema lower letters", "threema: kxmpqrtz", []want{id("threema", "KXMPQRTZ", "")}},
		{"threema lower letters, no separator", "threema kxmpqrtz", nil},
		{"threema lower after a contact phrase", "add me on threema ab12cd34", []want{id("threema", "AB12CD34", "")}},
		{"threema lower a few words on", "on threema, the id is ab12cd34", []want{id("threema", "AB12CD34", "")}},
		{"threema word after label", "threema id: shopping", nil},
		{"threema link", "https://threema.id/ABCD1234", []want{link("threema", "ABCD1234", "")}},
		{"threema scheme", "threema://add?id=ABCD1234", []want{link("threema", "ABCD1234", "")}},
		{"threema bare", "ABCD1234", nil},
		{"teleguard", "teleguard: AB12CD34E", []want{id("teleguard", "AB12CD34E", "")}},
		{"teleguard no digit", "teleguard: ABCDEFGH", nil},
		{"briar link", "briar://" + briarKey, []want{link("briar", briarKey, "briar://"+briarKey)}},
		{"briar short", "briar://abc", nil},
		{"briar rose", "briar rose garden", nil},
		{"hash is not an id", "sha " + strings.Repeat("ab", 32), nil},
	})
}

func TestExtractOtherApps(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"matrix user", "matrix.to/#/@example_user:matrix.org", []want{link("matrix", "@example_user:matrix.org", "matrix.to/#/@example_user:matrix.org")}},
		{"matrix room", "https://matrix.to/#/#example_room:example.org", []want{link("matrix", "#example_room:example.org", "")}},
		{"matrix uri", "matrix:u/example_user:example.org", []want{link("matrix", "@example_user:example.org", "")}},
		{"matrix mention", "matrix: @example_user:example.org", []want{mention("matrix", "@example_user:example.org", "")}},
		{"element mention", "element @example_user:example.org", []want{mention("matrix", "@example_user:example.org", "")}},
		{"matrix movie", "the matrix was great", nil},
		{"matrix bare id", "trading, hmu @Example_User:Example.org", []want{id("matrix", "@example_user:example.org", "@Example_User:Example.org")}},
		{"matrix bare id with port", "@example_user:example.org:8448.", []want{id("matrix", "@example_user:example.org:8448", "")}},
		{"matrix bare id after app word", "matrix: @example_user:example.org", []want{mention("matrix", "@example_user:example.org", "")}},
		{"matrix bare no dot", "@example_user:localhost", nil},
		{"reply with time", "@example_user:12.30 works", nil},
		{"e-mail with colon", "mail me at user@host:example.org", nil},
		{"chat reply", "@example_user: see example.org", nil},
		{"simplex contact", "https://simplex.chat/contact#/?v=2-7&smp=smp%3A%2F%2Fabc%40smp4.simplex.im%2Fxyz", []want{link("simplex", "simplex.chat/contact#/?v=2-7&smp=smp%3A%2F%2Fabc%40smp4.simplex.im%2Fxyz", "")}},
		{"simplex invitation", "simplex.chat/invitation#/?v=2&smp=abcdefgh", []want{link("simplex", "simplex.chat/invitation#/?v=2&smp=abcdefgh", "")}},
		{"simplex short", "https://smp4.simplex.im/a#AbCdEfGh12345-_XyZ", []want{link("simplex", "AbCdEfGh12345-_XyZ", "https://smp4.simplex.im/a#AbCdEfGh12345-_XyZ")}},
		{"simplex short group", "simplex.chat/g#AbCdEfGh12345-_XyZ", []want{link("simplex", "AbCdEfGh12345-_XyZ", "")}},
		{"simplex method", "the simplex method", nil},
		{"wire", "wire: @example_seller", []want{mention("wire", "example_seller", "")}},
		{"wire transfer", "wire transfer fees", nil},
		{"wire shaped", "wire example_seller", []want{mention("wire", "example_seller", "")}},
		{"wire plain", "wire examplename", nil},
		{"viber link", "viber://chat?number=%2B447700900123", []want{link("viber", "+447700900123", "")}},
		{"viber add", "viber://add?number=447700900123", []want{link("viber", "+447700900123", "")}},
		{"viber community", "https://invite.viber.com/?g2=AQAbCdEfGh12", []want{link("viber", "AQAbCdEfGh12", "https://invite.viber.com/?g2=AQAbCdEfGh12")}},
		{"viber phone", "viber: +44 7700 900123", []want{mention("viber", "+447700900123", "")}},
		{"line link", "https://line.me/ti/p/~example_seller", []want{link("line", "example_seller", "")}},
		{"line official", "line.me/R/ti/p/@example_oa", []want{link("line", "example_oa", "")}},
		{"lin.ee", "lin.ee/AbCdEf1", []want{link("line", "AbCdEf1", "")}},
		{"line id", "line id: example_seller", []want{mention("line", "example_seller", "line id: example_seller")}},
		{"line up", "line up here", nil},
		{"line colon plain", "line: example_seller", []want{mention("line", "example_seller", "")}},
		{"wechat", "wechat: example_seller", []want{mention("wechat", "example_seller", "")}},
		{"wx", "wx: example_seller", []want{mention("wechat", "example_seller", "")}},
		{"weixin chinese", "加我微信 example_seller", []want{mention("wechat", "example_seller", "微信 example_seller")}},
		{"weixin scheme", "weixin://dl/chat?example_seller", []want{link("wechat", "example_seller", "")}},
		{"skype", "skype: example.seller", []want{mention("skype", "example.seller", "")}},
		{"skype live", "skype live:.cid.0123456789abcdef", []want{mention("skype", "live:.cid.0123456789abcdef", "")}},
		{"skype uri", "skype:example.seller?chat", []want{link("skype", "example.seller", "skype:example.seller?chat")}},
		{"skype invite", "https://join.skype.com/invite/AbCdEf123", []want{link("skype", "AbCdEf123", "")}},
	})
}

// TestExtractRussianAppWords covers Cyrillic spellings, slang and case
// endings of the app names ("в дискорде", "в вайбере").
func TestExtractRussianAppWords(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"kik colon", "пиши в кик: example_seller", []want{mention("kik", "example_seller", "кик: example_seller")}},
		{"kik locative", "пиши в кике: example_seller", []want{mention("kik", "example_seller", "")}},
		{"ds slang", "дс: example_seller", []want{mention("discord", "example_seller", "")}},
		{"discord locative", "я в дискорде example_seller", []want{mention("discord", "example_seller", "")}},
		{"matrix", "матрикс: @example_user:example.org", []want{mention("matrix", "@example_user:example.org", "")}},
		{"wechat", "вичат: example_seller", []want{mention("wechat", "example_seller", "")}},
		{"viber locative", "в вайбере: +44 7700 900123", []want{mention("viber", "+447700900123", "")}},
		{"snapchat", "снэпчат example_seller", []want{mention("snapchat", "example_seller", "")}},
		{"skype locative", "в скайпе: example.seller", []want{mention("skype", "example.seller", "")}},
		{"whatsapp", "воцап: +44 7700 900123", []want{mention("whatsapp", "+447700900123", "")}},
		{"telegram instrumental", "телеграмом: @example_seller", []want{mention("telegram", "example_seller", "")}},
		{"threema", "тредма: ABCD2345", []want{id("threema", "ABCD2345", "")}},
		{"session", "сешн: " + sessionID, []want{id("session", sessionID, "")}},
		{"typo at the end", "telegran example_seller", []want{mention("telegram", "example_seller", "")}},
		{"letter-spaced after a preposition", "пиши в с и г н а л name.01", []want{mention("signal", "name.01", "с и г н а л name.01")}},
		{"letter-spaced after two one-letter words", "я в т е л е г р а м @example_seller", []want{mention("telegram", "example_seller", "т е л е г р а м @example_seller")}},
		{"letter-spaced after a", "hmu on a w i c k r example_seller", []want{mention("wickr", "example_seller", "w i c k r example_seller")}},
		{"glued only when spaced", "пиши всигнал name.01", nil},
		{"kick", "красивый кик с разворота", nil},
		{"signal lost", "сигнал пропал опять", nil},
		{"exam session", "сессия начнется завтра", nil},
		{"the film", "матрикс отличный фильм", nil},
	})
}

func TestExtractObfuscation(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"fullwidth app word", "Ｗｉｃｋｒ： placeholder_01", []want{mention("wickr", "placeholder_01", "Ｗｉｃｋｒ： placeholder_01")}},
		{"fullwidth handle", "wickr: ｐｌａｃｅｈｏｌｄｅｒ＿０１", []want{mention("wickr", "placeholder_01", "")}},
		{"math bold", "𝐰𝐢𝐜𝐤𝐫: placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"cyrillic app word", "wіckr: placeholder_01", []want{mention("wickr", "placeholder_01", "wіckr: placeholder_01")}},
		{"cyrillic handle", "wickr: рlасеhоldеr_01", []want{mention("wickr", "placeholder_01", "")}},
		{"small caps", "ᴡɪᴄᴋʀ: placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"negative squared", "🆆🅸🅲🅺🆁: placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"regional indicators", "🇼🇮🇨🇰🇷 placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"zero width", "wi\u200Bckr: placeholder_01", []want{mention("wickr", "placeholder_01", "wi\u200Bckr: placeholder_01")}},
		{"zero width in handle", "wickr: place\u200Bholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"spaced", "w i c k r : placeholder_01", []want{mention("wickr", "placeholder_01", "w i c k r : placeholder_01")}},
		{"dotted", "w.i.c.k.r: placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"spaced link", "t . me / example_chan", []want{link("telegram", "example_chan", "t . me / example_chan")}},
		{"bracket link", "t[.]me/example_chan", []want{link("telegram", "example_chan", "t[.]me/example_chan")}},
		{"spelled link", "t dot me slash example_chan", []want{link("telegram", "example_chan", "t dot me slash example_chan")}},
		{"ideographic stop", "t。me/example_chan", []want{link("telegram", "example_chan", "")}},
		{"leet app words", "w1ckr: placeholder_01 / t3legram @tg_demo_77", []want{mention("wickr", "placeholder_01", ""), mention("telegram", "tg_demo_77", "")}},
		{"leet handle kept", "wickr: n4me_01", []want{mention("wickr", "n4me_01", "wickr: n4me_01")}},
		{"spaced handle", "kik: e x a m p l e", []want{mention("kik", "example", "")}},
		{"diacritics", "ẃíçkŕ: placeholder_01", []want{mention("wickr", "placeholder_01", "")}},
		{"typo", "telgram: tg_demo_77", []want{mention("telegram", "tg_demo_77", "")}},
		{"typo swapped", "snapcaht: placeholder_02", []want{mention("snapchat", "placeholder_02", "")}},
		{"watsap", "watsap +447700900123", []want{mention("whatsapp", "+447700900123", "")}},
		{"disc", "disc: example_seller", []want{mention("discord", "example_seller", "")}},
		{"vx", "vx: example_seller", []want{mention("wechat", "example_seller", "")}},
		{"edge leet app word", "dm me on 73l3gu4rd AB12CD34E", []want{id("teleguard", "AB12CD34E", "73l3gu4rd AB12CD34E")}},
		{"edge leet with zero width", "w\u200b3ch\ufeff47: example_wx58", []want{mention("wechat", "example_wx58", "")}},
		{"spaced cyrillic app word", "т е л е г р а м tg_demo_77", []want{mention("telegram", "tg_demo_77", "т е л е г р а м tg_demo_77")}},
		{"two apps one handle", "kik/snap: placeholder_06", []want{mention("kik", "placeholder_06", "kik/snap: placeholder_06"), mention("snapchat", "placeholder_06", "snap: placeholder_06")}},
		{"apps joined by or", "kik or snap placeholder_06", []want{mention("kik", "placeholder_06", ""), mention("snapchat", "placeholder_06", "")}},
		{"line break between", "wickr:\nplaceholder_01", []want{mention("wickr", "placeholder_01", "")}},
	})
}

func TestExtractNearby(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"after contact phrase and newline", "hmu on wickr, lots to trade\n\nplaceholder_18", []want{mention("wickr", "placeholder_18", "wickr, lots to trade\n\nplaceholder_18")}},
		{"username label", "kik is where I trade. username is kik_sample_46.", []want{mention("kik", "kik_sample_46", "")}},
		{"user label", "you know where: telegram, user tg_demo_48", []want{mention("telegram", "tg_demo_48", "")}},
		{"arrow after parenthesis", "contact me there (kik) → kik_sample_45", []want{mention("kik", "kik_sample_45", "")}},
		{"number label", "dm me on viber, price list inside. number: +1-305-555-0146", []want{mention("viber", "+13055550146", "")}},
		{"phone close by", "message our WhatsApp tip line +44 7700 900 414.", []want{mention("whatsapp", "+447700900414", "")}},
		{"naming phrase es", "kik, se llama placeholder_01", []want{mention("kik", "placeholder_01", "kik, se llama placeholder_01")}},
		{"naming phrase de", "meldet euch auf Discord, heißt placeholder_01", []want{mention("discord", "placeholder_01", "")}},
		{"naming phrase ru", "пиши в кик, зовут placeholder_01", []want{mention("kik", "placeholder_01", "")}},
		{"my app name is", "my kik name is placeholder_01", []want{mention("kik", "placeholder_01", "")}},
		{"label in next sentence", "Skype-ID schicken? Meine ist placeholder.01", []want{mention("skype", "placeholder.01", "")}},
		{"second contact after sinon", "tg @placeholder_01, sinon wickr placeholder_02", []want{mention("telegram", "placeholder_01", ""), mention("wickr", "placeholder_02", "")}},
		{"matrix room", "The Linux users group has a Matrix room: #demo-lug:example.org", []want{mention("matrix", "#demo-lug:example.org", "")}},
		{"id label", "the choir group on TeleGuard, ID is WJDN4IQZ3", []want{id("teleguard", "WJDN4IQZ3", "")}},
		{"german label", "ᴡᴇᴄʜᴀᴛ für die Liste, Nutzer drop_demo21", []want{mention("wechat", "drop_demo21", "")}},
		{"handle before on app", "trade only dealer_sample60 on LINE", []want{mention("line", "dealer_sample60", "dealer_sample60 on LINE")}},
		{"copula and plain word", "mein snap ist kaputt lol", nil},
		{"list of apps in news", "die Kik und Wickr nutzten.", nil},
		{"advice with comma", "pasar la conversación a Telegram o Snapchat, actúa.", nil},
		{"mention elsewhere", "on telegram, @example_seller on insta", nil},
		{"unlabelled far word", "I use signal every day with my friend group and family member_02", nil},
		{"stops at next app", "wickr is dead, now on kik: example_seller", []want{mention("kik", "example_seller", "")}},
	})
}

func TestExtractNegatives(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"pronoun before app word", "meldet euch auf Discord", nil},
		{"verb after app id", "Skype-ID schicken?", nil},
		{"us before app word", "add us on kik", nil},
		{"russian pronoun", "пишите нам в телеграм", nil},
		{"seed article", "Wickr Me, an encrypted messaging app owned by Amazon, was named in court documents. Users of Wickr Me shared links, prosecutors said.", nil},
		{"news", "Police said the suspect used Kik and Telegram to contact minors.", nil},
		{"safety advice", "What is Kik? Parents should know how Snapchat works.", nil},
		{"crypto", "Join our VIP trading signals group for daily session updates", nil},
		{"ordinary words", "session 2 starts at noon, signal strength is fine, line up, wire transfer done", nil},
		{"club", "discord server rules: be nice", nil},
		{"urls", "https://example.com/kik/telegram/wickr", nil},
		{"email", "mail kik@example.com", nil},
		{"stop word handle", "wickr: the best app", nil},
		{"empty", "", nil},
		{"emoji", "👻👻👻 boo", nil},
	})
}

func TestCanonical(t *testing.T) {
	tests := []struct {
		app, in, want string
		ok            bool
	}{
		{"telegram", "@TG_Demo_77", "tg_demo_77", true},
		{"telegram", "+AbCdEfGhIjKlMnOp", "+AbCdEfGhIjKlMnOp", true},
		{"telegram", "+15550100123", "+15550100123", true},
		{"telegram", "abc", "", false},
		{"whatsapp", "+1 555 010 0123", "+15550100123", true},
		{"whatsapp", "5550100123", "", false},
		{"tox", strings.ToLower(toxID), toxID, true},
		{"session", strings.ToUpper(sessionID), sessionID, true},
		{"threema", "abcd1234", "ABCD1234", true},
		{"matrix", "@Example:Example.org", "@example:example.org", true},
		{"signal", "Placeholder.01", "placeholder.01", true},
		{"simplex", "https://smp.example.net/a#PlaceholderTok01x", "PlaceholderTok01x", true},
		{"simplex", "simplex:/contact#/?v=2&smp=abcdefgh", "simplex.chat/contact#/?v=2&smp=abcdefgh", true},
		{"simplex", "https://example.net/a#PlaceholderTok01x", "", false},
		{"nosuchapp", "x", "", false},
	}
	for _, tt := range tests {
		got, ok := Canonical(tt.app, tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Canonical(%s, %q) = %q, %v; want %q, %v", tt.app, tt.in, got, ok, tt.want, tt.ok)
		}
		if ok && !Valid(tt.app, got) {
			t.Errorf("Valid(%s, %q) = false for a canonical handle", tt.app, got)
		}
	}
}

func TestToxChecksum(t *testing.T) {
	if !validTox(toxID) {
		t.Fatal("synthetic Tox ID fails its checksum")
	}
	for i := 0; i < 76; i += 7 {
		b := []byte(toxID)
		b[i] = "0123456789ABCDEF"[(strings.IndexByte("0123456789ABCDEF", b[i])+1)%16]
		if validTox(string(b)) {
			t.Errorf("Tox ID with digit %d changed still passes its checksum", i)
		}
	}
}

func TestE164(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"+1 (555) 010-0123", "+15550100123", true},
		{"+33 (0)6 39 98 93 14", "+33639989314", true},
		{"0044 7700 900123", "+447700900123", true},
		{"+55 11 91234-5678", "+5511912345678", true},
		{"+999 1234567", "", false},      // unassigned
		{"+0 1234567", "", false},        // no country code 0
		{"5550100123", "", false},        // no country code marker
		{"+1 555", "", false},            // too short
		{"+1234567890123456", "", false}, // too long
		{"+44 77OO", "", false},          // letters
	}
	for _, tt := range tests {
		got, ok := e164(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("e164(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestEveryApp checks that every app of the wire contract has a handle
// syntax and at least one way to be found.
func TestEveryApp(t *testing.T) {
	found := map[string]bool{}
	for _, forms := range linkForms {
		for _, f := range forms {
			found[f.app] = true
		}
	}
	for _, info := range wordInfo {
		found[info.app] = true
	}
	for _, app := range wire.Apps {
		if _, ok := handleForms[app]; !ok {
			t.Errorf("app %s has no handle forms", app)
		}
		if _, ok := mentionSpecs[app]; !ok {
			t.Errorf("app %s has no mention spec", app)
		}
		if !found[app] {
			t.Errorf("app %s has no app word and no link form", app)
		}
	}
	for app := range handleForms {
		if !wire.IsApp(app) {
			t.Errorf("handle forms for unknown app %s", app)
		}
	}
}

func TestAppWords(t *testing.T) {
	words := AppWords()
	for w, app := range map[string]string{"wickr": "wickr", "tg": "telegram", "sc": "snapchat", "zap": "whatsapp", "wkr": "wickr", "wckr": "wickr", "wicker": "wickr", "dc": "discord", "disc": "discord", "wx": "wechat", "vx": "wechat", "👻": "snapchat", "snap chat": "snapchat", "телеграм": "telegram", "微信": "wechat", "teiegram": "telegram", "session": "session",
		"telegran": "telegram", "whatsapq": "whatsapp", "discorx": "discord"} {
		if words[w] != app {
			t.Errorf("AppWords()[%q] = %q, want %q", w, words[w], app)
		}
	}
	for w := range words {
		if normalize.Normalize(w).Norm != w {
			t.Errorf("app word %q is not in normalised form", w)
		}
	}
	amb := map[string]bool{}
	for _, aw := range AppWordList() {
		if !wire.IsApp(aw.App) {
			t.Errorf("app word %q names unknown app %q", aw.Word, aw.App)
		}
		amb[aw.Word] = aw.Ambiguous
	}
	if _, ok := words["telegraf"]; ok {
		t.Error(`"telegraf" is a product, not a slip of "telegram"`)
	}
	for _, w := range []string{"signal", "line", "session", "snap", "tg", "zap", "wire", "matrix"} {
		if !amb[w] {
			t.Errorf("%q should be ambiguous", w)
		}
	}
	if amb["wickr"] || amb["telegram"] || amb["kik"] {
		t.Error("wickr, telegram and kik are not ambiguous")
	}
}

// TestLinearTime guards against quadratic behaviour on adversarial input:
// ten times the text must cost about ten times the time, not a hundred.
func TestLinearTime(t *testing.T) {
	x := NewExtractor()
	patterns := []string{"kik ", "simplex.chat/contact#", "a.t.me", "t.me/", "wickr: ", "-kik", "+1 ",
		"@a on kik ", "kik/", "加我微信", "👻:", "session ", "a" + strings.Repeat("b", 100) + ".t.me ",
		"tg://resolve?domain=", "kik or ", "me on kik ", "t.me/x?y=", "kik: a.", "wire: a-",
		"kik: @sample_bot ", "#r:example.org ", "beware: ", "(kik) ", "diskord: ", "a d d m e o n k i k. ", "w i c k r  x "}
	best := func(s string) time.Duration {
		tx := normalize.Normalize(s)
		d := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			x.Extract(tx)
			d = min(d, time.Since(start))
		}
		return d
	}
	for _, p := range patterns {
		small := strings.Repeat(p, 4000/len(p)+1)
		large := strings.Repeat(p, 40000/len(p)+1)
		// On a loaded machine (the race detector, other test binaries) one
		// measurement can be preempted: a pattern fails only when three
		// attempts in a row show the blow-up, as quadratic work always does.
		var ds, dl time.Duration
		linear := false
		for range 3 {
			ds, dl = best(small), best(large)
			if linear = dl <= 40*ds || dl <= 20*time.Millisecond; linear {
				break
			}
		}
		if !linear {
			t.Errorf("%q: %v for %d bytes but %v for %d bytes", p, ds, len(small), dl, len(large))
		}
	}
}

// TestEveryLinkForm writes each link form with a handle its app accepts and
// checks that it is found as that app's link, with and without a scheme.
func TestEveryLinkForm(t *testing.T) {
	samples := []string{"example_chan", "example_chan.01", "AbCdEfGh12345-_XyZ", "AbCdEfGhIjKlMnOpQrStUv", "15550100123", "+15550100123",
		toxID, briarKey, "@example_user:example.org", "#example_room:example.org",
		"example_user:example.org", "ABCD1234", "/?v=2&smp=abcdefgh", "example.seller", "AbCdEf123",
		"~example_line", "@example_oa", "%2B15550100123"}
	x := NewExtractor()
	for _, forms := range linkForms {
		for _, f := range forms {
			sample := ""
			for _, s := range samples {
				if _, ok := f.canon(s); ok {
					sample = s
					break
				}
			}
			if sample == "" {
				t.Errorf("no sample handle fits %s", f.prefix)
				continue
			}
			for _, text := range []string{"see " + f.prefix + sample + " now", "see https://" + f.prefix + sample + ". now"} {
				if strings.Contains(f.prefix, "://") || strings.HasPrefix(f.prefix, "tox:") || strings.HasPrefix(f.prefix, "skype:") || strings.HasPrefix(f.prefix, "matrix:") {
					if strings.Contains(text, "https://") {
						continue
					}
				}
				got := x.Extract(normalize.Normalize(text))
				checkMatches(t, text, got)
				if len(got) != 1 || got[0].App != f.app || got[0].Kind != wire.HandleLink {
					t.Errorf("%s: Extract(%q) = %s, want one %s link", f.prefix, text, show(got), f.app)
				}
			}
		}
	}
}

// TestExtractWritingShapes holds the ways of writing a contact that the
// second wave of hand-written sets showed the extractor missing; the texts
// are new, not the sets' own.
func TestExtractWritingShapes(t *testing.T) {
	runExtractCases(t, []extractCase{
		// A whole phrase letter-spaced, the handle's '_' or '.' spaced too.
		{"spaced handle with underscore", "o f f e r s , w i c k r d e m o _ q 7", []want{mention("wickr", "demo_q7", "")}},
		{"spaced handle with a dot", "k i k : s a m p l e . z 4", []want{mention("kik", "sample.z4", "")}},
		{"short name opens a spaced phrase", "t g s a m p l e _ r 2", []want{mention("telegram", "sample_r2", "")}},
		{"short name needs a shaped rest", "t g s a m p l e", nil},
		{"dotted handle after a dotted name", "w.i.c.k.r: s.a.m.p.l.e_q7", []want{mention("wickr", "sample_q7", "")}},
		{"emoji between the handle's letters", "snap: t💫e💫s💫t💫_💫z💫3", []want{mention("snapchat", "test_z3", "")}},
		{"dots around the handle's underscore", "kik: d.e.m.o._.r.8", []want{mention("kik", "demo_r8", "")}},
		{"two-letter app word spaced", "t g : s a m p l e _ 4 4", []want{mention("telegram", "sample_44", "")}},
		// The handle before a list of app words, each with its preposition,
		// or before an app word with a case ending.
		{"preposition before each app", "test_pair5 sur kik et sur wickr", []want{mention("wickr", "test_pair5", ""), mention("kik", "test_pair5", "")}},
		{"indonesian di", "sample_dua7 di kik", []want{mention("kik", "sample_dua7", "")}},
		{"turkish hem hem", "ornek_hh3 hem kik hem wickr", []want{mention("wickr", "ornek_hh3", ""), mention("kik", "ornek_hh3", "")}},
		{"turkish case ending after the handle", "ornek_loc2 wickr'da bekliyor", []want{mention("wickr", "ornek_loc2", "")}},
		{"a case ending needs a shaped name", "merhaba kik'te", nil},
		// A name under a label, then an app word that says it is the same.
		{"labelled name, same after the app", "name: sample_lbl4 🌙 trades only. kik same", []want{mention("kik", "sample_lbl4", "")}},
		{"labelled name, same before the app", "usuario: ejemplo_lb_2 - mismo usuario en wickr", []want{mention("wickr", "ejemplo_lb_2", "")}},
		{"a same word with no labelled name", "kik same as always", nil},
		{"an unlabelled name is not taken", "sample_nl8 is cool, same on kik", nil},
		// The name someone goes by: "as", "als", "comme", "jako", "sebagai".
		{"english as", "find me on wickr as sample_as4", []want{mention("wickr", "sample_as4", "")}},
		{"german als", "bin auf Kik als beispiel_als2 unterwegs", []want{mention("kik", "beispiel_als2", "")}},
		{"polish jako", "na kiku jestem jako test_jk5", []want{mention("kik", "test_jk5", "")}},
		{"as alone is not a name", "I use kik as my main app", nil},
		// Pointers from the handle to the app word, with a possessive.
		{"arrow and possessive", "sample.pt1 ← my wickr", []want{mention("wickr", "sample.pt1", "")}},
		{"hand and that's my", "sample_pt2 👈 that's my kik", []want{mention("kik", "sample_pt2", "")}},
		{"a dotted name before snap", "sample.rio on snap", []want{mention("snapchat", "sample.rio", "")}},
		{"a missed space is no dotted name", "stopped it.now on kik", nil},
		{"the at sign spelled out", "wickr: arroba ejemplo_at9", []want{mention("wickr", "ejemplo_at9", "")}},
		{"an at word alone is no handle", "telegram: собака", nil},
		{"a phone word and a slash before the app", "text/whatsapp +1 202 555 0177", []want{mention("whatsapp", "+12025550177", "")}},
		{"a path before the app is a URL", "https://example.org/text/whatsapp +1 202 555 0177", nil},
		// Spelled punctuation, then a number written apart.
		{"spelled underscore and a number", "wickr: test underscore box 12 tonight", []want{mention("wickr", "test_box12", "")}},
		// Slashes between letters, an emoji between app word and handle.
		{"slashed letters", "kik: s/a/m/p/l/e/_/z/9", []want{mention("kik", "sample_z9", "")}},
		{"slashed threema id keeps its digits", "threema D/E/M/O/4/K/7/P", []want{id("threema", "DEMO4K7P", "")}},
		{"an emoji where the colon would be", "wickr 🌙 sample_moon4", []want{mention("wickr", "sample_moon4", "")}},
		{"a phonetic whatsapp", "ouatsap +33 6 39 98 00 12", []want{mention("whatsapp", "+33639980012", "")}},
		// A demonstrative or an article around the copula before the app word.
		{"german das ist mein", "sample_dm5 das ist mein kik", []want{mention("kik", "sample_dm5", "")}},
		{"french c'est mon", "exemple_cm6 c'est mon wickr", []want{mention("wickr", "exemple_cm6", "")}},
		{"italian è il mio", "esempio_im7 è il mio kik", []want{mention("kik", "esempio_im7", "")}},
		// A spelled handle before the app word.
		{"spelled handle before the app", "demo underscore back8 on wickr", []want{mention("wickr", "demo_back8", "")}},
		{"prose before the app is not spelled", "loved the dot com era on kik", nil},
		// One handle for a list of apps.
		{"both after a list", "session or kik, both: sample_both9", []want{mention("kik", "sample_both9", "")}},
		{"german beide", "kik und snap beide beispiel_zw3", []want{mention("kik", "beispiel_zw3", ""), mention("snapchat", "beispiel_zw3", "")}},
		{"plus between names", "tele + wickr: exemple_pl5", []want{mention("telegram", "exemple_pl5", ""), mention("wickr", "exemple_pl5", "")}},
		{"turkish joiner", "kik ve wickr: ornek_jn4", []want{mention("kik", "ornek_jn4", ""), mention("wickr", "ornek_jn4", "")}},
		{"three names with slashes", "wickr/kik/snap: sample_tri6", []want{mention("wickr", "sample_tri6", ""), mention("kik", "sample_tri6", ""), mention("snapchat", "sample_tri6", "")}},
		// Inflected app words.
		{"turkish case ending", "videolar snap'te ornek_vd2 hesabinda", []want{mention("snapchat", "ornek_vd2", "")}},
		{"english possessive is not the handle", "kik's servers are slow", nil},
		// Lengths past the sign-up caps, short invites, retyped IDs.
		{"long snapchat name", "mi snap ejemplo_cachorros1", []want{mention("snapchat", "ejemplo_cachorros1", "")}},
		{"short invite", "grupo: t.me/+Demo7aQ", []want{link("telegram", "+Demo7aQ", "")}},
		{"short joinchat", "t.me/joinchat/SampleQ9x", []want{link("telegram", "+SampleQ9x", "")}},
		{"skype cid retyped", "skype live:.cid.sample4c1e", []want{mention("skype", "live:.cid.sample4c1e", "")}},
		{"briar link after another app word", "not on tele, briar://sampleqz4kq7ab2demo3x", []want{link("briar", "sampleqz4kq7ab2demo3x", "")}},
	})
}

func TestExtractSpelledAndNamed(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"number in english words", "whatsapp plus one three one two five five five zero one nine nine", []want{mention("whatsapp", "+13125550199", "")}},
		{"national number in words", "viber: zero seven seven zero zero nine zero zero four four four", []want{mention("viber", "+447700900444", "")}},
		{"number in german words", "whatsapp null sieben sieben null null neun null null eins zwei drei", []want{mention("whatsapp", "+447700900123", "")}},
		{"words and digits", "signal: plus 44 seven seven zero zero 900555", []want{mention("signal", "+447700900555", "")}},
		{"a count in words is no number", "whatsapp group for two or three families", nil},
		{"channel named in a report", `admin of the Telegram channel "sample_report_ch" was charged`, []want{mention("telegram", "sample_report_ch", "")}},
		{"russian quotes", "владелец Telegram-канала «sample_kanal_ru» задержан", []want{mention("telegram", "sample_kanal_ru", "")}},
		{"dutch compound", `beheerder van Telegramkanaal "voorbeeld_kan2" opgepakt`, []want{mention("telegram", "voorbeeld_kan2", "")}},
		{"group with no name", "our telegram group for parents of under-12s", nil},
	})
}

func TestExtractListsArrowsAndSpelledPunctuation(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"signal name with dots", "reach me on signal: placeholder.north.21", []want{mention("signal", "placeholder.north.21", "")}},
		{"signal username link typed", "signal.me/#u/placeholder_q.07", []want{link("signal", "placeholder_q.07", "")}},
		{"arrow to the next line", "bio stuff | wickr ⬇️\nplaceholder_kw5", []want{mention("wickr", "placeholder_kw5", "")}},
		{"a falling price is no contact", "kik stock ↓ today", nil},
		{"us number with its area code bracketed", "viber me (646) 555-0111", []want{mention("viber", "+16465550111", "")}},
		{"signal and a number in pairs", "Signal 07 39 98 00 12 le soir", []want{mention("signal", "+33739980012", "")}},
		{"signal and a two-group number stays refused", "signal 202 555 0143 bars", nil},
		{"polish case ending", "odezwij się na snapchacie placeholder_pl4", []want{mention("snapchat", "placeholder_pl4", "")}},
		{"handle before a list of apps", "placeholder_tri7 on wickr and kik", []want{mention("kik", "placeholder_tri7", ""), mention("wickr", "placeholder_tri7", "")}},
		{"handle before a bracketed pair", "placeholder_br2 (kik & wickr)", []want{mention("wickr", "placeholder_br2", ""), mention("kik", "placeholder_br2", "")}},
		{"number before a slashed pair", "+44 7700 900 222 (signal/viber) evenings", []want{mention("viber", "+447700900222", ""), mention("signal", "+447700900222", "")}},
		{"number right before app words", "07700 900 333 viber or whatsapp", []want{mention("whatsapp", "+447700900333", ""), mention("viber", "+447700900333", "")}},
		{"a number on the line before is not joined", "viber: +44 7700 900 444\nkik: placeholder_nl3", []want{mention("viber", "+447700900444", ""), mention("kik", "placeholder_nl3", "")}},
		{"dash from handle to app", "placeholder_ds8 - wickr", []want{mention("wickr", "placeholder_ds8", "")}},
		{"a list then the same", "wickr, kik everywhere the same: placeholder_ev1", []want{mention("wickr", "placeholder_ev1", ""), mention("kik", "placeholder_ev1", "")}},
		{"app word then same", "kik: placeholder_sm4 / wickr same", []want{mention("wickr", "placeholder_sm4", ""), mention("kik", "placeholder_sm4", "")}},
		{"same number for another app", "viber +44 7700 900 555 and signal the same", []want{mention("signal", "+447700900555", ""), mention("viber", "+447700900555", "")}},
		{"session id in groups", "session: 05a1b2c3 d4e5f6a7 b8c9d0e1 f2a3b4c5 d6e7f8a9 b0c1d2e3 f4a5b6c7 d8e9f0a1 b2", []want{id("session", "05a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2", "")}},
		{"underscore spelled", "kik placeholder underscore kx2 now", nil},
		{"underscore spelled, at a clause end", "kik: placeholder underscore kx2, evenings", []want{mention("kik", "placeholder_kx2", "")}},
		{"french spelled underscore", "wickr : placeholder tiret du bas fr6.", []want{mention("wickr", "placeholder_fr6", "")}},
		{"digits spelled after a joiner", "kik placeholder_ vier zwei", []want{mention("kik", "placeholder_42", "")}},
		{"dutch spelled dots", "snap placeholder punt nl punt 33, groetjes", []want{mention("snapchat", "placeholder.nl.33", "")}},
		{"compound noun after a hyphen", "ich bin in der Kik-Gruppe gewesen", nil},
		{"dotted name after an ambiguous word", "trades only, snap placeholder.mrk", []want{mention("snapchat", "placeholder.mrk", "")}},
		{"a file after snap is no name", "snap photo.jpg from the trip", nil},
		{"dotted words after line stay prose", "line dance.party tonight", nil},
		{"turkish address label", "telegram adresim placeholder_ad3", []want{mention("telegram", "placeholder_ad3", "")}},
		{"russian drop verb", "кидайте в снап placeholder.kto", []want{mention("snapchat", "placeholder.kto", "")}},
		{"italian telegram word", "scrivete su telegramma placeholder_it2", []want{mention("telegram", "placeholder_it2", "")}},
		{"mention inside a link of its app", "Telegram (t.me/joinchat/PlaceholderGrp9)", []want{link("telegram", "+PlaceholderGrp9", "")}},
	})
}

func TestExtractSameContactWords(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"dotted us number after signal", "Signal 646.555.0111, text first", []want{mention("signal", "+16465550111", "")}},
		{"german same number", "WA +44 7700 900 666, Signal gleiche Nummer", []want{mention("signal", "+447700900666", ""), mention("whatsapp", "+447700900666", "")}},
		{"digits spelled after a spelled part", "wire: placeholder unterstrich nord zwei", []want{mention("wire", "placeholder_nord2", "")}},
		{"dutch app verb before a number", "App ons op +44 7700 900 777", []want{mention("whatsapp", "+447700900777", "")}},
		{"an @name where Telegram is named", "the channel was on Telegram; its admin was @placeholder_adm1", []want{mention("telegram", "placeholder_adm1", "")}},
		{"an @name said to be elsewhere", "telegram is down, ask @placeholder_ig2 on insta", nil},
		{"a fediverse address is no Telegram name", "telegram fans: follow @placeholder_fed@example.social", nil},
		{"a dotted telegram name after a separator", "tg: placeholder.nl7 for more", []want{mention("telegram", "placeholder.nl7", "")}},
		{"a dotted telegram name needs a separator", "tg placeholder.nl8 for more", nil},
		{"a web address is no telegram name", "telegram: www.example.org", nil},
		{"a leetspeak name no app allows is read as its letters", "telegram: 3x4mpl3_x", []want{mention("telegram", "example_x", "")}},
		{"an age before an app is no leetspeak", "a 13-year-old over Snapchat was", nil},
		{"a dotted name after another app's separator", "traded on Telegram? Reach us on Signal: placeholder_tip.01", []want{mention("signal", "placeholder_tip.01", "")}},
		{"a valid leetspeak name stays as written", "telegram: pl4c3h0ld3r_x", []want{mention("telegram", "pl4c3h0ld3r_x", "")}},
		{"leet app word", "t3l3: placeholder_lt1", []want{mention("telegram", "placeholder_lt1", "")}},
		{"an @name with no app named", "thanks @placeholder_plain3 for the tip", nil},
		{"an @name after another platform", "Insta @placeholder_ig4, or Telegram: placeholder_tg4", []want{mention("telegram", "placeholder_tg4", "")}},
		{"german 'is called' label", "mein Nick bei Discord lautet placeholder_dc5", []want{mention("discord", "placeholder_dc5", "")}},
		{"polish telega inflected", "pisz na teledze: placeholder_pl6", []want{mention("telegram", "placeholder_pl6", "")}},
		{"signal named in italian", "scrivimi su segnale: +44 7700 900 881", []want{mention("signal", "+447700900881", "")}},
		{"a road sign is no app", "la señal de tráfico 12 está rota", nil},
		{"turkish whatsapp with a glued ending", "vatsaptan yaz +44 7700 900 882", []want{mention("whatsapp", "+447700900882", "")}},
		{"ghost emoji and a dotted name", "nuovo su 👻 placeholder.gh", []want{mention("snapchat", "placeholder.gh", "")}},
		{"polish under the same name", "kik placeholder_pl77 albo na Wickr pod tą samą nazwą", []want{mention("wickr", "placeholder_pl77", ""), mention("kik", "placeholder_pl77", "")}},
	})
}

func TestExtractSaidLinksAbbreviationsAndQuotes(t *testing.T) {
	runExtractCases(t, []extractCase{
		{"a short whatsapp group code", "our team chat: chat.whatsapp.com/PlcHold7", []want{link("whatsapp", "PlcHold7", "")}},
		{"sig with a phone", "sig +44 7700 900 410 after 6pm", []want{mention("signal", "+447700900410", "")}},
		{"swedish sig is a pronoun", "hon anmälde sig till kursen igår", nil},
		{"3ma for threema", "3ma PLCH0LD1 only", []want{id("threema", "PLCH0LD1", "")}},
		{"teleguard split by a hyphen", "moved to tele-gard: PLCHLD99", []want{id("teleguard", "PLCHLD99", "")}},
		{"teleguard id of ten", "teleguard: PLACEHLD10", []want{id("teleguard", "PLACEHLD10", "")}},
		{"a far app word does not jump over a nearer one", "tg got closed, now tele guard: PLCHLD77", []want{id("teleguard", "PLCHLD77", "")}},
		{"a list still shares", "snap or kik: placeholder_ls1", []want{mention("snapchat", "placeholder_ls1", ""), mention("kik", "placeholder_ls1", "")}},
		{"a list with a preposition per app", "same nick on telegram and on discord: placeholder_ls2", []want{mention("telegram", "placeholder_ls2", ""), mention("discord", "placeholder_ls2", "")}},
		{"the app's own name spelled again", "tg (t-e-l-e-g-r-a-m) @placeholder_sp3", []want{mention("telegram", "placeholder_sp3", "")}},
		{"a reply's opening name is not the contact", "@placeholder_rp4 nice one, mine is on telegram: placeholder_rp5", []want{mention("telegram", "placeholder_rp5", "")}},
		{"a quoted name before the app", "the user 'placeholder.qt6' on snapchat keeps adding people", []want{mention("snapchat", "placeholder.qt6", "")}},
		{"a quoted word is no name", "they wrote 'hello' on snapchat", nil},
		{"guillemets before a russian app word", "аккаунт «placeholder.qt7» в снапчате", []want{mention("snapchat", "placeholder.qt7", "")}},
		{"a matrix id holds its own name", "telegram is risky: @placeholder_mx8:example.org", []want{id("matrix", "@placeholder_mx8:example.org", "")}},
		{"a report to @telegram names the app", "@telegram the account @placeholder_rep9 is spamming", []want{mention("telegram", "placeholder_rep9", "")}},
		{"signal name without its number", "signal: placeholder.shop", []want{mention("signal", "placeholder.shop", "")}},
		{"signal prose after a separator", "signal: weak today", nil},
		{"simplex gives a name", "simplex: placeholder_vault", []want{mention("simplex", "placeholder_vault", "")}},
		{"simplex prose", "simplex: download it first", nil},
		{"a handle letter-spaced with dots", "p.l.a.c.e.h.o.l.d.e.r._.1 on tele", []want{mention("telegram", "placeholder_1", "")}},
		{"a labelled name spelled out", "write me on telegram, the nick is placeholder underscore ab nine nine", []want{mention("telegram", "placeholder_ab99", "")}},
		{"polish copula after the possessive", "mój snap to placeholder_pl10", []want{mention("snapchat", "placeholder_pl10", "")}},
		{"an invite said in words", "t me slash plus PlcHoldInv1", []want{link("telegram", "+PlcHoldInv1", "")}},
		{"an invite said with local words", "tee punt mee schuine streep + PlcHoldInv2", []want{link("telegram", "+PlcHoldInv2", "")}},
		{"a joined host and a said slash", "t.me barra + PlcHoldInv3", []want{link("telegram", "+PlcHoldInv3", "")}},
		{"a phone after a slash is no invite", "call me / +44 7700 900 411", nil},
	})
}

// TestExtractMarksListsAndGroupedIDs: contacts behind an opening mark
// glued to the app word, Turkish "ya da" lists, corner brackets, a Session
// ID with its prefix apart, and a Cyrillic app word with Latin letters.
func TestExtractMarksListsAndGroupedIDs(t *testing.T) {
	sid := "05" + strings.Repeat("3f9a1c7e", 8)
	runExtractCases(t, []extractCase{
		{"guillemets around the contact", "details «tg: placeholder_gm1» here", []want{mention("telegram", "placeholder_gm1", "")}},
		{"an inverted exclamation mark", "¡kik: placeholder_gm2!", []want{mention("kik", "placeholder_gm2", "")}},
		{"german low quote", "„Telegram: placeholder_gm3“ schreiben", []want{mention("telegram", "placeholder_gm3", "")}},
		{"lenticular brackets around the handle", "tg 【placeholder_gm4】", []want{mention("telegram", "placeholder_gm4", "")}},
		{"ya da joins two apps", "kik ya da line: placeholder_gm5", []want{mention("kik", "placeholder_gm5", ""), mention("line", "placeholder_gm5", "")}},
		{"ya da with a phone", "viber ya da signal: +44 7700 900 412", []want{mention("viber", "+447700900412", ""), mention("signal", "+447700900412", "")}},
		{"a session id with the prefix apart", "only session now\n05 " + sid[2:], []want{id("session", sid, "")}},
		{"the prefix apart after a hex-looking word", "id 05 " + sid[2:], []want{id("session", sid, "")}},
		{"one hex digit short", "id 05 " + sid[3:], nil},
		{"latin look-alikes in a cyrillic app word", "пиши в тeлeгрaм placeholder_gm6", []want{mention("telegram", "placeholder_gm6", "")}},
		{"a list shares a phone its last app word introduces", "telegram or whatsapp at +44 7700 900 413",
			[]want{mention("telegram", "+447700900413", ""), mention("whatsapp", "+447700900413", "")}},
		{"an app left behind does not share", "telegram is dead, whatsapp at +44 7700 900 414", []want{mention("whatsapp", "+447700900414", "")}},
		{"the @ set apart", "telegram @ placeholder_at1", []want{mention("telegram", "placeholder_at1", "")}},
		{"a time after a spaced @ is no handle", "see you on telegram @ 9pm", nil},
		{"a threema id in two fours", "Threema ID PLC4 HLD9 for the club", []want{id("threema", "PLC4HLD9", "")}},
		{"a teleguard id split by a hyphen", "teleguard: PLC4-HLD8", []want{id("teleguard", "PLC4HLD8", "")}},
		{"two lowercase words are no split id", "threema: abcd efgh", nil},
		{"a simplex short link on a relay of one's own", "new address https://smp.example.net/a#PlaceholderTok01x", []want{link("simplex", "PlaceholderTok01x", "")}},
		{"a simplex group link on a relay, no scheme", "group: smp7.example.org/g#PlaceholderGrp02x", []want{link("simplex", "PlaceholderGrp02x", "")}},
		{"a plain site's fragment is no simplex link", "read https://example.net/a#PlaceholderSec03x", nil},
		{"the app's own scheme, short", "simplex:/a#PlaceholderTok04x", []want{link("simplex", "PlaceholderTok04x", "")}},
		{"the app's own scheme, long", "simplex:/contact#/?v=2-7&smp=smp%3A%2F%2Fplaceholder%40smp.example.net",
			[]want{link("simplex", "simplex.chat/contact#/?v=2-7&smp=smp%3A%2F%2Fplaceholder%40smp.example.net", "")}},
	})
}

// TestOpeningMarksLeadBytes: the scan looks for an opening mark only at
// words starting 0xC2, 0xE2 or 0xE3, so every mark must start so.
func TestOpeningMarksLeadBytes(t *testing.T) {
	for _, m := range openingMarks {
		if c := m[0]; c != 0xC2 && c != 0xE2 && c != 0xE3 {
			t.Errorf("opening mark %q starts with %#x: the scan would never see it", m, c)
		}
	}
}
