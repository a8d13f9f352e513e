package crawler

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

func TestPrepareBoundsWhatAPostCarries(t *testing.T) {
	tg := &target{t: source.Target{Source: source.Config{Name: "news"}}, kind: "rss"}
	links := []string{"https://example.org/a", "https://example.org/a", "https://i.redd.it/x.png", "/relative",
		"javascript:alert(1)", "https://example.org/" + strings.Repeat("x", 3000), "https://matrix.to/#/@placeholder_01:matrix.org"}
	for i := range 2 * maxLinks {
		links = append(links, fmt.Sprintf("https://example.org/%d", i))
	}
	p := wire.Post{ID: " 1 ", Text: "ok \xff", Links: links, Attachments: -3}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	if err := prepare(&p, tg, now); err != nil {
		t.Fatal(err)
	}
	if p.ID != "1" || p.Source != "news" || p.SourceKind != "rss" || p.Text != "ok \uFFFD" || p.Attachments != 0 ||
		!p.CreatedAt.Equal(now) || !p.FetchedAt.Equal(now) {
		t.Errorf("post = %+v", p)
	}
	if len(p.Links) != maxLinks {
		t.Fatalf("%d links, want the first %d", len(p.Links), maxLinks)
	}
	if want := []string{"https://example.org/a", "https://matrix.to/#/@placeholder_01:matrix.org", "https://example.org/0"}; !slices.Equal(p.Links[:3], want) {
		t.Errorf("links start %q, want %q (once each, no media, no relative or script, no overlong)", p.Links[:3], want)
	}
}
