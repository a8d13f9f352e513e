package lemmy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

type personJSON struct {
	Name        string  `json:"name"`
	DisplayName *string `json:"display_name"`
	ActorID     string  `json:"actor_id"`
	Local       bool    `json:"local"`
}

type postViewJSON struct {
	Post struct {
		ID        int64   `json:"id"`
		Name      string  `json:"name"`
		Body      *string `json:"body"`
		URL       *string `json:"url"`
		APID      string  `json:"ap_id"`
		Published string  `json:"published"`
		Deleted   bool    `json:"deleted"`
		Removed   bool    `json:"removed"`
	} `json:"post"`
	Creator personJSON `json:"creator"`
}

type commentViewJSON struct {
	Comment struct {
		ID        int64  `json:"id"`
		Content   string `json:"content"`
		APID      string `json:"ap_id"`
		Published string `json:"published"`
		Deleted   bool   `json:"deleted"`
		Removed   bool   `json:"removed"`
	} `json:"comment"`
	Creator personJSON `json:"creator"`
}

// meta is what a mapped post takes from its source.
type meta struct {
	source, kind string
	base         *url.URL
	now          time.Time
}

type item struct {
	post  wire.Post
	order int64
}

func itemKey(it item) (string, int64) { return it.post.ID, it.order }

type page struct {
	items []item
	next  string  // post/list next_page cursor, "" at the end
	n     int     // entries on the page, kept or not
	bad   []error // entries that did not decode, skipped
}

// parsePostList decodes a post/list answer. An entry that does not
// decode is reported in bad and skipped; deleted and removed posts are
// skipped silently.
func parsePostList(body []byte, m meta) (page, error) {
	var r struct {
		Posts    []json.RawMessage `json:"posts"`
		NextPage *string           `json:"next_page"`
	}
	if err := platform.Unmarshal(body, &r); err != nil {
		return page{}, fmt.Errorf("decoding post list: %w", err)
	}
	if r.Posts == nil {
		return page{}, errors.New("decoding post list: no posts array")
	}
	pg := page{n: len(r.Posts)}
	if r.NextPage != nil {
		pg.next = *r.NextPage
	}
	for i, raw := range r.Posts {
		var v postViewJSON
		if err := json.Unmarshal(raw, &v); err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("post %d: %w", i, err))
			continue
		}
		if v.Post.Deleted || v.Post.Removed {
			continue
		}
		it, err := mapPost(&v, m)
		if err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("post %d: %w", v.Post.ID, err))
			continue
		}
		pg.items = append(pg.items, it)
	}
	return pg, nil
}

// parseCommentList decodes a comment/list answer, like parsePostList.
func parseCommentList(body []byte, m meta) (page, error) {
	var r struct {
		Comments []json.RawMessage `json:"comments"`
	}
	if err := platform.Unmarshal(body, &r); err != nil {
		return page{}, fmt.Errorf("decoding comment list: %w", err)
	}
	if r.Comments == nil {
		return page{}, errors.New("decoding comment list: no comments array")
	}
	pg := page{n: len(r.Comments)}
	for i, raw := range r.Comments {
		var v commentViewJSON
		if err := json.Unmarshal(raw, &v); err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("comment %d: %w", i, err))
			continue
		}
		if v.Comment.Deleted || v.Comment.Removed {
			continue
		}
		it, err := mapComment(&v, m)
		if err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("comment %d: %w", v.Comment.ID, err))
			continue
		}
		pg.items = append(pg.items, it)
	}
	return pg, nil
}

func mapPost(v *postViewJSON, m meta) (item, error) {
	if v.Post.ID <= 0 {
		return item{}, errors.New("no id")
	}
	created, err := parseTime(v.Post.Published)
	if err != nil {
		return item{}, err
	}
	id := strconv.FormatInt(v.Post.ID, 10)
	p := wire.Post{
		Source:     m.source,
		SourceKind: m.kind,
		ID:         "post/" + id,
		Permalink:  permalink(m.base, v.Post.APID, "/post/"+id),
		CreatedAt:  created,
		FetchedAt:  m.now,
	}
	author(&p, v.Creator, m.base)
	var body source.Extract
	if v.Post.Body != nil {
		body = source.MarkdownText(*v.Post.Body)
	}
	p.Text = source.JoinText(v.Post.Name, body.Text)
	p.Attachments = body.Media
	if v.Post.URL != nil && strings.TrimSpace(*v.Post.URL) != "" {
		if u := source.AbsoluteURL(m.base, *v.Post.URL); u != "" {
			if source.IsMediaURL(u) {
				p.Attachments++
			} else {
				p.Links = append(p.Links, u)
			}
		}
	}
	p.Links = append(p.Links, body.Links...)
	source.FinishPost(&p)
	return item{post: p, order: v.Post.ID}, nil
}

func mapComment(v *commentViewJSON, m meta) (item, error) {
	if v.Comment.ID <= 0 {
		return item{}, errors.New("no id")
	}
	created, err := parseTime(v.Comment.Published)
	if err != nil {
		return item{}, err
	}
	id := strconv.FormatInt(v.Comment.ID, 10)
	body := source.MarkdownText(v.Comment.Content)
	p := wire.Post{
		Source:      m.source,
		SourceKind:  m.kind,
		ID:          "comment/" + id,
		Permalink:   permalink(m.base, v.Comment.APID, "/comment/"+id),
		Text:        body.Text,
		Links:       body.Links,
		Attachments: body.Media,
		CreatedAt:   created,
		FetchedAt:   m.now,
	}
	author(&p, v.Creator, m.base)
	source.FinishPost(&p)
	return item{post: p, order: v.Comment.ID}, nil
}

// author sets the author as Lemmy shows it: the name, with @host for
// people from other instances.
func author(p *wire.Post, c personJSON, base *url.URL) {
	p.Author = c.Name
	p.AuthorURL = source.AbsoluteURL(base, c.ActorID)
	if !c.Local && p.AuthorURL != "" {
		if u, err := url.Parse(p.AuthorURL); err == nil && u.Host != "" && !strings.EqualFold(u.Host, base.Host) {
			p.Author = c.Name + "@" + u.Hostname()
		}
	}
}

// permalink prefers the ActivityPub id, the item's canonical URL.
func permalink(base *url.URL, apID, local string) string {
	if u := source.AbsoluteURL(base, apID); u != "" {
		return u
	}
	return base.ResolveReference(&url.URL{Path: local}).String()
}

// parseTime reads published: RFC 3339 (0.19), or naive UTC without a
// zone (0.18).
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("published %q: not a time", s)
}
