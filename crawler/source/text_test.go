package source

import (
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/handlewatch/handlewatch/internal/wire"
)

func TestReduceHTML(t *testing.T) {
	forum, _ := url.Parse("https://forum.example/t/1")
	tg, _ := url.Parse("https://t.me/s/demo")
	for _, tc := range []struct {
		name  string
		in    string
		o     HTMLOptions
		text  string
		links []string
		media int
	}{
		{name: "paragraphs", in: `<p>Hello <b>world</b></p><p>again</p>`, text: "Hello world\n\nagain"},
		{name: "whitespace squeezed", in: "<p>one  two</p>\n\n<p>three<br/>four</p>", text: "one two\n\nthree\nfour"},
		{name: "br", in: `a<br>b<br/>c`, text: "a\nb\nc"},
		{name: "br br is a paragraph break", in: `a<br><br>b<br><br><br>c`, text: "a\n\nb\n\nc"},
		{name: "inline elements do not split words", in: `wi<b>ck</b>r: place<i>holder</i>_01`, text: "wickr: placeholder_01"},
		{name: "cells", in: `<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>`, text: "a b\nc"},
		{
			name:  "relative links resolved, each once, fragments kept",
			in:    `<a href="/u/x">x</a> and <a href="https://o.example/p#frag">p</a> <a href="https://o.example/p">dup</a> <a href="/u/x">again</a> <a href="#top">top</a>`,
			o:     HTMLOptions{Base: forum},
			text:  "x and p dup again top",
			links: []string{"https://forum.example/u/x", "https://o.example/p#frag", "https://o.example/p"},
		},
		{
			name:  "handles in fragments survive",
			in:    `<a href="https://matrix.to/#/@placeholder_01:matrix.org">me</a> <a href="https://simplex.chat/contact#/?v=2&amp;smp=example">sx</a>`,
			text:  "me sx",
			links: []string{"https://matrix.to/#/@placeholder_01:matrix.org", "https://simplex.chat/contact#/?v=2&smp=example"},
		},
		{name: "relative link without base dropped", in: `<a href="/u/x">x</a>`, text: "x"},
		{
			name:  "anchor keeps text, lists href",
			in:    `<p>see <a href="https://example.org/x">the <b>site</b></a>.</p>`,
			text:  "see the site.",
			links: []string{"https://example.org/x"},
		},
		{
			name:  "embedded media counted, alt and fallback text dropped",
			in:    `<img src="a.png" alt="secret"><video src="v.mp4">fallback <a href="/v.mp4">v</a></video><iframe src="https://e.example/"></iframe>text`,
			text:  "text",
			media: 3,
		},
		{
			name:  "images between letters",
			in:    `<div>a<img src="x.png" alt="alt text"><video src="v.mp4"></video><script>evil()</script>b</div>`,
			text:  "ab",
			media: 2,
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
			name:  "relative media anchor counted without a base",
			in:    `<a href="/pic.jpg">pic</a> <a href="javascript:x()">js</a> <a href="mailto:a@b.example">mail</a>`,
			text:  "pic js mail",
			media: 1,
		},
		{
			name:  "skip filter keeps text, drops href",
			in:    `<a href="?q=%23tag">#tag</a> <a href="/s/other">other</a> <a href="mailto:x@example.org">mail</a>`,
			o:     HTMLOptions{Base: tg, SkipLink: func(a *html.Node) bool { return strings.HasPrefix(Attr(a, "href"), "?q=") }},
			text:  "#tag other mail",
			links: []string{"https://t.me/s/other"},
		},
		{
			name: "drop",
			in:   `<p class="quote-inline">RE: <a href="https://x.example/1">x</a></p><p>body</p>`,
			o:    HTMLOptions{Drop: func(n *html.Node) bool { return HasClass(n, "quote-inline") }},
			text: "body",
		},
		{name: "scripts and styles", in: `<script>alert(1)</script><style>p{}</style>visible`, text: "visible"},
		{name: "icons and forms", in: `<svg><title>icon</title></svg>post<form><label>reply</label></form>`, text: "post"},
		{name: "pre keeps lines and indentation", in: "<pre>  keep\n   spacing</pre>after", text: "keep\n   spacing\n\nafter"},
		{name: "pre squeezes inner runs", in: "<pre>a  b\n  c</pre>", text: "a b\n  c"},
		{name: "invalid UTF-8", in: "bad \xff byte", text: "bad \uFFFD byte"},
		{name: "controls", in: "a\x00b\x07c", text: "abc"},
		{name: "entities", in: "<p>you can&#39;t &amp; won&#x27;t&nbsp;go</p>", text: "you can't & won't go"},
		{name: "lists", in: `<p>intro</p><ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>after`, text: "intro\n\none\ntwo\nnested\nafter"},
		{name: "plain text", in: `plain text, no tags: wickr: placeholder_01`, text: "plain text, no tags: wickr: placeholder_01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ReduceHTML(tc.in, tc.o)
			if got.Text != tc.text || !reflect.DeepEqual(got.Links, tc.links) || got.Media != tc.media {
				t.Errorf("ReduceHTML(%q) = %q %q %d; want %q %q %d", tc.in, got.Text, got.Links, got.Media, tc.text, tc.links, tc.media)
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

func TestTextLinks(t *testing.T) {
	got := TextLinks("see (https://example.org/a_(b)), www.example.com/x. and t.me/placeholder_01!")
	want := []string{"https://example.org/a_(b)", "https://www.example.com/x", "https://t.me/placeholder_01"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TextLinks = %q, want %q", got, want)
	}
}

func TestFinishPost(t *testing.T) {
	p := wire.Post{
		Text:        "look https://preview.redd.it/a.jpeg?width=1 here \xff\n\n\n\nend",
		Author:      " someone\x00 ",
		Links:       []string{"https://example.org/", "https://example.org/", "/relative", "javascript:alert(1)", "https://i.redd.it/b.png", "https://t.me/placeholder_01"},
		Attachments: 2,
	}
	FinishPost(&p)
	if p.Text != "look here \uFFFD\n\nend" {
		t.Errorf("text = %q", p.Text)
	}
	if want := []string{"https://example.org/", "https://t.me/placeholder_01"}; !reflect.DeepEqual(p.Links, want) {
		t.Errorf("links = %q, want %q", p.Links, want)
	}
	if p.Attachments != 3 {
		t.Errorf("attachments = %d, want 3 (2 + the media URL scrubbed from text)", p.Attachments)
	}
	if p.Author != "someone" || p.Schema != wire.SchemaVersion {
		t.Errorf("author %q, schema %d", p.Author, p.Schema)
	}
	again := p
	FinishPost(&again)
	if !reflect.DeepEqual(again, p) {
		t.Errorf("FinishPost is not idempotent: %+v, then %+v", p, again)
	}
}

func TestJoinText(t *testing.T) {
	if got := JoinText("Title", "", "Title", "body\r\n\r\n\r\nmore  ", "  "); got != "Title\n\nbody\n\nmore" {
		t.Errorf("JoinText = %q", got)
	}
}

func TestToUTF8(t *testing.T) {
	if got := string(ToUTF8([]byte("F\xfcr"), "text/html; charset=ISO-8859-1")); got != "Für" {
		t.Errorf("header charset: %q", got)
	}
	if got := string(ToUTF8([]byte(`<meta charset="windows-1252"><p>F`+"\xfc"+`r`), "text/html")); got != `<meta charset="windows-1252"><p>Für` {
		t.Errorf("meta charset: %q", got)
	}
	if got := string(ToUTF8([]byte("{\"a\":\"\xff\"}"), "application/json")); got != "{\"a\":\"\uFFFD\"}" {
		t.Errorf("invalid UTF-8: %q", got)
	}
}

func FuzzReduceHTML(f *testing.F) {
	f.Add(`<p>Hello <a href="/x">x</a><img src=y.png></p>`)
	f.Add("<pre>\xff</pre><br><a href=javascript:1>")
	base, _ := url.Parse("https://forum.example/")
	f.Fuzz(func(t *testing.T, in string) {
		got := ReduceHTML(in, HTMLOptions{Base: base})
		for _, l := range got.Links {
			if IsMediaURL(l) {
				t.Fatalf("media link %q", l)
			}
		}
		if got.Media < 0 {
			t.Fatal("negative media count")
		}
		if !utf8.ValidString(got.Text) || got.Text != CleanText(got.Text) {
			t.Fatalf("text not clean: %q", got.Text)
		}
	})
}

func BenchmarkReduceHTML(b *testing.B) {
	base, _ := url.Parse("https://forum.example/")
	in := strings.Repeat(`<p>Some <b>text</b> with a <a href="/x">link</a> and <img src="a.png"> an image.</p>`, 100)
	b.SetBytes(int64(len(in)))
	for i := 0; i < b.N; i++ {
		ReduceHTML(in, HTMLOptions{Base: base})
	}
}

func FuzzFinishPost(f *testing.F) {
	f.Add("look https://preview.redd.it/a.jpeg?width=1 here \xff\n\n\nend", "https://i.redd.it/b.png")
	f.Add("![x](i.imgur.com/a.png) [list](https://example.org/l) www.example.com/p.gif.", "/relative")
	f.Fuzz(func(t *testing.T, md, link string) {
		e := MarkdownText(md)
		p := wire.Post{Text: e.Text, Links: append(e.Links, link), Attachments: e.Media}
		FinishPost(&p)
		if !utf8.ValidString(p.Text) || p.Attachments < e.Media {
			t.Fatalf("text %q, attachments %d", p.Text, p.Attachments)
		}
		for _, l := range p.Links {
			if IsMediaURL(l) {
				t.Fatalf("media link %q", l)
			}
		}
		again := p
		again.Links = slices.Clone(p.Links)
		FinishPost(&again)
		if again.Text != p.Text || again.Attachments != p.Attachments || !slices.Equal(again.Links, p.Links) {
			t.Fatalf("not idempotent: %q %d, then %q %d", p.Text, p.Attachments, again.Text, again.Attachments)
		}
	})
}
