package normalize

import (
	"bytes"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/handlewatch/handlewatch/detector/normalize/internal/foldgen"
	"github.com/handlewatch/handlewatch/detector/normalize/normtest"
)

func TestNorm(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"only spaces", " \t\n ", ""},
		{"case and spaces", "  Hello \t WORLD\n\nfoo  ", "hello world foo"},
		{"newlines never survive", "one\ntwo\r\nthree\u2028four\u0085five", "one two three four five"},
		{"controls dropped", "wi\x00ck\x7fr", "wickr"},

		// Compatibility forms (NFKC).
		{"fullwidth", "Ｗｉｃｋｒ： ｐｌａｃｅｈｏｌｄｅｒ＿０１", "wickr: placeholder_01"},
		{"math bold", "𝐰𝐢𝐜𝐤𝐫", "wickr"},
		{"math script and fraktur", "𝓌𝒾𝒸𝓀𝓇 𝔴𝔦𝔠𝔨𝔯", "wickr wickr"},
		{"circled", "ⓦⓘⓒⓚⓡ", "wickr"},
		{"superscript", "ᵂⁱᶜᵏʳ", "wickr"},
		{"roman numeral letters", "Kⅰk", "kik"},
		{"parenthesized", "⒲⒤⒞⒦⒭", "wickr"},
		{"squared", "🄺🄸🄺", "kik"},
		{"ligature", "ﬁnd", "find"},

		// Look-alikes outside NFKC.
		{"cyrillic i", "wіckr", "wickr"},
		{"all cyrillic look-alikes", "ѕеѕѕіоn", "session"},
		{"cyrillic capitals", "ТЕLЕGRАМ", "telegram"},
		{"greek look-alikes", "κικ", "kik"},
		{"greek omega", "ωickr", "wickr"},
		{"small caps", "ᴡɪᴄᴋʀ", "wickr"},
		{"ipa", "ɑpp", "app"},
		{"negative circled", "🅦🅘🅒🅚🅡", "wickr"},
		{"negative squared", "🆆🅸🅲🅺🆁", "wickr"},
		{"regional indicators", "🇼🇮🇨🇰🇷", "wickr"},
		{"keycap digits", "1️⃣2️⃣", "12"},
		{"dotless i", "wıckr", "wickr"},
		{"kra", "ĸik", "kik"},
		{"russian stays russian", "пиши в телеграм", "пиши в телеграм"},
		{"latin look-alikes in a russian word", "пиши в тeлeгрaм", "пиши в телеграм"},
		{"latin capitals in a russian word", "ТEЛEГРAM", "телеграм"},
		{"latin first in a russian word", "cигнaл", "сигнал"},
		{"mostly latin look-alikes", "дeтcкoe", "детское"},
		{"a latin letter with no cyrillic twin keeps the word mixed", "тeлeгрaмg", "тeлeгрaмg"},
		{"a digit keeps the word as it is", "тeлeгрaм2", "тeлeгрaм2"},
		{"latin and russian words side by side", "tg канал", "tg канал"},
		{"underscore ends the word", "ДЕМО_x", "демо_x"},
		{"one-letter look-alike keeps its script", "а b", "а b"},
		{"spaced cyrillic", "т е л е г р а м", "телеграм"},
		{"spaced cyrillic capitals", "С И Г Н А Л", "сигнал"},
		{"dotted cyrillic", "с.и.г.н.а.л: x", "сигнал: x"},
		{"dashed cyrillic", "в-а-т-с-а-п", "batcan"},
		{"spaced greek", "κ ι κ", "kik"},
		{"spaced look-alike", "w і c k r", "wickr"},
		{"russian capitals", "ТЕЛЕГРАМ", "телеграм"},
		{"cjk untouched", "加我微信", "加我微信"},
		{"emoji untouched", "hi 👻 there", "hi 👻 there"},

		// Marks and ignorables.
		{"diacritics", "ẉíçķŕ", "wickr"},
		{"combining marks", "wi\u0301ckr", "wickr"},
		{"spanish", "agrégame al kik", "agregame al kik"},
		{"german sharp s", "Straße", "strasse"},
		{"zero width space", "w\u200Bickr", "wickr"},
		{"zero width joiner and non-joiner", "w\u200Di\u200Cckr", "wickr"},
		{"word joiner and bom", "wi\u2060ck\uFEFFr", "wickr"},
		{"soft hyphen", "t\u00ADme", "tme"},
		{"variation selector", "wickr\uFE0F", "wickr"},
		{"tags", "wi\U000E0041ckr", "wickr"},
		{"mongolian vowel separator", "wi\u180Eckr", "wickr"},
		{"hangul filler", "wi\u3164ckr", "wickr"},
		{"nbsp and ideographic space", "wickr\u00A0:\u3000x", "wickr : x"},
		{"braille blank", "wickr\u2800x", "wickr x"},
		{"invalid utf8", "ab\xffcd", "ab\uFFFDcd"},

		// Leetspeak, only inside letter words.
		{"leet app words", "w1ckr k1k sn@p t3legram", "wickr kik snap telegram"},
		{"leet runs", "l33t wh4ts4pp d1sc0rd", "leet whatsapp discord"},
		{"dollar s", "$c $nap", "sc snap"},
		{"pipe l", "te|egram", "telegram"},
		{"edge digits stay", "18yo 13yo mp3 4k 2nd h264 b2b", "18yo 13yo mp3 4k 2nd h264 b2b"},
		{"numbers stay", "call 555 0100 or +1 555 010 0123", "call 555 0100 or +1 555 010 0123"},
		{"mention stays", "@tg_demo_77", "@tg_demo_77"},
		{"email stays", "name@example.com", "name@example.com"},
		{"ids stay", "05" + strings.Repeat("a1b3", 16), "05" + strings.Repeat("a1b3", 16)},
		{"mostly digits stays", "a12b34c56", "a12b34c56"},

		// Letter spacing.
		{"spaced", "w i c k r : placeholder_01", "wickr : placeholder_01"},
		{"dotted", "W.I.C.K.R", "wickr"},
		{"dashed spaced", "k - i - k", "kik"},
		{"spaced leet", "w 1 c k r", "wickr"},
		{"spaced at", "s n @ p", "snap"},
		{"underscored", "s_n_a_p", "snap"},
		{"two letters stay", "t g", "t g"},
		{"i a stays", "so i a i said", "so i a i said"},
		{"version stays", "v 1.2.3", "v 1.2.3"},
		{"digits stay", "1 2 3 4", "1 2 3 4"},
		{"mixed separators stay", "a b.c-d", "a b.c-d"},
		{"emoji between letters", "w🔸i🔸c🔸k🔸r", "wickr"},
		{"spaced emoji between letters", "s 🌟 n 🌟 a 🌟 p", "snap"},
		{"underscore between dots", "s.a.m.p.l.e._.q.4", "sample_q4"},
		{"underscore between dashes", "t-e-s-t-_-9", "test_9"},
		{"underscore between emoji", "d💠e💠m💠o💠_💠k", "demo_k"},
		{"a run after a single letter", "x t.e.s.t", "x test"},
		{"two spaced letters before a colon", "t g : x", "tg : x"},
		{"one emoji between words stays", "love😂you", "love😂you"},
		{"slashed letters", "k/i/k", "kik"},
		{"two letters split by a symbol", "t🍒g🍒 x", "tg x"},
		{"cjk between brackets stays", "蟡〔勝〕", "蟡〔勝〕"},
		{"emoji between spaced words stay", "a 🔥 b", "a 🔥 b"},

		// Link punctuation.
		{"spaced link", "t . me / example_chan", "t.me/example_chan"},
		{"half spaced", "t. me/ example_chan", "t.me/example_chan"},
		{"bracket dot", "t[.]me/x", "t.me/x"},
		{"paren dot", "discord(.)gg/abc", "discord.gg/abc"},
		{"bracket word dot", "t [dot] me", "t.me"},
		{"spelled", "t dot me slash x", "t.me/x"},
		{"spelled discord", "discord dot gg slash abc", "discord.gg/abc"},
		{"spelled spanish", "t punto me barra x", "t.me/x"},
		{"spelled dutch", "t punt me schuine streep x_1", "t.me/x_1"},
		{"spelled turkish", "t nokta me eğik çizgi x_1", "t.me/x_1"},
		{"spelled indonesian", "t titik me garis miring joinchat garis miring Abc", "t.me/joinchat/abc"},
		{"spelled polish with plus", "t kropka me ukośnik plus Abc", "t.me/+abc"},
		{"spaced plus after a slash", "t . me / + Abc", "t.me/+abc"},
		{"spelled german", "t Punkt me Schrägstrich x_1", "t.me/x_1"},
		{"whatsapp's three labels spaced", "chat . whatsapp . com / Abc", "chat.whatsapp.com/abc"},
		{"dutch point stays", "een punt maken, toen ik kwam", "een punt maken, toen ik kwam"},
		{"a plus outside a link stays", "the plus side", "the plus side"},
		{"bracket slash", "t.me[/]x", "t.me/x"},
		{"ideographic stop", "t。me／x", "t.me/x"},
		{"one dot leader", "t․me", "t.me"},
		{"path continues", "discord . com / invite / abc", "discord.com/invite/abc"},
		{"bracket then spelled slash", "discord(dot)gg slash Demo5", "discord.gg/demo5"},
		{"bracket dots then spaced slash", "api(dot)whatsapp(dot)com / send?phone=1", "api.whatsapp.com/send?phone=1"},
		{"sentence end stays", "text me. me and you", "text me. me and you"},
		{"ordinary point stays", "at this point me and him", "at this point me and him"},
		{"ordinary dot stays", "polka dot dress", "polka dot dress"},
		{"ordinary slash stays", "this / that", "this / that"},

		// Separators read as ASCII.
		{"arrow", "wickr → x", "wickr > x"},
		{"en dash", "wickr – x", "wickr - x"},
		{"pointing emoji", "kik👉x", "kik>x"},
	}
	n := NewNormalizer()
	var got Text
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n.Normalize(&got, tt.in)
			if got.Norm != tt.want {
				t.Errorf("Normalize(%q).Norm = %q, want %q", tt.in, got.Norm, tt.want)
			}
			checkInvariants(t, &got)
			if fresh := Normalize(tt.in); fresh.Norm != tt.want {
				t.Errorf("Normalize(%q) (fresh) = %q, want %q", tt.in, fresh.Norm, tt.want)
			}
		})
	}
}

