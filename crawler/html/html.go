package html

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Accept: a forum page is HTML.
var Accept = []string{"text/html", "application/xhtml+xml"}

// Defaults of the options.
const (
	DefaultMaxPages = 3
	DefaultWindow   = 2000
)

// Selectors are a source's compiled selectors.
type Selectors struct {
	Post, Text, Title, Author, Permalink, Time, Next cascadia.Selector
	// IDAttr names the post element's id attribute; IDSel, when the
	// post element lacks it, selects the element whose text is the id.
	IDAttr string
	IDSel  cascadia.Selector
}

var attrName = regexp.MustCompile(`^[A-Za-z_:][-A-Za-z0-9_:.]*$`)

// ValidateSelectors checks a source's html: section; errors name the key
// ("html.post: …").
func ValidateSelectors(h *source.HTMLSelectors) error {
	_, err := Compile(h)
	return err
}

// Compile compiles the selectors of h.
func Compile(h *source.HTMLSelectors) (*Selectors, error) {
	if h == nil {
		return nil, errors.New("html: the post, text and permalink selectors are required")
	}
	var s Selectors
	for _, f := range []struct {
		key      string
		sel      string
		dst      *cascadia.Selector
		required bool
	}{
		{"post", h.Post, &s.Post, true},
		{"text", h.Text, &s.Text, true},
		{"permalink", h.Permalink, &s.Permalink, true},
		{"title", h.Title, &s.Title, false},
		{"author", h.Author, &s.Author, false},
		{"time", h.Time, &s.Time, false},
		{"next", h.Next, &s.Next, false},
	} {
		if strings.TrimSpace(f.sel) == "" {
			if f.required {
				return nil, fmt.Errorf("html.%s: a selector is required", f.key)
			}
			continue
		}
		c, err := cascadia.Compile(f.sel)
		if err != nil {
			return nil, fmt.Errorf("html.%s: invalid selector %q: %w", f.key, f.sel, err)
		}
		*f.dst = c
	}
	if id := strings.TrimSpace(h.ID); id != "" {
		if attrName.MatchString(id) {
			s.IDAttr = id
		}
		if c, err := cascadia.Compile(id); err == nil {
			s.IDSel = c
		} else if s.IDAttr == "" {
			return nil, fmt.Errorf("html.id: %q is neither an attribute name nor a valid selector: %w", id, err)
		}
	}
	return &s, nil
}

// Poller reads one html source.
type Poller struct {
	source   string
	base     *url.URL
	approved []string
	sel      *Selectors
	maxPages int
	window   int
	log      *zap.Logger
}

var _ source.Poller = (*Poller)(nil)

// New builds the html adapter of one source. Options: max_pages (pages
// followed per poll, 1 to 50, default 3), window (post ids remembered, 50
// to 100000, default 2000).
func New(sc source.Config, d source.Deps) (*Poller, error) {
	sel, err := Compile(sc.HTML)
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(sc.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("base_url: %w", err)
	}
	p := &Poller{source: sc.Name, base: base, approved: sc.ApprovedHosts(), sel: sel, log: d.Log}
	if p.log == nil {
		p.log = zap.NewNop()
	}
	o := source.NewOptions(sc.Options)
	if p.maxPages, err = o.Int("max_pages", DefaultMaxPages, 1, 50); err != nil {
		return nil, err
	}
	if p.window, err = o.Int("window", DefaultWindow, 50, 100000); err != nil {
		return nil, err
	}
	if err := o.Unknown(); err != nil {
		return nil, err
	}
	for i, t := range sc.Targets {
		u, err := p.resolve(t)
		if err != nil {
			return nil, fmt.Errorf("targets[%d]: %w", i, err)
		}
		if !source.HostApproved(p.approved, u) {
			return nil, fmt.Errorf("targets[%d]: %s is not on an approved host", i, u.Redacted())
		}
	}
	return p, nil
}

func (p *Poller) resolve(target string) (*url.URL, error) {
	ref, err := url.Parse(strings.TrimSpace(target))
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %w", target, err)
	}
	return p.base.ResolveReference(ref), nil
}

