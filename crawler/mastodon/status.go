package mastodon

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"golang.org/x/net/html"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

type accountJSON struct {
	ID          string `json:"id"`
	Acct        string `json:"acct"`
	Username    string `json:"username"`
	URL         string `json:"url"`
	DisplayName string `json:"display_name"`
}

type statusJSON struct {
	ID               string      `json:"id"`
	URI              string      `json:"uri"`
	URL              *string     `json:"url"`
	CreatedAt        string      `json:"created_at"`
	Content          string      `json:"content"`
	SpoilerText      string      `json:"spoiler_text"`
	Language         *string     `json:"language"`
	Visibility       string      `json:"visibility"`
	Account          accountJSON `json:"account"`
	Reblog           *statusJSON `json:"reblog"`
	MediaAttachments []struct {
		Type string `json:"type"`
	} `json:"media_attachments"`
	Card *struct {
		URL  string `json:"url"`
		Type string `json:"type"`
	} `json:"card"`
	Poll *struct {
		Options []struct {
			Title string `json:"title"`
		} `json:"options"`
	} `json:"poll"`
	Quote *struct {
		State        string      `json:"state"`
		QuotedStatus *statusJSON `json:"quoted_status"`
	} `json:"quote"`
}

// meta is what a mapped post takes from its source.
type meta struct {
	source, kind string
	base         *url.URL
	now          time.Time
}

// parsed is one decoded page of statuses.
type parsed struct {
	posts  []wire.Post // oldest first, one per original status
	newest string      // id of the first (newest) timeline entry
	n      int         // timeline entries on the page
	bad    []error     // entries that did not decode, skipped
}

// parseStatuses decodes a timeline page (a JSON array, newest first). An
// entry that does not decode is reported in bad and skipped; a body that
// is not an array is an error.
func parseStatuses(body []byte, m meta) (parsed, error) {
	var raw []json.RawMessage
	if err := platform.Unmarshal(body, &raw); err != nil {
		return parsed{}, fmt.Errorf("decoding statuses: %w", err)
	}
	out := parsed{n: len(raw)}
	seen := map[string]bool{}
	var posts []wire.Post
	for i, r := range raw {
		var s statusJSON
		if err := json.Unmarshal(r, &s); err != nil {
			out.bad = append(out.bad, fmt.Errorf("status %d: %w", i, err))
			continue
		}
		if s.ID == "" {
			out.bad = append(out.bad, fmt.Errorf("status %d: no id", i))
			continue
		}
		if out.newest == "" {
			out.newest = s.ID
		}
		for _, st := range unwrap(&s) {
			if seen[st.ID] {
				continue
			}
			p, err := mapStatus(st, m)
			if err != nil {
				out.bad = append(out.bad, fmt.Errorf("status %s: %w", st.ID, err))
				continue
			}
			seen[st.ID] = true
			posts = append(posts, p)
		}
	}
	// The page is newest first; a quoted status precedes its quote in
	// time. Sort by creation, ties by id, for a stable oldest-first batch.
	sortOldestFirst(posts)
	out.posts = posts
	return out, nil
}

// unwrap returns the statuses a timeline entry carries: the boosted
// original instead of the boost, and a quoted status before its quote.
func unwrap(s *statusJSON) []*statusJSON {
	if s.Reblog != nil && s.Reblog.ID != "" {
		s = s.Reblog
	}
	var out []*statusJSON
	if q := s.Quote; q != nil && q.QuotedStatus != nil && q.QuotedStatus.ID != "" && q.State == "accepted" {
		qs := q.QuotedStatus
		if qs.Reblog != nil && qs.Reblog.ID != "" {
			qs = qs.Reblog
		}
		out = append(out, qs)
	}
	return append(out, s)
}

func mapStatus(s *statusJSON, m meta) (wire.Post, error) {
	created, err := time.Parse(time.RFC3339Nano, s.CreatedAt)
	if err != nil {
		return wire.Post{}, fmt.Errorf("created_at %q: %w", s.CreatedAt, err)
	}
	link := source.AbsoluteURL(m.base, s.URI)
	if s.URL != nil {
		if u := source.AbsoluteURL(m.base, *s.URL); u != "" {
			link = u
		}
	}
	if link == "" {
		return wire.Post{}, errors.New("no http(s) url or uri")
	}
	body := source.ReduceHTML(s.Content, source.HTMLOptions{
		Base: m.base,
		// Mentions and hashtags link to profiles and tag pages of the
		// fediverse, not outbound.
		SkipLink: func(a *html.Node) bool {
			return source.HasClass(a, "mention") || source.HasClass(a, "hashtag")
		},
		// The "RE: <link>" paragraph of a quote points at the quoted
		// status, which is published on its own.
		Drop: func(n *html.Node) bool { return source.HasClass(n, "quote-inline") },
	})
	var poll []string
	if s.Poll != nil {
		for _, o := range s.Poll.Options {
			poll = append(poll, o.Title)
		}
	}
	p := wire.Post{
		Source:     m.source,
		SourceKind: m.kind,
		ID:         s.ID,
		Permalink:  link,
		Author:     s.Account.Acct,
		AuthorURL:  source.AbsoluteURL(m.base, s.Account.URL),
		Text:       source.JoinText(s.SpoilerText, body.Text, joinLines(poll)),
		Links:      body.Links,
		CreatedAt:  created,
		FetchedAt:  m.now,
	}
	if p.Author == "" {
		p.Author = s.Account.Username
	}
	if s.Language != nil {
		p.Lang = *s.Language
	}
	p.Attachments = len(s.MediaAttachments) + body.Media
	if c := s.Card; c != nil && c.URL != "" {
		if c.Type == "photo" || c.Type == "video" || source.IsMediaURL(c.URL) {
			p.Attachments++
		} else {
			p.Links = append(p.Links, c.URL)
		}
	}
	source.FinishPost(&p)
	return p, nil
}

func joinLines(lines []string) string {
	out := ""
	for _, l := range lines {
		if out != "" {
			out += "\n"
		}
		out += l
	}
	return out
}
