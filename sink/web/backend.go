package web

import (
	"context"
	"errors"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/hotline"
	"github.com/handlewatch/handlewatch/sink/stats"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

// Backend is what the dashboard reads and does; the sink implements it.
type Backend interface {
	// ListCases is cases.Store.List.
	ListCases(ctx context.Context, q cases.Query) (cases.Page, error)
	// Case returns a case with every sighting kept; cases.ErrNotFound
	// when there is none.
	Case(ctx context.Context, id string) (*cases.Case, error)
	// Takedowns returns the takedown requests of a case, or of every case
	// when caseID is empty.
	Takedowns(caseID string) []takedown.Request
	// Decide records a moderator's decision exactly as the JSON API does
	// (one event on hw.cases.decision, then applied) and returns the case
	// after it. Errors: ErrInvalid (the message says what to fix),
	// ErrUnavailable (nothing was recorded), cases.ErrNotFound.
	Decide(ctx context.Context, d Decision) (*cases.Case, error)
	// HotlineDraft returns the draft of a confirmed case; hotline.ErrNotConfirmed
	// otherwise.
	HotlineDraft(ctx context.Context, id string) (*hotline.Draft, error)
	// Stats is the research report.
	Stats(ctx context.Context, q stats.Query) (stats.Report, error)
	// Audit returns up to limit of the latest decisions, newest first.
	Audit(limit int) []wire.CaseEvent
	// Sources returns the crawl targets' health; ok is false when this
	// process does not crawl.
	Sources() (health []SourceHealth, ok bool)
}

// Decision is one moderator's decision on one case.
type Decision struct {
	CaseID   string
	Decision wire.Decision
	Actor    string
	Reason   string
	// IdempotencyKey makes a repeated submission record one decision.
	IdempotencyKey string
}

var (
	// ErrInvalid wraps a decision the moderator has to correct.
	ErrInvalid = errors.New("invalid decision")
	// ErrUnavailable means the decision could not be recorded.
	ErrUnavailable = errors.New("the decision could not be recorded; nothing changed, try again")
)

// SourceHealth is how one crawl target is doing.
type SourceHealth struct {
	Source              string
	Target              string
	Kind                string
	LastSuccess         time.Time
	LastError           string
	LastErrorAt         time.Time
	LastPosts           int
	ConsecutiveFailures int
	NextRun             time.Time
}
