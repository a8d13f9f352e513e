package platform

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Extract is a piece of markup reduced to what a post carries: plain
// text, outbound non-media links, and a count of the media left out.
type Extract struct {
	Text  string
	Links []string
	Media int
}

// HTMLOptions tune HTMLText for one platform's markup.
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

// HTMLText reduces an HTML fragment to text: block elements and <br>
// become line breaks (a blank line between paragraphs), whitespace is
// collapsed, scripts and styles vanish, images, video, audio and embeds
// are counted, never listed. Anchors keep their text; their hrefs become
// links unless they are media (then an anchor whose text is only the URL
// leaves no text either) or SkipLink says so.
func HTMLText(fragment string, o HTMLOptions) Extract {
	root, err := html.Parse(strings.NewReader(fragment))
	if err != nil {
		// x/net/html only fails on reader errors; a strings.Reader has none.
		return Extract{Text: fragment}
	}
	return NodesText([]*html.Node{root}, o)
}

// NodesText is HTMLText over nodes already parsed (a goquery selection).
func NodesText(nodes []*html.Node, o HTMLOptions) Extract {
	w := &textWriter{o: o}
	for _, n := range nodes {
		w.walk(n, false)
	}
	return Extract{Text: tidy(w.b.String()), Links: w.links, Media: w.media}
}

type textWriter struct {
	o        HTMLOptions
	b        strings.Builder
	links    []string
	media    int
	newlines int  // line breaks owed before the next text
	space    bool // a space owed before the next text
}

var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Template: true, atom.Noscript: true, atom.Head: true,
	atom.Svg: true, atom.Math: true, atom.Button: true, atom.Select: true, atom.Input: true, atom.Textarea: true,
}

var mediaElems = map[atom.Atom]bool{
	atom.Img: true, atom.Video: true, atom.Audio: true, atom.Picture: true, atom.Iframe: true,
	atom.Object: true, atom.Embed: true, atom.Canvas: true,
}

// blocks maps block elements to the line breaks around them.
var blocks = map[atom.Atom]int{
	atom.P: 2, atom.Blockquote: 2, atom.Pre: 2, atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2,
	atom.H5: 2, atom.H6: 2, atom.Ul: 2, atom.Ol: 2, atom.Table: 2, atom.Figure: 2, atom.Hr: 2,
	atom.Div: 1, atom.Li: 1, atom.Tr: 1, atom.Dd: 1, atom.Dt: 1, atom.Dl: 1, atom.Section: 1,
	atom.Article: 1, atom.Header: 1, atom.Footer: 1, atom.Aside: 1, atom.Nav: 1, atom.Main: 1,
	atom.Figcaption: 1, atom.Details: 1, atom.Summary: 1, atom.Address: 1, atom.Caption: 1,
}

func (w *textWriter) walk(n *html.Node, pre bool) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data, pre)
		return
	case html.ElementNode:
		if skipped[n.DataAtom] || (w.o.Drop != nil && w.o.Drop(n)) {
			return
		}
		if mediaElems[n.DataAtom] {
			w.media++
			return
		}
		switch n.DataAtom {
		case atom.Br:
			w.newlines++
			return
		case atom.Td, atom.Th:
			w.space = true
		case atom.A:
			w.anchor(n, pre)
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	nl := blocks[n.DataAtom]
	w.breakLine(nl)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, pre || n.DataAtom == atom.Pre)
	}
	w.breakLine(nl)
}

func (w *textWriter) anchor(a *html.Node, pre bool) {
	href := strings.TrimSpace(attr(a, "href"))
	link := w.resolve(href)
	if link != "" && IsMedia(link) {
		w.media++
		if t := strings.TrimSpace(innerText(a)); t == "" || looksLikeURL(t) {
			return
		}
	} else if link != "" && (w.o.SkipLink == nil || !w.o.SkipLink(a)) {
		w.links = append(w.links, link)
	}
	for c := a.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, pre)
	}
}

