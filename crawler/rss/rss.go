package rss

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Accept is what a feed may be served as. HTML is not a feed: a login
// wall or error page behind a 200 is refused before it is read.
var Accept = []string{
	"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/*+xml",
	"application/xml", "text/xml", "application/feed+json", "application/json", "text/plain",
}

// DefaultWindow is how many item ids the cursor remembers.
const DefaultWindow = 1000

// Poller reads the feeds of one rss source. Its targets are feed URLs,
// absolute or relative to base_url.
type Poller struct {
	source string
	base   *url.URL
	window int
	log    *zap.Logger
}

var _ source.Poller = (*Poller)(nil)

// New builds the rss adapter of one source. Options: window (item ids
// remembered per feed, 50 to 100000, default 1000).
func New(sc source.Config, d source.Deps) (*Poller, error) {
	p := &Poller{source: sc.Name, log: d.Log}
	if p.log == nil {
		p.log = zap.NewNop()
	}
	base, err := url.Parse(sc.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	p.base = base
	o := source.NewOptions(sc.Options)
	if p.window, err = o.Int("window", DefaultWindow, 50, 100000); err != nil {
		return nil, err
	}
	if err := o.Unknown(); err != nil {
		return nil, err
	}
	for i, t := range sc.Targets {
		if _, err := p.feedURL(t); err != nil {
			return nil, fmt.Errorf("targets[%d]: %w", i, err)
		}
	}
	return p, nil
}

func (p *Poller) feedURL(target string) (*url.URL, error) {
	ref, err := url.Parse(strings.TrimSpace(target))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", target, err)
	}
	u := p.base.ResolveReference(ref)
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q does not resolve to an http(s) URL", target)
	}
	return u, nil
}

// Cursor is a feed's position: the validators for the conditional GET and
// short hashes of the item ids already returned, newest first.
type Cursor struct {
	ETag         string   `json:"etag,omitempty"`
	LastModified string   `json:"last_modified,omitempty"`
	Seen         []string `json:"seen,omitempty"`
}

// ParseCursor reads a cursor; a broken one starts afresh (seen keys still
// keep repeats from being published) rather than stalling the feed.
func ParseCursor(s string) (Cursor, error) {
	var c Cursor
	if s == "" {
		return c, nil
	}
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return Cursor{}, fmt.Errorf("reading cursor: %w", err)
	}
	return c, nil
}

func (c Cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Poll fetches one feed and returns its items not returned before.
func (p *Poller) Poll(ctx context.Context, f source.Fetcher, t source.Target, cur string) (source.Batch, error) {
	u, err := p.feedURL(t.Name)
	if err != nil {
		return source.Batch{}, err
	}
	c, err := ParseCursor(cur)
	if err != nil {
		p.log.Warn("starting the feed afresh", zap.String("url", u.String()), zap.Error(err))
	}
	resp, err := f.Fetch(ctx, &source.Request{URL: u.String(), Accept: Accept, ETag: c.ETag, LastModified: c.LastModified})
	if err != nil {
		return source.Batch{}, err
	}
	if resp.NotModified() {
		return source.Batch{}, nil
	}
	feedURL, err := url.Parse(resp.URL)
	if err != nil {
		feedURL = u
	}
	feed, err := ParseFeed(resp.Body, resp.Header.Get("Content-Type"))
	if err != nil {
		return source.Batch{}, fmt.Errorf("parsing feed %s: %w", resp.URL, err)
	}
	now := time.Now().UTC()
	items := Convert(feed, feedURL, now, func(i int, err error) {
		p.log.Warn("skipping feed item", zap.String("url", resp.URL), zap.Int("item", i), zap.Error(err))
	})

	seen := make(map[string]bool, len(c.Seen))
	for _, h := range c.Seen {
		seen[h] = true
	}
	var posts []wire.Post
	var current []string
	for _, it := range items {
		h := source.SeenHash(it.ID)
		current = append(current, h)
		if !seen[h] {
			posts = append(posts, it)
		}
	}
	slices.SortStableFunc(posts, func(a, b wire.Post) int { return a.CreatedAt.Compare(b.CreatedAt) })

	next := Cursor{ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	next.Seen = source.MergeSeen(current, c.Seen, p.window)
	return source.Batch{Posts: posts, Cursor: next.String()}, nil
}