// Cursor is a target's position: the newest post seen and short hashes of
// the post ids already returned, newest first.
type Cursor struct {
	NewestID string    `json:"newest_id,omitempty"`
	Newest   time.Time `json:"newest,omitzero"`
	Seen     []string  `json:"seen,omitempty"`
}

func (c Cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Poll reads the target page and, while every post on a page is new,
// the older pages its next link leads to (at most max_pages).
func (p *Poller) Poll(ctx context.Context, f source.Fetcher, t source.Target, cur string) (source.Batch, error) {
	var c Cursor
	if cur != "" {
		if err := json.Unmarshal([]byte(cur), &c); err != nil {
			p.log.Warn("starting the target afresh", zap.String("target", t.Name), zap.Error(err))
			c = Cursor{}
		}
	}
	seen := make(map[string]bool, len(c.Seen))
	for _, h := range c.Seen {
		seen[h] = true
	}
	pageURL, err := p.resolve(t.Name)
	if err != nil {
		return source.Batch{}, err
	}
	var (
		fresh   []wire.Post
		current []string
		visited = map[string]bool{}
		now     = time.Now().UTC()
	)
	for page := 0; page < p.maxPages && pageURL != nil; page++ {
		visited[pageURL.String()] = true
		resp, err := f.Fetch(ctx, &source.Request{URL: pageURL.String(), Accept: Accept})
		if err != nil {
			if page == 0 {
				return source.Batch{}, err
			}
			// The first page's posts are in hand: keep them, and the next
			// poll tries the older pages again.
			p.log.Warn("stopping at a page that failed", zap.String("url", pageURL.String()), zap.Error(err))
			break
		}
		final, err := url.Parse(resp.URL)
		if err != nil {
			final = pageURL
		}
		posts, next, errs := Extract(resp.UTF8Body(), final, p.sel, now)
		for _, e := range errs {
			if errors.Is(e, source.ErrFlattened) {
				p.log.Warn("page read flattened", zap.String("url", final.String()), zap.Error(e))
				continue
			}
			p.log.Warn("skipping post", zap.String("url", final.String()), zap.Error(e))
		}
		reachedKnown := len(posts) == 0
		for _, post := range posts {
			h := source.SeenHash(post.ID)
			current = append(current, h)
			if seen[h] || (!c.Newest.IsZero() && !post.CreatedAt.IsZero() && post.CreatedAt.Before(c.Newest)) {
				reachedKnown = true
			}
			if !seen[h] {
				seen[h] = true
				fresh = append(fresh, post)
			}
		}
		if reachedKnown {
			break
		}
		pageURL = nil
		if next != nil && !visited[next.String()] && source.HostApproved(p.approved, next) && source.IsFetchableURL(next) {
			pageURL = next
		}
	}
	slices.SortStableFunc(fresh, func(a, b wire.Post) int { return a.CreatedAt.Compare(b.CreatedAt) })
	nc := Cursor{NewestID: c.NewestID, Newest: c.Newest, Seen: source.MergeSeen(current, c.Seen, p.window)}
	for _, post := range fresh {
		if !post.CreatedAt.IsZero() && !post.CreatedAt.Before(nc.Newest) {
			nc.Newest, nc.NewestID = post.CreatedAt, post.ID
		}
	}
	return source.Batch{Posts: fresh, Cursor: nc.String()}, nil
}

// Extract reads the posts of one page (body is UTF-8) and its next-page
// link. A post that cannot be read (no permalink or id) is returned as an
// error and left out; the others are kept. A page nested deeper than the
// parser takes is read flattened, and source.ErrFlattened is among the
// errors.
func Extract(body []byte, pageURL *url.URL, sel *Selectors, fetched time.Time) ([]wire.Post, *url.URL, []error) {
	root, err := source.ParseHTML(body)
	var errs []error
	switch {
	case errors.Is(err, source.ErrFlattened):
		errs = append(errs, err) // the posts are read all the same
	case err != nil:
		return nil, nil, []error{fmt.Errorf("parsing page: %w", err)}
	}
	doc := goquery.NewDocumentFromNode(root)
	base := pageURL
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		if b, err := url.Parse(strings.TrimSpace(href)); err == nil {
			base = pageURL.ResolveReference(b)
		}
	}
	lang := strings.TrimSpace(doc.Find("html").First().AttrOr("lang", ""))
	if len(lang) > 35 {
		lang = ""
	}
	var posts []wire.Post
	doc.FindMatcher(sel.Post).Each(func(i int, s *goquery.Selection) {
		p, err := extractPost(s, base, sel, fetched)
		if err != nil {
			errs = append(errs, fmt.Errorf("post %d: %w", i+1, err))
			return
		}
		p.Lang = lang
		posts = append(posts, p)
	})
	var next *url.URL
	if sel.Next != nil {
		if href, ok := doc.FindMatcher(sel.Next).First().Attr("href"); ok {
			next = source.ResolveURL(base, href)
		}
	}
	return posts, next, errs
}

