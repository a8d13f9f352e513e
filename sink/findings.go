package sink

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/stats"
)

// decodeFinding reads a finding off the bus; any error means the message
// can never be processed.
func decodeFinding(data []byte) (*wire.Finding, error) {
	var f wire.Finding
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding finding: %w", err)
	}
	if dec.More() {
		return nil, errors.New("decoding finding: trailing data after the JSON object")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// handleFinding is the durable consumer's handler: the finding's cases are
// updated, then alerted; the message is acked once both are settled.
func (s *Sink) handleFinding(ctx context.Context, m bus.Msg) error {
	f, err := decodeFinding(m.Data)
	if err != nil {
		s.m.findings.WithLabelValues("poison").Inc()
		return bus.Poison(err)
	}
	if err := s.ensureState(ctx); err != nil {
		return err
	}
	return s.applyFinding(ctx, f, m.Time, true)
}

// caseHandles are the finding's handles, one per case.
func caseHandles(f *wire.Finding) []wire.Handle {
	seen := map[string]bool{}
	var out []wire.Handle
	for _, h := range f.Handles {
		k := h.CaseKey()
		if !seen[k] {
			seen[k] = true
			out = append(out, h)
		}
	}
	return out
}

// applyFinding adds the finding's sightings to their cases; live (not a
// rebuild) it also alerts and feeds takedowns and statistics.
func (s *Sink) applyFinding(ctx context.Context, f *wire.Finding, at time.Time, live bool) error {
	hs := caseHandles(f)
	if len(hs) == 0 {
		// No case, but the finding still counts for the researchers.
		if err := s.hooks.finding(ctx, f, nil, nil, live); err != nil {
			return err
		}
		if live {
			s.m.findings.WithLabelValues("no_handle").Inc()
			s.log.Info("finding without a handle: no case", zap.String("finding_id", f.ID), zap.String("source", f.Post.Source))
		}
		return nil
	}
	var ids []string
	var cs []*cases.Case
	anyNew := false
	for _, h := range hs {
		u, err := s.cases.AddSighting(ctx, h.App, h.Handle, cases.SightingOf(f, h, at))
		if err != nil {
			return err
		}
		ids = append(ids, u.Case.ID)
		cs = append(cs, u.Case)
		anyNew = anyNew || u.Changed
		if !live {
			continue
		}
		if u.Created {
			s.m.casesCreated.Inc()
		}
		if err := s.alertCase(ctx, u.Case); err != nil {
			return err
		}
	}
	if err := s.hooks.finding(ctx, f, hs, cs, live); err != nil {
		return err
	}
	if live {
		result := "repeat"
		if anyNew {
			result = "new"
		}
		s.m.findings.WithLabelValues(result).Inc()
		s.log.Info("finding", zap.String("finding_id", f.ID), zap.String("source", f.Post.Source),
			zap.String("severity", string(f.Severity)), zap.String("mode", string(f.Mode)),
			zap.Strings("cases", ids), zap.String("result", result))
	}
	return nil
}

// handleTally counts one posts-scanned tally for the researchers.
func (s *Sink) handleTally(ctx context.Context, m bus.Msg) error {
	var t wire.ScanTally
	if err := json.Unmarshal(m.Data, &t); err != nil {
		return bus.Poison(fmt.Errorf("decoding scan tally: %w", err))
	}
	if err := s.ensureState(ctx); err != nil {
		return err
	}
	return s.countTally(ctx, t)
}

func (s *Sink) countTally(ctx context.Context, t wire.ScanTally) error {
	if err := s.hooks.stats.ObserveTally(ctx, t); err != nil {
		if errors.Is(err, stats.ErrInvalid) {
			return bus.Poison(err)
		}
		return err
	}
	return nil
}
