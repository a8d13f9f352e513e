package detector

import (
	"testing"

	"github.com/handlewatch/handlewatch/detector/normalize"
)

func TestBareMentions(t *testing.T) {
	for _, tc := range []struct {
		text, want string // want "" for no contact
	}{
		{"fresh folders, DM @placeholder_buyer1", "placeholder_buyer1"},
		{"new pack 👉 @demo_channel01", "demo_channel01"},
		{"young stuff, trade only\n@sample_trade01", "sample_trade01"},
		{"under 13 🇮🇹 @test_flag01", "test_flag01"},
		{"#tag1 #tag2 @example_tags01", "example_tags01"},
		{"канал @primer_kanal01", "primer_kanal01"},
		{"orders through our bot @placeholder_orders2 only", "placeholder_orders2"},
		{"заказ через бот @primer_zakaz02", "primer_zakaz02"},
		{"контакт: @demo_colon01", "demo_colon01"},
		// A preposition between the cue and the name.
		{"neue Sachen, Interessenten an @beispiel_prep01", "beispiel_prep01"},
		{"cerco cartelle, scrivete a @esempio_prep02", "esempio_prep02"},
		{"Infos @beispiel_infos03", "beispiel_infos03"},
		{"we went to @demo_cafe04 after school", ""},
		{"Tortas de cumpleaños, pedidos @ejemplo_tortas05", "ejemplo_tortas05"},
		{"beware @sample_scam06, he never ships", "sample_scam06"},
		{"pas op voor @voorbeeld_nep07 want het is nep", "voorbeeld_nep07"},
		// Replies and inline mentions are the platform's own.
		{"@demo_reply01 thanks for the tip", ""},
		{"thanks @demo_inline01 for the lovely photos yesterday", ""},
		{"great match today with @demo_team01", ""},
		// Not Telegram usernames: too short, an e-mail, a domain.
		{"DM @abc", ""},
		{"write to demo@example.org", ""},
		{"DM @demo_site01.example.org", ""},
	} {
		t.Run(tc.text, func(t *testing.T) {
			ms := bareMentions(normalize.Normalize(tc.text))
			got := ""
			if len(ms) > 0 {
				got = ms[0].Handle
				if ms[0].App != "telegram" || ms[0].Confidence != bareConfidence || tc.text[ms[0].HandleStart:ms[0].HandleEnd] != got {
					t.Fatalf("match %+v", ms[0])
				}
			}
			if got != tc.want {
				t.Fatalf("bareMentions(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func FuzzBareMentions(f *testing.F) {
	for _, s := range []string{"DM @placeholder_buyer1", "👉 @x_y_z_w", "@a\n@bbbbb", "канал @primer_kanal01", "#t @abcde"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		nt := normalize.Normalize(s)
		for _, m := range bareMentions(nt) {
			if m.Start < 0 || m.End > len(s) || m.HandleStart < m.Start || m.HandleEnd > m.End || m.Start > m.End {
				t.Fatalf("span out of the text: %+v in %q", m, s)
			}
		}
	})
}
