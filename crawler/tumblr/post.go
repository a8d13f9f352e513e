package tumblr

import (
	"bytes"
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

// block is one NPF content block; only the fields we read.
type block struct {
	Type       string       `json:"type"`
	Subtype    string       `json:"subtype"`
	Text       string       `json:"text"`
	Formatting []formatting `json:"formatting"`
	URL        string       `json:"url"`
	Question   string       `json:"question"`
	Answers    []struct {
		AnswerText string `json:"answer_text"`
	} `json:"answers"`
}

type formatting struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// blocks accepts NPF content as an array, or as the single object some
// documentation examples show.
type blocks []block

func (b *blocks) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '{' {
		var one block
		if err := json.Unmarshal(data, &one); err != nil {
			return err
		}
		*b = blocks{one}
		return nil
	}
	var many []block
	if err := json.Unmarshal(data, &many); err != nil {
		return err
	}
	*b = many
	return nil
}

type postJSON struct {
	ID       json.Number `json:"id"`
	IDString string      `json:"id_string"`
	BlogName string      `json:"blog_name"`
	Blog     *struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"blog"`
	PostURL   string   `json:"post_url"`
	Timestamp int64    `json:"timestamp"`
	Tags      []string `json:"tags"`
	Type      string   `json:"type"`
	Content   blocks   `json:"content"`
	Trail     []struct {
		Content blocks `json:"content"`
	} `json:"trail"`

	// Legacy bodies (npf=false, or posts the API did not convert).
	Title       string            `json:"title"`
	Body        string            `json:"body"`
	Caption     string            `json:"caption"`
	URL         string            `json:"url"`
	Description string            `json:"description"`
	Text        string            `json:"text"`
	Source      string            `json:"source"`
	Question    string            `json:"question"`
	Answer      string            `json:"answer"`
	Dialogue    []json.RawMessage `json:"dialogue"`
	Photos      []json.RawMessage `json:"photos"`
	VideoURL    string            `json:"video_url"`
	AudioURL    string            `json:"audio_url"`
}

// meta is what a mapped post takes from its source.
type meta struct {
	source, kind string
	now          time.Time
}

type item struct {
	post      wire.Post
	order     int64
	timestamp int64
}

func itemKey(it item) (string, int64) { return it.post.ID, it.order }

type page struct {
	items []item
	n     int
	bad   []error
}

type envelope struct {
	Meta struct {
		Status int    `json:"status"`
		Msg    string `json:"msg"`
	} `json:"meta"`
	Response json.RawMessage `json:"response"`
}

var tumblrSite, _ = url.Parse("https://www.tumblr.com/")

// parseResponse decodes a v2 envelope: /tagged answers with an array of
// posts, /blog/…/posts with {posts: […]}. A post that does not decode is
// reported in bad and skipped.
func parseResponse(body []byte, m meta) (page, error) {
	var env envelope
	if err := platform.Unmarshal(body, &env); err != nil {
		return page{}, fmt.Errorf("decoding response: %w", err)
	}
	if env.Meta.Status != 0 && env.Meta.Status != 200 {
		return page{}, fmt.Errorf("tumblr answered %d %s", env.Meta.Status, env.Meta.Msg)
	}
	var raws []json.RawMessage
	r := bytes.TrimSpace(env.Response)
	switch {
	case len(r) > 0 && r[0] == '[':
		if err := json.Unmarshal(r, &raws); err != nil {
			return page{}, fmt.Errorf("decoding posts: %w", err)
		}
	case len(r) > 0 && r[0] == '{':
		var obj struct {
			Posts []json.RawMessage `json:"posts"`
		}
		if err := json.Unmarshal(r, &obj); err != nil {
			return page{}, fmt.Errorf("decoding posts: %w", err)
		}
		if obj.Posts == nil {
			return page{}, errors.New("decoding posts: response has no posts")
		}
		raws = obj.Posts
	default:
		return page{}, errors.New("decoding posts: no response")
	}
	pg := page{n: len(raws)}
	for i, raw := range raws {
		var pj postJSON
		if err := json.Unmarshal(raw, &pj); err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("post %d: %w", i, err))
			continue
		}
		it, err := mapPost(&pj, m)
		if err != nil {
			pg.bad = append(pg.bad, fmt.Errorf("post %d: %w", i, err))
			continue
		}
		pg.items = append(pg.items, it)
	}
	return pg, nil
}

func mapPost(pj *postJSON, m meta) (item, error) {
	id := pj.IDString
	if id == "" {
		id = pj.ID.String()
	}
	order, err := strconv.ParseInt(id, 10, 64)
	if err != nil || order <= 0 {
		return item{}, fmt.Errorf("id %q: not a post id", id)
	}
	if pj.Timestamp <= 0 {
		return item{}, fmt.Errorf("post %s: no timestamp", id)
	}
	p := wire.Post{
		Source:     m.source,
		SourceKind: m.kind,
		ID:         id,
		Permalink:  source.AbsoluteURL(nil, pj.PostURL),
		Author:     pj.BlogName,
		CreatedAt:  time.Unix(pj.Timestamp, 0).UTC(),
		FetchedAt:  m.now,
	}
	if pj.Blog != nil {
		if p.Author == "" {
			p.Author = pj.Blog.Name
		}
		p.AuthorURL = source.AbsoluteURL(nil, pj.Blog.URL)
	}
	if p.AuthorURL == "" && p.Author != "" {
		p.AuthorURL = "https://" + url.PathEscape(p.Author) + ".tumblr.com/"
	}
	if p.Permalink == "" {
		if p.Author == "" {
			return item{}, fmt.Errorf("post %s: no post_url or blog", id)
		}
		p.Permalink = "https://" + url.PathEscape(p.Author) + ".tumblr.com/post/" + id
	}
	var parts []string
	add := func(e source.Extract) {
		parts = append(parts, e.Text)
		p.Links = append(p.Links, e.Links...)
		p.Attachments += e.Media
	}
	for _, tr := range pj.Trail {
		add(npfText(tr.Content))
	}
	if len(pj.Content) > 0 {
		add(npfText(pj.Content))
	} else {
		add(legacyText(pj))
	}
	if len(pj.Tags) > 0 {
		tags := make([]string, 0, len(pj.Tags))
		for _, t := range pj.Tags {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, "#"+t)
			}
		}
		parts = append(parts, strings.Join(tags, " "))
	}
	p.Text = source.JoinText(parts...)
	for i, l := range p.Links {
		p.Links[i] = unwrapRedirect(l)
	}
	source.FinishPost(&p)
	return item{post: p, order: order, timestamp: pj.Timestamp}, nil
}

// npfText reduces NPF blocks: text blocks one per line (a blank line
// between paragraphs), links from link formatting and link blocks, media
// blocks counted.
func npfText(bs blocks) source.Extract {
	var e source.Extract
	var lines []string
	for _, b := range bs {
		switch b.Type {
		case "text":
			lines = append(lines, b.Text)
			for _, f := range b.Formatting {
				if f.Type == "link" && f.URL != "" {
					e.Links = append(e.Links, f.URL)
				}
			}
		case "link":
			if u := source.AbsoluteURL(nil, b.URL); u != "" {
				if source.IsMediaURL(u) {
					e.Media++
				} else {
					e.Links = append(e.Links, u)
				}
			}
		case "image", "video", "audio":
			e.Media++
		case "poll":
			lines = append(lines, b.Question)
			for _, a := range b.Answers {
				lines = append(lines, a.AnswerText)
			}
		}
	}
	e.Text = strings.Join(lines, "\n")
	return e
}

// legacyText reduces the legacy bodies, HTML included.
func legacyText(pj *postJSON) source.Extract {
	var e source.Extract
	htmlPart := func(s string) {
		if strings.TrimSpace(s) == "" {
			return
		}
		x := source.ReduceHTML(s, source.HTMLOptions{Base: tumblrSite})
		e.Text = source.JoinText(e.Text, x.Text)
		e.Links = append(e.Links, x.Links...)
		e.Media += x.Media
	}
	e.Text = source.JoinText(pj.Title, pj.Question)
	htmlPart(pj.Body)
	htmlPart(pj.Answer)
	htmlPart(pj.Text)
	htmlPart(pj.Source)
	htmlPart(pj.Description)
	htmlPart(pj.Caption)
	for _, d := range pj.Dialogue {
		var line struct {
			Label, Phrase string
		}
		if json.Unmarshal(d, &line) == nil {
			e.Text = source.JoinText(e.Text, strings.TrimSpace(line.Label+" "+line.Phrase))
		}
	}
	if u := source.AbsoluteURL(nil, pj.URL); u != "" {
		if source.IsMediaURL(u) {
			e.Media++
		} else {
			e.Links = append(e.Links, u)
		}
	}
	e.Media += len(pj.Photos)
	if pj.Type == "video" || pj.VideoURL != "" {
		e.Media++
	}
	if pj.Type == "audio" || pj.AudioURL != "" {
		e.Media++
	}
	return e
}

// unwrapRedirect removes Tumblr's outbound link wrapper
// (https://t.umblr.com/redirect?z=<url>&t=…).
func unwrapRedirect(l string) string {
	u, err := url.Parse(l)
	if err != nil || !strings.EqualFold(u.Hostname(), "t.umblr.com") || u.Path != "/redirect" {
		return l
	}
	if z := u.Query().Get("z"); z != "" {
		return z
	}
	return l
}
