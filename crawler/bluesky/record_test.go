package bluesky

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/crawler/internal/platform/platformtest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

var testMeta = meta{source: "bluesky-test", kind: "bluesky", now: platformtest.Now}

// fixtureLines returns the lines of a .jsonl fixture.
func fixtureLines(t testing.TB, name string) [][]byte {
	t.Helper()
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(platformtest.ReadFile(t, name)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			lines = append(lines, append([]byte(nil), sc.Bytes()...))
		}
	}
	return lines
}

// postCreates lists the at-uris of the fixture's post creates, in order.
func postCreates(t testing.TB, lines [][]byte) []string {
	var uris []string
	for _, l := range lines {
		var ev jetstreamEvent
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Kind == "commit" && ev.Commit.Collection == postCollection && ev.Commit.Operation == "create" {
			uris = append(uris, "at://"+ev.DID+"/"+postCollection+"/"+ev.Commit.RKey)
		}
	}
	return uris
}

func TestParseJetstreamStreamGolden(t *testing.T) {
	lines := fixtureLines(t, "jetstream_v1_stream_2026-07.jsonl")
	if len(lines) != 152 {
		t.Fatalf("fixture has %d lines, want 152", len(lines))
	}
	var posts []wire.Post
	var maxTS int64
	for i, l := range lines {
		ts, p, err := parseJetstreamEvent(l, testMeta)
		if ts <= 0 {
			t.Errorf("line %d: no time_us", i+1)
		}
		maxTS = max(maxTS, ts)
		switch {
		case p != nil:
			posts = append(posts, *p)
		case !errors.Is(err, errNotPost):
			t.Errorf("line %d: %v", i+1, err)
		}
	}
	if want := postCreates(t, lines); len(posts) != 17 || len(want) != 17 {
		t.Fatalf("got %d posts, fixture has %d creates; want 17", len(posts), len(want))
	}
	platformtest.AssertNoMedia(t, posts)
	platformtest.Golden(t, "jetstream_stream.golden.json", posts)

	by := map[string]wire.Post{}
	for _, p := range posts {
		by[p.ID] = p
	}
	yt := by["at://did:plc:dclwtltrt2ggsryagfzk7dp4/app.bsky.feed.post/3mptbyoeyc22k"]
	if yt.Text != "https://www.youtube.com/watch?v=V5lDo-jw8mA" || !reflect.DeepEqual(yt.Links, []string{"https://www.youtube.com/watch?v=V5lDo-jw8mA"}) ||
		yt.Permalink != "https://bsky.app/profile/did:plc:dclwtltrt2ggsryagfzk7dp4/post/3mptbyoeyc22k" ||
		yt.Author != "did:plc:dclwtltrt2ggsryagfzk7dp4" || yt.Lang != "en" || yt.CreatedAt.Format("2006-01-02T15:04:05.000Z") != "2026-07-04T14:38:06.240Z" {
		t.Errorf("youtube post = %+v (shortened facet label expanded, facet and external embed one link)", yt)
	}
	img := by["at://did:plc:6aw7u7xjbaiznddugigmdhvc/app.bsky.feed.post/3mptbxs3hq22j"]
	if img.Attachments == 0 || len(img.Links) != 0 {
		t.Errorf("image post = attachments %d links %v", img.Attachments, img.Links)
	}
}

func TestParseJetstreamGolden9(t *testing.T) {
	var posts []wire.Post
	for i, l := range fixtureLines(t, "jetstream_v1_golden_9.jsonl") {
		_, p, err := parseJetstreamEvent(l, testMeta)
		if p != nil {
			posts = append(posts, *p)
		} else if !errors.Is(err, errNotPost) {
			t.Errorf("line %d: %v", i+1, err)
		}
	}
	platformtest.AssertNoMedia(t, posts)
	platformtest.Golden(t, "jetstream_golden9.golden.json", posts)
}

