package source

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Extract is a piece of markup reduced to what a post may keep: plain
// text, outbound non-media links, and a count of the media left out. Every
// adapter reduces through ReduceHTML or MarkdownText so that the detector
// sees posts of every source cut by the same rules.
type Extract struct {
	Text  string   // visible text; blocks separated by newlines
	Links []string // absolute http(s) hrefs, media dropped, each once, in order
	Media int      // embedded img, video, audio, iframe, …, and media links
}

// HTMLOptions tune ReduceHTML for one platform's markup.
type HTMLOptions struct {
	// Base resolves relative hrefs; nil keeps only absolute ones.
	Base *url.URL
	// SkipLink reports anchors whose href is not an outbound link
	// (mentions, hashtags, in-site search): their text stays, their href
	// is not listed.
	SkipLink func(a *html.Node) bool
	// Drop reports elements left out entirely, text and links.
	Drop func(n *html.Node) bool
}

// ReduceHTML reduces an HTML fragment to text: block elements and <br>
// become line breaks (a blank line between paragraphs), whitespace is
// collapsed outside <pre>, scripts, styles and forms vanish, images,
// video, audio and embeds are counted, never listed. Anchors keep their
// text; their hrefs become links unless SkipLink says so or they are media
// (counted, and an anchor whose text is only the URL leaves no text
// either). Fragments are kept: matrix.to and SimpleX links carry the
// handle there. Markup nested deeper than the parser takes is read
// flattened (FlattenHTML).
func ReduceHTML(fragment string, o HTMLOptions) Extract {
	nodes, err := parseFragment(fragment)
	if err != nil && !errors.Is(err, ErrFlattened) {
		// Past flattening the parser fails only on reader errors, and a
		// strings.Reader has none.
		return Extract{Text: CleanText(fragment)}
	}
	return ReduceHTMLNodes(nodes, o)
}

// ReduceHTMLNodes is ReduceHTML over nodes already parsed (a goquery
// selection), read in order.
func ReduceHTMLNodes(nodes []*html.Node, o HTMLOptions) Extract {
	r := reducer{o: o, seen: map[string]bool{}}
	for _, n := range nodes {
		r.walk(n)
	}
	return Extract{Text: CleanText(r.b.String()), Links: r.links, Media: r.media}
}

type reducer struct {
	o        HTMLOptions
	b        strings.Builder
	links    []string
	seen     map[string]bool
	media    int
	space    bool // a space is due before the next word
	newlines int  // newlines due before the next word
	pre      int  // depth inside <pre>
}

// skipped elements hold no visible text of the post. Inline <svg> is
// nearly always an icon of the page, not an attachment of the post.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Head: true, atom.Title: true, atom.Button: true, atom.Select: true,
	atom.Input: true, atom.Textarea: true, atom.Form: true, atom.Svg: true, atom.Math: true,
}

// embedded elements are media: counted, never descended into, their
// sources never kept.
var embedded = map[atom.Atom]bool{
	atom.Img: true, atom.Video: true, atom.Audio: true, atom.Iframe: true,
	atom.Embed: true, atom.Object: true, atom.Picture: true, atom.Canvas: true,
}