func TestOrigSpan(t *testing.T) {
	tests := []struct {
		name, in, norm, want string
	}{
		{"identity", "hello wickr x", "wickr", "wickr"},
		{"case", "Hello WICKR x", "wickr", "WICKR"},
		{"collapsed spaces", "a   wickr   b", "wickr b", "wickr   b"},
		{"spaced letters", "w i c k r : placeholder_01", "wickr", "w i c k r"},
		{"handle after spaced", "w i c k r : placeholder_01", "placeholder_01", "placeholder_01"},
		{"fullwidth", "ｘ Ｗｉｃｋｒ ｙ", "wickr", "Ｗｉｃｋｒ"},
		{"zero width inside", "w\u200Bickr!", "wickr", "w\u200Bickr"},
		{"homoglyph", "wіckr", "wickr", "wіckr"},
		{"ligature part", "ﬁnd", "f", "ﬁ"},
		{"spaced link", "see t . me / example_chan now", "t.me/example_chan", "t . me / example_chan"},
		{"spelled link", "t dot me slash x", "t.me/x", "t dot me slash x"},
		{"joined dot alone", "t dot me", ".", " dot "},
		{"bracket", "discord(.)gg/abc", "discord.gg", "discord(.)gg"},
		{"regional", "🇼🇮🇨🇰🇷", "ick", "🇮🇨🇰"},
		{"leet", "w1ckr", "wickr", "w1ckr"},
		{"newline", "a\nb", " ", "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := Normalize(tt.in)
			i := strings.Index(x.Norm, tt.norm)
			if i < 0 {
				t.Fatalf("Norm %q has no %q", x.Norm, tt.norm)
			}
			s, e := x.OrigSpan(i, i+len(tt.norm))
			if got := tt.in[s:e]; got != tt.want {
				t.Errorf("OrigSpan of %q in %q = %q, want %q", tt.norm, tt.in, got, tt.want)
			}
		})
	}
}

