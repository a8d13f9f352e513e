package detector

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/wire"
)

func TestExcerpt(t *testing.T) {
	long := strings.Repeat("word ", 200) // 1000 bytes
	cases := []struct {
		name   string
		text   string
		spans  []wire.Span
		budget int
	}{
		{"short text is whole", "sell 13yo wickr: x", []wire.Span{sp(0, 4), sp(5, 9)}, 100},
		{"one window in the middle", long[:400] + "SELL 13yo wickr: placeholder" + long[:400], []wire.Span{sp(400, 404), sp(410, 428)}, 100},
		{"window at the start", "SELL wickr: x " + long, []wire.Span{sp(0, 4)}, 100},
		{"window at the end", long + " SELL wickr: x", []wire.Span{sp(1001, 1005)}, 100},
		{"far apart spans become pieces", "SELL " + long + " wickr: placeholder " + long + " 13yo", []wire.Span{sp(0, 4), sp(1006, 1024), sp(2026, 2030)}, 200},
		{"multibyte text", strings.Repeat("ñé日本", 100) + "SELL" + strings.Repeat("ñé日本", 100), []wire.Span{sp(1000, 1004)}, 101},
		{"span longer than the budget", long, []wire.Span{sp(10, 900)}, 100},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := makeExcerpt(tc.text, tc.spans, len(tc.spans), tc.budget)
			if !utf8.ValidString(x.text) {
				t.Fatalf("excerpt is not valid UTF-8: %q", x.text)
			}
			if len(x.text) > tc.budget+3*len(excerptGap)+8 {
				t.Fatalf("excerpt of %d bytes over the budget %d: %q", len(x.text), tc.budget, x.text)
			}
			for _, s := range tc.spans {
				r := x.rebase(s)
				if !r.Valid(len(x.text)) {
					t.Fatalf("span %v rebased to %v outside %d bytes", s, r, len(x.text))
				}
				want := tc.text[s.Start:s.End]
				if got := x.text[r.Start:r.End]; got != want && !(len(want) > tc.budget && strings.HasPrefix(want, got)) {
					t.Fatalf("span %v marks %q in the excerpt, want %q\nexcerpt %q", s, got, want, x.text)
				}
			}
		})
	}
}

func sp(start, end int) wire.Span { return wire.Span{Start: start, End: end} }
