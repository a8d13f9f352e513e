package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Slack posts alerts to a Slack incoming webhook as Block Kit messages.
type Slack struct {
	name   string
	url    string // a secret: never logged
	client *http.Client
	now    func() time.Time
}

var _ Notifier = (*Slack)(nil)

// NewSlack returns a Slack notifier; client nil gets a client with a 10 s
// timeout.
func NewSlack(name, webhookURL string, client *http.Client) *Slack {
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Slack{name: name, url: webhookURL, client: client, now: time.Now}
}

func (s *Slack) Name() string { return s.name }
func (s *Slack) Kind() string { return "slack" }

func (s *Slack) Send(ctx context.Context, m Message) error {
	body, err := json.Marshal(SlackMessage(m))
	if err != nil {
		return Permanent(fmt.Errorf("encoding slack message: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("building slack request: %w", err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "handlewatch-sink")
	return doHTTP(s.client, req, s.now)
}

// SlackEscape escapes the three characters Slack's mrkdwn treats as
// control characters, so crawled text can never become a link, a mention
// or a broadcast.
func SlackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackCode makes s safe inside a ``` block or `inline code`: escaped, and
// backticks (which would end the block early) replaced by a look-alike.
func slackCode(s string) string { return strings.ReplaceAll(SlackEscape(s), "`", "ˋ") }

// slackLink renders <url|label> for an http(s) URL, or the escaped text
// when u is anything else; '|' and '>' in the URL are percent-encoded so
// the link cannot be bent.
func slackLink(u, label string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return slackCode(u)
	}
	safe := strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E", " ", "%20", "&", "&amp;").Replace(p.String())
	return "<" + safe + "|" + SlackEscape(label) + ">"
}

// Slack's limits: a section's text is at most 3000 characters, a header's
// 150, a message at most 50 blocks.
const (
	slackSectionMax = 3000
	slackDigestMax  = 20
)

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

type slackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type slackBlock struct {
	Type     string      `json:"type"`
	Text     *slackText  `json:"text,omitempty"`
	Fields   []slackText `json:"fields,omitempty"`
	Elements []slackText `json:"elements,omitempty"`
}

type slackPayload struct {
	Text   string       `json:"text"` // the notification fallback: no crawled text
	Blocks []slackBlock `json:"blocks"`
}

func mrkdwn(s string) *slackText { return &slackText{Type: "mrkdwn", Text: s} }

func section(s string) slackBlock {
	return slackBlock{Type: "section", Text: mrkdwn(truncateRunes(s, slackSectionMax))}
}

// SlackMessage is the Block Kit message for m.
func SlackMessage(m Message) any {
	if m.Digest {
		return slackDigest(m)
	}
	a := m.Alerts[0]
	title := a.Summary()
	blocks := []slackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: truncateRunes(title, 150)}},
		{Type: "section", Fields: []slackText{
			{Type: "mrkdwn", Text: "*App*\n" + SlackEscape(a.App)},
			{Type: "mrkdwn", Text: "*Handle*\n`" + slackCode(a.Handle) + "`"},
			{Type: "mrkdwn", Text: "*Severity*\n" + SlackEscape(string(a.Severity))},
			{Type: "mrkdwn", Text: "*Score*\n" + strconv.FormatFloat(a.Score, 'f', 2, 64)},
			{Type: "mrkdwn", Text: fmt.Sprintf("*Sightings*\n%d (%d sources, %d authors)", a.Sightings, a.Sources, a.Authors)},
			{Type: "mrkdwn", Text: "*Seen*\n" + a.FirstSeen.UTC().Format(time.RFC3339) + " – " + a.LastSeen.UTC().Format(time.RFC3339)},
		}},
		section("*Why:* " + SlackEscape(strings.Join(a.Reasons, "; "))),
	}
	if a.Excerpt.Text != "" {
		// A code block shows the evidence verbatim: no crawled character
		// can format, link or mention; ⟦ ⟧ mark what matched.
		ex := Mark(a.Excerpt, MarkOpen, MarkClose, slackCode)
		blocks = append(blocks, section("*Evidence*"+sourceNote(a.Source)+"\n```"+truncateRunes(ex, slackSectionMax-64)+"```"))
	}
	if len(a.Permalinks) > 0 {
		var links []string
		for i, p := range a.Permalinks {
			links = append(links, slackLink(p, fmt.Sprintf("post %d", i+1)))
		}
		blocks = append(blocks, section("*Posts:* "+strings.Join(links, " · ")))
	}
	blocks = append(blocks,
		section(slackLink(a.URL, "Open the case in handlewatch")),
		slackBlock{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: "case " + slackCode(a.CaseID) + " · text only, no media"}}},
	)
	return slackPayload{Text: title, Blocks: blocks}
}

func sourceNote(src string) string {
	if src == "" {
		return ""
	}
	return " (on " + SlackEscape(src) + ")"
}

func slackDigest(m Message) slackPayload {
	title := fmt.Sprintf("handlewatch digest: %d cases", len(m.Alerts))
	blocks := []slackBlock{
		{Type: "header", Text: &slackText{Type: "plain_text", Text: title}},
		{Type: "context", Elements: []slackText{{Type: "mrkdwn", Text: "since " + m.Since.UTC().Format(time.RFC3339)}}},
	}
	for i, a := range m.Alerts {
		if i == slackDigestMax {
			blocks = append(blocks, section(fmt.Sprintf("…and %d more: see the review queue.", len(m.Alerts)-slackDigestMax)))
			break
		}
		blocks = append(blocks, section(fmt.Sprintf("*%s* `%s` · %s · %s · %d sightings · %s",
			SlackEscape(a.App), slackCode(a.Handle), SlackEscape(string(a.Severity)),
			SlackEscape(strings.Join(a.Reasons, "; ")), a.Sightings, slackLink(a.URL, "open"))))
	}
	return slackPayload{Text: title, Blocks: blocks}
}
