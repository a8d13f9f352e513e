package platform

import (
	"net/url"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/handlewatch/handlewatch/internal/wire"
)

func TestIsMedia(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want bool
	}{
		{"https://i.redd.it/rrinwcmrxzug1.jpeg", true},
		{"https://v.redd.it/dqm10oy4d0vg1", true},
		{"https://preview.redd.it/f1xjmxgj3d5h1.jpeg?width=1260&format=pjpg", true},
		{"https://www.reddit.com/gallery/1skh6dk", true},
		{"http://69.media.tumblr.com/b06f/tumblr_nshp8oVOnV1rg0s9xo1_1280.jpg", true},
		{"https://cdn4.telegram-cdn.org/file/abc", true},
		{"https://example.org/clip.MP4", true},
		{"https://example.org/a.png#frag", true},
		{"https://pbs.twimg.com/media/x?format=jpg&name=small", true},
		{"https://imgur.com/a/xyz", true},
		{"i.redd.it/abc.jpg", true},
		{"data:image/png;base64,AAAA", true},
		{"https://lemmy.world/pictrs/image/9a8b7c6d-1234", true},
		{"https://www.youtube.com/watch?v=V5lDo-jw8mA", false},
		{"https://t.me/placeholder_01", false},
		{"https://example.org/jpg/article", false},
		{"https://www.reddit.com/r/anime/comments/1sk894v/x/", false},
		{"not a url at all", false},
	} {
		if got := IsMedia(tc.url); got != tc.want {
			t.Errorf("IsMedia(%q) = %v, want %v", tc.url, got, tc.want)
		}
	}
}

func TestHTMLText(t *testing.T) {
	base, _ := url.Parse("https://t.me/s/demo")
	for _, tc := range []struct {
		name  string
		in    string
		o     HTMLOptions
		text  string
		links []string
		media int
	}{
		{
			name: "paragraphs and breaks",
			in:   "<p>one  two</p>\n\n<p>three<br/>four</p>",
			text: "one two\n\nthree\nfour",
		},
		{
			name:  "anchor keeps text, lists href",
			in:    `<p>see <a href="https://example.org/x">the <b>site</b></a>.</p>`,
			text:  "see the site.",
			links: []string{"https://example.org/x"},
		},
		{
			name:  "media anchor with URL text vanishes",
			in:    `<p><a href="https://preview.redd.it/a.jpeg?w=1">https://preview.redd.it/a.jpeg?w=1</a></p><p>kidding</p>`,
			text:  "kidding",
			media: 1,
		},
		{
			name:  "media anchor with words keeps words",
			in:    `<p><a href="https://i.imgur.com/a.png">my photo</a></p>`,
			text:  "my photo",
			media: 1,
		},
		{
			name:  "images, video and scripts",
			in:    `<div>a<img src="x.png" alt="alt text"><video src="v.mp4"></video><script>evil()</script>b</div>`,
			text:  "ab",
			media: 2,
		},
		{
			name:  "relative href resolved, skip filter",
			in:    `<a href="?q=%23tag">#tag</a> <a href="/s/other">other</a> <a href="mailto:x@example.org">mail</a>`,
			o:     HTMLOptions{Base: base, SkipLink: func(a *html.Node) bool { return strings.HasPrefix(Attr(a, "href"), "?q=") }},
			text:  "#tag other mail",
			links: []string{"https://t.me/s/other"},
		},
		{
			name: "drop",
			in:   `<p class="quote-inline">RE: x</p><p>body</p>`,
			o:    HTMLOptions{Drop: func(n *html.Node) bool { return HasClass(n, "quote-inline") }},
			text: "body",
		},
		{
			name: "pre keeps lines and indentation",
			in:   "<pre>a  b\n  c</pre>",
			text: "a b\n  c",
		},
		{
			name: "entities",
			in:   "<p>you can&#39;t &amp; won&#x27;t</p>",
			text: "you can't & won't",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := HTMLText(tc.in, tc.o)
			if got.Text != tc.text || !reflect.DeepEqual(got.Links, tc.links) || got.Media != tc.media {
				t.Errorf("HTMLText(%q) = %+v, want text %q links %v media %d", tc.in, got, tc.text, tc.links, tc.media)
			}
		})
	}
}

func TestMarkdownText(t *testing.T) {
	md := "Title line\n\n![pic](https://i.redd.it/x.png) see [the list](https://example.org/l \"t\") or <https://example.com/a>, also https://example.net/b."
	got := MarkdownText(md)
	if got.Media != 1 {
		t.Errorf("media = %d, want 1", got.Media)
	}
	want := []string{"https://example.org/l", "https://example.com/a", "https://example.org/l", "https://example.com/a", "https://example.net/b"}
	if !reflect.DeepEqual(got.Links, want) {
		t.Errorf("links = %q, want %q", got.Links, want)
	}
	if strings.Contains(got.Text, "i.redd.it") {
		t.Errorf("image markdown left in text: %q", got.Text)
	}
}

func TestFinish(t *testing.T) {
	p := wire.Post{
		Text:  "look https://preview.redd.it/a.jpeg?width=1 here \xff\n\n\n\nend",
		Links: []string{"https://example.org/", "https://example.org/", "/relative", "javascript:alert(1)", "https://i.redd.it/b.png", "https://t.me/placeholder_01"},
	}
	Finish(&p)
	if p.Text != "look here \uFFFD\n\nend" {
		t.Errorf("text = %q", p.Text)
	}
	if want := []string{"https://example.org/", "https://t.me/placeholder_01"}; !reflect.DeepEqual(p.Links, want) {
		t.Errorf("links = %q, want %q", p.Links, want)
	}
	if p.Attachments != 1 {
		t.Errorf("attachments = %d, want 1 (the media URL scrubbed from text)", p.Attachments)
	}
	if p.Schema != wire.SchemaVersion {
		t.Errorf("schema = %d", p.Schema)
	}
}

func TestWindow(t *testing.T) {
	w, err := ParseWindow("", 3)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range []string{"a", "b", "c", "d"} {
		if !w.IsNew(k, int64(i+1)) {
			t.Fatalf("%s should be new", k)
		}
		w.Add(k, int64(i+1))
	}
	w2, err := ParseWindow(w.Encode(), 3)
	if err != nil {
		t.Fatal(err)
	}
	if w2.Newest() != "d" {
		t.Errorf("newest = %q", w2.Newest())
	}
	if w2.IsNew("a", 1) {
		t.Error("a is below the floor: not new")
	}
	if w2.IsNew("c", 3) || w2.IsNew("d", 4) {
		t.Error("c and d were returned")
	}
	if !w2.IsNew("late", 3) {
		t.Error("an unseen item at the floor is new (late arrival)")
	}
	if !w2.IsNew("e", 5) {
		t.Error("e is new")
	}
	if _, err := ParseWindow("{not json", 3); err == nil {
		t.Error("bad cursor accepted")
	}
}

func TestOptionsUnknown(t *testing.T) {
	o := NewOptions(map[string]string{"limit": "5", "limt": "6"})
	if n, err := o.Int("limit", 1, 1, 10); err != nil || n != 5 {
		t.Fatalf("limit = %d, %v", n, err)
	}
	if err := o.Unknown(); err == nil || !strings.Contains(err.Error(), "options.limt") {
		t.Errorf("Unknown() = %v, want the typo named", err)
	}
	if _, err := NewOptions(map[string]string{"limit": "50"}).Int("limit", 1, 1, 10); err == nil {
		t.Error("out of range accepted")
	}
}
