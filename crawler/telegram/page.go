package telegram

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"

	"github.com/handlewatch/handlewatch/crawler/internal/platform"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// message is one parsed message with its numeric id.
type message struct {
	post wire.Post
	num  int64
}

// page is one parsed channel preview page.
type page struct {
	messages []message // in page order (oldest first on t.me)
	before   int64     // id to ask ?before= for the next older page; 0 when none
	channel  bool      // the page shows a channel (info header or messages)
	bad      []error   // messages that did not parse, skipped
}

// meta is what a mapped post takes from its source.
type meta struct {
	source, kind string
	site         *url.URL // https://t.me
	now          time.Time
}

// mediaSelectors are the wraps of media a message carries: counted,
// never listed.
var mediaSelectors = []string{
	".tgme_widget_message_photo_wrap", ".tgme_widget_message_video_player",
	".tgme_widget_message_roundvideo_player", ".tgme_widget_message_voice_player",
	".tgme_widget_message_sticker_wrap", ".tgme_widget_message_document_wrap",
	".tgme_widget_message_animated_sticker", ".tgme_widget_message_audio_player",
}

// parsePage parses a t.me/s/CHANNEL page. A message that cannot be read
// (no data-post, a bad id) is reported in bad and skipped; the rest are
// kept.
func parsePage(body []byte, channel string, m meta) (page, error) {
	root, err := source.ParseHTML(body)
	var pg page
	switch {
	case errors.Is(err, source.ErrFlattened):
		pg.bad = append(pg.bad, err) // the messages are read all the same
	case err != nil:
		return page{}, fmt.Errorf("parsing page: %w", err)
	}
	doc := goquery.NewDocumentFromNode(root)
	pg.channel = doc.Find(".tgme_channel_info").Length() > 0
	base := m.site.ResolveReference(&url.URL{Path: "/s/" + channel})
	doc.Find(".tgme_widget_message[data-post]").Each(func(_ int, s *goquery.Selection) {
		msg, err := parseMessage(s, base, m)
		if err != nil {
			pg.bad = append(pg.bad, err)
			return
		}
		pg.messages = append(pg.messages, msg)
	})
	if len(pg.messages) > 0 {
		pg.channel = true
	}
	fillTimes(pg.messages, m.now)
	pg.before = olderAnchor(doc)
	return pg, nil
}

func parseMessage(s *goquery.Selection, base *url.URL, m meta) (message, error) {
	dataPost := strings.TrimSpace(s.AttrOr("data-post", ""))
	owner, num, ok := strings.Cut(dataPost, "/")
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || owner == "" || err != nil || id <= 0 {
		return message{}, fmt.Errorf("message with data-post %q: not channel/id", platform.Snippet([]byte(dataPost), 80))
	}
	p := wire.Post{
		Source:     m.source,
		SourceKind: m.kind,
		ID:         owner + "/" + num,
		Permalink:  m.site.ResolveReference(&url.URL{Path: "/" + owner + "/" + num}).String(),
		FetchedAt:  m.now,
	}
	date := s.Find(".tgme_widget_message_date").First()
	if t, err := time.Parse(time.RFC3339, strings.TrimSpace(date.Find("time[datetime]").AttrOr("datetime", ""))); err == nil {
		p.CreatedAt = t
	}
	ownerLink := s.Find(".tgme_widget_message_owner_name").First()
	p.Author = strings.TrimSpace(ownerLink.Text())
	if p.Author == "" {
		p.Author = owner
	}
	if href, ok := ownerLink.Attr("href"); ok {
		p.AuthorURL = source.AbsoluteURL(m.site, href)
	}
	if p.AuthorURL == "" {
		p.AuthorURL = m.site.ResolveReference(&url.URL{Path: "/" + owner}).String()
	}

	opts := source.HTMLOptions{
		Base: base,
		// Hashtags link to an in-channel search (?q=%23tag): not outbound.
		SkipLink: func(a *html.Node) bool { return strings.HasPrefix(source.Attr(a, "href"), "?") },
	}
	var parts []string
	var links []string
	media := 0
	// The message's own text, not a reply's quote of another message,
	// which reuses the class inside .tgme_widget_message_reply, and once:
	// a grouped-media caption nests one text div in another.
	s.Find(".tgme_widget_message_text").Each(func(_ int, t *goquery.Selection) {
		if t.ParentsFiltered(".tgme_widget_message_reply, .tgme_widget_message_text").Length() > 0 {
			return
		}
		e := source.ReduceHTMLNodes(t.Nodes, opts)
		parts = append(parts, e.Text)
		links = append(links, e.Links...)
		media += e.Media
	})
	s.Find(".tgme_widget_message_poll").Each(func(_ int, poll *goquery.Selection) {
		lines := []string{strings.TrimSpace(poll.Find(".tgme_widget_message_poll_question").Text())}
		poll.Find(".tgme_widget_message_poll_option_text").Each(func(_ int, o *goquery.Selection) {
			lines = append(lines, strings.TrimSpace(o.Text()))
		})
		parts = append(parts, strings.Join(lines, "\n"))
	})
	s.Find(".tgme_widget_message_document_title").Each(func(_ int, d *goquery.Selection) {
		parts = append(parts, strings.TrimSpace(d.Text()))
	})
	s.Find("a.tgme_widget_message_link_preview").Each(func(_ int, a *goquery.Selection) {
		if href := source.AbsoluteURL(base, a.AttrOr("href", "")); href != "" {
			if source.IsMediaURL(href) {
				// A preview of media the text already links (Telegram's
				// zero-width "image link" trick) is the same attachment.
				if !textLinks(s, base, href) {
					media++
				}
			} else {
				links = append(links, href)
			}
		}
	})
	for _, sel := range mediaSelectors {
		media += s.Find(sel).Length()
	}
	p.Text = source.JoinText(parts...)
	p.Links = withoutSelf(links, p.Permalink)
	p.Attachments = media
	source.FinishPost(&p)
	return message{post: p, num: id}, nil
}

