package source

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

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
		if !IsMediaURL(u) {
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
// text as typed, minus media: image syntax and media URLs are removed and
// counted here, so a caller can weigh the count against the platform's own
// list of inline media; link targets and bare URLs become links.
func MarkdownText(md string) Extract {
	var e Extract
	md = mdImage.ReplaceAllStringFunc(md, func(string) string {
		e.Media++
		return ""
	})
	md, n := ScrubMedia(md)
	e.Media += n
	for _, m := range mdTarget.FindAllStringSubmatch(md, -1) {
		e.Links = append(e.Links, m[1])
	}
	for _, m := range mdAuto.FindAllStringSubmatch(md, -1) {
		e.Links = append(e.Links, m[1])
	}
	e.Links = append(e.Links, TextLinks(md)...)
	e.Text = CleanText(md)
	return e
}
