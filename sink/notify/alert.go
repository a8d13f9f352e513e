package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// Alert is what a moderator is told about one case.
type Alert struct {
	CaseID   string        `json:"case_id"`
	App      string        `json:"app"`
	Handle   string        `json:"handle"`
	Status   string        `json:"status"`
	Severity wire.Severity `json:"severity"`
	Score    float64       `json:"score"`
	// Levels are the alert levels this message covers: "new",
	// "escalation:sightings-100", "escalation:sources-3",
	// "escalation:severity-high".
	Levels []string `json:"levels"`
	// Reasons say the levels in words, one each.
	Reasons   []string  `json:"reasons"`
	Sightings int64     `json:"sightings"`
	Sources   int64     `json:"sources"`
	Authors   int64     `json:"authors"`
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Excerpt is the newest sighting's evidence, Spans marking the
	// matched parts.
	Excerpt    wire.Excerpt `json:"excerpt"`
	Source     string       `json:"source,omitempty"` // where the excerpt was posted
	Permalinks []string     `json:"permalinks"`       // up to MaxPermalinks, newest first
	URL        string       `json:"url"`              // the case in the dashboard
}

// MaxPermalinks is how many post links an alert carries.
const MaxPermalinks = 5

// Key is the alert's idempotency key: the same case and levels give the
// same key on every attempt and after a restart.
func (a *Alert) Key() string { return a.CaseID + ":" + strings.Join(a.Levels, ",") }

// IsNew reports whether the alert announces a new case.
func (a *Alert) IsNew() bool { return len(a.Levels) > 0 && a.Levels[0] == "new" }

// Message is one delivery: a single alert, or a digest of several.
type Message struct {
	Key    string    // the Idempotency-Key
	Digest bool      // a digest of Alerts
	Since  time.Time // a digest's window start
	Alerts []Alert
}

// Single wraps one alert as a message.
func Single(a Alert) Message { return Message{Key: a.Key(), Alerts: []Alert{a}} }

// digestKey is deterministic in the alerts it summarises.
func digestKey(alerts []Alert) string {
	keys := make([]string, len(alerts))
	for i := range alerts {
		keys[i] = alerts[i].Key()
	}
	sort.Strings(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return "digest:" + hex.EncodeToString(sum[:16])
}

// Notifier delivers messages to one destination.
type Notifier interface {
	// Name is the configured name: it appears in alert records and
	// metrics.
	Name() string
	// Kind is webhook, slack or email.
	Kind() string
	// Send makes one delivery attempt. An *Error says whether to retry;
	// any other error (the network) is retried.
	Send(ctx context.Context, m Message) error
}

// Marks around matched parts in plain renderings.
const (
	MarkOpen  = "⟦"
	MarkClose = "⟧"
)

// Mark renders ex.Text with its matched spans between open and close,
// passing every piece of crawled text through esc (nil: unchanged).
func Mark(ex wire.Excerpt, open, close string, esc func(string) string) string {
	if esc == nil {
		esc = func(s string) string { return s }
	}
	var b strings.Builder
	at := 0
	for _, s := range cases.MergeSpans(ex.Text, ex.Spans) {
		b.WriteString(esc(ex.Text[at:s.Start]))
		b.WriteString(open)
		b.WriteString(esc(ex.Text[s.Start:s.End]))
		b.WriteString(close)
		at = s.End
	}
	b.WriteString(esc(ex.Text[at:]))
	return b.String()
}

// Summary is a one-line description of the alert without crawled text,
// safe for an e-mail subject or a log line.
func (a *Alert) Summary() string {
	kind := "Escalation"
	if a.IsNew() {
		kind = "New case"
	}
	return kind + ": " + a.App + ", severity " + string(a.Severity)
}