func TestHasLeet(t *testing.T) {
	for in, want := range map[string]bool{"w1ckr": true, "w 1 c k r": true, "$c": true, "hello 2024": false, "18yo": false, "wickr": false, "": false} {
		if got := Normalize(in).HasLeet(); got != want {
			t.Errorf("Normalize(%q).HasLeet() = %v, want %v", in, got, want)
		}
	}
}

func TestOrigSpanClamps(t *testing.T) {
	x := Normalize("  Wickr  ")
	for _, c := range [][2]int{{-5, 2}, {3, 100}, {4, 2}, {5, 5}, {0, 0}, {100, 200}} {
		s, e := x.OrigSpan(c[0], c[1])
		if s < 0 || e > len(x.Orig) || s > e {
			t.Errorf("OrigSpan(%d, %d) = %d, %d: outside %q", c[0], c[1], s, e, x.Orig)
		}
	}
	if s, e := x.OrigSpan(0, len(x.Norm)); x.Orig[s:e] != "Wickr" {
		t.Errorf("whole span = %q, want %q", x.Orig[s:e], "Wickr")
	}
	empty := Normalize("")
	if s, e := empty.OrigSpan(0, 3); s != 0 || e != 0 {
		t.Errorf("empty OrigSpan = %d, %d", s, e)
	}
}

