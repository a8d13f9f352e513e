package bluesky

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

const postCollection = "app.bsky.feed.post"

// postRecord is an app.bsky.feed.post record; only the fields we read.
type postRecord struct {
	Type      string   `json:"$type"`
	Text      string   `json:"text"`
	CreatedAt string   `json:"createdAt"`
	Langs     []string `json:"langs"`
	Facets    []facet  `json:"facets"`
	Embed     *embed   `json:"embed"`
}

type facet struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []struct {
		Type string `json:"$type"`
		URI  string `json:"uri"`
	} `json:"features"`
}

type embed struct {
	Type     string            `json:"$type"`
	Images   []json.RawMessage `json:"images"`
	Video    json.RawMessage   `json:"video"`
	External *struct {
		URI string `json:"uri"`
	} `json:"external"`
	Media *embed `json:"media"` // recordWithMedia
}

// author is what we know of a post's author.
type author struct {
	did    string
	handle string // "" on Jetstream, which carries DIDs only
}

// meta is what a mapped post takes from its source.
type meta struct {
	source, kind string
	now          time.Time
}

// atURI is at://DID/COLLECTION/RKEY.
type atURI struct{ did, collection, rkey string }

func parseATURI(s string) (atURI, error) {
	rest, ok := strings.CutPrefix(s, "at://")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return atURI{}, fmt.Errorf("not an at-uri: %q", platform.Snippet([]byte(s), 100))
	}
	return atURI{did: parts[0], collection: parts[1], rkey: parts[2]}, nil
}

func (u atURI) String() string { return "at://" + u.did + "/" + u.collection + "/" + u.rkey }

// permalink is the post's page on bsky.app.
func (u atURI) permalink() string {
	return "https://bsky.app/profile/" + url.PathEscape(u.did) + "/post/" + url.PathEscape(u.rkey)
}

// mapRecord maps a post record. fallback is the time used when createdAt
// is missing or unreadable (Jetstream's time_us, the AppView's indexedAt).
func mapRecord(rec *postRecord, uri atURI, a author, fallback time.Time, m meta) (wire.Post, error) {
	if uri.collection != postCollection {
		return wire.Post{}, fmt.Errorf("%s: not a post", uri)
	}
	if a.did == "" {
		a.did = uri.did
	}
	if !strings.HasPrefix(a.did, "did:") {
		return wire.Post{}, fmt.Errorf("%s: author %q is not a DID", uri, a.did)
	}
	created := fallback
	if t, err := time.Parse(time.RFC3339Nano, rec.CreatedAt); err == nil {
		created = t
	}
	if created.IsZero() {
		return wire.Post{}, fmt.Errorf("%s: no time", uri)
	}
	p := wire.Post{
		Source:     m.source,
		SourceKind: m.kind,
		ID:         uri.String(),
		Permalink:  uri.permalink(),
		Author:     a.handle,
		AuthorURL:  "https://bsky.app/profile/" + url.PathEscape(a.did),
		CreatedAt:  created,
		FetchedAt:  m.now,
	}
	if p.Author == "" || p.Author == "handle.invalid" {
		p.Author = a.did
	}
	if len(rec.Langs) > 0 {
		p.Lang = rec.Langs[0]
	}
	text, links, media := expandFacets(rec.Text, rec.Facets)
	p.Text, p.Links, p.Attachments = text, links, media
	if e := rec.Embed; e != nil {
		p.Attachments += embedMedia(e)
		if u := externalURI(e); u != "" {
			if source.IsMediaURL(u) {
				p.Attachments++
			} else {
				p.Links = append(p.Links, u)
			}
		}
	}
	source.FinishPost(&p)
	return p, nil
}

// embedMedia counts the images and videos of an embed, recordWithMedia
// included.
func embedMedia(e *embed) int {
	n := len(e.Images)
	if len(e.Video) > 0 && string(e.Video) != "null" {
		n++
	}
	if strings.HasPrefix(e.Type, "app.bsky.embed.video") && n == 0 {
		n = 1
	}
	if e.Media != nil {
		n += embedMedia(e.Media)
	}
	return n
}

func externalURI(e *embed) string {
	if e.External != nil {
		return strings.TrimSpace(e.External.URI)
	}
	if e.Media != nil && e.Media.External != nil {
		return strings.TrimSpace(e.Media.External.URI)
	}
	return ""
}

// expandFacets returns the text with each link facet's label replaced by
// its full uri when the label is that uri shortened (clients show
// "example.com/long/pa..."), the facets' uris as links, and the number of
// media uris among them (removed from the text). Facet offsets are UTF-8
// byte offsets; a facet outside the text, off a character boundary or
// overlapping an earlier one is ignored for the text (its uri still
// counts).
func expandFacets(text string, facets []facet) (string, []string, int) {
	type span struct {
		start, end int
		uri        string
	}
	var spans []span
	var links []string
	media := 0
	for _, f := range facets {
		for _, ft := range f.Features {
			if ft.Type != "app.bsky.richtext.facet#link" || ft.URI == "" {
				continue
			}
			isMedia := source.IsMediaURL(ft.URI)
			if isMedia {
				media++
			} else {
				links = append(links, ft.URI)
			}
			s, e := f.Index.ByteStart, f.Index.ByteEnd
			if s < 0 || e > len(text) || s >= e || !boundary(text, s) || !boundary(text, e) {
				continue
			}
			if isMedia {
				spans = append(spans, span{s, e, ""})
			} else if shortens(text[s:e], ft.URI) {
				spans = append(spans, span{s, e, ft.URI})
			}
		}
	}
	if len(spans) == 0 {
		return text, links, media
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		if sp.start < at {
			continue // overlaps the previous facet
		}
		b.WriteString(text[at:sp.start])
		b.WriteString(sp.uri)
		at = sp.end
	}
	b.WriteString(text[at:])
	return b.String(), links, media
}

func boundary(s string, i int) bool { return i == len(s) || utf8.RuneStart(s[i]) }

// shortens reports whether label is uri as Bluesky clients display it:
// without the scheme, possibly cut and ended with "..." or "…".
func shortens(label, uri string) bool {
	strip := func(s string) string {
		s = strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://")
		return strings.TrimPrefix(s, "www.")
	}
	l := strings.TrimSpace(label)
	l = strings.TrimSuffix(strings.TrimSuffix(l, "..."), "…")
	l = strip(l)
	return l != "" && strings.HasPrefix(strip(uri), l)
}

var errNotPost = errors.New("not a post create")
