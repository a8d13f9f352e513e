package source

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLText is HTML reduced to what a post may keep: text, outbound
// non-media links and a count of the media that was embedded.
type HTMLText struct {
	Text        string   // visible text; blocks separated by newlines
	Links       []string // absolute http(s) hrefs, media dropped, each once, in order
	Attachments int      // embedded img, video, audio, iframe, embed, object, svg
}

// ReduceHTML reduces an HTML fragment to text. base resolves relative
// links; it may be nil, and then relative links are dropped.
func ReduceHTML(fragment string, base *url.URL) HTMLText {
	nodes, err := html.ParseFragment(strings.NewReader(fragment), &html.Node{
		Type: html.ElementNode, Data: "div", DataAtom: atom.Div,
	})
	if err != nil {
		// The parser only fails on reader errors; a strings.Reader has none.
		return HTMLText{Text: CleanText(fragment)}
	}
	return ReduceHTMLNodes(base, nodes...)
}

// ReduceHTMLNodes is ReduceHTML for nodes already parsed (goquery
// selections), read in order.
func ReduceHTMLNodes(base *url.URL, nodes ...*html.Node) HTMLText {
	r := reducer{base: base, seen: map[string]bool{}}
	for _, n := range nodes {
		r.walk(n)
	}
	return HTMLText{Text: CleanText(r.b.String()), Links: r.links, Attachments: r.attachments}
}

type reducer struct {
	b           strings.Builder
	base        *url.URL
	links       []string
	seen        map[string]bool
	attachments int
	space       bool // a space is due before the next word
	newlines    int  // newlines due before the next word
	pre         int  // depth inside <pre>
}

// skipped elements hold no visible text of the post.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Head: true, atom.Title: true, atom.Button: true, atom.Select: true,
	atom.Input: true, atom.Textarea: true, atom.Form: true,
}

// embedded elements are media: counted, never descended into, their
// sources never kept.
var embedded = map[atom.Atom]bool{
	atom.Img: true, atom.Video: true, atom.Audio: true, atom.Iframe: true,
	atom.Embed: true, atom.Object: true, atom.Svg: true, atom.Picture: true,
	atom.Canvas: true,
}

var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Li: true, atom.Ul: true, atom.Ol: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Blockquote: true, atom.Pre: true, atom.Tr: true, atom.Table: true,
	atom.Section: true, atom.Article: true, atom.Header: true, atom.Footer: true,
	atom.Aside: true, atom.Hr: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Figure: true, atom.Figcaption: true, atom.Details: true, atom.Summary: true,
	atom.Main: true, atom.Nav: true, atom.Address: true, atom.Body: true, atom.Html: true,
}

func (r *reducer) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.DocumentNode:
		r.children(n)
		return
	case html.ElementNode:
	default:
		return
	}
	if skipped[n.DataAtom] {
		return
	}
	if embedded[n.DataAtom] || n.Data == "amp-img" || n.Data == "amp-video" {
		r.attachments++
		return
	}
	switch n.DataAtom {
	case atom.Br:
		r.newline(1)
		return
	case atom.A:
		r.link(attr(n, "href"))
	case atom.Td, atom.Th:
		r.space = true
	}
	block := blocks[n.DataAtom]
	if block {
		r.newline(blockGap(n.DataAtom))
	}
	if n.DataAtom == atom.Pre {
		r.pre++
	}
	r.children(n)
	if n.DataAtom == atom.Pre {
		r.pre--
	}
	if block {
		r.newline(blockGap(n.DataAtom))
	}
}

func blockGap(a atom.Atom) int {
	switch a {
	case atom.P, atom.Blockquote, atom.Pre, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Hr:
		return 2
	}
	return 1
}

func (r *reducer) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		r.walk(c)
	}
}

func (r *reducer) newline(n int) {
	if n > r.newlines {
		r.newlines = n
	}
}

// flush writes the separator due before the next piece of text.
func (r *reducer) flush() {
	if r.b.Len() > 0 {
		switch {
		case r.newlines > 0:
			r.b.WriteString(strings.Repeat("\n", r.newlines))
		case r.space:
			r.b.WriteByte(' ')
		}
	}
	r.newlines, r.space = 0, false
}

func (r *reducer) text(s string) {
	if r.pre > 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		if s == "" {
			return
		}
		r.flush()
		r.b.WriteString(s)
		return
	}
	if s == "" {
		return
	}
	if startsSpace(s) {
		r.space = true
	}
	for i, w := range strings.Fields(s) {
		if i > 0 {
			r.space = true
		}
		r.flush()
		r.b.WriteString(w)
	}
	if endsSpace(s) {
		r.space = true
	}
}

func (r *reducer) link(href string) {
	href = strings.TrimSpace(href)
	if href == "" || strings.HasPrefix(href, "#") {
		return
	}
	u, err := url.Parse(href)
	if err != nil {
		return
	}
	if !u.IsAbs() {
		if r.base == nil {
			return
		}
		u = r.base.ResolveReference(u)
	}
	if s := strings.ToLower(u.Scheme); (s != "http" && s != "https") || u.Host == "" || isMedia(u) {
		return
	}
	u.Fragment = ""
	abs := u.String()
	if !r.seen[abs] {
		r.seen[abs] = true
		r.links = append(r.links, abs)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func startsSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

func endsSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}

// CleanText makes s fit for a post: valid UTF-8 (bad bytes become U+FFFD),
// no NULs or stray control characters, \n line ends, no trailing spaces on
// a line, at most one blank line in a row, trimmed.
func CleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			return '\n'
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// JoinText joins a post's parts (title, body, …) with a blank line,
// skipping empty parts and a part that repeats the one before it (feeds
// often repeat the title as the body).
func JoinText(parts ...string) string {
	var kept []string
	for _, p := range parts {
		p = CleanText(p)
		if p == "" || (len(kept) > 0 && kept[len(kept)-1] == p) {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "\n\n")
}
