package source

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestReduceHTML(t *testing.T) {
	base, _ := url.Parse("https://forum.example/t/1")
	for _, tc := range []struct {
		in    string
		text  string
		links []string
		att   int
	}{
		{`<p>Hello <b>world</b></p><p>again</p>`, "Hello world\n\nagain", nil, 0},
		{`a<br>b<br/>c`, "a\nb\nc", nil, 0},
		{`<a href="/u/x">x</a> and <a href="https://o.example/p#frag">p</a> <a href="https://o.example/p">dup</a>`,
			"x and p dup", []string{"https://forum.example/u/x", "https://o.example/p"}, 0},
		{`<img src="a.png" alt="secret"><video src="v.mp4">fallback <a href="/v.mp4">v</a></video><iframe src="https://e.example/"></iframe>text`,
			"text", nil, 3},
		{`<a href="/pic.jpg">pic</a> <a href="javascript:x()">js</a> <a href="mailto:a@b.example">mail</a>`, "pic js mail", nil, 0},
		{`<script>alert(1)</script><style>p{}</style>visible`, "visible", nil, 0},
		{`<pre>  keep
   spacing</pre>after`, "keep\n   spacing\n\nafter", nil, 0},
		{"bad \xff byte", "bad \uFFFD byte", nil, 0},
		{`<ul><li>one</li><li>two</li></ul>`, "one\ntwo", nil, 0},
		{`plain text, no tags: wickr: placeholder_01`, "plain text, no tags: wickr: placeholder_01", nil, 0},
	} {
		got := ReduceHTML(tc.in, base)
		if got.Text != tc.text || !reflect.DeepEqual(got.Links, tc.links) || got.Attachments != tc.att {
			t.Errorf("ReduceHTML(%q) = %q %v %d; want %q %v %d", tc.in, got.Text, got.Links, got.Attachments, tc.text, tc.links, tc.att)
		}
	}
}

func TestJoinText(t *testing.T) {
	if got := JoinText("Title", "", "Title", "body\r\n\r\n\r\nmore  "); got != "Title\n\nbody\n\nmore" {
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
		got := ReduceHTML(in, base)
		for _, l := range got.Links {
			if IsMediaURL(l) {
				t.Fatalf("media link %q", l)
			}
		}
		if got.Attachments < 0 {
			t.Fatal("negative attachments")
		}
	})
}

func BenchmarkReduceHTML(b *testing.B) {
	base, _ := url.Parse("https://forum.example/")
	in := strings.Repeat(`<p>Some <b>text</b> with a <a href="/x">link</a> and <img src="a.png"> an image.</p>`, 100)
	b.SetBytes(int64(len(in)))
	for i := 0; i < b.N; i++ {
		ReduceHTML(in, base)
	}
}
