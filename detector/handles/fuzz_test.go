package handles

import (
	"testing"

	"github.com/handlewatch/handlewatch/detector/normalize"
	"github.com/handlewatch/handlewatch/detector/normalize/normtest"
)

func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"", "wickr: placeholder_01", "add me on kik example_seller", "tg @tg_demo_77", "@tg_demo_77 on telegram",
		"t . me / example_chan", "t dot me slash x", "discord(.)gg/AbCd12", "wa.me/15550100123",
		"chat.whatsapp.com/AbCdEfGhIjKlMnOpQrStUv", "signal.me/#p/+15550100123", "matrix.to/#/@u:example.org",
		"session id " + sessionID, "tox:" + toxID, "briar://" + briarKey, "me chama no zap +55 11 91234-5678",
		"kik/snap: placeholder_06", "Ｗｉｃｋｒ： placeholder_01", "https://simplex.chat/contact#/?v=2&smp=abcdefgh",
		"example_chan.t.me", "加我微信 example_seller", "👻: placeholder_02", "viber://chat?number=%2B447700900123",
		"diskord: placeholder_20", "(kik) placeholder_22", "placeholder_23 (snap)", "telegram: p l a c e h o l d e r _ 2 7",
		"@placeholder_demo_bot", "beware: placeholder_30 on kik is a scammer", "Kik login loop", "x is my kik",
		"WhatsApp 07700 900123", "text me on signal (202) 555-0143", "whatsapp (11) 91234-5678", "07700 900123 on whatsapp",
		"telegram 8 (912) 345-67-89", "whatsapp 22.05.2024 10:30", "(0",
	} {
		f.Add(s)
	}
	x := NewExtractor()
	n := normalize.NewNormalizer()
	var text normalize.Text
	f.Fuzz(func(t *testing.T, s string) {
		n.Normalize(&text, s)
		ms := x.Extract(&text)
		checkMatches(t, s, ms)
		for _, m := range ms {
			if m.Confidence < MinConfidence || m.Confidence > 1 || m.Why == "" {
				t.Fatalf("%q: %s %s confidence %.3f why %q", s, m.App, m.Handle, m.Confidence, m.Why)
			}
		}
		checkMatches(t, s, x.Candidates(&text))
	})
}

// TestMatchesOnPosts checks the match invariants on a realistic set.
func TestMatchesOnPosts(t *testing.T) {
	x := NewExtractor()
	found := 0
	for _, p := range normtest.Posts(5000, 11) {
		ms := x.Extract(normalize.Normalize(p))
		checkMatches(t, p, ms)
		found += len(ms)
	}
	if found == 0 {
		t.Fatal("no contact found in 5000 generated posts, which plant some")
	}
}

// TestBenignZeroAllocs: a post without contacts costs no allocation.
func TestBenignZeroAllocs(t *testing.T) {
	x := NewExtractor()
	var texts []*normalize.Text
	for _, p := range normtest.Posts(500, 5) {
		tx := normalize.Normalize(p)
		if len(x.Extract(tx)) == 0 {
			texts = append(texts, tx)
		}
	}
	texts = append(texts, normalize.Normalize("signal strength, line up, session 2, what is kik, Wickr Me app, the matrix"))
	allocs := testing.AllocsPerRun(10, func() {
		for _, tx := range texts {
			x.Extract(tx)
		}
	})
	if allocs != 0 {
		t.Errorf("Extract allocates %.1f times over %d benign posts, want 0", allocs, len(texts))
	}
}
