package takedown

import (
	"sort"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Case statuses, as the sink's case view names them.
const (
	StatusNew       = "new"
	StatusConfirmed = "confirmed"
	StatusDismissed = "dismissed"
	StatusEscalated = "escalated"
	StatusCleared   = "cleared"
)

// StatusOf is the case status a decision leads to.
func StatusOf(d wire.Decision) string {
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
	return ""
}

// closed reports whether a human decision forbids any takedown for the
// case.
func closed(status string) bool { return status == StatusDismissed || status == StatusCleared }

// Subject is what the takedown side needs of one case: plain values the
// sink copies from its case view or straight from a finding.
type Subject struct {
	CaseID string
	App    string
	Handle string
	// Severity and Mode are the case's (the highest of its findings); a
	// post without its own severity or mode uses these.
	Severity wire.Severity
	Mode     wire.Mode
	// Status is the case's status: new, confirmed, dismissed, escalated or
	// cleared. Empty means new.
	Status string
	// Categories are the signal categories that fired, for the notice
	// text.
	Categories []string
	// Posts are the sightings to consider: on a finding, its post; on a
	// decision, every post of the case (those already handled are skipped
	// quietly).
	Posts []PostRef
}

// PostRef is one sighting of the handle.
type PostRef struct {
	FindingID  string
	Source     string
	SourceKind string
	PostID     string
	Permalink  string
	Author     string
	AuthorURL  string
	Severity   wire.Severity // empty: the Subject's
	Mode       wire.Mode     // empty: the Subject's
	Excerpt    string        // the finding's excerpt; cut to excerpt_max in e-mail notices
}

// Key identifies the post across the system (as wire.Post.Key does).
func (p PostRef) Key() string { return p.Source + "/" + p.PostID }

// PostFromFinding is the PostRef of a finding.
func PostFromFinding(f wire.Finding) PostRef {
	return PostRef{
		FindingID: f.ID, Source: f.Post.Source, SourceKind: f.Post.SourceKind, PostID: f.Post.ID,
		Permalink: f.Post.Permalink, Author: f.Post.Author, AuthorURL: f.Post.AuthorURL,
		Severity: f.Severity, Mode: f.Mode, Excerpt: f.Excerpt.Text,
	}
}

// SubjectFromFinding is the Subject for one handle of a finding, for a
// case whose status is status. The sink may instead fill Severity, Mode
// and Categories from its case view.
func SubjectFromFinding(f wire.Finding, h wire.Handle, status string) Subject {
	return Subject{
		CaseID: h.CaseKey(), App: h.App, Handle: h.Handle,
		Severity: f.Severity, Mode: f.Mode, Status: status,
		Categories: Categories(f.Signals), Posts: []PostRef{PostFromFinding(f)},
	}
}

// Categories are the distinct categories of the positive signals, sorted.
func Categories(signals []wire.Signal) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range signals {
		if s.Weight <= 0 || s.Category == "" || seen[s.Category] {
			continue
		}
		seen[s.Category] = true
		out = append(out, s.Category)
	}
	sort.Strings(out)
	return out
}
