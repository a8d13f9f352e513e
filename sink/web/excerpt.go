package web

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// segment is a piece of crawled text as the page shows it. Every piece is
// text: html/template escapes it, and links are never made clickable.
type segment struct {
	Text   string
	Mark   bool // a matched span (a signal or the handle)
	Host   bool // the host of a link
	Danger bool // a scheme that runs code when followed (javascript:, data:…)
}

// linkRE finds what a browser would take for a link: scheme://host… and
// the code-running schemes, which have no host.
var linkRE = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.\-]{0,15}://)([^\s/?#<>"'` + "`" + `]+)|\b(javascript|vbscript|data|blob|file):`)

// segments cuts text into pieces at the spans (merged first: they may
// overlap) and, inside each piece, at link hosts and dangerous schemes.
func segments(text string, spans []wire.Span) []segment {
	var out []segment
	pos := 0
	for _, sp := range cases.MergeSpans(text, spans) {
		out = appendLinks(out, text[pos:sp.Start], false)
		out = appendLinks(out, text[sp.Start:sp.End], true)
		pos = sp.End
	}
	return appendLinks(out, text[pos:], false)
}

func appendLinks(out []segment, s string, mark bool) []segment {
	if s == "" {
		return out
	}
	pos := 0
	for _, m := range linkRE.FindAllStringSubmatchIndex(s, -1) {
		if m[2] >= 0 { // scheme://host
			out = append(out, segment{Text: s[pos:m[3]], Mark: mark}, segment{Text: s[m[4]:m[5]], Mark: mark, Host: true})
			pos = m[5]
			continue
		}
		out = append(out, segment{Text: s[pos:m[0]], Mark: mark}, segment{Text: s[m[0]:m[1]], Mark: mark, Danger: true})
		pos = m[1]
	}
	out = append(out, segment{Text: s[pos:], Mark: mark})
	// Drop the empty pieces the cuts leave.
	n := 0
	for _, sg := range out {
		if sg.Text != "" {
			out[n] = sg
			n++
		}
	}
	return out[:n]
}

// link is a URL shown as text, with its host marked; Href is set only for
// http(s) URLs, which the page offers to open in a new tab on request.
type link struct {
	Before, Host, After string
	Href                string
	Danger              bool // a scheme that runs code (javascript:…)
}

func linkOf(raw string) link {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		l := link{Before: raw}
		for _, sg := range appendLinks(nil, raw, false) {
			l.Danger = l.Danger || sg.Danger
		}
		return l
	}
	i := strings.Index(raw, u.Host)
	if i < 0 {
		return link{Before: raw}
	}
	l := link{Before: raw[:i], Host: u.Host, After: raw[i+len(u.Host):]}
	if u.Scheme == "http" || u.Scheme == "https" {
		l.Href = u.String()
	}
	return l
}

// clip is the segments of at most n bytes of an excerpt (cut on a rune
// boundary, with an ellipsis), for the queue's one-line view.
func clip(e wire.Excerpt, n int) []segment {
	text := e.Text
	if len(text) <= n {
		return segments(text, e.Spans)
	}
	for n > 0 && !utf8.RuneStart(text[n]) {
		n--
	}
	var spans []wire.Span
	for _, sp := range e.Spans {
		if sp.Start < n {
			spans = append(spans, wire.Span{Start: sp.Start, End: min(sp.End, n)})
		}
	}
	return append(segments(text[:n], spans), segment{Text: "…"})
}