// olderAnchor finds the id a ?before= request for the next older page
// takes: the "load more" anchor's data-before, or <link rel="prev">.
func olderAnchor(doc *goquery.Document) int64 {
	if v, ok := doc.Find(".tme_messages_more[data-before]").First().Attr("data-before"); ok {
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && n > 0 {
			return n
		}
	}
	if href, ok := doc.Find(`link[rel="prev"]`).First().Attr("href"); ok {
		if u, err := url.Parse(href); err == nil {
			if n, err := strconv.ParseInt(u.Query().Get("before"), 10, 64); err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}

// withoutSelf drops links back to the message itself (an album's photo
// links, a poll's options).
func withoutSelf(links []string, permalink string) []string {
	out := links[:0]
	for _, l := range links {
		if l == permalink || strings.HasPrefix(l, permalink+"?") {
			continue
		}
		out = append(out, l)
	}
	return out
}

// ErrNoPreview means the channel shows no public preview: it does not
// exist, is not a broadcast channel, or its owner hides the preview.
var ErrNoPreview = errors.New("telegram channel has no public preview or does not exist")

// fillTimes gives a message whose time[datetime] is empty (the newest
// message of a page sometimes has none) the time of the message before it
// on the page, a lower bound since ids grow with time, else of the one
// after it, else the fetch time.
func fillTimes(msgs []message, now time.Time) {
	for i := range msgs {
		if !msgs[i].post.CreatedAt.IsZero() {
			continue
		}
		t := now
		for j := i - 1; j >= 0; j-- {
			if !msgs[j].post.CreatedAt.IsZero() && msgs[j].num < msgs[i].num {
				t = msgs[j].post.CreatedAt
				break
			}
		}
		if t.Equal(now) {
			for j := i + 1; j < len(msgs); j++ {
				if !msgs[j].post.CreatedAt.IsZero() && msgs[j].num > msgs[i].num {
					t = msgs[j].post.CreatedAt
					break
				}
			}
		}
		msgs[i].post.CreatedAt = t.UTC()
	}
}

// textLinks reports whether the message text has an anchor to href.
func textLinks(s *goquery.Selection, base *url.URL, href string) bool {
	found := false
	s.Find(".tgme_widget_message_text a[href]").EachWithBreak(func(_ int, a *goquery.Selection) bool {
		found = source.AbsoluteURL(base, a.AttrOr("href", "")) == href
		return !found
	})
	return found
}
