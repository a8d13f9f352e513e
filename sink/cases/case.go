package cases

import (
	"errors"
	"slices"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// ErrNotFound means no case has that id.
var ErrNotFound = errors.New("cases: case not found")

// Status is where a case stands with the moderators.
type Status string

const (
	StatusNew       Status = "new"       // no human decision yet
	StatusConfirmed Status = "confirmed" // a moderator confirmed the solicitation
	StatusDismissed Status = "dismissed" // a moderator found nothing actionable
	StatusEscalated Status = "escalated" // a moderator asked for a second look
	StatusCleared   Status = "cleared"   // a moderator cleared the handle for good
)

// Statuses lists every status, in review order.
var Statuses = []Status{StatusNew, StatusEscalated, StatusConfirmed, StatusDismissed, StatusCleared}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Closed reports whether a human closed the case: it never alerts again.
func (s Status) Closed() bool { return s == StatusDismissed || s == StatusCleared }

// StatusOf is the status a decision puts a case in.
func StatusOf(d wire.Decision) Status {
	switch d {
	case wire.DecisionConfirm:
		return StatusConfirmed
	case wire.DecisionDismiss:
		return StatusDismissed
	case wire.DecisionEscalate:
		return StatusEscalated
	case wire.DecisionClear:
		return StatusCleared
	}
	return StatusNew
}

// Sighting is one post that advertised the case's handle.
type Sighting struct {
	FindingID  string        `json:"finding_id"`
	Source     string        `json:"source"`
	SourceKind string        `json:"source_kind,omitempty"`
	PostID     string        `json:"post_id"`
	Permalink  string        `json:"permalink,omitempty"`
	Author     string        `json:"author,omitempty"`
	Raw        string        `json:"raw,omitempty"` // the handle as written
	Excerpt    wire.Excerpt  `json:"excerpt"`       // spans merged, sorted, on rune boundaries
	Score      float64       `json:"score"`
	Severity   wire.Severity `json:"severity"`
	Mode       wire.Mode     `json:"mode,omitempty"`
	Categories []string      `json:"categories,omitempty"` // signal categories that fired
	PostedAt   time.Time     `json:"posted_at,omitzero"`
	SeenAt     time.Time     `json:"seen_at"` // when the detector saw the post

	// Signals are the rules that fired, spans into Excerpt.Text: what the
	// case page explains.
	Signals []wire.Signal `json:"signals,omitempty"`
	// Model and Evidence are the trained scorer's version and what pushed
	// its score most, in a moderator's words.
	Model    string          `json:"model,omitempty"`
	Evidence []wire.Evidence `json:"evidence,omitempty"`
}

// authorKey identifies the author across sources: the same name on two
// platforms may be two people.
func (s *Sighting) authorKey() string {
	if s.Author == "" {
		return ""
	}
	return s.Source + "\x00" + s.Author
}

// Decision is the moderator's verdict in force.
type Decision struct {
	EventID  string        `json:"event_id"`
	Decision wire.Decision `json:"decision"`
	Actor    string        `json:"actor"`
	Reason   string        `json:"reason,omitempty"`
	At       time.Time     `json:"at"`
}

// AlertEntry records one alert level sent (or dead-lettered) to one
// notifier.
type AlertEntry struct {
	EventID   string    `json:"event_id"`
	Notifier  string    `json:"notifier"`
	Level     string    `json:"level"`
	Delivered bool      `json:"delivered"`
	Attempts  int       `json:"attempts,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	At        time.Time `json:"at"`
}

// TakedownEntry is the latest state of one takedown request.
type TakedownEntry struct {
	RequestID   string             `json:"request_id"`
	Target      string             `json:"target,omitempty"`
	Channel     string             `json:"channel,omitempty"`
	State       wire.TakedownState `json:"state"`
	URL         string             `json:"url,omitempty"`
	Shadow      bool               `json:"shadow,omitempty"`
	Detail      string             `json:"detail,omitempty"`
	RequestedAt time.Time          `json:"requested_at,omitzero"`
	RemovedAt   time.Time          `json:"removed_at,omitzero"`
	At          time.Time          `json:"at"` // of the latest change
}

// Event is one line of a case's history.
type Event struct {
	ID     string         `json:"id"`
	Type   wire.EventType `json:"type"`
	Actor  string         `json:"actor"`
	What   string         `json:"what"` // decision, takedown state or alert level
	Reason string         `json:"reason,omitempty"`
	At     time.Time      `json:"at"`
}

// MaxSourceNames bounds the source names kept per case; Sources stays exact.
const MaxSourceNames = 50

// MaxHistory bounds the history kept per case; the stream keeps it all.
const MaxHistory = 100

// Case is everything known about one (app, handle).
type Case struct {
	ID     string `json:"id"`
	App    string `json:"app"`
	Handle string `json:"handle"`

	Status   Status        `json:"status"`
	Severity wire.Severity `json:"severity,omitempty"` // highest seen
	Score    float64       `json:"score"`              // highest seen
	Mode     wire.Mode     `json:"mode,omitempty"`     // highest seen: shadow cases never alert

	Sightings int64     `json:"sightings"`
	Sources   int64     `json:"sources"` // distinct
	Authors   int64     `json:"authors"` // distinct (source, author)
	FirstSeen time.Time `json:"first_seen,omitzero"`
	LastSeen  time.Time `json:"last_seen,omitzero"`

	// SourceNames are the distinct sources, in order of first sighting, at
	// most MaxSourceNames: what the queue filters on.
	SourceNames []string `json:"source_names,omitempty"`

	Decision  *Decision       `json:"decision,omitempty"`
	Imports   []ImportEntry   `json:"imports,omitempty"` // partners' indicators: provenance, never evidence
	Alerts    []AlertEntry    `json:"alerts,omitempty"`
	Takedowns []TakedownEntry `json:"takedowns,omitempty"`
	History   []Event         `json:"history,omitempty"`

	// Recent holds the newest sightings, newest first. Get returns all
	// that are kept; List and the Update of a write return fewer.
	Recent []Sighting `json:"recent,omitempty"`
}

// Alerted reports whether level was already sent or dead-lettered to
// notifier.
func (c *Case) Alerted(notifier, level string) bool {
	for _, a := range c.Alerts {
		if a.Notifier == notifier && a.Level == level {
			return true
		}
	}
	return false
}

// Permalinks returns up to n distinct permalinks of the recent sightings,
// newest first.
func (c *Case) Permalinks(n int) []string {
	var out []string
	for _, s := range c.Recent {
		if len(out) == n {
			break
		}
		if s.Permalink != "" && !slices.Contains(out, s.Permalink) {
			out = append(out, s.Permalink)
		}
	}
	return out
}

// sortScore orders cases newest first: by last seen (then id).
func (c *Case) sortScore() float64 {
	if c.LastSeen.IsZero() {
		return 0
	}
	return float64(c.LastSeen.UnixMilli())
}

func newCase(id, app, handle string) *Case {
	return &Case{ID: id, App: app, Handle: handle, Status: StatusNew}
}

// addSighting folds s into the counts; the caller has checked that the
// finding is new and whether its source and author are.
func (c *Case) addSighting(s *Sighting, newSource, newAuthor bool) {
	c.Sightings++
	if newSource {
		c.Sources++
		if len(c.SourceNames) < MaxSourceNames && !slices.Contains(c.SourceNames, s.Source) {
			c.SourceNames = append(c.SourceNames, s.Source)
		}
	}
	if newAuthor {
		c.Authors++
	}
	if s.Severity.Rank() > c.Severity.Rank() {
		c.Severity = s.Severity
	}
	if s.Score > c.Score {
		c.Score = s.Score
	}
	if c.Mode == "" || s.Mode.Rank() > c.Mode.Rank() {
		c.Mode = s.Mode
	}
	if !s.SeenAt.IsZero() {
		if c.FirstSeen.IsZero() || s.SeenAt.Before(c.FirstSeen) {
			c.FirstSeen = s.SeenAt
		}
		if s.SeenAt.After(c.LastSeen) {
			c.LastSeen = s.SeenAt
		}
	}
}

// apply folds a case event in. The caller has checked that the event id
// is new.
func (c *Case) apply(e *wire.CaseEvent) {
	if c.App == "" {
		c.App, c.Handle = e.App, e.Handle
	}
	ev := Event{ID: e.ID, Type: e.Type, Actor: e.Actor, Reason: e.Reason, At: e.At}
	switch e.Type {
	case wire.EventDecision:
		ev.What = string(e.Decision)
		d := &Decision{EventID: e.ID, Decision: e.Decision, Actor: e.Actor, Reason: e.Reason, At: e.At}
		// The latest decision wins whatever order the events arrive in.
		if c.Decision == nil || newer(d.At, d.EventID, c.Decision.At, c.Decision.EventID) {
			c.Decision = d
			c.Status = StatusOf(e.Decision)
		}
	case wire.EventAlert:
		a := e.Alert
		ev.What = "alert " + a.Level + " via " + a.Notifier
		if !a.Delivered {
			ev.What += " (dead-lettered)"
		}
		ev.Reason = a.Detail
		c.addAlert(AlertEntry{EventID: e.ID, Notifier: a.Notifier, Level: a.Level, Delivered: a.Delivered,
			Attempts: a.Attempts, Detail: a.Detail, At: e.At})
	case wire.EventTakedown:
		ev.What = "takedown " + string(e.Takedown.State) + " via " + e.Takedown.Target
		c.applyTakedown(e.Takedown, e.At)
	case wire.EventSkip:
		ev.What = "skipped"
	case wire.EventImport:
		ev.What = "imported from " + e.Import.Partner + " (" + e.Import.IndicatorID + ")"
		if e.Import.Revoked {
			ev.What = "revoked by " + e.Import.Partner + " (" + e.Import.IndicatorID + ")"
		}
		c.addImport(ImportEntry{EventID: e.ID, ImportRecord: *e.Import, At: e.At})
	}
	c.History = append(c.History, ev)
	sort.SliceStable(c.History, func(i, j int) bool { return c.History[i].At.Before(c.History[j].At) })
	if n := len(c.History); n > MaxHistory {
		c.History = slices.Delete(c.History, 0, n-MaxHistory)
	}
}

func newer(at time.Time, id string, than time.Time, thanID string) bool {
	if !at.Equal(than) {
		return at.After(than)
	}
	return id > thanID
}

func (c *Case) addAlert(a AlertEntry) {
	for i, old := range c.Alerts {
		if old.Notifier == a.Notifier && old.Level == a.Level {
			// One outcome per (notifier, level); a delivery beats a
			// dead letter recorded by a process that gave up sooner.
			if a.Delivered && !old.Delivered {
				c.Alerts[i] = a
			}
			return
		}
	}
	c.Alerts = append(c.Alerts, a)
}

// ImportEntry is the latest version of one partner indicator of the
// case's handle.
type ImportEntry struct {
	EventID string `json:"event_id"`
	wire.ImportRecord
	At time.Time `json:"at"` // when it was imported
}

// Live reports whether the indicator still stands at now: not revoked and
// not past its valid_until.
func (e ImportEntry) Live(now time.Time) bool {
	return !e.Revoked && (e.ValidUntil.IsZero() || now.Before(e.ValidUntil))
}

// LiveImports are the partners' indicators still standing at now.
func (c *Case) LiveImports(now time.Time) []ImportEntry {
	var out []ImportEntry
	for _, e := range c.Imports {
		if e.Live(now) {
			out = append(out, e)
		}
	}
	return out
}

// addImport keeps one entry per (partner, indicator): the newest version
// wins whatever order they arrive in.
func (c *Case) addImport(e ImportEntry) {
	for i, old := range c.Imports {
		if old.Partner == e.Partner && old.IndicatorID == e.IndicatorID {
			if newer(e.Modified, e.EventID, old.Modified, old.EventID) {
				c.Imports[i] = e
			}
			return
		}
	}
	c.Imports = append(c.Imports, e)
}

func (c *Case) applyTakedown(t *wire.TakedownChange, at time.Time) {
	i := slices.IndexFunc(c.Takedowns, func(e TakedownEntry) bool { return e.RequestID == t.RequestID })
	if i < 0 {
		c.Takedowns = append(c.Takedowns, TakedownEntry{RequestID: t.RequestID})
		i = len(c.Takedowns) - 1
	}
	e := &c.Takedowns[i]
	if t.State == wire.TakedownRequested && (e.RequestedAt.IsZero() || at.Before(e.RequestedAt)) {
		e.RequestedAt = at
	}
	if t.State == wire.TakedownRemoved && (e.RemovedAt.IsZero() || at.Before(e.RemovedAt)) {
		e.RemovedAt = at
	}
	if e.State != "" && at.Before(e.At) {
		return // an older change arriving late does not roll the state back
	}
	e.Target, e.Channel, e.State, e.URL, e.Shadow, e.Detail, e.At =
		t.Target, t.Channel, t.State, t.URL, t.Shadow, t.Detail, at
}

// MergeSpans returns the valid spans of text sorted, with overlapping and
// touching spans merged and both ends moved out of any UTF-8 sequence they
// split, so that marking them never breaks a character.
func MergeSpans(text string, spans []wire.Span) []wire.Span {
	var in []wire.Span
	for _, s := range spans {
		if !s.Valid(len(text)) || s.Start == s.End {
			continue
		}
		for s.Start > 0 && !utf8.RuneStart(text[s.Start]) {
			s.Start--
		}
		for s.End < len(text) && !utf8.RuneStart(text[s.End]) {
			s.End++
		}
		in = append(in, s)
	}
	sort.Slice(in, func(i, j int) bool {
		if in[i].Start != in[j].Start {
			return in[i].Start < in[j].Start
		}
		return in[i].End < in[j].End
	})
	var out []wire.Span
	for _, s := range in {
		if n := len(out); n > 0 && s.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// SightingOf is the sighting a finding makes for one of its handles: the
// excerpt with every matched part marked (signals and this handle).
func SightingOf(f *wire.Finding, h wire.Handle, seenAt time.Time) Sighting {
	spans := slices.Clone(f.Excerpt.Spans)
	spans = append(spans, h.Span)
	if !f.DetectedAt.IsZero() {
		seenAt = f.DetectedAt
	}
	mode := f.Mode
	if mode == "" {
		// A finding without a mode is a detector bug; failing towards an
		// alert costs a moderator a look, failing towards shadow could
		// hide a real case.
		mode = wire.ModeAlert
	}
	return Sighting{
		FindingID: f.ID, Source: f.Post.Source, SourceKind: f.Post.SourceKind, PostID: f.Post.ID,
		Permalink: f.Post.Permalink, Author: f.Post.Author, Raw: h.Raw,
		Excerpt: wire.Excerpt{Text: f.Excerpt.Text, Spans: MergeSpans(f.Excerpt.Text, spans)},
		Score:   f.Score, Severity: f.Severity, Mode: mode, Categories: Categories(f.Signals), Signals: slices.Clone(f.Signals),
		Model: f.Model, Evidence: slices.Clone(f.Evidence),
		PostedAt: f.Post.CreatedAt.UTC(), SeenAt: seenAt.UTC(),
	}
}

// Categories are the distinct categories of the positive signals, sorted:
// what fired, for the case view and the takedown notices.
func Categories(signals []wire.Signal) []string {
	var out []string
	for _, sig := range signals {
		if sig.Weight > 0 && sig.Category != "" && !slices.Contains(out, sig.Category) {
			out = append(out, sig.Category)
		}
	}
	sort.Strings(out)
	return out
}
