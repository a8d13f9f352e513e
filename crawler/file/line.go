package file

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// DefaultPermalinkBase turns a Reddit dump's relative permalink into a URL.
const DefaultPermalinkBase = "https://www.reddit.com"

// ErrNoID means a line has no id.
var ErrNoID = errors.New("line has no id")

// line is the union of the shapes a dump line takes: {id, text} at least,
// or a Reddit submission or comment object. Fields whose type drifted
// across the years of Reddit dumps are kept raw.
type line struct {
	ID            json.RawMessage            `json:"id"`
	Name          string                     `json:"name"`
	Text          *string                    `json:"text"`
	Title         string                     `json:"title"`
	Selftext      string                     `json:"selftext"`
	Body          string                     `json:"body"`
	Author        string                     `json:"author"`
	AuthorURL     string                     `json:"author_url"`
	Subreddit     string                     `json:"subreddit"`
	Permalink     string                     `json:"permalink"`
	URL           string                     `json:"url"`
	LinkID        string                     `json:"link_id"`
	CreatedUTC    json.RawMessage            `json:"created_utc"`
	CreatedAt     json.RawMessage            `json:"created_at"`
	Lang          string                     `json:"lang"`
	Links         []string                   `json:"links"`
	IsSelf        *bool                      `json:"is_self"`
	IsVideo       bool                       `json:"is_video"`
	PostHint      string                     `json:"post_hint"`
	MediaMetadata map[string]json.RawMessage `json:"media_metadata"`
	Attachments   int                        `json:"attachments"`
}

// DecodeLine turns one dump line into a post. permalinkBase prefixes a
// relative permalink (Reddit's "/r/x/comments/…").
func DecodeLine(b []byte, permalinkBase string) (*wire.Post, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errors.New("line is not a JSON object")
	}
	var l line
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}
	id, err := rawID(l.ID)
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
	for _, raw := range []json.RawMessage{l.CreatedUTC, l.CreatedAt} {
		if t, ok := parseTime(raw); ok {
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

// rawID reads an id that is a string or a number.
func rawID(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("decoding id: %w", err)
		}
		return strings.TrimSpace(s), nil
	}
	if _, err := strconv.ParseFloat(string(raw), 64); err != nil {
		return "", fmt.Errorf("id %s is neither a string nor a number", raw)
	}
	return string(raw), nil
}

// parseTime reads Unix seconds as a number or a string (Reddit dumps of
// 2007–2015 store created_utc as a string), or an RFC 3339 string.
func parseTime(raw json.RawMessage) (time.Time, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, false
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, false
		}
		s = strings.TrimSpace(s)
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
