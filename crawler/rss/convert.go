package rss

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
	"golang.org/x/net/html/charset"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// ErrNotAFeed means the body is neither RSS, Atom nor JSON Feed.
var ErrNotAFeed = errors.New("not a feed")

var xmlEncodingDecl = regexp.MustCompile(`^\s*(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// ParseFeed parses a feed body as the server sent it. An XML encoding
// declaration wins (gofeed transcodes by it); otherwise the Content-Type
// charset is applied. Bytes that are not valid UTF-8 where UTF-8 is
// expected, and control characters XML forbids, are replaced rather than
// failing the whole feed.
func ParseFeed(body []byte, contentType string) (*gofeed.Feed, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrNotAFeed)
	}
	declared := ""
	if m := xmlEncodingDecl.FindSubmatch(firstBytes(body, 512)); m != nil {
		declared = strings.ToLower(string(m[1]))
	}
	if declared == "" {
		if _, params, err := mime.ParseMediaType(contentType); err == nil {
			if cs := strings.ToLower(params["charset"]); cs != "" && cs != "utf-8" && cs != "utf8" {
				if enc, _ := charset.Lookup(cs); enc != nil {
					if out, err := enc.NewDecoder().Bytes(body); err == nil {
						body = out
					}
				}
			}
		}
	}
	utf8Expected := declared == "" || declared == "utf-8" || declared == "utf8"
	if utf8Expected && !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	if !strings.HasPrefix(declared, "utf-16") {
		body = dropControls(body)
	}
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return nil, fmt.Errorf("%w: %v", ErrNotAFeed, err)
	}
	if err != nil {
		return nil, err
	}
	return feed, nil
}

// dropControls removes the C0 control bytes XML 1.0 forbids (all but tab,
// newline and carriage return): one stray byte would fail the feed.
func dropControls(b []byte) []byte {
	clean := true
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			clean = false
			break
		}
	}
	if clean {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
			out = append(out, c)
		}
	}
	return out
}

func firstBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// Convert turns each item of feed into a post, newest last as the feed
// lists them; feedURL is where the feed was fetched (after redirects) and
// resolves relative links. An item that cannot be a post is reported to
// skip and left out.
func Convert(feed *gofeed.Feed, feedURL *url.URL, fetched time.Time, skip func(item int, err error)) []wire.Post {
	feedLink := feedURL
	if l, err := url.Parse(strings.TrimSpace(feed.Link)); err == nil && l.IsAbs() && (l.Scheme == "http" || l.Scheme == "https") {
		feedLink = l
	}
	lang := normaliseLang(feed.Language)
	posts := make([]wire.Post, 0, len(feed.Items))
	for i, it := range feed.Items {
		if it == nil {
			continue
		}
		p, err := ConvertItem(it, feedURL, feedLink, lang, fetched)
		if err != nil {
			if skip != nil {
				skip(i, err)
			}
			continue
		}
		posts = append(posts, p)
	}
	return posts
}

// ConvertItem turns one feed item into a post.
func ConvertItem(it *gofeed.Item, feedURL, feedLink *url.URL, lang string, fetched time.Time) (wire.Post, error) {
	link := absolute(it.Link, feedLink, feedURL)
	guid := strings.TrimSpace(it.GUID)

	body := it.Content
	if strings.TrimSpace(body) == "" {
		body = it.Description
	}
	base := feedLink
	if link != nil {
		base = link
	}
	reduced := source.ReduceHTML(body, source.HTMLOptions{Base: base})
	title := source.ReduceHTML(it.Title, source.HTMLOptions{Base: base}).Text
	text := source.JoinText(title, reduced.Text)

	id := guid
	if id == "" && link != nil {
		id = link.String()
	}
	if id == "" {
		if text == "" {
			return wire.Post{}, errors.New("item has no id, link, title or content")
		}
		sum := sha256.Sum256([]byte(title + "\x00" + body))
		id = "sha256:" + hex.EncodeToString(sum[:16])
	}

	permalink := ""
	switch {
	case link != nil:
		permalink = link.String()
	case strings.HasPrefix(guid, "http://") || strings.HasPrefix(guid, "https://"):
		permalink = guid
	default:
		permalink = feedLink.String()
	}

	p := wire.Post{
		ID:          id,
		Permalink:   permalink,
		Author:      author(it),
		Text:        text,
		Links:       reduced.Links,
		Lang:        lang,
		Attachments: reduced.Media + attachments(it),
		FetchedAt:   fetched,
	}
	switch {
	case it.PublishedParsed != nil:
		p.CreatedAt = it.PublishedParsed.UTC()
	case it.UpdatedParsed != nil:
		p.CreatedAt = it.UpdatedParsed.UTC()
	default:
		p.CreatedAt = fetched
	}
	source.FinishPost(&p)
	return p, nil
}

// absolute resolves raw against the first base that is not nil.
func absolute(raw string, bases ...*url.URL) *url.URL {
	for _, b := range bases {
		if b != nil {
			return source.ResolveURL(b, raw)
		}
	}
	return source.ResolveURL(nil, raw)
}

func author(it *gofeed.Item) string {
	for _, a := range append([]*gofeed.Person{it.Author}, it.Authors...) {
		if a == nil {
			continue
		}
		if n := source.CleanText(a.Name); n != "" {
			return n
		}
		if e := source.CleanText(a.Email); e != "" {
			return e
		}
	}
	if it.DublinCoreExt != nil {
		for _, c := range it.DublinCoreExt.Creator {
			if c = source.CleanText(c); c != "" {
				return c
			}
		}
	}
	return ""
}

// attachments counts an item's enclosures and Media RSS objects
// (media:content, or media:thumbnail where there is no content), top level
// and in media:group.
func attachments(it *gofeed.Item) int {
	n := len(it.Enclosures)
	media := it.Extensions["media"]
	if media == nil {
		return n
	}
	count := func(m map[string][]ext.Extension) int {
		if c := len(m["content"]); c > 0 {
			return c
		}
		return len(m["thumbnail"])
	}
	n += count(media)
	for _, g := range media["group"] {
		n += count(g.Children)
	}
	return n
}

// normaliseLang keeps a BCP 47-looking tag: "en-US", "de".
func normaliseLang(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))
	if s == "" || len(s) > 35 {
		return ""
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return s
}
