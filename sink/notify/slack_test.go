package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/notify"
	"github.com/handlewatch/handlewatch/sink/notify/notifytest"
)

func TestSlackEscape(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"<!channel>", "&lt;!channel&gt;"},
		{"<@U123> hi", "&lt;@U123&gt; hi"},
		{"<http://evil.example|click>", "&lt;http://evil.example|click&gt;"},
		{"a & b", "a &amp; b"},
		{"&lt; already", "&amp;lt; already"},
		{"", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := notify.SlackEscape(tc.in); got != tc.want {
				t.Fatalf("SlackEscape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

// hostile is crawled text that tries every trick mrkdwn allows.
func hostile() notify.Alert {
	a := testAlert()
	a.Handle = "evil`<!here>"
	a.Excerpt = wire.Excerpt{Text: "<!channel> <@U1> <http://evil.example|click> & ``` *bold* wickr: placeholder_01"}
	i := strings.Index(a.Excerpt.Text, "wickr:")
	a.Excerpt.Spans = []wire.Span{{Start: i, End: len(a.Excerpt.Text)}}
	a.Permalinks = []string{"http://127.0.0.1:8099/p?a=1&b=<x>|y", "javascript:alert(1)"}
	a.Source = "forum<&>"
	return a
}

// slackLinks finds every <…> in Slack text: only our own links may appear.
var slackLinks = regexp.MustCompile(`<[^>]*>`)

func TestSlackMessageNeverLetsCrawledTextFormat(t *testing.T) {
	body, err := json.Marshal(notify.SlackMessage(notify.Single(hostile())))
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type     string                  `json:"type"`
			Text     *struct{ Text string }  `json:"text"`
			Fields   []struct{ Text string } `json:"fields"`
			Elements []struct{ Text string } `json:"elements"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, b := range msg.Blocks {
		if b.Text != nil {
			texts = append(texts, b.Text.Text)
		}
		for _, f := range b.Fields {
			texts = append(texts, f.Text)
		}
		for _, e := range b.Elements {
			texts = append(texts, e.Text)
		}
	}
	all := strings.Join(texts, "\n")
	for _, l := range slackLinks.FindAllString(all, -1) {
		if !strings.HasPrefix(l, "<http://127.0.0.1:8099/p?a=1&amp;b=%3Cx%3E%7Cy|post 1>") &&
			!strings.HasPrefix(l, "<http://127.0.0.1:8080/cases/") {
			t.Errorf("unexpected Slack link or mention %q", l)
		}
	}
	for _, bad := range []string{"<!channel>", "<!here>", "<@U1>", "javascript:alert(1)|", "forum<&>"} {
		if strings.Contains(all, bad) {
			t.Errorf("crawled %q reached Slack unescaped", bad)
		}
	}
	// The evidence block opens and closes exactly once: the crawled ```
	// cannot end it early.
	if n := strings.Count(all, "```"); n != 2 {
		t.Errorf("%d ``` fences, want 2:\n%s", n, all)
	}
	if !strings.Contains(all, "⟦wickr: placeholder_01⟧") {
		t.Errorf("matched span not marked:\n%s", all)
	}
	if strings.Contains(msg.Text, "evil") || strings.Contains(msg.Text, "placeholder") {
		t.Errorf("notification fallback carries crawled text: %q", msg.Text)
	}
}

func TestSlackGolden(t *testing.T) {
	golden(t, "slack_alert.json", indentJSON(t, notify.SlackMessage(notify.Single(testAlert()))))
	var alerts []notify.Alert
	for i := range 23 {
		a := testAlert()
		a.Handle = fmt.Sprintf("placeholder_%02d", i)
		a.CaseID = wire.CaseKey("wickr", a.Handle)
		alerts = append(alerts, a)
	}
	golden(t, "slack_digest.json", indentJSON(t, notify.SlackMessage(notify.Message{Key: "digest:x", Digest: true, Since: t0, Alerts: alerts})))
}

func TestSlackDelivers(t *testing.T) {
	rcv := notifytest.StartSlack(t)
	d := notify.NewDestination(notify.NewSlack("slack", rcv.URL, nil), notify.DestinationOptions{Retry: fast})
	if out := d.Dispatch(context.Background(), hostile()); !out.Delivered || rcv.Count() != 1 {
		t.Fatalf("outcome %+v, %d messages", out, rcv.Count())
	}
}
