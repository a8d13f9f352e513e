package reddit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"github.com/mmcdole/gofeed"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

var feedAccept = []string{"application/atom+xml", "application/rss+xml", "application/xml", "text/xml"}

// fetchRSS reads a listing's Atom feed (no pagination: one page a poll).
func (p *Poller) fetchRSS(ctx context.Context, f source.Fetcher, tg target, m meta) (page, error) {
	q := url.Values{}
	for k, v := range tg.query {
		q[k] = v
	}
	q.Set("limit", fmt.Sprint(p.paging.Limit))
	u := p.apiBase + tg.rss + "?" + q.Encode()
	req := &source.Request{URL: u, Header: http.Header{}, Accept: feedAccept}
	if p.userAgent != "" {
		req.Header.Set("User-Agent", p.userAgent)
	}
	resp, err := f.Fetch(ctx, req)
	if err != nil {
		if platform.StatusOf(err) == http.StatusForbidden {
			return page{}, fmt.Errorf("%w: reddit refused its RSS feed %s (403): RSS access is under review at Reddit; configure OAuth (auth.client_id_env / client_secret_env)",
				source.ErrBlocked, u)
		}
		return page{}, err
	}
	pg, err := parseFeed(resp.Body, m)
	if err != nil {
		return page{}, fmt.Errorf("reading %s: %w", u, err)
	}
	return pg, nil
}

// parseFeed maps a Reddit Atom feed. An entry without an id is skipped
// and reported in bad.
func parseFeed(body []byte, m meta) (page, error) {
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return page{}, fmt.Errorf("parsing feed: %w", err)
	}
	var pg page
	for i, e := range feed.Items {
		if e == nil {
			continue
		}
		it, err := feedItem(e, m)
		if err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("entry %d: %w", i, err))
			continue
		}
		pg.items = append(pg.items, it)
	}
	return pg, nil
}

func feedItem(e *gofeed.Item, m meta) (item, error) {
	id := strings.TrimSpace(e.GUID)
	if id == "" {
		return item{}, errors.New("no id")
	}
	p := wire.Post{Source: m.source, SourceKind: m.kind, ID: id, Permalink: source.AbsoluteURL(siteURL, e.Link), FetchedAt: m.now}
	if p.Permalink == "" {
		p.Permalink = site + "/comments/" + url.PathEscape(strings.TrimPrefix(id, "t3_")) + "/"
	}
	switch {
	case e.PublishedParsed != nil:
		p.CreatedAt = e.PublishedParsed.UTC()
	case e.UpdatedParsed != nil:
		p.CreatedAt = e.UpdatedParsed.UTC()
	}
	if len(e.Authors) > 0 && e.Authors[0] != nil {
		p.Author = strings.TrimPrefix(strings.TrimSpace(e.Authors[0].Name), "/u/")
		if p.Author != "" && p.Author != "[deleted]" {
			p.AuthorURL = site + "/user/" + url.PathEscape(p.Author) + "/"
		}
	}
	body, links, media := feedContent(e.Content, p.Permalink)
	p.Text = source.JoinText(e.Title, body)
	p.Links = links
	p.Attachments = media
	source.FinishPost(&p)
	return item{post: p, order: p.CreatedAt.UnixMilli()}, nil
}

// feedContent takes the post body (div.md) and the "[link]" target out of
// the HTML Reddit wraps around each entry ("submitted by /u/x [link]
// [comments]", a thumbnail): the wrapper is not the author's text.
func feedContent(content, permalink string) (text string, links []string, media int) {
	root, err := source.ParseHTML([]byte(content))
	if err != nil && !errors.Is(err, source.ErrFlattened) {
		return "", nil, 0
	}
	doc := goquery.NewDocumentFromNode(root)
	// The thumbnail <img> previews the post's link or media: not counted
	// on its own.
	if md := doc.Find("div.md").First(); md.Length() > 0 {
		e := source.ReduceHTMLNodes(md.Nodes, source.HTMLOptions{Base: siteURL})
		text, links, media = e.Text, e.Links, e.Media
	}
	doc.Find("a").Each(func(_ int, a *goquery.Selection) {
		if strings.TrimSpace(a.Text()) != "[link]" {
			return
		}
		href := source.AbsoluteURL(siteURL, a.AttrOr("href", ""))
		switch {
		case href == "" || href == permalink:
		case source.IsMediaURL(href):
			media++
		default:
			links = append([]string{href}, links...)
		}
	})
	return text, links, media
}