func extractPost(s *goquery.Selection, base *url.URL, sel *Selectors, fetched time.Time) (wire.Post, error) {
	var permalink *url.URL
	if a := s.FindMatcher(sel.Permalink).First(); a.Length() > 0 {
		permalink = source.ResolveURL(base, a.AttrOr("href", ""))
	}
	id := ""
	if sel.IDAttr != "" {
		id = strings.TrimSpace(s.AttrOr(sel.IDAttr, ""))
	}
	if id == "" && sel.IDSel != nil {
		id = strings.TrimSpace(s.FindMatcher(sel.IDSel).First().Text())
	}
	if id == "" && permalink != nil {
		id = permalink.String()
	}
	if id == "" {
		return wire.Post{}, errors.New("no id and no permalink")
	}
	if permalink == nil {
		// Anchor the post on its page so a moderator can still find it.
		u := *base
		u.Fragment = id
		permalink = &u
	}
	reduced := source.ReduceHTMLNodes(s.FindMatcher(sel.Text).Nodes, source.HTMLOptions{Base: base})
	title := ""
	if sel.Title != nil {
		title = source.CleanText(s.FindMatcher(sel.Title).First().Text())
	}
	p := wire.Post{
		ID:          source.CleanText(id),
		Permalink:   permalink.String(),
		Text:        source.JoinText(title, reduced.Text),
		Links:       reduced.Links,
		Attachments: reduced.Media,
		FetchedAt:   fetched,
		// CreatedAt stays zero when the page shows no time: the crawler
		// then uses the fetch time, and the cursor ignores the post's time.
	}
	if sel.Author != nil {
		a := s.FindMatcher(sel.Author).First()
		p.Author = source.CleanText(a.Text())
		href, ok := a.Attr("href")
		if !ok {
			href = a.Find("a[href]").First().AttrOr("href", "")
		}
		if u := source.ResolveURL(base, href); u != nil {
			p.AuthorURL = u.String()
		}
	}
	if sel.Time != nil {
		t := s.FindMatcher(sel.Time).First()
		for _, v := range []string{t.AttrOr("datetime", ""), t.AttrOr("data-time", ""), t.AttrOr("data-timestamp", ""), t.AttrOr("title", ""), t.Text()} {
			if ts, ok := ParseTime(v); ok {
				p.CreatedAt = ts
				break
			}
		}
	}
	source.FinishPost(&p)
	return p, nil
}

var timeLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", time.RFC1123Z, time.RFC1123,
	time.RFC850, time.RFC822Z, time.RFC822, "Jan 2, 2006 15:04", "Jan 2, 2006 3:04 PM",
	"January 2, 2006 15:04", "January 2, 2006", "2 Jan 2006 15:04", "2 January 2006 15:04",
	"02.01.2006 15:04", "02.01.2006", "2006/01/02 15:04:05", "2006/01/02 15:04",
}

// ParseTime reads a post time in the common forum shapes: ISO 8601, RFC
// 1123/822, a few written-out dates, Unix seconds or milliseconds. Times
// without a zone are taken as UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || len(s) > 64 {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		switch {
		case n > 1e11 && n < 1e14:
			return time.UnixMilli(n).UTC(), true
		case n > 1e8 && n < 1e11:
			return time.Unix(n, 0).UTC(), true
		}
		return time.Time{}, false
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1990 || t.Year() > 2200 {
				return time.Time{}, false
			}
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