// TestReuse checks that a Text and a Normalizer can be reused across texts
// of any size and that the second pass leaves no trace of the previous text.
func TestReuse(t *testing.T) {
	n := NewNormalizer()
	var x Text
	inputs := []string{
		strings.Repeat("w i c k r ", 300), "short", "t . me / x", strings.Repeat("Ｗ", 1000),
		"", "w1ckr", strings.Repeat("ab ", 5000), "t dot me",
	}
	for _, in := range inputs {
		n.Normalize(&x, in)
		want := Normalize(in)
		if x.Norm != want.Norm {
			t.Fatalf("reused Normalize(%.20q) = %.40q, fresh = %.40q", in, x.Norm, want.Norm)
		}
		checkInvariants(t, &x)
	}
}

func TestZeroAllocs(t *testing.T) {
	n := NewNormalizer()
	var x Text
	posts := normtest.Posts(200, 7)
	posts = append(posts, "w i c k r : placeholder_01", "t . me / example_chan", "Ｗｉｃｋｒ wіckr")
	for _, p := range posts {
		n.Normalize(&x, p) // warm the buffers up
	}
	allocs := testing.AllocsPerRun(20, func() {
		for _, p := range posts {
			n.Normalize(&x, p)
		}
	})
	if allocs != 0 {
		t.Errorf("Normalize allocates %.1f times per batch in steady state, want 0", allocs)
	}
}

// TestInvariantsOnPosts checks the offset-map invariants on a realistic set.
func TestInvariantsOnPosts(t *testing.T) {
	n := NewNormalizer()
	var x Text
	for _, p := range normtest.Posts(3000, 3) {
		n.Normalize(&x, p)
		checkInvariants(t, &x)
	}
}

// checkInvariants verifies what callers rely on: Norm has no '\n', no
// leading, trailing or double space; every byte maps inside Orig on rune
// boundaries; the map is monotonic.
func checkInvariants(t *testing.T, x *Text) {
	t.Helper()
	if strings.ContainsRune(x.Norm, '\n') {
		t.Errorf("Norm of %q contains a newline", x.Orig)
	}
	if strings.HasPrefix(x.Norm, " ") || strings.HasSuffix(x.Norm, " ") || strings.Contains(x.Norm, "  ") {
		t.Errorf("Norm %q of %q has stray spaces", x.Norm, x.Orig)
	}
	if !utf8.ValidString(x.Norm) {
		t.Errorf("Norm %q of %q is not valid UTF-8", x.Norm, x.Orig)
	}
	prevS, prevE := 0, 0
	for i := 0; i <= len(x.Norm); i++ {
		for _, j := range []int{i, i + 1} {
			s, e := x.OrigSpan(i, j)
			if s < 0 || e > len(x.Orig) || s > e {
				t.Fatalf("OrigSpan(%d, %d) = %d, %d outside Orig of %d bytes (%q)", i, j, s, e, len(x.Orig), x.Orig)
			}
			if !boundary(x.Orig, s) || !boundary(x.Orig, e) {
				t.Fatalf("OrigSpan(%d, %d) = %d, %d not on rune boundaries of %q", i, j, s, e, x.Orig)
			}
		}
		if i < len(x.Norm) {
			s, e := x.OrigSpan(i, i+1)
			if s < prevS || e < prevE {
				t.Fatalf("offset map not monotonic at Norm byte %d of %q", i, x.Orig)
			}
			if e == s {
				t.Fatalf("Norm byte %d of %q maps to an empty span", i, x.Orig)
			}
			prevS, prevE = s, e
		}
	}
}

