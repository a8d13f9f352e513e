package links_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/links"
)

var (
	ctx = context.Background()
	t0  = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
)

var n int

func add(t *testing.T, m *cases.Memory, app, handle, source, post, author, text string) {
	t.Helper()
	n++
	_, err := m.AddSighting(ctx, app, handle, cases.Sighting{FindingID: fmt.Sprintf("f%d", n), Source: source, SourceKind: "html",
		PostID: post, Author: author, Excerpt: wire.Excerpt{Text: text}, Severity: wire.SeverityHigh, Mode: wire.ModeAlert,
		SeenAt: t0.Add(time.Duration(n) * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
}

func fixture(t *testing.T) *cases.Memory {
	m := cases.NewMemory(0)
	// The case: wickr placeholder_01 on forum-a by author_a, with a
	// telegram invite and a profile link in the post.
	add(t, m, "wickr", "placeholder_01", "forum-a", "p1", "author_a",
		"trading young collection, wickr: placeholder_01 or https://t.me/+AbCdEfDemo and t.me/Placeholder_Chan.")
	// Same handle value on another app, another source.
	add(t, m, "kik", "placeholder_01", "forum-b", "p2", "someone", "kik: placeholder_01")
	// Same author on the same source, another post.
	add(t, m, "session", "placeholder_s", "forum-a", "p3", "author_a", "session placeholder_s")
	// The same author name on another source is not the same person.
	add(t, m, "session", "placeholder_t", "forum-b", "p4", "author_a", "session placeholder_t")
	// The same invite link on another source.
	add(t, m, "signal", "placeholder_sig", "mastodon.example", "p5", "x", "join t.me/+AbCdEfDemo now, signal placeholder_sig")
	// The invite code differs only in case: another invite.
	add(t, m, "threema", "DEMO1234", "forum-c", "p6", "y", "t.me/+abcdefdemo")
	// The same profile link, written differently.
	add(t, m, "wire", "placeholder_w", "forum-c", "p7", "z", "see HTTPS://www.T.me/placeholder_chan")
	// Advertised in the same post as the case.
	add(t, m, "telegram", "placeholder_chan", "forum-a", "p1", "author_a", "trading young collection")
	// Nothing in common.
	add(t, m, "kik", "placeholder_far", "forum-d", "p9", "w", "kik placeholder_far")
	return m
}

func TestFind(t *testing.T) {
	m := fixture(t)
	c, err := m.Get(ctx, wire.CaseKey("wickr", "placeholder_01"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := links.Find(ctx, m, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, l := range g.Links {
		var parts []string
		for _, v := range l.Via {
			parts = append(parts, string(v.Kind)+"="+v.Value)
		}
		got[l.App+":"+l.Handle] = strings.Join(parts, " ")
	}
	want := map[string]string{
		"kik:placeholder_01":        "handle=placeholder_01",
		"session:placeholder_s":     "author=forum-a/author_a",
		"signal:placeholder_sig":    "invite=t.me/+AbCdEfDemo",
		"wire:placeholder_w":        "profile=t.me/placeholder_chan",
		"telegram:placeholder_chan": "author=forum-a/author_a post=forum-a/p1",
	}
	if len(got) != len(want) {
		t.Fatalf("links %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %q, want %q", k, got[k], v)
		}
	}
	// Strongest first.
	if g.Links[0].Handle != "placeholder_chan" || g.Scanned != 8 || g.Truncated {
		t.Errorf("order/scan: first %s scanned %d truncated %v", g.Links[0].Handle, g.Scanned, g.Truncated)
	}
	g, _ = links.Find(ctx, m, c, 2)
	if !g.Truncated || g.Scanned != 2 {
		t.Errorf("bound: scanned %d truncated %v", g.Scanned, g.Truncated)
	}
}

func TestSVG(t *testing.T) {
	m := fixture(t)
	c, _ := m.Get(ctx, wire.CaseKey("wickr", "placeholder_01"))
	g, err := links.Find(ctx, m, c, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Hostile text in a handle must come out escaped.
	g.Links[0].Handle = `<script>alert(1)</script>"&`
	got := links.SVG(g)
	if err := xml.Unmarshal(got, new(struct{})); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	for _, bad := range []string{"<script", "<style", "javascript:", "href="} {
		if strings.Contains(string(got), bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
	path := filepath.Join("testdata", "links.golden.svg")
	if os.Getenv("HW_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (HW_UPDATE_GOLDEN=1 writes it)", err)
	}
	if string(want) != string(got) {
		t.Fatalf("SVG differs from %s (HW_UPDATE_GOLDEN=1 rewrites it)", path)
	}
	empty := links.SVG(links.Graph{Case: links.Node{CaseID: "kik-0000000000000000", App: "kik", Handle: "x"}})
	if !strings.Contains(string(empty), "no linked cases") {
		t.Errorf("empty graph: %s", empty)
	}
}

func TestLinksIn(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"t.me/+AbC and https://discord.gg/XyZ12", []string{"invite=t.me/+AbC", "invite=discord.gg/XyZ12"}},
		{"wa.me/15550100 http://Example.org/Page?x=1.", []string{"profile=wa.me/15550100", "profile=example.org/page"}},
		{"chat.whatsapp.com/AbCd, signal.group/#CjQKIA", []string{"invite=chat.whatsapp.com/AbCd"}},
		{"no links at all, just t.me", nil},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range links.LinksIn(tt.text) {
			got = append(got, string(v.Kind)+"="+v.Value)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%q: %v, want %v", tt.text, got, tt.want)
		}
	}
}

func FuzzLinksIn(f *testing.F) {
	f.Add("t.me/+AbC https://x.example/y")
	f.Add("https://%zz/")
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range links.LinksIn(s) {
			if v.Value == "" || (v.Kind != links.KindInvite && v.Kind != links.KindProfile) {
				t.Fatalf("%q: %+v", s, v)
			}
		}
	})
}
