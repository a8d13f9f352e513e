package reddit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/dump"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// site is where permalinks point, whatever host the API was read from.
const site = "https://www.reddit.com"

var siteURL, _ = url.Parse(site)

// item is one thing of a listing, mapped, with its window order key.
type item struct {
	post  wire.Post
	order int64
}

func itemKey(it item) (string, int64) { return it.post.ID, it.order }

// page is one decoded Listing.
type page struct {
	items []item
	after string
	bad   []error // children that did not decode, skipped
}

type listingJSON struct {
	Kind string `json:"kind"`
	Data struct {
		After    *string           `json:"after"`
		Children []json.RawMessage `json:"children"`
	} `json:"data"`
}

type thingJSON struct {
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data"`
}

type thingData struct {
	ID                  string                     `json:"id"`
	Name                string                     `json:"name"`
	Author              string                     `json:"author"`
	CreatedUTC          dump.Time                  `json:"created_utc"` // a float, or a string in old dumps
	Permalink           string                     `json:"permalink"`
	Subreddit           string                     `json:"subreddit"`
	Title               string                     `json:"title"`
	Selftext            string                     `json:"selftext"`
	SelftextHTML        *string                    `json:"selftext_html"`
	Body                string                     `json:"body"`
	BodyHTML            *string                    `json:"body_html"`
	URL                 string                     `json:"url"`
	URLOverriddenByDest string                     `json:"url_overridden_by_dest"`
	IsSelf              bool                       `json:"is_self"`
	IsVideo             bool                       `json:"is_video"`
	IsGallery           bool                       `json:"is_gallery"`
	PostHint            string                     `json:"post_hint"`
	GalleryData         *struct{ Items []any }     `json:"gallery_data"`
	MediaMetadata       map[string]json.RawMessage `json:"media_metadata"`
}

// parseListing decodes a Listing. A child that does not decode, or lacks
// an id, is reported in bad and skipped; the rest are kept. A body that
// is not a Listing at all is an error.
func parseListing(body []byte, m meta) (page, error) {
	var l listingJSON
	if err := platform.Unmarshal(bytes.TrimSpace(body), &l); err != nil {
		return page{}, fmt.Errorf("decoding listing: %w", err)
	}
	if l.Kind != "Listing" {
		return page{}, fmt.Errorf("decoding listing: kind %q, want Listing", l.Kind)
	}
	var p page
	if l.Data.After != nil {
		p.after = *l.Data.After
	}
	for i, raw := range l.Data.Children {
		it, err := parseThing(raw, m)
		if err != nil {
			p.bad = append(p.bad, fmt.Errorf("child %d: %w", i, err))
			continue
		}
		p.items = append(p.items, it)
	}
	return p, nil
}

func parseThing(raw json.RawMessage, m meta) (item, error) {
	var th thingJSON
	if err := json.Unmarshal(raw, &th); err != nil {
		return item{}, err
	}
	if th.Kind != "t3" && th.Kind != "t1" {
		return item{}, fmt.Errorf("unsupported kind %q", th.Kind)
	}
	var d thingData
	if err := json.Unmarshal(th.Data, &d); err != nil {
		return item{}, fmt.Errorf("%s: %w", th.Kind, err)
	}
	if d.ID == "" && d.Name == "" {
		return item{}, errors.New(th.Kind + ": no id or name")
	}
	if d.Name == "" {
		d.Name = th.Kind + "_" + d.ID
	}
	created := d.CreatedUTC.Time
	if created.Unix() <= 0 {
		created = time.Time{} // 0 is Reddit's "unknown", not 1970
	}
	p := wire.Post{
		Source:     m.source,
		SourceKind: m.kind,
		ID:         d.Name,
		Permalink:  permalink(d.Permalink),
		Author:     d.Author,
		CreatedAt:  created,
		FetchedAt:  m.now,
	}
	if d.Author != "" && d.Author != "[deleted]" {
		p.AuthorURL = site + "/user/" + url.PathEscape(d.Author) + "/"
	}
	inline := len(d.MediaMetadata)
	if th.Kind == "t3" {
		body := markup(d.SelftextHTML, d.Selftext)
		p.Text = source.JoinText(d.Title, body.Text)
		p.Links = body.Links
		p.Attachments = max(inline, body.Media)
		dest := d.URLOverriddenByDest
		if dest == "" && !d.IsSelf {
			dest = d.URL
		}
		if dest != "" {
			if u := source.AbsoluteURL(siteURL, dest); u != "" && u != p.Permalink {
				if source.IsMediaURL(u) || d.IsVideo || d.PostHint == "image" || d.PostHint == "hosted:video" {
					// The post's link is its media: count it (a
					// gallery counts its items), never list it.
					switch {
					case d.IsGallery && d.GalleryData != nil:
						p.Attachments = max(p.Attachments, len(d.GalleryData.Items))
					case d.IsGallery:
						p.Attachments = max(p.Attachments, 1)
					default:
						p.Attachments++
					}
				} else {
					p.Links = append([]string{u}, p.Links...)
				}
			}
		}
	} else {
		body := markup(d.BodyHTML, d.Body)
		p.Text = body.Text
		p.Links = body.Links
		p.Attachments = max(inline, body.Media)
	}
	if p.Permalink == "" {
		p.Permalink = site + "/comments/" + url.PathEscape(strings.TrimPrefix(strings.TrimPrefix(d.Name, "t3_"), "t1_")) + "/"
	}
	source.FinishPost(&p)
	return item{post: p, order: created.UnixMilli()}, nil
}

// markup prefers Reddit's rendered HTML (raw_json=1 leaves it unescaped)
// and falls back to the markdown source.
func markup(htmlText *string, md string) source.Extract {
	if htmlText != nil && strings.TrimSpace(*htmlText) != "" {
		return source.ReduceHTML(*htmlText, source.HTMLOptions{Base: siteURL})
	}
	return source.MarkdownText(md)
}

func permalink(p string) string {
	if p == "" {
		return ""
	}
	return source.AbsoluteURL(siteURL, p)
}

// oldestFirst sorts items by creation, then id.
func oldestFirst(items []item) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i].post, items[j].post
		if !a.CreatedAt.Equal(b.CreatedAt) {
			return a.CreatedAt.Before(b.CreatedAt)
		}
		return a.ID < b.ID
	})
}
