package cases

import (
	"fmt"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
)

func TestMergeSpans(t *testing.T) {
	text := "añb wickr: x" // ñ is two bytes: 1..3
	for _, tc := range []struct {
		name  string
		spans []wire.Span
		want  string
	}{
		{"none", nil, "[]"},
		{"sorted and merged", []wire.Span{sp(5, 10), sp(0, 2), sp(8, 12), sp(1, 3)}, "[{0 3} {5 12}]"},
		{"touching merge", []wire.Span{sp(0, 1), sp(1, 3)}, "[{0 3}]"},
		{"split rune widened", []wire.Span{sp(2, 3)}, "[{1 3}]"},
		{"invalid and empty dropped", []wire.Span{sp(-1, 2), sp(4, 99), sp(3, 3), sp(6, 4)}, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fmt.Sprint(MergeSpans(text, tc.spans)); got != tc.want {
				t.Fatalf("MergeSpans = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSightingOf(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	f := &wire.Finding{Schema: 1, ID: "f1", Post: wire.PostRef{Source: "s", SourceKind: "rss", ID: "p", Permalink: "http://x/p", Author: "a"},
		Excerpt:  wire.Excerpt{Text: "trading young collection, wickr: placeholder_01", Spans: []wire.Span{sp(0, 7), sp(8, 13)}},
		Signals:  []wire.Signal{{Category: "offer", Weight: 0.4}, {Category: "news", Weight: -0.5}, {Category: "minor", Weight: 0.3}, {Category: "offer", Weight: 0.1}},
		Severity: wire.SeverityHigh, Score: 0.9}
	h := wire.Handle{App: "wickr", Handle: "placeholder_01", Raw: "wickr: placeholder_01", Span: wire.Span{Start: 26, End: 47}}
	s := SightingOf(f, h, at)
	if fmt.Sprint(s.Excerpt.Spans) != "[{0 7} {8 13} {26 47}]" || fmt.Sprint(s.Categories) != "[minor offer]" ||
		!s.SeenAt.Equal(at) || s.Mode != wire.ModeAlert || s.Raw != h.Raw {
		t.Fatalf("sighting %+v", s)
	}
	f.DetectedAt, f.Mode = at.Add(time.Hour), wire.ModeShadow
	if s := SightingOf(f, h, at); !s.SeenAt.Equal(at.Add(time.Hour)) || s.Mode != wire.ModeShadow {
		t.Fatalf("detected_at/mode not used: %+v", s)
	}
}

func sp(start, end int) wire.Span { return wire.Span{Start: start, End: end} }
