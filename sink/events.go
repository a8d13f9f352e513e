package sink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/signals"
)

// decodeCaseEvent reads a case event off the bus; any error means it can
// never be applied.
func decodeCaseEvent(data []byte) (*wire.CaseEvent, error) {
	var e wire.CaseEvent
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&e); err != nil {
		return nil, fmt.Errorf("decoding case event: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decoding case event: trailing data after the JSON object")
	}
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if e.App != "" && e.Handle != "" && wire.CaseKey(e.App, e.Handle) != e.CaseID {
		return nil, fmt.Errorf("case event %s: case id %s does not belong to %s %q", e.ID, e.CaseID, e.App, e.Handle)
	}
	return &e, nil
}

// handleCaseEvent applies one message of hw.cases.> (replayed or
// followed). A message that can never be applied is logged and counted,
// not retried: the stream keeps it for inspection.
func (s *Sink) handleCaseEvent(ctx context.Context, m bus.Msg, from origin) error {
	e, err := decodeCaseEvent(m.Data)
	if err != nil {
		s.m.events.WithLabelValues("unknown", "invalid").Inc()
		s.log.Error("invalid case event skipped", zap.Uint64("seq", m.Seq), zap.String("msg_id", m.MsgID), zap.Error(err))
		return nil
	}
	_, err = s.applyEvent(ctx, e, from)
	return err
}

func (s *Sink) followCaseEvent(ctx context.Context, m bus.Msg) error {
	return s.handleCaseEvent(ctx, m, fromFollow)
}

// applyEvent folds e into its case and carries out what a decision
// means outside the case: the detector's watchlists, and takedowns.
func (s *Sink) applyEvent(ctx context.Context, e *wire.CaseEvent, from origin) (*cases.Case, error) {
	u, err := s.cases.Apply(ctx, e)
	if err != nil {
		return nil, err
	}
	result := "repeat"
	if u.Changed {
		result = "applied"
	}
	s.m.events.WithLabelValues(string(e.Type), result).Inc()
	if e.Type == wire.EventDecision {
		s.audit.add(e)
	}
	// Watchlists follow the decision in force, whichever process applied
	// it first: set updates are idempotent, so repeating them is safe and
	// heals a crash between the case update and the set update.
	if e.Type == wire.EventDecision && u.Case.Decision != nil && u.Case.Decision.EventID == e.ID {
		if err := s.updateWatchlists(ctx, u.Case); err != nil {
			return nil, err
		}
	}
	// A partner's handle is watched in shadow mode until a moderator
	// decides; the decision or a revocation takes it off.
	if e.Type == wire.EventImport || e.Type == wire.EventDecision {
		if err := signals.SyncWatch(ctx, s.state, u.Case, s.now()); err != nil {
			return nil, err
		}
	}
	if err := s.hooks.event(ctx, e, u.Case, from); err != nil {
		return nil, err
	}
	return u.Case, nil
}

// updateWatchlists puts the handle on the lists the detector reads:
// confirmed handles are known, cleared handles never actionable again. A
// dismissal takes a handle off the known list (the moderator changed
// their mind) without clearing it for good; escalation changes nothing.
func (s *Sink) updateWatchlists(ctx context.Context, c *cases.Case) error {
	if c.App == "" || c.Handle == "" {
		return nil
	}
	member := wire.WatchMember(c.App, c.Handle)
	var err error
	switch c.Status {
	case cases.StatusConfirmed:
		err = errors.Join(s.state.AddToSet(ctx, wire.WatchlistKnown, member),
			s.state.RemoveFromSet(ctx, wire.WatchlistCleared, member))
	case cases.StatusCleared:
		err = errors.Join(s.state.AddToSet(ctx, wire.WatchlistCleared, member),
			s.state.RemoveFromSet(ctx, wire.WatchlistKnown, member))
	case cases.StatusDismissed:
		err = s.state.RemoveFromSet(ctx, wire.WatchlistKnown, member)
	}
	if err != nil {
		return fmt.Errorf("updating watchlists for %s: %w", c.ID, err)
	}
	return nil
}
