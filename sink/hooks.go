package sink

import (
	"context"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/stats"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

// origin says where a case event came from, which decides what it may
// set off.
type origin int

const (
	fromReplay origin = iota // the start-up rebuild: fold in, act on nothing
	fromFollow               // hw.cases.> as it happens, from any process
	fromAPI                  // our own API, before the stream brings it back
)

// hooks hand findings and case events to sink/takedown and sink/stats, in
// the way their package docs ask for.
type hooks struct {
	log       *zap.Logger
	takedowns *takedown.Manager
	stats     *stats.Stats
}

// finding runs after the finding joined its cases and its alerts settled.
// Statistics count every finding, replayed or live (they dedupe on the
// finding id); takedowns act on live ones only. An error redelivers the
// finding.
func (h *hooks) finding(ctx context.Context, f *wire.Finding, hs []wire.Handle, cs []*cases.Case, live bool) error {
	var errs []error
	if live {
		for i, hd := range hs {
			if err := h.takedowns.OnFinding(ctx, takedown.SubjectFromFinding(*f, hd, cs[i].Status)); err != nil {
				errs = append(errs, fmt.Errorf("takedowns for %s: %w", cs[i].ID, err))
			}
		}
	}
	if err := h.stats.ObserveFinding(ctx, *f); err != nil && !errors.Is(err, stats.ErrInvalid) {
		errs = append(errs, fmt.Errorf("counting finding %s: %w", f.ID, err))
	}
	return errors.Join(errs...)
}

// event runs after a case event was folded into its case. The takedown
// records take every event; statistics every event from the stream; a
// live decision in force sets off its takedowns (a decision taken through
// our API does so when the stream brings it back, like anyone else's).
func (h *hooks) event(ctx context.Context, e *wire.CaseEvent, c *cases.Case, from origin) error {
	h.takedowns.Apply(*e)
	if from == fromAPI {
		return nil
	}
	if err := h.stats.ObserveEvent(ctx, *e); err != nil && !errors.Is(err, stats.ErrInvalid) {
		return fmt.Errorf("counting event %s: %w", e.ID, err)
	}
	if from == fromFollow && e.Type == wire.EventDecision && c.Decision != nil && c.Decision.EventID == e.ID {
		if err := h.takedowns.OnDecision(ctx, decisionSubject(c), *e); err != nil {
			return fmt.Errorf("takedowns for decision %s: %w", e.ID, err)
		}
	}
	return nil
}

// decisionSubject is the takedown side's view of a case: every post it
// keeps.
func decisionSubject(c *cases.Case) takedown.Subject {
	s := takedown.Subject{CaseID: c.ID, App: c.App, Handle: c.Handle, Severity: c.Severity, Mode: c.Mode, Status: c.Status}
	seen := map[string]bool{}
	for _, sg := range c.Recent {
		for _, cat := range sg.Categories {
			if !seen[cat] {
				seen[cat] = true
				s.Categories = append(s.Categories, cat)
			}
		}
		s.Posts = append(s.Posts, takedown.PostRef{
			FindingID: sg.FindingID, Source: sg.Source, SourceKind: sg.SourceKind, PostID: sg.PostID,
			Permalink: sg.Permalink, Author: sg.Author, Severity: sg.Severity, Mode: sg.Mode, Excerpt: sg.Excerpt.Text,
		})
	}
	return s
}
