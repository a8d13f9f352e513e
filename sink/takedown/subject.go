package takedown

import (
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

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
	Status cases.Status
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
func SubjectFromFinding(f wire.Finding, h wire.Handle, status cases.Status) Subject {
	return Subject{
		CaseID: h.CaseKey(), App: h.App, Handle: h.Handle,
		Severity: f.Severity, Mode: f.Mode, Status: status,
		Categories: cases.Categories(f.Signals), Posts: []PostRef{PostFromFinding(f)},
	}
}