func (w *textWriter) resolve(href string) string {
	if href == "" || strings.HasPrefix(href, "#") {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if !u.IsAbs() {
		if w.o.Base == nil {
			return ""
		}
		u = w.o.Base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}

func (w *textWriter) breakLine(n int) {
	if n > w.newlines {
		w.newlines = n
	}
}

func (w *textWriter) text(s string, pre bool) {
	if !pre {
		lead := s != "" && isSpace(s[0])
		trail := s != "" && isSpace(s[len(s)-1])
		s = strings.Join(strings.Fields(s), " ")
		if s == "" {
			if lead {
				w.space = true
			}
			return
		}
		if lead {
			w.space = true
		}
		defer func() { w.space = trail }()
	}
	if s == "" {
		return
	}
	if w.b.Len() > 0 {
		switch {
		case w.newlines > 0:
			w.b.WriteString(strings.Repeat("\n", min(w.newlines, 2)))
		case w.space:
			w.b.WriteByte(' ')
		}
	}
	w.newlines, w.space = 0, false
	w.b.WriteString(s)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// HasClass reports whether the element n carries the CSS class c.
func HasClass(n *html.Node, c string) bool {
	return slices.Contains(strings.Fields(attr(n, "class")), c)
}

// Attr returns the attribute key of n, or "".
func Attr(n *html.Node, key string) string { return attr(n, key) }

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

// urlInText finds URLs as people write them: with a scheme, starting
// with www., or a bare host followed by a path.
var urlInText = regexp.MustCompile(`(?i)\bhttps?://[^\s<>"'\x60]+|\bwww\.[^\s<>"'\x60]+|\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,}/[^\s<>"'\x60]*`)

// trimURL drops the punctuation that ends a sentence or a parenthesis
// around a URL written in text.
func trimURL(u string) string {
	for u != "" {
		r, size := utf8.DecodeLastRuneInString(u)
		switch {
		case strings.ContainsRune(".,;:!?…'\"*_~", r):
		case r == ')' && strings.Count(u, "(") < strings.Count(u, ")"):
		case r == ']' && strings.Count(u, "[") < strings.Count(u, "]"):
		default:
			return u
		}
		u = u[:len(u)-size]
	}
	return u
}

// TextLinks returns the http(s) URLs written in plain text, in order.
func TextLinks(s string) []string {
	var out []string
	for _, m := range urlInText.FindAllString(s, -1) {
		m = trimURL(m)
		if !strings.Contains(m, "://") {
			m = "https://" + m
		}
		out = append(out, m)
	}
	return out
}

// ScrubMedia removes media URLs written in text and counts them.
func ScrubMedia(s string) (string, int) {
	n := 0
	out := urlInText.ReplaceAllStringFunc(s, func(m string) string {
		u := trimURL(m)
		if !IsMedia(u) {
			return m
		}
		n++
		return m[len(u):]
	})
	return out, n
}

var (
	mdImage  = regexp.MustCompile(`!\[[^\]]*\]\(\s*<?([^\s)>]*)>?(?:\s+"[^"]*")?\s*\)`)
	mdTarget = regexp.MustCompile(`\]\(\s*<?([^\s)>]+)>?(?:\s+"[^"]*")?\s*\)`)
	mdAuto   = regexp.MustCompile(`<(https?://[^\s>]+)>`)
)

// MarkdownText reduces markdown (Reddit's selftext, Lemmy bodies) to the
// text as typed, minus images: image syntax is removed and counted,
// link targets and bare URLs become links (media ones are counted and
// removed from the text by Finish).
func MarkdownText(md string) Extract {
	var e Extract
	md = mdImage.ReplaceAllStringFunc(md, func(string) string {
		e.Media++
		return ""
	})
	for _, m := range mdTarget.FindAllStringSubmatch(md, -1) {
		e.Links = append(e.Links, m[1])
	}
	for _, m := range mdAuto.FindAllStringSubmatch(md, -1) {
		e.Links = append(e.Links, m[1])
	}
	e.Links = append(e.Links, TextLinks(md)...)
	e.Text = tidy(md)
	return e
}

// CleanLinks keeps absolute http(s) links that are not media, once each,
// in order, and reports how many media links it dropped.
func CleanLinks(links []string) ([]string, int) {
	var out []string
	media := 0
	seen := make(map[string]bool, len(links))
	for _, l := range links {
		l = strings.TrimSpace(l)
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l) > 2048 {
			continue
		}
		if !utf8.ValidString(l) {
			continue
		}
		if IsMedia(l) {
			media++
			continue
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out, media
}

// Finish applies the post invariants every adapter owes the wire
// contract: valid UTF-8, no media URL in the text or the links (each one
// removed is counted in Attachments), links absolute, unique and
// non-media, text tidy.
func Finish(p *wire.Post) {
	p.Schema = wire.SchemaVersion
	p.Text = strings.ToValidUTF8(p.Text, "\uFFFD")
	text, n := ScrubMedia(p.Text)
	p.Text = tidy(text)
	links, _ := CleanLinks(p.Links)
	p.Links = links
	p.Attachments += n
	p.Author = strings.ToValidUTF8(strings.TrimSpace(p.Author), "\uFFFD")
	p.Lang = strings.ToValidUTF8(p.Lang, "")
	if !p.CreatedAt.IsZero() {
		p.CreatedAt = p.CreatedAt.UTC()
	}
	if !p.FetchedAt.IsZero() {
		p.FetchedAt = p.FetchedAt.UTC()
	}
}

// JoinText joins non-empty parts with a blank line, for title + body.
func JoinText(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n")
}

// tidy normalises line ends, trims each line, squeezes inner runs of
// spaces, keeps at most one blank line in a row and trims the whole.
func tidy(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		l = squeezeSpaces(l)
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

// squeezeSpaces collapses runs of two or more spaces after the first
// non-space character (indentation is kept: it can carry meaning in
// markdown and code).
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
