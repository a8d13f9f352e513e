package signals

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// ReplayFunc replays a stream: (*bus.Bus).Replay has this shape.
type ReplayFunc func(ctx context.Context, stream, filter string, fn func(bus.Msg) error) error

// Rebuild replays hw.cases.> and hw.findings.> into a memory case store,
// as the sink does at start-up: what `signals export` reads, offline and
// changing nothing. Messages that do not decode are left out and counted.
func Rebuild(ctx context.Context, replay ReplayFunc, maxSightings int) (*cases.Memory, int, error) {
	m := cases.NewMemory(maxSightings)
	skipped := 0
	err := replay(ctx, bus.StreamCases, "", func(msg bus.Msg) error {
		var e wire.CaseEvent
		if json.Unmarshal(msg.Data, &e) != nil || e.Validate() != nil {
			skipped++
			return nil
		}
		_, err := m.Apply(ctx, &e)
		return err
	})
	if err != nil {
		return nil, skipped, fmt.Errorf("replaying case events: %w", err)
	}
	err = replay(ctx, bus.StreamFindings, "", func(msg bus.Msg) error {
		var f wire.Finding
		if json.Unmarshal(msg.Data, &f) != nil || f.Validate() != nil {
			skipped++
			return nil
		}
		for _, h := range f.Handles {
			if _, err := m.AddSighting(ctx, h.App, h.Handle, cases.SightingOf(&f, h, msg.Time)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, skipped, fmt.Errorf("replaying findings: %w", err)
	}
	return m, skipped, nil
}