func TestExpandFacets(t *testing.T) {
	link := func(s, e int, uri string) facet {
		var f facet
		f.Index.ByteStart, f.Index.ByteEnd = s, e
		f.Features = append(f.Features, struct {
			Type string `json:"$type"`
			URI  string `json:"uri"`
		}{"app.bsky.richtext.facet#link", uri})
		return f
	}
	jp := "連絡は " // 3 runes of 3 bytes + a space: the label starts at byte 10
	for _, tc := range []struct {
		name   string
		text   string
		facets []facet
		text2  string
		links  []string
		media  int
	}{
		{
			name:   "multibyte prefix, byte offsets",
			text:   jp + "t.me/tg_demo_7... まで",
			facets: []facet{link(10, 27, "https://t.me/tg_demo_77")},
			text2:  jp + "https://t.me/tg_demo_77 まで",
			links:  []string{"https://t.me/tg_demo_77"},
		},
		{
			name:   "custom label kept",
			text:   "read this thread",
			facets: []facet{link(5, 16, "https://example.org/thread")},
			text2:  "read this thread",
			links:  []string{"https://example.org/thread"},
		},
		{
			name:   "media link removed and counted",
			text:   "pic cdn.bsky.app/img/feed/x.jpg end",
			facets: []facet{link(4, 31, "https://cdn.bsky.app/img/feed/x.jpg")},
			text2:  "pic  end",
			media:  1,
		},
		{
			name:   "offsets off the text or mid-rune are ignored, uri kept",
			text:   jp + "x",
			facets: []facet{link(1, 4, "https://a.example/"), link(5, 99, "https://b.example/"), link(-3, 2, "https://c.example/")},
			text2:  jp + "x",
			links:  []string{"https://a.example/", "https://b.example/", "https://c.example/"},
		},
		{
			name:   "overlapping facets: the first wins",
			text:   "example.org/a...",
			facets: []facet{link(0, 16, "https://example.org/abc"), link(8, 16, "https://example.org/zzz")},
			text2:  "https://example.org/abc",
			links:  []string{"https://example.org/abc", "https://example.org/zzz"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, links, media := expandFacets(tc.text, tc.facets)
			if text != tc.text2 || !reflect.DeepEqual(links, tc.links) || media != tc.media {
				t.Errorf("expandFacets = %q %q %d, want %q %q %d", text, links, media, tc.text2, tc.links, tc.media)
			}
		})
	}
}

func TestRecordWithMediaAndGetPosts(t *testing.T) {
	var thread struct {
		Thread struct {
			Post json.RawMessage `json:"post"`
		} `json:"thread"`
	}
	if err := json.Unmarshal(platformtest.ReadFile(t, "getPostThread_recordWithMedia.json"), &thread); err != nil {
		t.Fatal(err)
	}
	it, err := parsePostView(thread.Thread.Post, "", testMeta)
	if err != nil {
		t.Fatal(err)
	}
	if it.post.Attachments != 1 || len(it.post.Links) != 0 || it.post.Author != "test.marshal.dev" {
		t.Errorf("recordWithMedia post = %+v", it.post)
	}
	pg, err := parseSearch(platformtest.ReadFile(t, "getPosts.json"), testMeta)
	if err != nil || len(pg.items) != 1 || len(pg.bad) != 0 {
		t.Fatalf("getPosts: %d items, %v, %v", len(pg.items), pg.bad, err)
	}
	if p := pg.items[0].post; p.Author != "luy.gay" || !strings.HasPrefix(p.Text, "eu queria um fone") {
		t.Errorf("getPosts post = %+v", p)
	}
}

func FuzzParseJetstreamEvent(f *testing.F) {
	for _, l := range fixtureLines(f, "jetstream_v1_golden_9.jsonl") {
		f.Add(l)
	}
	lines := fixtureLines(f, "jetstream_v1_stream_2026-07.jsonl")
	f.Add(lines[1])
	f.Add([]byte(`{"did":"did:plc:x","time_us":1,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":"r","record":{"text":"é cdn.bsky.app/img/a.jpg","facets":[{"index":{"byteStart":1,"byteEnd":3},"features":[{"$type":"app.bsky.richtext.facet#link","uri":"https://video.bsky.app/x"}]}],"embed":{"$type":"app.bsky.embed.recordWithMedia","media":{"$type":"app.bsky.embed.external","external":{"uri":"https://i.imgur.com/a.gif"}}}}}}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		_, p, err := parseJetstreamEvent(line, testMeta)
		if err != nil {
			return
		}
		platformtest.CheckFuzzPosts(t, []wire.Post{*p})
	})
}
