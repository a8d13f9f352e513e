package cases

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Store keeps the cases. Implementations: Memory and Redis.
//
// Both writes are idempotent: a finding id already in the case, or an
// event id already applied, changes nothing, so redelivered and replayed
// messages are harmless. Concurrent writers (two sink processes on one
// Redis) never lose an update.
type Store interface {
	// AddSighting adds s to the case of (app, handle), creating the case.
	AddSighting(ctx context.Context, app, handle string, s Sighting) (Update, error)
	// Apply folds a case event in, creating a stub case when the event
	// comes before any sighting (the streams replay independently).
	Apply(ctx context.Context, e *wire.CaseEvent) (Update, error)
	// Get returns the case with all the sightings kept; ErrNotFound when
	// there is none.
	Get(ctx context.Context, id string) (*Case, error)
	// List returns the cases matching q, newest (last seen) first, each
	// with its latest sighting only.
	List(ctx context.Context, q Query) (Page, error)
}

// Update is the outcome of a write.
type Update struct {
	// Case after the write, with its UpdateRecent newest sightings.
	Case *Case
	// Changed is false when the finding or event was already in.
	Changed bool
	// Created is true when this write created the case.
	Created bool
}

// UpdateRecent is how many sightings an Update carries: enough for the
// permalinks of an alert.
const UpdateRecent = 5

// Query selects cases. Zero fields match everything.
type Query struct {
	Status    Status
	App       string
	Severity  wire.Severity
	SeenSince time.Time // last seen at or after
	Offset    int
	Limit     int // 0: DefaultLimit; at most MaxLimit
}

// Page is one page of List.
type Page struct {
	Cases []*Case
	More  bool // another page follows
}

const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// DefaultMaxSightings is how many sightings a case keeps by default; the
// counts stay exact beyond it.
const DefaultMaxSightings = 200

func (q Query) limit() int {
	switch {
	case q.Limit <= 0:
		return DefaultLimit
	case q.Limit > MaxLimit:
		return MaxLimit
	}
	return q.Limit
}

func (q Query) matches(c *Case) bool {
	return (q.Status == "" || c.Status == q.Status) &&
		(q.App == "" || c.App == q.App) &&
		(q.Severity == "" || c.Severity == q.Severity) &&
		(q.SeenSince.IsZero() || !c.LastSeen.Before(q.SeenSince))
}

func checkSighting(app, handle string, s *Sighting) error {
	switch {
	case app == "" || handle == "":
		return errors.New("cases: sighting without app or handle")
	case s.FindingID == "":
		return errors.New("cases: sighting without finding id")
	}
	return nil
}

func checkEvent(e *wire.CaseEvent) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	return nil
}

func trimRecent(recent []Sighting, n int) []Sighting {
	if len(recent) > n {
		return recent[:n]
	}
	return recent
}