// boundary: a rune starts at i, or i is the end, or the byte at i is part of
// invalid UTF-8 (which maps byte by byte).
func boundary(s string, i int) bool {
	if i == 0 || i == len(s) {
		return true
	}
	if utf8.RuneStart(s[i]) {
		return true
	}
	// A continuation byte is a boundary only when it is not part of a valid
	// rune that starts before it.
	for k := i - 1; k >= 0 && k >= i-3; k-- {
		if utf8.RuneStart(s[k]) {
			r, size := utf8.DecodeRuneInString(s[k:])
			return r == utf8.RuneError && size == 1 || k+size <= i
		}
	}
	return true
}

// TestMatchesXText checks the per-code-point table against x/text applied to
// whole strings: NFKC, case folding, decomposition and mark removal. Inputs
// mix code points whose fold is not a look-alike decision (accented Latin,
// fullwidth, mathematical letters, combining marks, Cyrillic and Greek
// letters with no ASCII reading, CJK compatibility ideographs) with plain
// lowercase words, so the second pass has nothing to do.
func TestMatchesXText(t *testing.T) {
	fold := cases.Fold()
	reference := func(s string) string {
		s = fold.String(norm.NFKC.String(s))
		s = norm.NFKD.String(s)
		var b strings.Builder
		for _, r := range s {
			if unicode.In(r, unicode.Mn, unicode.Me) || foldgen.DefaultIgnorable(r) {
				continue
			}
			b.WriteRune(r)
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var pool []rune
	for r := rune(0x80); r < 0x30000; r++ {
		if r >= 0xD800 && r <= 0xDFFF || !unicode.IsPrint(r) && !unicode.Is(unicode.Mn, r) {
			continue
		}
		code := lookup(r)
		if code == codeDrop && unicode.Is(unicode.Mn, r) {
			pool = append(pool, r) // combining marks compose in NFKC
			continue
		}
		if code < codeEntry {
			continue
		}
		e := foldEntries[code-codeEntry]
		if e.ascii != "" && e.ascii != e.plain || isHangulSyllable(r) || foldgen.InSupplement(r) {
			continue // look-alike decisions are tested elsewhere
		}
		if strings.ContainsAny(e.plain, "0123456789@$|[({<./ _-*~+") {
			continue // would feed the second pass
		}
		if reference(string(r)) != e.plain {
			continue // the supplement reads a symbol inside it (⇏ has ⇒ → '>')
		}
		pool = append(pool, r)
	}
	n := NewNormalizer()
	var x Text
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			if rng.IntN(3) == 0 {
				// Never a lone space: three one-letter words in a row would be
				// letter spacing, which x/text knows nothing of.
				b.WriteString([]string{"abc", "xyz", " abc ", "kik", "qq"}[rng.IntN(5)])
			} else {
				b.WriteRune(pool[rng.IntN(len(pool))])
			}
		}
		in := b.String()
		n.Normalize(&x, in)
		// The reference keeps a mark that NFKC could not attach to anything
		// (it has no base); ours drops it either way.
		if want := reference(in); x.Norm != want && !strings.ContainsFunc(want, func(r rune) bool { return unicode.Is(unicode.M, r) }) {
			t.Fatalf("Normalize(%+q) = %+q, x/text gives %+q", in, x.Norm, want)
		}
	}
}