// blocks maps block elements to the line breaks around them: a blank line
// around paragraphs, headings, quotes and code, a line break around the
// rest (list items stay on consecutive lines, nested lists too).
var blocks = map[atom.Atom]int{
	atom.P: 2, atom.Blockquote: 2, atom.Pre: 2, atom.Hr: 2,
	atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2,
	atom.Div: 1, atom.Li: 1, atom.Ul: 1, atom.Ol: 1, atom.Dl: 1, atom.Dt: 1, atom.Dd: 1,
	atom.Table: 1, atom.Tr: 1, atom.Caption: 1, atom.Figure: 1, atom.Figcaption: 1,
	atom.Section: 1, atom.Article: 1, atom.Header: 1, atom.Footer: 1, atom.Aside: 1,
	atom.Details: 1, atom.Summary: 1, atom.Main: 1, atom.Nav: 1, atom.Address: 1,
	atom.Body: 1, atom.Html: 1,
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
	if skipped[n.DataAtom] || (r.o.Drop != nil && r.o.Drop(n)) {
		return
	}
	if embedded[n.DataAtom] || n.Data == "amp-img" || n.Data == "amp-video" {
		r.media++
		return
	}
	switch n.DataAtom {
	case atom.Br:
		// Counted, not maxed: <br><br> is the blank line of a paragraph
		// break in Telegram and Tumblr markup.
		r.newlines++
		return
	case atom.A:
		if !r.anchor(n) {
			return
		}
	case atom.Td, atom.Th:
		r.space = true
	}
	gap := blocks[n.DataAtom]
	r.newline(gap)
	if n.DataAtom == atom.Pre {
		r.pre++
	}
	r.children(n)
	if n.DataAtom == atom.Pre {
		r.pre--
	}
	r.newline(gap)
}

// anchor lists a's link and reports whether its text is to be kept.
func (r *reducer) anchor(a *html.Node) bool {
	href := strings.TrimSpace(Attr(a, "href"))
	if href == "" || strings.HasPrefix(href, "#") {
		return true
	}
	link := AbsoluteURL(r.o.Base, href)
	target := link
	if target == "" {
		target = href // relative without a base, data:, blob:
	}
	if IsMediaURL(target) {
		r.media++
		t := strings.TrimSpace(innerText(a))
		return t != "" && !looksLikeURL(t)
	}
	if link != "" && !r.seen[link] && (r.o.SkipLink == nil || !r.o.SkipLink(a)) {
		r.seen[link] = true
		r.links = append(r.links, link)
	}
	return true
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
			r.b.WriteString(strings.Repeat("\n", min(r.newlines, 2)))
		case r.space:
			r.b.WriteByte(' ')
		}
	}
	r.newlines, r.space = 0, false
}

func (r *reducer) text(s string) {
	if s == "" {
		return
	}
	if r.pre > 0 {
		r.flush()
		r.b.WriteString(strings.ReplaceAll(s, "\r\n", "\n"))
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

func startsSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

func endsSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}

// Attr returns the attribute key of the element n, or "".
func Attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// HasClass reports whether the element n carries the CSS class c.
func HasClass(n *html.Node, c string) bool {
	return slices.Contains(strings.Fields(Attr(n, "class")), c)
}

func innerText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

var urlLike = regexp.MustCompile(`^(?i)(?:https?://|www\.)\S+$|^[a-z0-9][a-z0-9.-]*\.[a-z]{2,}/\S*$`)

func looksLikeURL(s string) bool { return urlLike.MatchString(s) }

// CleanText makes s fit for a post: valid UTF-8 (bad bytes become U+FFFD),
// no NULs or stray control characters, \n line ends, runs of spaces inside
// a line squeezed to one (indentation is kept: it carries meaning in
// markdown and code), no trailing spaces on a line, at most one blank line
// in a row, trimmed.
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
		l = squeezeSpaces(strings.TrimRightFunc(l, unicode.IsSpace))
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 {
				continue
			}
			l = ""
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// squeezeSpaces collapses runs of spaces and tabs after the first
// non-space character of a line into one space.
func squeezeSpaces(l string) string {
	lead := len(l) - len(strings.TrimLeft(l, " \t"))
	body := l[lead:]
	if !strings.Contains(body, "  ") && !strings.Contains(body, "\t") {
		return l
	}
	var b strings.Builder
	b.WriteString(l[:lead])
	sp := false
	for _, r := range body {
		if r == ' ' || r == '\t' {
			if !sp {
				b.WriteByte(' ')
			}
			sp = true
			continue
		}
		sp = false
		b.WriteRune(r)
	}
	return b.String()
}

// JoinText joins a post's parts (title, body, poll, …) with a blank line,
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
