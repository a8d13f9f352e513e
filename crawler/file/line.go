package file

import (
	"errors"
	"strings"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/dump"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// DefaultPermalinkBase turns a Reddit dump's relative permalink into a URL.
const DefaultPermalinkBase = "https://www.reddit.com"

// ErrNoID means a line has no id.
var ErrNoID = errors.New("line has no id")

// DecodeLine turns one dump line into a post. permalinkBase prefixes a
// relative permalink (Reddit's "/r/x/comments/…").
func DecodeLine(b []byte, permalinkBase string) (*wire.Post, error) {
	var l dump.Line
	if err := dump.Decode(b, &l); err != nil {
		return nil, err
	}
	id, err := dump.ParseID(l.ID)
	if err != nil {
		return nil, err
	}
	reddit := l.Subreddit != "" || strings.Contains(l.Permalink, "/comments/")
	switch {
	case l.Name != "":
		id = l.Name
	case id == "":
		return nil, ErrNoID
	case reddit && (l.LinkID != "" || (l.Body != "" && l.Title == "")):
		id = "t1_" + id
	case reddit:
		id = "t3_" + id
	}

	p := &wire.Post{ID: id, Author: l.Author, AuthorURL: l.AuthorURL, Lang: l.Lang, Attachments: max(l.Attachments, 0)}
	// A Reddit body is markdown: reduced as the reddit adapter reduces it,
	// so a dump and the live API give the detector the same post.
	var body source.Extract
	switch {
	case l.Text != nil:
		body.Text = *l.Text
	case l.Body != "":
		body = source.MarkdownText(redditText(l.Body))
	default:
		body = source.MarkdownText(redditText(l.Selftext))
	}
	p.Text = source.JoinText(l.Title, body.Text)
	if p.Author == "[deleted]" {
		p.Author = ""
	}
	switch pl := strings.TrimSpace(l.Permalink); {
	case strings.HasPrefix(pl, "/"):
		p.Permalink = strings.TrimRight(permalinkBase, "/") + pl
	case strings.HasPrefix(pl, "https://") || strings.HasPrefix(pl, "http://"):
		p.Permalink = pl
	}
	p.Links = append(p.Links, l.Links...)
	switch u := strings.TrimSpace(l.URL); {
	case u == "" || u == p.Permalink || (l.IsSelf != nil && *l.IsSelf):
	case source.IsMediaURL(u):
		p.Attachments++ // a link post to an image or video: counted, never kept
	case !reddit && p.Permalink == "" && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")):
		p.Permalink = u // a generic line's url is where the post lives
	default:
		p.Links = append(p.Links, u) // a Reddit link post's target
	}
	p.Links = append(p.Links, body.Links...)
	// Reddit lists a body's inline images in media_metadata and writes
	// their URLs in the body: the same images, counted once.
	switch inline := max(len(l.MediaMetadata), body.Media); {
	case inline > 0:
		p.Attachments += inline
	case l.IsVideo || l.PostHint == "image" || l.PostHint == "hosted:video" || l.PostHint == "rich:video":
		if p.Attachments == 0 {
			p.Attachments = 1
		}
	}
	for _, raw := range []dump.RawJSON{l.CreatedUTC, l.CreatedAt} {
		if t, err := dump.ParseTime(raw); err == nil && !t.IsZero() {
			p.CreatedAt = t
			break
		}
	}
	source.FinishPost(p)
	return p, nil
}

// redditText drops the placeholders Reddit leaves for deleted text.
func redditText(s string) string {
	switch strings.TrimSpace(s) {
	case "[deleted]", "[removed]":
		return ""
	}
	return s
}