func isHangulSyllable(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// TestTableUpToDate checks that tables.go is what the generator writes today.
// It fails when the supplement, x/text or go.mau.fi/util changes without a
// `go generate ./detector/normalize`; a Go release with new Unicode tables
// (x/text switches to Unicode 17 at go1.27) fails it too, on purpose.
func TestTableUpToDate(t *testing.T) {
	want, err := foldgen.Generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("tables.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("tables.go is out of date: run go generate ./detector/normalize")
	}
	if tableUnicodeVersion != norm.Version {
		t.Fatalf("table built for Unicode %s, x/text has %s", tableUnicodeVersion, norm.Version)
	}
}

func TestFoldRune(t *testing.T) {
	tests := []struct {
		r    rune
		want string
		ok   bool
	}{
		{'A', "a", true}, {'z', "z", true}, {'_', "_", true}, {' ', "", false}, {'\n', "", false},
		{'Ｗ', "w", true}, {'і', "i", true}, {'к', "k", true}, {'л', "", false}, {'🅦', "w", true},
		{'\u200B', "", false}, {'é', "e", true}, {'٣', "3", true}, {'👻', "", false},
	}
	for _, tt := range tests {
		got, ok := FoldRune(tt.r)
		if got != tt.want || ok != tt.ok {
			t.Errorf("FoldRune(%q) = %q, %v; want %q, %v", tt.r, got, ok, tt.want, tt.ok)
		}
	}
}

// TestSmallCapitals: every small capital of the "small caps" generators
// reads as its letter, alone and inside a word.
func TestSmallCapitals(t *testing.T) {
	const caps = "ᴀʙᴄᴅᴇꜰɢʜɪᴊᴋʟᴍɴᴏᴘꞯʀꜱᴛᴜᴠᴡxʏᴢ"
	i := 0
	for _, r := range caps {
		want := string(rune('a' + i))
		if got, ok := FoldRune(r); got != want || !ok {
			t.Errorf("FoldRune(%q) = %q, %v; want %q", r, got, ok, want)
		}
		i++
	}
	for r, want := range map[rune]string{'ʁ': "r", 'ʶ': "r", 'ᴚ': "r", 'ᴌ': "l", 'ᴆ': "d", 'ǫ': "o"} {
		if got, ok := FoldRune(r); got != want || !ok {
			t.Errorf("FoldRune(%q) = %q, %v; want %q", r, got, ok, want)
		}
	}
	for in, want := range map[string]string{
		"ᴡɪᴄᴋʀ": "wickr", "ᴡɪᴄᴋʁ": "wickr", "ᴛᴇʟᴇɢʀᴀᴍ": "telegram", "ꜱɪɢɴᴀʟ: x": "signal: x",
		"ᴡ ɪ ᴄ ᴋ ʀ": "wickr", "ᵂᴵᶜᴷᴿ": "wickr",
	} {
		if got := Normalize(in).Norm; got != want {
			t.Errorf("Normalize(%q).Norm = %q, want %q", in, got, want)
		}
	}
}

func TestAppendLight(t *testing.T) {
	tests := []struct {
		in       string
		keepCase bool
		want     string
	}{
		{"Placeholder_01", false, "placeholder_01"},
		{"Placeholder_01", true, "Placeholder_01"},
		{"n4me_01", false, "n4me_01"},
		{"ＡｂＣ１２", true, "AbC12"},
		{"АbС", true, "AbC"}, // Cyrillic А and С
		{"p l a c e", false, "place"},
		{"x\u200By", false, "xy"},
		{"🅐🅑", true, "AB"},
		{"+55 11 91234-5678", false, "+551191234-5678"},
		{"ab\xffc", false, "ab\uFFFDc"},
	}
	for _, tt := range tests {
		if got := string(AppendLight(nil, tt.in, tt.keepCase)); got != tt.want {
			t.Errorf("AppendLight(%q, %v) = %q, want %q", tt.in, tt.keepCase, got, tt.want)
		}
	}
}

func TestIsDefaultIgnorable(t *testing.T) {
	for _, r := range []rune{0x00AD, 0x034F, 0x061C, 0x115F, 0x180B, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x2060, 0x2064, 0x3164, 0xFE00, 0xFE0F, 0xFEFF, 0xFFA0, 0x1D173, 0xE0001, 0xE0041, 0xE0100, 0} {
		if !IsDefaultIgnorable(r) {
			t.Errorf("IsDefaultIgnorable(%U) = false", r)
		}
	}
	// White space and prepended concatenation marks are excluded by UAX #44.
	for _, r := range []rune{' ', 'a', 0x00A0, 0x0600, 0x110BD, '👻'} {
		if IsDefaultIgnorable(r) {
			t.Errorf("IsDefaultIgnorable(%U) = true", r)
		}
	}
}

// TestLinearTime guards against quadratic behaviour on adversarial input:
// ten times the text must cost about ten times the time, not a hundred.
func TestLinearTime(t *testing.T) {
	patterns := []string{"a ", "a.", "w i ", "t . me / ", "(.)", "[dot]", "1a", "a1", "ѕ", "іл",
		"t dot me slash ", "d0t ", "Ѕ ", "ѕ1", "a", "$", "@", "t.me/", " / x", "x. ", "\u200B", "🇼"}
	best := func(s string) time.Duration {
		d := time.Duration(1 << 62)
		for range 5 {
			start := time.Now()
			Normalize(s)
			d = min(d, time.Since(start))
		}
		return d
	}
	for _, p := range patterns {
		small := strings.Repeat(p, 4000/len(p))
		large := strings.Repeat(p, 40000/len(p))
		ds, dl := best(small), best(large)
		if dl > 40*ds && dl > 20*time.Millisecond {
			t.Errorf("%q: %v for %d bytes but %v for %d bytes", p, ds, len(small), dl, len(large))
		}
	}
}
