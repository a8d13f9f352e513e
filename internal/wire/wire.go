package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SchemaVersion is the version of every message this build writes. Readers
// accept messages whose schema is at most SchemaVersion.
const SchemaVersion = 1

// Subjects and streams of the wire contract (DESIGN.md).
const (
	SubjectPosts    = "hw.posts"    // hw.posts.<source_kind>.<source>
	SubjectFindings = "hw.findings" // hw.findings.<source>
	SubjectCases    = "hw.cases"    // hw.cases.<event type>
	SubjectStats    = "hw.stats"    // hw.stats.scanned.<source>
)

// Apps is the fixed list of messaging-app names a Handle may carry.
var Apps = []string{
	"wickr", "telegram", "kik", "session", "signal", "snapchat", "whatsapp",
	"discord", "threema", "matrix", "simplex", "wire", "teleguard", "tox",
	"briar", "viber", "line", "wechat", "skype",
}

// IsApp reports whether name is one of Apps.
func IsApp(name string) bool {
	for _, a := range Apps {
		if a == name {
			return true
		}
	}
	return false
}

// Post is one public post as a source showed it, reduced to text. It never
// carries media or media URLs: at most a count of attachments.
type Post struct {
	Schema      int       `json:"schema"`
	Source      string    `json:"source"`      // source name from the config
	SourceKind  string    `json:"source_kind"` // reddit, mastodon, rss, …
	ID          string    `json:"id"`          // the platform's id, unique within Source
	Permalink   string    `json:"permalink"`
	Author      string    `json:"author,omitempty"` // as the platform shows it
	AuthorURL   string    `json:"author_url,omitempty"`
	Text        string    `json:"text"` // title + body, HTML reduced to text
	Links       []string  `json:"links,omitempty"`
	Lang        string    `json:"lang,omitempty"`
	Attachments int       `json:"attachments,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	FetchedAt   time.Time `json:"fetched_at"`
}

// Key identifies the post across the whole system: it is the JetStream
// message id and the seen-post key.
func (p *Post) Key() string { return p.Source + "/" + p.ID }

// Subject is the NATS subject the post is published on.
func (p *Post) Subject() string {
	return SubjectPosts + "." + Token(p.SourceKind) + "." + Token(p.Source)
}

// Validate reports the first reason the post cannot be processed.
func (p *Post) Validate() error {
	switch {
	case p.Schema < 1 || p.Schema > SchemaVersion:
		return fmt.Errorf("post: unsupported schema %d", p.Schema)
	case p.Source == "":
		return errors.New("post: missing source")
	case p.ID == "":
		return errors.New("post: missing id")
	case !utf8.ValidString(p.Text):
		return errors.New("post: text is not valid UTF-8")
	}
	return nil
}

// Span is a half-open byte range [Start, End) into a text.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Valid reports whether the span lies inside a text of length n.
func (s Span) Valid(n int) bool { return 0 <= s.Start && s.Start <= s.End && s.End <= n }

// PostRef is what a Finding keeps of its post.
type PostRef struct {
	Source     string    `json:"source"`
	SourceKind string    `json:"source_kind"`
	ID         string    `json:"id"`
	Permalink  string    `json:"permalink"`
	Author     string    `json:"author,omitempty"`
	AuthorURL  string    `json:"author_url,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// Ref returns the reference a Finding keeps of p.
func (p *Post) Ref() PostRef {
	return PostRef{Source: p.Source, SourceKind: p.SourceKind, ID: p.ID, Permalink: p.Permalink,
		Author: p.Author, AuthorURL: p.AuthorURL, CreatedAt: p.CreatedAt}
}

// Excerpt is a bounded piece of the post's text with the matched parts as
// spans into Text, so a moderator sees the evidence marked.
type Excerpt struct {
	Text  string `json:"text"`
	Spans []Span `json:"spans,omitempty"`
}

// HandleKind says how a handle was found.
type HandleKind string

const (
	HandleLink    HandleKind = "link"    // t.me/x, wa.me/…
	HandleID      HandleKind = "id"      // an ID shape: Session, Tox, Threema…
	HandleMention HandleKind = "mention" // "wickr: x", "add me on kik x"
)

// Watch is a handle's standing on the watchlists.
type Watch string

const (
	WatchNone    Watch = ""
	WatchKnown   Watch = "known"   // confirmed by moderators or a shared list
	WatchCleared Watch = "cleared" // cleared by moderators: never actionable again
	// WatchImported: a partner shared the handle; it is watched in shadow
	// mode until a moderator accepts it (confirms its case).
	WatchImported Watch = "imported"
)

// Handle is one messaging-app contact found in a post.
type Handle struct {
	App    string     `json:"app"`    // one of Apps
	Handle string     `json:"handle"` // canonical form (DESIGN.md)
	Raw    string     `json:"raw"`    // as written in the post
	Kind   HandleKind `json:"kind"`
	Span   Span       `json:"span"` // into Excerpt.Text
	Watch  Watch      `json:"watch,omitempty"`
}

// CaseKey is the key of the case this handle belongs to: one case per
// (app, canonical handle).
func (h Handle) CaseKey() string { return CaseKey(h.App, h.Handle) }

// CaseKey returns the case id for an app and canonical handle. It is stable
// and safe as a NATS subject token and a URL path segment.
func CaseKey(app, handle string) string {
	sum := sha256.Sum256([]byte(app + "\x00" + handle))
	return app + "-" + hex.EncodeToString(sum[:8])
}

// Mode is what a rule or finding may cause.
type Mode string

const (
	ModeShadow Mode = "shadow" // record only
	ModeAlert  Mode = "alert"  // alert moderators
	ModeAct    Mode = "act"    // may trigger takedown requests
)

// Rank orders modes: shadow < alert < act.
func (m Mode) Rank() int {
	switch m {
	case ModeAlert:
		return 1
	case ModeAct:
		return 2
	}
	return 0
}

// Severity of a finding.
type Severity string

const (
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

// Rank orders severities: low < medium < high < critical; unknown is -1.
func (s Severity) Rank() int {
	switch s {
	case SeverityLow:
		return 0
	case SeverityMedium:
		return 1
	case SeverityHigh:
		return 2
	case SeverityCritical:
		return 3
	}
	return -1
}

// ParseSeverity parses a severity name.
func ParseSeverity(s string) (Severity, error) {
	sev := Severity(strings.ToLower(strings.TrimSpace(s)))
	if sev.Rank() < 0 {
		return "", fmt.Errorf("unknown severity %q (want low, medium, high or critical)", s)
	}
	return sev, nil
}

// Signal is one rule that fired, with why it counts.
type Signal struct {
	Rule     string  `json:"rule"`
	Category string  `json:"category"`
	Weight   float64 `json:"weight"` // negative for negative context
	Span     Span    `json:"span"`   // into Excerpt.Text
	Mode     Mode    `json:"mode,omitempty"`
}

// Finding is the detector's verdict on one post.
type Finding struct {
	Schema       int       `json:"schema"`
	ID           string    `json:"id"` // FindingID(post, RulesVersion)
	Post         PostRef   `json:"post"`
	Excerpt      Excerpt   `json:"excerpt"`
	Handles      []Handle  `json:"handles"`
	Signals      []Signal  `json:"signals"`
	Score        float64   `json:"score"`
	Severity     Severity  `json:"severity"`
	RulesVersion string    `json:"rules_version"`
	Mode         Mode      `json:"mode"`
	DetectedAt   time.Time `json:"detected_at"`
	// Model is the version of the trained scorer that decided, empty when
	// the rules alone did (a watchlist hit, or no model loaded).
	Model string `json:"model,omitempty"`
	// Evidence is what pushed the score most, in a moderator's words,
	// strongest first.
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Evidence is one reason for a finding's score.
type Evidence struct {
	Text   string  `json:"text"`   // "a word for a minor \"13yo\" next to the contact"
	Weight float64 `json:"weight"` // its share of the score's margin
}

// FindingID is deterministic from the post and the rule-set version, so a
// re-scan under the same rules yields the same id and JetStream drops the
// repeat.
func FindingID(source, postID, rulesVersion string) string {
	sum := sha256.Sum256([]byte(source + "\x00" + postID + "\x00" + rulesVersion))
	return hex.EncodeToString(sum[:16])
}

// Subject is the NATS subject the finding is published on.
func (f *Finding) Subject() string { return SubjectFindings + "." + Token(f.Post.Source) }

// Validate reports the first reason the finding cannot be processed.
func (f *Finding) Validate() error {
	switch {
	case f.Schema < 1 || f.Schema > SchemaVersion:
		return fmt.Errorf("finding: unsupported schema %d", f.Schema)
	case f.ID == "":
		return errors.New("finding: missing id")
	case f.Post.Source == "" || f.Post.ID == "":
		return errors.New("finding: missing post reference")
	case f.Severity.Rank() < 0:
		return fmt.Errorf("finding: unknown severity %q", f.Severity)
	}
	n := len(f.Excerpt.Text)
	for _, s := range f.Excerpt.Spans {
		if !s.Valid(n) {
			return fmt.Errorf("finding: excerpt span %d-%d outside excerpt of %d bytes", s.Start, s.End, n)
		}
	}
	for _, h := range f.Handles {
		if !IsApp(h.App) {
			return fmt.Errorf("finding: unknown app %q", h.App)
		}
		if h.Handle == "" {
			return errors.New("finding: empty handle")
		}
		if !h.Span.Valid(n) {
			return fmt.Errorf("finding: handle span %d-%d outside excerpt of %d bytes", h.Span.Start, h.Span.End, n)
		}
	}
	for _, s := range f.Signals {
		if !s.Span.Valid(n) {
			return fmt.Errorf("finding: signal %s span %d-%d outside excerpt of %d bytes", s.Rule, s.Span.Start, s.Span.End, n)
		}
	}
	return nil
}

// EventType names a case event.
type EventType string

const (
	EventDecision EventType = "decision" // a moderator's decision
	EventTakedown EventType = "takedown" // a takedown request changed state
	EventAlert    EventType = "alert"    // an alert was delivered (or dead-lettered)
	EventSkip     EventType = "skip"     // an action was not taken, with why
	EventImport   EventType = "import"   // a partner shared (or revoked) an indicator of the handle
)

// Decision is a moderator's verdict on a case.
type Decision string

const (
	DecisionConfirm  Decision = "confirm"
	DecisionDismiss  Decision = "dismiss"
	DecisionEscalate Decision = "escalate"
	DecisionClear    Decision = "clear"
)

// Valid reports whether d is a known decision.
func (d Decision) Valid() bool {
	switch d {
	case DecisionConfirm, DecisionDismiss, DecisionEscalate, DecisionClear:
		return true
	}
	return false
}

// TakedownState is a takedown request's place in its lifecycle.
type TakedownState string

const (
	TakedownRequested    TakedownState = "requested"
	TakedownSent         TakedownState = "sent"
	TakedownAcknowledged TakedownState = "acknowledged"
	TakedownRemoved      TakedownState = "removed"
	TakedownFailed       TakedownState = "failed"
)

// CaseEvent is one change to a case: a moderator's decision, a takedown
// state change, an alert delivered, or an action skipped with its reason.
// The stream of case events is the log of record for everything a human or
// the sink decided.
type CaseEvent struct {
	Schema   int       `json:"schema"`
	ID       string    `json:"id"` // the JetStream message id: repeats are dropped
	CaseID   string    `json:"case_id"`
	App      string    `json:"app"`
	Handle   string    `json:"handle"`
	Type     EventType `json:"type"`
	Decision Decision  `json:"decision,omitempty"`

	Takedown *TakedownChange `json:"takedown,omitempty"`
	Alert    *AlertRecord    `json:"alert,omitempty"`
	Import   *ImportRecord   `json:"import,omitempty"`

	Actor  string    `json:"actor"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at"`
}

// TakedownChange is the payload of an EventTakedown.
type TakedownChange struct {
	RequestID string        `json:"request_id"`
	Target    string        `json:"target"`  // configured target name
	Channel   string        `json:"channel"` // mastodon, bluesky, reddit, email…
	State     TakedownState `json:"state"`
	URL       string        `json:"url,omitempty"` // the reported permalink or handle page
	Shadow    bool          `json:"shadow,omitempty"`
	Detail    string        `json:"detail,omitempty"`
}

// AlertRecord is the payload of an EventAlert.
type AlertRecord struct {
	Notifier  string `json:"notifier"`
	Level     string `json:"level"` // new, escalation:<threshold>, digest
	Delivered bool   `json:"delivered"`
	Attempts  int    `json:"attempts"`
	Detail    string `json:"detail,omitempty"`
}

// ImportRecord is the payload of an EventImport: one version of a
// partner's indicator of the case's handle. It is provenance, never
// evidence: the handle is watched in shadow mode, and only a moderator's
// decision makes the case act.
type ImportRecord struct {
	Partner     string    `json:"partner"`      // configured partner name
	IndicatorID string    `json:"indicator_id"` // the partner's STIX id
	Confidence  int       `json:"confidence"`   // 0-100; -1 when the partner gave none
	Labels      []string  `json:"labels,omitempty"`
	Modified    time.Time `json:"modified"` // the indicator version
	ValidFrom   time.Time `json:"valid_from,omitzero"`
	ValidUntil  time.Time `json:"valid_until,omitzero"` // zero: no end
	Revoked     bool      `json:"revoked,omitempty"`
}

// Subject is the NATS subject the event is published on.
func (e *CaseEvent) Subject() string { return SubjectCases + "." + Token(string(e.Type)) }

// Validate reports the first reason the event cannot be processed.
func (e *CaseEvent) Validate() error {
	switch {
	case e.Schema < 1 || e.Schema > SchemaVersion:
		return fmt.Errorf("case event: unsupported schema %d", e.Schema)
	case e.ID == "":
		return errors.New("case event: missing id")
	case e.CaseID == "":
		return errors.New("case event: missing case id")
	case e.Actor == "":
		return errors.New("case event: missing actor")
	}
	switch e.Type {
	case EventDecision:
		if !e.Decision.Valid() {
			return fmt.Errorf("case event: unknown decision %q", e.Decision)
		}
	case EventTakedown:
		if e.Takedown == nil || e.Takedown.RequestID == "" {
			return errors.New("case event: takedown event without request")
		}
	case EventAlert:
		if e.Alert == nil {
			return errors.New("case event: alert event without alert")
		}
	case EventSkip:
		if e.Reason == "" {
			return errors.New("case event: skip without reason")
		}
	case EventImport:
		switch {
		case e.Import == nil || e.Import.Partner == "" || e.Import.IndicatorID == "":
			return errors.New("case event: import without partner and indicator")
		case e.App == "" || e.Handle == "":
			return errors.New("case event: import without app and handle")
		case e.Import.Modified.IsZero():
			return errors.New("case event: import without the indicator's modified time")
		}
	default:
		return fmt.Errorf("case event: unknown type %q", e.Type)
	}
	return nil
}

// ScanTally counts the posts the detector scanned for one source in one
// window: the denominator of every prevalence figure.
type ScanTally struct {
	Schema int       `json:"schema"`
	ID     string    `json:"id"` // worker + window: repeats are dropped
	Source string    `json:"source"`
	Day    string    `json:"day"` // UTC, 2006-01-02, of the posts' fetch time
	Posts  int64     `json:"posts"`
	At     time.Time `json:"at"`
	// Stream and Seqs name the posts counted: the posts stream (its
	// server-side name and creation time, "HW_POSTS@<unix ns>", so a
	// recreated stream's sequences are new ones) and their sequences in
	// it as ranges [from, to], Posts in all. A sink counts each sequence
	// once, so a post that a crash had counted in two tallies counts
	// once. A tally without Seqs (an older detector's) counts once by ID.
	Stream string      `json:"stream,omitempty"`
	Seqs   [][2]uint64 `json:"seqs,omitempty"`
}

// SeqCount is how many sequences t.Seqs names, or -1 when a range is
// reversed.
func (t *ScanTally) SeqCount() int64 {
	var n int64
	for _, r := range t.Seqs {
		if r[1] < r[0] {
			return -1
		}
		n += int64(r[1]-r[0]) + 1
	}
	return n
}

// Subject is the NATS subject the tally is published on.
func (t *ScanTally) Subject() string { return SubjectStats + ".scanned." + Token(t.Source) }

// Token makes s safe as one NATS subject token: dots, spaces, wildcards and
// control characters become '_'.
func Token(s string) string {
	if s == "" {
		return "_"
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '.' || r == '*' || r == '>' || r <= ' ' || r == 0x7f:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Watchlist sets in the state store (state.Sets). The sink adds a case's
// handle to WatchlistKnown when a moderator confirms it and to
// WatchlistCleared when one clears it; the detector reads both.
const (
	WatchlistKnown   = "watch:known"
	WatchlistCleared = "watch:cleared"
	// WatchlistImported holds the handles partners shared that no
	// moderator has decided on yet: the detector watches them in shadow
	// mode only.
	WatchlistImported = "watch:imported"
)

// WatchMember is a handle's member string in the watchlist sets.
func WatchMember(app, handle string) string { return app + ":" + handle }
